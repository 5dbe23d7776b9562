"""The lobby: the next two weeks of clinics, grouped by day, with a Join button that needs no typing.

The view shows a `ScheduleSnapshot` and asks its owner (the main window) to join, refresh,
subscribe or open the join form, through signals. Time comes from an injected clock: a QTimer
re-reads it, re-evaluates every card's status and Join button, and hands out reminders.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.schedule.lobby import ScheduledSession, ScheduleSnapshot, by_day, upcoming
from echo_desktop.schedule.ports import CalendarExport, ScheduleError
from echo_desktop.schedule.reminders import ReminderTracker
from echo_desktop.ui.banner import Banner, BannerKind, as_sentence
from echo_desktop.ui.page import add_refresh_shortcut, install_scrolling_page
from echo_desktop.ui.schedule.local_zone import system_zone
from echo_desktop.ui.schedule.notifier import Notify, TrayNotifier
from echo_desktop.ui.schedule.session_card import SessionCard
from echo_desktop.ui.schedule.wording import day_heading, freshness, is_offline, reminder_text
from echo_desktop.ui.style import set_heading
from echo_desktop.ui.tasks import TaskSet

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
TICK_MS = 5_000
"""How often the lobby re-reads the clock: a Join button enables within this of its room opening."""
CONTENT_MAX_WIDTH = 980
EMPTY_TEXT = "No clinics in the next 14 days."
EMPTY_HINT_SUBSCRIBED = "New sessions appear here as soon as your programs publish them."
EMPTY_HINT_NO_PROGRAMS = (
    "Add a program with the address and token your hub team sent you, or a calendar link."
)
OFFLINE_NOTE = (
    "You are offline. This is the schedule saved on this computer; "
    "it updates by itself when the hub answers again."
)


def local_now() -> datetime:
    """The real clock: now, as an aware datetime."""
    return datetime.now().astimezone()


def _session_key(session: ScheduledSession) -> tuple[str, str, datetime]:
    return (session.program, session.uid, session.start)


def _file_name(session: ScheduledSession, local: tzinfo) -> str:
    """A calendar file name a person recognises: "Hepatitis C ECHO 2026-03-10.ics"."""
    day = session.start.astimezone(local).date().isoformat()
    program = re.sub(r"[^\w\- ]+", " ", session.program).strip() or "Clinic"
    return f"{' '.join(program.split())} {day}.ics"


class LobbyView(QWidget):
    """The schedule screen. Its owner connects the signals and feeds it snapshots."""

    join_requested = Signal(object)  # a ScheduledSession whose room is open
    refresh_requested = Signal()
    add_program_requested = Signal()
    join_other_requested = Signal()
    my_cases_requested = Signal()
    review_requested = Signal()

    def __init__(
        self,
        now: Clock = local_now,
        *,
        local_zone: tzinfo | None = None,
        calendar_export: CalendarExport | None = None,
        notify: Notify | None = None,
        tick_ms: int = TICK_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LobbyView")
        self._now = now
        self._local = local_zone if local_zone is not None else system_zone()
        self._export = calendar_export
        self._tray: TrayNotifier | None = None
        if notify is None:
            self._tray = TrayNotifier(self)
            notify = self._tray.notify
        self._notify: Notify = notify
        self._snapshot = ScheduleSnapshot()
        # The sessions the cards show: rebuilt only when they change, so a refresh that brings
        # nothing new (a 304) never swaps a card out from under the user's click.
        self._shown: tuple[ScheduledSession, ...] | None = None
        self._cards: list[SessionCard] = []
        self._day_labels: list[QLabel] = []
        self._joining: ScheduledSession | None = None
        self._failed_join: ScheduledSession | None = None  # what the error banner's Try again joins
        self._reminders = ReminderTracker()
        self.ticks = 0  # how many times the clock was read (tests wait on it)
        self._tasks = TaskSet(lambda exc: self.show_error(f"Something unexpected went wrong: {exc}"))

        self.freshness_label = QLabel()
        self.freshness_label.setObjectName("Freshness")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Fetch the schedule now (Ctrl+R)")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.add_program_button = QPushButton("&Add a program…")
        self.add_program_button.setToolTip("Subscribe to a program from your hub, or to any calendar feed")
        self.add_program_button.clicked.connect(self.add_program_requested)
        self.join_other_button = QPushButton("Join another r&oom…")
        self.join_other_button.setToolTip("Join a clinic room by its address, number and PIN")
        self.join_other_button.clicked.connect(self.join_other_requested)
        # The case screens' ways in, shown only when the app has cases (`set_case_links`).
        self.my_cases_button = QPushButton("My &cases")
        self.my_cases_button.setToolTip("Your cases: prepare one, follow its review, read recommendations")
        self.my_cases_button.clicked.connect(self.my_cases_requested)
        self.review_button = QPushButton("Re&view cases")
        self.review_button.setToolTip("Screen the cases submitted to the programs you facilitate")
        self.review_button.clicked.connect(self.review_requested)
        self.my_cases_button.hide()
        self.review_button.hide()
        for button in self._header_buttons():
            button.setAutoDefault(True)
        add_refresh_shortcut(self, self.refresh_requested.emit)

        self.error_banner = Banner(BannerKind.ERROR)
        self.error_banner.action_triggered.connect(self._retry_join)
        self.problems_banner = Banner(BannerKind.WARNING, dismissible=False)
        self.notice_banner = Banner(BannerKind.INFO)
        self.reminder_banner = Banner(BannerKind.INFO)
        self.info_banner = Banner(BannerKind.INFO)
        self.offline_note = QLabel(OFFLINE_NOTE)
        self.offline_note.setObjectName("OfflineNote")
        self.offline_note.setWordWrap(True)
        self.offline_note.hide()

        self.empty_label = QLabel(EMPTY_TEXT)
        set_heading(self.empty_label, 1.2)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.empty_hint = QLabel(EMPTY_HINT_NO_PROGRAMS)
        self.empty_hint.setObjectName("Muted")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.empty_state = QFrame()
        self.empty_state.setObjectName("Card")
        empty_layout = QVBoxLayout(self.empty_state)
        empty_layout.setContentsMargins(32, 40, 32, 40)
        empty_layout.setSpacing(8)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.empty_hint)
        self.empty_state.hide()

        self._list = QWidget()
        self._list.setObjectName("SessionList")
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(0, 0, 0, 0)
        self._list_layout.setSpacing(10)

        self._build_layout()
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.set_snapshot(self._snapshot)

    # --- layout --------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        brand = QLabel("ECHO Desktop")
        brand.setObjectName("Brand")
        set_heading(brand, 1.0)
        title = QLabel("Your clinics")
        set_heading(title, 1.6)
        title_column = QVBoxLayout()
        title_column.setSpacing(2)
        title_column.addWidget(brand)
        title_column.addWidget(title)
        title_column.addWidget(self.freshness_label)

        header = QHBoxLayout()
        header.setSpacing(10)
        header.addLayout(title_column, 1)
        for button in self._header_buttons():
            header.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)

        column = QVBoxLayout()
        column.setSpacing(10)
        column.addLayout(header)
        column.addSpacing(6)
        for banner in (
            self.error_banner,
            self.reminder_banner,
            self.notice_banner,
        ):
            column.addWidget(banner)
        # Offline, the note says what the user sees (the saved schedule); the problems below it
        # say which programs the hub did not update.
        column.addWidget(self.offline_note)
        column.addWidget(self.problems_banner)
        column.addWidget(self.info_banner)
        column.addWidget(self.empty_state)
        column.addWidget(self._list)
        column.addStretch(1)

        install_scrolling_page(self, column, "Lobby", CONTENT_MAX_WIDTH)

    # --- the snapshot ----------------------------------------------------------------------------

    @property
    def snapshot(self) -> ScheduleSnapshot:
        return self._snapshot

    @property
    def local_zone(self) -> tzinfo:
        return self._local

    def set_snapshot(self, snapshot: ScheduleSnapshot) -> None:
        """Show a new snapshot: its sessions, how fresh it is and its problems.

        Its notices are the window's to place (`show_notice`): they must reach whichever screen
        is showing, which may not be this one.
        """
        self._snapshot = snapshot
        offline = is_offline(snapshot)
        self.freshness_label.setText(freshness(snapshot, self._local))
        self.freshness_label.setProperty("offline", offline)
        self._repolish(self.freshness_label)
        self.offline_note.setVisible(offline and bool(snapshot.sessions))
        self._show_problems(snapshot.problems)
        self.empty_hint.setText(EMPTY_HINT_SUBSCRIBED if snapshot.subscriptions else EMPTY_HINT_NO_PROGRAMS)
        self.tick()

    def _show_problems(self, problems: tuple[str, ...]) -> None:
        if not problems:
            self.problems_banner.clear()
            return
        # Each line is the client's, and says itself whether a saved copy is shown (there may be
        # none): the banner adds no claim of its own about what is still shown.
        if len(problems) == 1:
            self.problems_banner.show_message(as_sentence(problems[0]))
            return
        self.problems_banner.show_message(
            f"{len(problems)} programs could not be updated.",
            "\n".join(as_sentence(problem) for problem in problems),
        )

    # --- the clock -----------------------------------------------------------------------------

    def tick(self) -> None:
        """Re-read the clock: drop ended sessions, update each status and Join, send reminders."""
        now = self._now()
        self.ticks += 1
        sessions = upcoming(self._snapshot.sessions, now)
        shown = tuple(sessions)
        if shown != self._shown:
            self._rebuild(sessions, now)
            self._shown = shown
        for card in self._cards:
            card.update_time(now)
            if self._joining is not None:
                card.join_button.setEnabled(False)
        for session in self._reminders.due(sessions, now):
            self._remind(session)

    def _rebuild(self, sessions: list[ScheduledSession], now: datetime) -> None:
        focused = self._focused_button()
        for widget in [*self._cards, *self._day_labels]:
            self._list_layout.removeWidget(widget)
            widget.deleteLater()
        self._cards, self._day_labels = [], []
        today = now.astimezone(self._local).date()
        for day, day_sessions in by_day(sessions, self._local):
            heading = QLabel(day_heading(day, today))
            heading.setObjectName("DayHeading")
            set_heading(heading, 1.1)
            self._list_layout.addWidget(heading)
            self._day_labels.append(heading)
            for session in day_sessions:
                card = SessionCard(session, self._local, now, can_export=self._export is not None)
                card.join_clicked.connect(self._on_join_clicked)
                card.export_clicked.connect(self.export_session)
                self._list_layout.addWidget(card)
                self._cards.append(card)
        self.empty_state.setVisible(not sessions)
        self._list.setVisible(bool(sessions))
        self._set_tab_order()
        if focused is not None:
            self._restore_focus(*focused)

    def _header_buttons(self) -> list[QPushButton]:
        return [
            self.my_cases_button,
            self.review_button,
            self.refresh_button,
            self.add_program_button,
            self.join_other_button,
        ]

    def set_case_links(self, *, my_cases: bool, review: bool) -> None:
        """Show "My cases" (and "Review cases" for a facilitator) in the header."""
        self.my_cases_button.setVisible(my_cases)
        self.review_button.setVisible(review)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = list(self._header_buttons())
        for card in self._cards:
            chain += [card.join_button, card.export_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _focused_button(self) -> tuple[tuple[str, str, datetime], str] | None:
        for card in self._cards:
            if card.join_button.hasFocus():
                return _session_key(card.session), "join"
            if card.export_button.hasFocus():
                return _session_key(card.session), "export"
        return None

    def _restore_focus(self, key: tuple[str, str, datetime], which: str) -> None:
        for card in self._cards:
            if _session_key(card.session) == key:
                button = card.join_button if which == "join" else card.export_button
                button.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        self.refresh_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- what the user sees of it ----------------------------------------------------------------

    @property
    def cards(self) -> list[SessionCard]:
        """The session cards shown, in order."""
        return list(self._cards)

    def day_headings(self) -> list[str]:
        """The day headings shown, in order."""
        return [label.text() for label in self._day_labels]

    def card_for(self, session: ScheduledSession) -> SessionCard | None:
        return next((c for c in self._cards if _session_key(c.session) == _session_key(session)), None)

    def show_error(self, message: str, details: str | None = None) -> None:
        self.info_banner.clear()
        self._failed_join = None
        self.error_banner.show_message(message, details)

    def show_join_failure(self, session: ScheduledSession, reason: str) -> None:
        """Say that joining `session` failed and why, and offer to try again (Join stays too)."""
        self.show_error(f"Could not join “{session.title or session.program}”.", as_sentence(reason))
        self._failed_join = session
        self.error_banner.action_button.setText("Try again")
        self.error_banner.action_button.show()

    def show_info(self, message: str) -> None:
        self.info_banner.show_message(message)

    def show_notice(self, message: str, details: str | None = None) -> None:
        """Show something the user must be told once (a schedule notice), until dismissed."""
        self.notice_banner.show_message(message, details)

    def focus_first_join(self) -> None:
        """Put the focus on the first enabled Join (else on Refresh), where Enter joins."""
        for card in self._cards:
            if card.join_button.isVisible() and card.join_button.isEnabled():
                card.join_button.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        self.refresh_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- joining ---------------------------------------------------------------------------------

    def _on_join_clicked(self, session: ScheduledSession) -> None:
        if self._joining is not None or not session.can_join(self._now()):
            return
        self.error_banner.clear()
        self._failed_join = None
        self.join_requested.emit(session)

    def _retry_join(self) -> None:
        if self._failed_join is not None:
            self._on_join_clicked(self._failed_join)

    def set_joining(self, session: ScheduledSession | None) -> None:
        """While a join runs, every Join is disabled and the chosen one says "Joining…".

        When it ends with the lobby still showing (the join failed), the focus goes back to that
        session's Join: disabling it took the focus away, and Enter should try again.
        """
        was_joining, self._joining = self._joining, session
        for card in self._cards:
            joining_this = session is not None and _session_key(card.session) == _session_key(session)
            card.join_button.setText("Joining…" if joining_this else "Join")
        self.tick()
        if session is None and was_joining is not None and self.isVisible():
            tried = self.card_for(was_joining)
            if tried is not None and tried.join_button.isEnabled():
                tried.join_button.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def is_joining(self) -> bool:
        return self._joining is not None

    # --- reminders -------------------------------------------------------------------------------

    def _remind(self, session: ScheduledSession) -> None:
        title, body = reminder_text(session, self._local)
        try:
            shown = self._notify(title, body)
        except Exception:
            logger.warning(
                "The desktop notification failed; showing the reminder in the window", exc_info=True
            )
            shown = False
        if not shown:
            self.reminder_banner.show_message(title, body)
        logger.info("Reminded of a session of %s", session.program)

    # --- export ------------------------------------------------------------------------------------

    def export_session(self, session: ScheduledSession) -> None:
        """Ask where to save the session as .ics, then write it through the CalendarExport."""
        if self._export is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder or Path.home()) / _file_name(session, self._local))
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Add to my calendar", suggested, "Calendar files (*.ics)"
        )
        if not chosen:
            return
        path = Path(chosen if chosen.lower().endswith(".ics") else f"{chosen}.ics")
        self._tasks.spawn(self._write_calendar_file(self._export, session, path))

    async def _write_calendar_file(
        self, export: CalendarExport, session: ScheduledSession, path: Path
    ) -> None:
        try:
            await asyncio.to_thread(export, session, path)
        except (ScheduleError, OSError, ValueError) as exc:
            logger.warning("Saving %s failed: %s", path.name, type(exc).__name__)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.show_error(f"Could not save “{path.name}”.", f"Details: {reason}" if reason else None)
            return
        self.error_banner.clear()
        self.show_info(f"Saved “{path.name}”. Open it to add the session to your calendar.")

    # --- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def stop(self) -> None:
        """Stop the clock and remove the tray icon (when the window closes)."""
        self._timer.stop()
        if self._tray is not None:
            self._tray.close()

    @property
    def pending_tasks(self) -> int:
        return len(self._tasks)
