"""The main window: the lobby, the join screen and the call screen, and the glue to the ClinicSession.

It also runs the media controls (mute, camera, device switching, volumes) and the pre-join
device check; every DevicePort call runs in a worker thread. With a ScheduleSource it shows the
lobby (the subscribed programs' sessions) and joins a scheduled session with no typing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from echo_desktop.cases.model import Case, CaseStatus
from echo_desktop.cases.ports import CaseError, CaseSource, CasesSnapshot, HubProgram, MyCase
from echo_desktop.cases.validation import Guard
from echo_desktop.schedule.lobby import ScheduledSession, ScheduleSnapshot
from echo_desktop.schedule.ports import CalendarExport, ScheduleError, ScheduleSource
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import (
    DeviceInfo,
    DeviceKind,
    JoinRequest,
    LocalMediaState,
    Participant,
)
from echo_desktop.session.phases import CallPhase, CallState
from echo_desktop.session.ports import DevicePort, SettingsStore
from echo_desktop.ui.call_view import CallView
from echo_desktop.ui.device_check import DeviceCheckDialog
from echo_desktop.ui.join_view import FORM_KEYS, JoinView, error_details
from echo_desktop.ui.media_settings import MEDIA_KEYS
from echo_desktop.ui.schedule.lobby_view import LobbyView, local_now
from echo_desktop.ui.schedule.local_zone import system_zone
from echo_desktop.ui.schedule.network_watch import NetworkWatch
from echo_desktop.ui.schedule.notices import NoticeBoard
from echo_desktop.ui.schedule.scheduled_join import join_request_for
from echo_desktop.ui.schedule.subscribe_dialog import SubscribeDialog
from echo_desktop.ui.session_bridge import SessionBridge
from echo_desktop.ui.style import stylesheet
from echo_desktop.ui.tasks import TaskSet

if TYPE_CHECKING:  # the case screens load when first opened, not on the way to the lobby
    from echo_desktop.ui.cases.case_form_view import CaseFormView
    from echo_desktop.ui.cases.my_cases_view import MyCasesView
    from echo_desktop.ui.cases.review_view import ReviewView

logger = logging.getLogger(__name__)

WINDOW_TITLE = "ECHO Desktop"
DEFAULT_SIZE = (1180, 760)
"""The window's size when it opens (bench.cpu_mem gives Chromium the same)."""
LEAVE_ON_CLOSE_TIMEOUT_S = 5.0
LEFT_CLINIC_TEXT = "You left the clinic."

_SHOWING_CALL_PHASES = {CallPhase.IN_CALL}


