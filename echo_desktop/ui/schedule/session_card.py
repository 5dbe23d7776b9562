"""One session in the lobby: when, what, who presents, which cases, its status and its buttons."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from echo_desktop.schedule.lobby import ScheduledSession, SessionStatus, clock_time, time_label
from echo_desktop.ui.schedule.wording import day_heading, status_text
from echo_desktop.ui.style import scaled_font

logger = logging.getLogger(__name__)

JOIN_TEXT = "Join"
CALENDAR_TEXT = "Add to my calendar"
MOVED_TEXT = "Moved"


def _label(text: str, name: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # feed text is never markup
    return label


class SessionCard(QFrame):
    """A card for one session. It emits `join_clicked` and `export_clicked` with its session.

    `update_time(now)` re-evaluates the status and the Join button; the lobby calls it on
    every tick of its clock.
    """

    join_clicked = Signal(object)
    export_clicked = Signal(object)

    def __init__(
        self,
        session: ScheduledSession,
        local: tzinfo,
        today: datetime,
        *,
        can_export: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SessionCard")
        self.session = session
        self._local = local
        start = session.start.astimezone(local)
        day = day_heading(start.date(), today.astimezone(local).date())

        self.time_label = _label(time_label(session, local), "SessionTime")
        self.time_label.setFont(scaled_font(self.font(), 1.05, bold=True))
        self.program_label = _label(session.program, "Muted")
        self.title_label = _label(session.title or session.program, "SessionTitle")
        self.title_label.setFont(scaled_font(self.font(), 1.2, bold=True))
        self.didactic_label = _label(self._didactic_text(), "SessionDetail")
        self.didactic_label.setVisible(bool(self.didactic_label.text()))
        self.cases_label = _label(self._cases_text(), "SessionDetail")
        self.cases_label.setVisible(bool(session.cases))
        self.moved_label = _label(MOVED_TEXT, "MovedTag", wrap=False)
        self.moved_label.setToolTip("This session was moved from its usual time.")
        self.moved_label.setAccessibleName("Moved from its usual time")
        self.moved_label.setVisible(session.moved)
        self.status_label = _label("", "SessionStatus", wrap=False)

        self.export_button = QPushButton(CALENDAR_TEXT)
        self.export_button.setObjectName("Small")
        self.export_button.setAccessibleName(f"Add {session.title} on {day} to my calendar")
        self.export_button.setToolTip("Save this session as an .ics file for your calendar app")
        self.export_button.setVisible(can_export)
        self.export_button.clicked.connect(lambda: self.export_clicked.emit(self.session))

        self.join_button = QPushButton(JOIN_TEXT)
        self.join_button.setObjectName("Primary")
        # Enter on a focused Join presses it (a QPushButton outside a dialog needs autoDefault).
        self.join_button.setAutoDefault(True)
        self.join_button.setAccessibleName(f"Join {session.title}, {day} at {clock_time(start)}")
        self.join_button.setVisible(session.join is not None)
        self.join_button.clicked.connect(lambda: self.join_clicked.emit(self.session))

        badges = QHBoxLayout()
        badges.setSpacing(8)
        badges.addWidget(self.time_label, 1)
        badges.addWidget(self.moved_label, 0, Qt.AlignmentFlag.AlignTop)
        badges.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignTop)

        text = QVBoxLayout()
        text.setSpacing(3)
        text.addLayout(badges)
        text.addWidget(self.program_label)
        text.addSpacing(2)
        text.addWidget(self.title_label)
        text.addWidget(self.didactic_label)
        text.addWidget(self.cases_label)

        buttons = QVBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        buttons.addWidget(self.join_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 14, 16, 14)
        layout.setSpacing(20)
        layout.addLayout(text, 1)
        layout.addLayout(buttons)
        self.setAccessibleName(f"{day}, {time_label(session, local)}: {session.program}, {session.title}")

    def _didactic_text(self) -> str:
        didactic, presenter = self.session.didactic.strip(), self.session.presenter.strip()
        if didactic and presenter:
            return f"Didactic: {didactic} — {presenter}"
        if didactic:
            return f"Didactic: {didactic}"
        return f"Presenter: {presenter}" if presenter else ""

    def _cases_text(self) -> str:
        cases = [c.strip() for c in self.session.cases if c.strip()]
        if not cases:
            return ""
        return ("Case: " if len(cases) == 1 else "Cases: ") + "; ".join(cases)

    def update_time(self, now: datetime) -> None:
        """Show the status at `now`, and enable Join only while the room is open."""
        status = self.session.status(now)
        text = status_text(self.session, now, self._local)
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))
        self.status_label.setProperty("state", status.value)
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        joinable = self.session.can_join(now)
        self.join_button.setEnabled(joinable)
        self.join_button.setToolTip("Join the clinic now" if joinable else text or "The room is not open")
        if status is SessionStatus.ENDED:
            self.join_button.setEnabled(False)

    @property
    def status(self) -> str:
        """The status text shown (for tests and screen readers)."""
        return self.status_label.text()
