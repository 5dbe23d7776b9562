"""The main window: the join screen and the call screen, and the glue to the ClinicSession."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import JoinRequest, Participant
from echo_desktop.session.phases import CallPhase, CallState
from echo_desktop.session.ports import SettingsStore
from echo_desktop.ui.call_view import CallView
from echo_desktop.ui.join_view import FORM_KEYS, JoinView
from echo_desktop.ui.session_bridge import SessionBridge
from echo_desktop.ui.style import stylesheet

logger = logging.getLogger(__name__)

WINDOW_TITLE = "ECHO Desktop"
LEAVE_ON_CLOSE_TIMEOUT_S = 5.0
LEFT_CLINIC_TEXT = "You left the clinic."

_SHOWING_CALL_PHASES = {CallPhase.IN_CALL, CallPhase.RECONNECTING}


class MainWindow(QMainWindow):
    """Switches between the join screen and the call screen and runs the session's commands.

    Commands run as asyncio tasks on the Qt loop (qasync). Every failure ends up in a banner.
    """

    def __init__(
        self,
        session: ClinicSession,
        settings: SettingsStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.setStyleSheet(stylesheet())
        self.setMinimumSize(760, 560)
        self.resize(1180, 760)
        self._session = session
        self._settings = settings
        self._tasks: set[asyncio.Future[Any]] = set()
        self._leaving = False
        self._close_requested = False
        self._close_now = False

        self.join_view = JoinView()
        self.call_view = CallView(session.latest_frame)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.join_view)
        self.stack.addWidget(self.call_view)
        self.setCentralWidget(self.stack)

        self._bridge = SessionBridge(session, self)
        self._bridge.state_changed.connect(self._on_state)
        self._bridge.participants_changed.connect(self._on_participants)
        self._bridge.notice_received.connect(self.call_view.show_notice)
        self.join_view.join_requested.connect(self._on_join_requested)
        self.call_view.leave_requested.connect(self.request_leave)
        self.call_view.back_to_join_requested.connect(self.request_leave)

        self.join_view.load_values(self._load_settings())

    # --- what is shown -------------------------------------------------------------------------

    @property
    def session(self) -> ClinicSession:
        return self._session

    @property
    def showing_call(self) -> bool:
        return self.stack.currentWidget() is self.call_view

    def show_join_view(self) -> None:
        self.stack.setCurrentWidget(self.join_view)
        self.join_view.focus_first_empty_field()

    def show_call_view(self) -> None:
        self.stack.setCurrentWidget(self.call_view)
        self.call_view.participant_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.showing_call:
            self.join_view.focus_first_empty_field()

    # --- settings ------------------------------------------------------------------------------

    def _load_settings(self) -> dict[str, str]:
        try:
            return dict(self._settings.load())
        except Exception:
            logger.warning("Could not load the saved settings", exc_info=True)
            return {}

    def _save_settings(self) -> None:
        kept = {k: v for k, v in self._load_settings().items() if k not in FORM_KEYS}
        values = {**kept, **self.join_view.values_to_save()}
        try:
            self._settings.save(values)
        except Exception:
            logger.warning("Could not save the settings", exc_info=True)

    # --- joining -------------------------------------------------------------------------------

    def _on_join_requested(self, request: JoinRequest) -> None:
        self._save_settings()
        self._spawn(self._join(request))

    async def _join(self, request: JoinRequest) -> None:
        self.join_view.set_busy(True)
        self.call_view.reset()
        self.call_view.set_clinic(request)
        failure: EchoError | None = None
        try:
            await self._session.join(request)
        except EchoError as exc:
            logger.info("Join failed: %s", exc)
            failure = exc
        finally:
            self.join_view.set_busy(False)  # before showing a failure: focus needs enabled fields
        if failure is not None:
            self.join_view.show_join_failure(failure)
            return
        state = self._session.state
        if state.phase is CallPhase.FAILED:
            self.join_view.show_error(state.reason or "The call could not be started.")
            return
        if state.phase not in _SHOWING_CALL_PHASES:
            logger.info("Join finished in phase %s; staying on the join screen", state.phase)
            return
        self.call_view.set_state(state)
        self._on_participants(self._session.participants)
        self.show_call_view()

    # --- leaving -------------------------------------------------------------------------------

    def request_leave(self) -> None:
        """Leave the clinic (or dismiss a failed call) and return to the join screen."""
        self._spawn(self._leave())

    async def _leave(self) -> None:
        if self._leaving:
            return
        self._leaving = True
        was_failed = self._session.state.phase is CallPhase.FAILED
        try:
            if self._close_requested:
                await asyncio.wait_for(self._session.leave(), LEAVE_ON_CLOSE_TIMEOUT_S)
            else:
                await self._session.leave()
        except TimeoutError:
            logger.warning("Leaving took too long; closing anyway")
        finally:
            self._leaving = False
        self.call_view.reset()
        self.show_join_view()
        if not was_failed:
            self.join_view.show_info(LEFT_CLINIC_TEXT)
        if self._close_requested:
            self._close_now = True
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._close_now or self._session.state.phase is CallPhase.IDLE:
            event.accept()
            return
        # In a call: leave cleanly first, then close (the leave task calls close() again).
        event.ignore()
        if self._close_requested:
            return
        self._close_requested = True
        try:
            self.request_leave()
        except RuntimeError:  # no asyncio loop to leave on: close without the goodbye
            logger.warning("No event loop to leave the call on; closing directly")
            self._close_now = True
            event.accept()

    # --- session callbacks ---------------------------------------------------------------------

    def _on_state(self, state: CallState) -> None:
        self.call_view.set_state(state)

    def _on_participants(self, participants: list[Participant]) -> None:
        me = self._session.me if self._session.state.phase in _SHOWING_CALL_PHASES else None
        self.call_view.set_participants(me, participants)

    # --- tasks ---------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:
            coro.close()
            raise
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)

    def _on_task_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        logger.error("Unexpected error in a window task", exc_info=exc)
        message = f"Something unexpected went wrong: {exc}"
        if self.showing_call:
            self.call_view.show_notice(message)
        else:
            self.join_view.show_error(message)

    @property
    def pending_tasks(self) -> int:
        """How many window tasks (join, leave) are still running."""
        return len(self._tasks)