class MainWindow(QMainWindow):
    """Switches between the join screen and the call screen and runs the session's commands.

    Commands run as asyncio tasks on the Qt loop (qasync). Every failure ends up in a banner.
    Without a DevicePort (`devices`) there is no device check and no device menu; mute, camera
    and volumes still work. Without a ScheduleSource (`schedule`) there is no lobby: the join form
    is the only way in. `now` is the lobby's clock (tests move it), `local_zone` the user's zone.
    With a CaseSource (`cases`) and the de-identification guard (`guard`), the lobby's header
    opens "My cases" (and "Review cases" for a facilitator); the case screens need the lobby.
    """

    def __init__(
        self,
        session: ClinicSession,
        settings: SettingsStore,
        devices: DevicePort | None = None,
        parent: QWidget | None = None,
        *,
        schedule: ScheduleSource | None = None,
        now: Callable[[], datetime] | None = None,
        local_zone: tzinfo | None = None,
        calendar_export: CalendarExport | None = None,
        cases: CaseSource | None = None,
        guard: Guard | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.setStyleSheet(stylesheet())
        self.setMinimumSize(760, 560)
        self.resize(*DEFAULT_SIZE)
        self._session = session
        self._settings = settings
        self._devices = devices
        self._tasks = TaskSet(self._on_task_failed)
        self._leaving = False
        self._close_requested = False
        self._close_now = False
        self._loading_devices = False
        self.device_check: DeviceCheckDialog | None = None
        self.subscribe_dialog: SubscribeDialog | None = None
        self._schedule = schedule
        self._return_to_lobby = False  # the call was joined from the lobby: leaving goes back there
        self._network_watch: NetworkWatch | None = None
        self._refresh_task: asyncio.Future[Any] | None = None
        self._notices = NoticeBoard()
        self._now = now or local_now
        self._local_zone = local_zone
        self._cases = cases if guard is not None else None
        self._guard = guard
        if cases is not None and guard is None:
            logger.warning("A case source without a guard: the case screens are off")
        self.my_cases_view: MyCasesView | None = None
        self.case_form_view: CaseFormView | None = None
        self.review_view: ReviewView | None = None

        self.join_view = JoinView()
        self.call_view = CallView(session.latest_frame, view_size_sink=session.set_view_size)
        self.lobby_view: LobbyView | None = None
        if schedule is not None:
            self.lobby_view = LobbyView(
                now or local_now, local_zone=local_zone, calendar_export=calendar_export
            )
        self.stack = QStackedWidget()
        if self.lobby_view is not None:
            self.stack.addWidget(self.lobby_view)
        self.stack.addWidget(self.join_view)
        self.stack.addWidget(self.call_view)
        self.setCentralWidget(self.stack)

        self._bridge = SessionBridge(session, self)
        self._bridge.state_changed.connect(self._on_state)
        self._bridge.participants_changed.connect(self._on_participants)
        self._bridge.notice_received.connect(self.call_view.show_notice)
        self._bridge.local_media_changed.connect(self._on_local_media)
        self.join_view.join_requested.connect(self._on_join_requested)
        self.join_view.device_check_requested.connect(self.open_device_check)
        self.join_view.set_device_check_available(devices is not None)
        self.call_view.leave_requested.connect(self.request_leave)
        self.call_view.back_to_join_requested.connect(self.request_leave)
        self.call_view.volume_changed.connect(self._on_volume_changed)
        controls = self.call_view.controls
        controls.set_device_switching_available(devices is not None)
        controls.mute_clicked.connect(lambda: self._control(self._session.toggle_muted()))
        controls.camera_clicked.connect(lambda: self._control(self._session.toggle_camera()))
        controls.camera_chosen.connect(self._on_camera_chosen)
        controls.microphone_chosen.connect(self._on_microphone_chosen)
        controls.devices_menu_opening.connect(self.refresh_call_devices)

        self.join_view.load_values(self._load_settings())
        if schedule is not None and self.lobby_view is not None:
            self._start_cases(self.lobby_view)
            self._start_schedule(schedule, self.lobby_view)
        else:
            self.stack.setCurrentWidget(self.join_view)

    # --- what is shown -------------------------------------------------------------------------

    @property
    def session(self) -> ClinicSession:
        return self._session

    @property
    def showing_call(self) -> bool:
        return self.stack.currentWidget() is self.call_view

    @property
    def showing_lobby(self) -> bool:
        return self.lobby_view is not None and self.stack.currentWidget() is self.lobby_view

    def show_join_view(self) -> None:
        self.stack.setCurrentWidget(self.join_view)
        self._place_notices()
        self.join_view.focus_first_empty_field()

    def show_lobby(self) -> None:
        """Show the schedule (when the app has one; else the join form)."""
        if self.lobby_view is None:
            self.show_join_view()
            return
        self.stack.setCurrentWidget(self.lobby_view)
        self._place_notices()
        self.lobby_view.focus_first_join()

    def _show_home(self) -> None:
        """After a call: the lobby if the call came from it, else the join form."""
        if self._return_to_lobby:
            self.show_lobby()
        else:
            self.show_join_view()

    def show_call_view(self) -> None:
        self._notices.acknowledge()  # they were on the screen the user joined from
        self.stack.setCurrentWidget(self.call_view)
        self._place_notices()
        self.call_view.participant_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.showing_lobby and self.lobby_view is not None:
            self.lobby_view.focus_first_join()
        elif not self.showing_call:
            self.join_view.focus_first_empty_field()

    # --- settings ------------------------------------------------------------------------------

    def _load_settings(self) -> dict[str, str]:
        try:
            return dict(self._settings.load())
        except Exception:
            logger.warning("Could not load the saved settings", exc_info=True)
            return {}

    def _save_settings(self, only: frozenset[str] = FORM_KEYS) -> None:
        """Store the join form's values (or just the keys in `only`); other keys are kept."""
        kept = {k: v for k, v in self._load_settings().items() if k not in only}
        form = {k: v for k, v in self.join_view.values_to_save().items() if k in only}
        values = {**kept, **form}
        try:
            self._settings.save(values)
        except Exception:
            logger.warning("Could not save the settings", exc_info=True)

    # --- joining -------------------------------------------------------------------------------

    def _on_join_requested(self, request: JoinRequest) -> None:
        self._save_settings()
        self._spawn(self._join(request))

    async def _join(self, request: JoinRequest, scheduled: ScheduledSession | None = None) -> None:
        """Join the room, then show the call; a failure is shown where the join started."""
        lobby = self.lobby_view if scheduled is not None else None
        if lobby is None:
            self.join_view.set_busy(True)
        self.call_view.reset()
        self.call_view.set_clinic(request, scheduled.title if scheduled is not None else None)
        failure: EchoError | None = None
        try:
            await self._session.join(request)
        except EchoError as exc:
            logger.info("Join failed: %s", exc)
            failure = exc
        finally:
            if lobby is None:
                self.join_view.set_busy(False)  # before showing a failure: focus needs enabled fields
        if failure is not None:
            if lobby is not None:
                lobby.show_error(failure.user_message, error_details(failure))
            else:
                self.join_view.show_join_failure(failure)
            return
        state = self._session.state
        if state.phase is CallPhase.FAILED:
            reason = state.reason or "The call could not be started."
            (lobby or self.join_view).show_error(reason)
            return
        self._return_to_lobby = lobby is not None
        if state.phase not in _SHOWING_CALL_PHASES:
            logger.info("Join finished in phase %s; staying on the join screen", state.phase)
            return
        self.call_view.set_state(state)
        self.call_view.set_local_media(self._session.local_media)
        self._on_participants(self._session.participants)
        self.show_call_view()
        self.refresh_call_devices()

    # --- device check --------------------------------------------------------------------------

    def open_device_check(self) -> None:
        """Open the device check over the join screen (it lists and opens devices in threads)."""
        if self._devices is None or self.device_check is not None or self.join_view.is_busy:
            return
        dialog = DeviceCheckDialog(
            self._devices,
            self.join_view.media_preferences(),
            self.join_view.name_edit.text(),
            self.join_view.selected_role(),
            parent=self,
        )
        self.device_check = dialog
        dialog.accepted.connect(lambda: self._on_devices_chosen(dialog))
        dialog.finished.connect(lambda _result: self._on_device_check_closed(dialog))
        dialog.open()
        dialog.start()

    def _on_devices_chosen(self, dialog: DeviceCheckDialog) -> None:
        self.join_view.set_devices(dialog.preferences(), dialog.summary())
        self._save_settings(only=MEDIA_KEYS)  # the rest of the form is saved when joining

    def _on_device_check_closed(self, dialog: DeviceCheckDialog) -> None:
        if self.device_check is dialog:
            self.device_check = None
        dialog.deleteLater()
        self.join_view.check_devices_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- media controls in the call ----------------------------------------------------------------

    def _control(self, command: Coroutine[Any, Any, None]) -> None:
        self._spawn(self._run_control(command))

    async def _run_control(self, command: Coroutine[Any, Any, None]) -> None:
        try:
            await command
        except EchoError as exc:
            logger.info("Media control failed: %s", exc)
            details = f"Details: {exc.detail}" if exc.detail and exc.detail != exc.user_message else None
            self.call_view.show_control_error(exc.user_message, details)

    def _on_camera_chosen(self, device_id: str) -> None:
        self._control(self._session.switch_camera(device_id))

    def _on_microphone_chosen(self, device_id: str) -> None:
        self._control(self._session.switch_microphone(device_id))

    def refresh_call_devices(self) -> None:
        """List cameras and microphones for the call's device menu, in a worker thread."""
        if self._devices is None or self._loading_devices:
            return
        self._spawn(self._load_call_devices(self._devices))

    async def _load_call_devices(self, devices: DevicePort) -> None:
        self._loading_devices = True
        found: list[list[DeviceInfo] | str] = []
        try:
            for kind in (DeviceKind.CAMERA, DeviceKind.MICROPHONE):
                try:
                    found.append(list(await asyncio.to_thread(devices.list_devices, kind)))
                except Exception as exc:
                    logger.warning("Listing %s devices failed", kind.value, exc_info=True)
                    reason = str(exc) if isinstance(exc, OSError) and str(exc) else "could not be listed"
                    found.append(f"{kind.value.capitalize()}s: {reason}")
        finally:
            self._loading_devices = False
        self.call_view.controls.set_device_lists(found[0], found[1])

    def _on_local_media(self, state: LocalMediaState) -> None:
        self.call_view.set_local_media(state)

    def _on_volume_changed(self, feed_id: int, gain: float) -> None:
        try:
            self._session.set_participant_volume(feed_id, gain)
        except Exception:
            logger.warning("Setting the volume of feed %s failed", feed_id, exc_info=True)

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
        self._show_home()
        if not was_failed:
            home = (
                self.lobby_view if self._return_to_lobby and self.lobby_view is not None else self.join_view
            )
            home.show_info(LEFT_CLINIC_TEXT)
        if self._close_requested:
            self._close_now = True
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.device_check is not None:
            self.device_check.reject()  # closes the preview and the meter
        if self._close_now or self._session.state.phase is CallPhase.IDLE:
            self._stop_schedule()
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
            self._stop_schedule()
            event.accept()

    # --- the schedule --------------------------------------------------------------------------

    def _start_schedule(self, schedule: ScheduleSource, lobby: LobbyView) -> None:
        lobby.join_requested.connect(self._on_lobby_join)
        lobby.refresh_requested.connect(self.refresh_schedule)
        lobby.add_program_requested.connect(self.open_subscribe_dialog)
        lobby.join_other_requested.connect(self.show_join_view)
        self.join_view.back_to_schedule_requested.connect(self.show_lobby)
        self.join_view.add_program_requested.connect(self.open_subscribe_dialog)
        lobby.notice_banner.dismissed.connect(self._on_notices_dismissed)
        self.join_view.notice_banner.dismissed.connect(self._on_notices_dismissed)
        schedule.set_listener(self._on_snapshot)
        snapshot = schedule.snapshot()
        # The first screen is chosen before the snapshot is shown, so its notices land on it.
        self.stack.setCurrentWidget(lobby if snapshot.subscriptions else self.join_view)
        self._on_snapshot(snapshot)
        self._network_watch = NetworkWatch(self._network_changed, self)
        if not self._network_watch.start():
            self._network_watch = None
        self.refresh_schedule()

    def _network_changed(self, reachable: bool) -> None:
        if self._schedule is not None:
            self._schedule.network_changed(reachable)
        if self._cases is not None:
            self._cases.network_changed(reachable)

    def _on_snapshot(self, snapshot: ScheduleSnapshot) -> None:
        """A new snapshot from the source (a refresh landed, or a subscription was added)."""
        if self.lobby_view is None:
            return
        self.lobby_view.set_snapshot(snapshot)
        if self.review_view is not None:
            self.review_view.set_sessions(snapshot.sessions, self._now())
        self.join_view.set_schedule_links(back=bool(snapshot.subscriptions), add_program=True)
        if self._notices.add(snapshot.notices):
            self._place_notices()

    def _place_notices(self) -> None:
        """Show the waiting notices on the screen showing (the lobby or the join form), and on no
        other. In a call they wait: a note about the schedule must not interrupt a clinic."""
        current = self.stack.currentWidget()
        waiting = self._notices.waiting
        for screen in (self.lobby_view, self.join_view):
            if screen is None:
                continue
            if screen is current and waiting:
                screen.show_notice(waiting[0], "\n".join(waiting[1:]) or None)
            else:
                screen.notice_banner.clear()
        if waiting and current is not self.call_view:
            self._notices.mark_shown()

    def _on_notices_dismissed(self) -> None:
        self._notices.clear()
        self._place_notices()

    def refresh_schedule(self) -> None:
        """Fetch every subscription now (Ctrl+R in the lobby, and once at start)."""
        if self._schedule is None:
            return
        try:
            self._refresh_task = self._tasks.spawn(self._refresh(self._schedule))
        except RuntimeError:  # built without a running loop: the source refreshes on its own timer
            logger.info("No event loop yet; the schedule was not refreshed at start")

    async def _refresh(self, schedule: ScheduleSource) -> None:
        self._on_snapshot(await schedule.refresh())

    def open_subscribe_dialog(self) -> None:
        """Open "Add a program" over the current screen."""
        if self._schedule is None or self.subscribe_dialog is not None:
            return
        dialog = SubscribeDialog(self._schedule.subscribe_hub, self._schedule.subscribe_feed, parent=self)
        self.subscribe_dialog = dialog
        dialog.subscribed.connect(self._on_subscribed)
        dialog.finished.connect(lambda _result: self._on_subscribe_closed(dialog))
        dialog.open()

    def _on_subscribed(self, snapshot: ScheduleSnapshot) -> None:
        self._on_snapshot(snapshot)
        if not self.showing_call:
            self.show_lobby()

    def _on_subscribe_closed(self, dialog: SubscribeDialog) -> None:
        if self.subscribe_dialog is dialog:
            self.subscribe_dialog = None
        dialog.deleteLater()

    def _on_lobby_join(self, scheduled: ScheduledSession) -> None:
        self._spawn(self._join_scheduled(scheduled))

    async def _join_scheduled(self, scheduled: ScheduledSession) -> None:
        """Ask the hub for the room and PIN, then join the way the join form does."""
        lobby, schedule = self.lobby_view, self._schedule
        if lobby is None or schedule is None or scheduled.join is None or lobby.is_joining:
            return
        lobby.set_joining(scheduled)
        try:
            try:
                details = await schedule.join_details(scheduled.join)
            except ScheduleError as exc:
                logger.info("The hub gave no join details for a session of %s", scheduled.program)
                lobby.show_join_failure(scheduled, str(exc) or "The hub did not let this app into the room")
                return
            try:
                request = join_request_for(details, self.join_view.media_preferences())
            except ValueError as exc:
                logger.warning("The hub's join details were unusable: %s", exc)
                lobby.show_error("The hub sent join details this app cannot use.", f"Details: {exc}")
                return
            await self._join(request, scheduled)
        finally:
            lobby.set_joining(None)

    def _stop_schedule(self) -> None:
        if self._refresh_task is not None:
            self._refresh_task.cancel()  # the window is closing: no refresh outlives it
        if self._schedule is not None:
            self._schedule.set_listener(None)
        if self._network_watch is not None:
            self._network_watch.stop()
        if self.lobby_view is not None:
            self.lobby_view.stop()
        if self._cases is not None:
            self._cases.set_listener(None)
        if self.case_form_view is not None:
            self.case_form_view.stop()

    # --- cases ---------------------------------------------------------------------------------

    def _start_cases(self, lobby: LobbyView) -> None:
        if self._cases is None:
            return
        lobby.my_cases_requested.connect(self.show_my_cases)
        lobby.review_requested.connect(self.show_review)
        self._cases.set_listener(self._on_case_list)
        self._on_case_list(self._cases.snapshot())

    def _zone(self) -> tzinfo:
        if self.lobby_view is not None:
            return self.lobby_view.local_zone
        return self._local_zone if self._local_zone is not None else system_zone()

    def show_my_cases(self) -> None:
        """Show "My cases" from the saved list at once, and ask the hub for news."""
        cases = self._cases
        if cases is None:
            return
        view = self.my_cases_view
        if view is None:
            from echo_desktop.ui.cases.my_cases_view import MyCasesView

            view = MyCasesView(cases, self._zone())
            view.back_requested.connect(self.show_lobby)
            view.new_requested.connect(self.new_case)
            view.open_requested.connect(self.open_case)
            view.refresh_requested.connect(self.refresh_cases)
            self.stack.addWidget(view)
            self.my_cases_view = view
        view.set_cases(cases.snapshot())
        self.stack.setCurrentWidget(view)
        view.focus_first()
        self.refresh_cases()

    def _on_case_list(self, cases: CasesSnapshot) -> None:
        """A new snapshot of the cases: "My cases" shows it, and "Review cases" is offered once a
        hub said the person is one of a program's facilitators."""
        if self.lobby_view is not None:
            self.lobby_view.set_case_links(my_cases=True, review=any(p.reviews for p in cases.programs))
        if self.my_cases_view is not None:
            self.my_cases_view.set_cases(cases)

    def refresh_cases(self) -> None:
        if self._cases is None:
            return
        try:
            self._tasks.spawn(self._refresh_cases(self._cases))
        except RuntimeError:
            logger.info("No event loop yet; the cases were not refreshed")

    async def _refresh_cases(self, cases: CaseSource) -> None:
        self._on_case_list(await cases.refresh())

    def new_case(self, program: HubProgram) -> None:
        """Start a new draft for a program and open it in the case form."""
        self._spawn(self._new_case(program))

    async def _new_case(self, program: HubProgram) -> None:
        if self._cases is None:
            return
        try:
            case = await self._cases.new_draft(program)
        except CaseError as exc:
            if self.my_cases_view is not None:
                self.my_cases_view.show_error("A new case could not be started.", str(exc))
            return
        await self._open_case(MyCase(case, program))

    def open_case(self, entry: MyCase) -> None:
        """Open a draft (or a case returned with comments) in the case form."""
        self._spawn(self._open_case(entry))

    async def _open_case(self, entry: MyCase) -> None:
        cases, guard = self._cases, self._guard
        if cases is None or guard is None or self.case_form_view is not None:
            return
        try:
            # The saved draft, or a draft of the hub's copy (a returned case to resubmit).
            case = await cases.load_draft(entry.case.client_id)
            form = await cases.case_form(entry.program)
        except CaseError as exc:
            if self.my_cases_view is not None:
                self.my_cases_view.show_error("The case could not be opened.", str(exc))
            return
        if case is None:
            if self.my_cases_view is not None:
                self.my_cases_view.show_error("This case is waiting to be sent: it cannot be edited now.")
            return
        from echo_desktop.ui.cases.case_form_view import CaseFormView

        view = CaseFormView(cases, guard, form, case, program_name=entry.program.name, refusal=entry.refusal)
        view.submitted.connect(self._on_case_submitted)
        view.discarded.connect(lambda _client_id: self._close_case_form("The draft was deleted."))
        view.closed.connect(lambda: self._close_case_form(None))
        self.case_form_view = view
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        first = next(iter(view.choices.values()), None) or next(iter(view.editors.values()), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_case_submitted(self, case: Case) -> None:
        if case.status is CaseStatus.QUEUED:
            message = "Your case is queued: it is sent by itself as soon as the hub answers."
        else:
            message = "Your case was submitted. A facilitator will review it."
        self._close_case_form(message)

    def _close_case_form(self, message: str | None) -> None:
        view = self.case_form_view
        self.case_form_view = None
        if view is not None:
            view.stop()
            self.stack.removeWidget(view)
            view.deleteLater()
        self.show_my_cases()
        if message and self.my_cases_view is not None:
            self.my_cases_view.show_info(message)

    def show_review(self) -> None:
        """Show the facilitator's review queue, with the lobby's upcoming sessions to approve into."""
        cases, guard = self._cases, self._guard
        if cases is None or guard is None:
            return
        view = self.review_view
        if view is None:
            from echo_desktop.ui.cases.review_view import ReviewView

            view = ReviewView(cases, guard, self._zone())
            view.back_requested.connect(self.show_lobby)
            self.stack.addWidget(view)
            self.review_view = view
        else:
            view.reload()
        if self.lobby_view is not None:
            view.set_sessions(self.lobby_view.snapshot.sessions, self._now())
        self.stack.setCurrentWidget(view)
        view.queue_list.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- session callbacks ---------------------------------------------------------------------

    def _on_state(self, state: CallState) -> None:
        self.call_view.set_state(state)

    def _on_participants(self, participants: list[Participant]) -> None:
        me = self._session.me if self._session.state.phase in _SHOWING_CALL_PHASES else None
        self.call_view.set_participants(me, participants)

    # --- tasks ---------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn(coro)

    def _on_task_failed(self, exc: BaseException) -> None:
        message = f"Something unexpected went wrong: {exc}"
        current = self.stack.currentWidget()
        if self.showing_call:
            self.call_view.show_notice(message)
        elif self.my_cases_view is not None and current is self.my_cases_view:
            self.my_cases_view.show_error(message)
        elif self.review_view is not None and current is self.review_view:
            self.review_view.show_error(message)
        elif self.case_form_view is not None and current is self.case_form_view:
            self.case_form_view.error_banner.show_message(message)
        elif self.showing_lobby and self.lobby_view is not None:
            self.lobby_view.show_error(message)
        else:
            self.join_view.show_error(message)

    @property
    def pending_tasks(self) -> int:
        """How many window tasks (join, leave) are still running."""
        return len(self._tasks)
