"""The facilitator's review: the program's submitted cases, each screened again by the guard
here, with the presenter's "not PHI" dismissals and their reasons; approve into an upcoming
session's case slot, or return with comments. And, once a case was presented in its session, its
written recommendations.

Approve stays disabled while the guard finds something the presenter did not dismiss: a case
with an open finding is never shown in a clinic. Returning it asks the presenter to fix it.
Recommendations are screened by the same guard before they are sent (the hub screens them too):
as they are typed (debounced), and again, the exact text, when Send is pressed. The guard runs in
its own thread (`guard_thread`), the queue's screening too: the window never waits for it.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Sequence
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.cases.findings import Finding
from echo_desktop.cases.model import DEFAULT_FORM, Case, CaseForm, SessionSlot
from echo_desktop.cases.ports import CaseError, CaseSource, HubProgram, ReviewItem
from echo_desktop.cases.validation import Guard
from echo_desktop.schedule.lobby import ScheduledSession
from echo_desktop.ui.banner import Banner, BannerKind, as_sentence
from echo_desktop.ui.cases.guard_state import GuardState, kind_words
from echo_desktop.ui.cases.guard_thread import SCAN_DELAY_MS, run_guard, run_in_guard_thread
from echo_desktop.ui.cases.wording import session_time
from echo_desktop.ui.page import add_refresh_shortcut
from echo_desktop.ui.style import ERROR_BG, ERROR_TEXT, set_heading
from echo_desktop.ui.tasks import TaskSet

logger = logging.getLogger(__name__)

EMPTY_QUEUE_TEXT = "No cases are waiting for review."
EMPTY_PRESENTED_TEXT = "No presented cases are waiting for recommendations."
REVIEW_MODE = "review"
RECOMMEND_MODE = "recommend"
NO_SESSIONS_TEXT = "No upcoming sessions of this program"
CHECKING_QUEUE_TEXT = "Checking the cases for identifiers…"
CHECKING_RECOMMENDATIONS_TEXT = "Checking for patient identifiers…"
RECOMMENDATIONS_UNREADABLE_TEXT = (
    "The identifier check could not read the recommendations. Edit them to try again."
)
CHECKED_TEXTS_KEPT = 32  # recommendations checked, kept by text (typing back and forth)


def _plain(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _marked(text: str, findings: list[Finding]) -> QLabel:
    """A field's text with the guard's open findings highlighted (the text escaped, never markup)."""
    parts, at = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < at:
            continue
        parts.append(html.escape(text[at : finding.start]))
        parts.append(
            f"<span style='background:{ERROR_BG}; color:{ERROR_TEXT}; text-decoration: underline'>"
            f"{html.escape(text[finding.start : finding.end])}</span>"
        )
        at = finding.end
    parts.append(html.escape(text[at:]))
    label = QLabel("".join(parts).replace("\n", "<br>"))
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _beside(editor: QWidget, button: QPushButton) -> QHBoxLayout:
    """A text box with its button at its bottom right."""
    row = QHBoxLayout()
    row.addWidget(editor, 1)
    row.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
    return row


def _panel(*items: QWidget | QHBoxLayout) -> QFrame:
    """The tinted box the actions sit in, under the case."""
    panel = QFrame()
    panel.setObjectName("FindingsPanel")
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(14, 10, 14, 10)
    for item in items:
        if isinstance(item, QWidget):
            layout.addWidget(item)
        else:
            layout.addLayout(item)
    return panel


class Screening:
    """The guard's result on one case, as the review shows it. Plain Python (no Qt): the review
    computes it in the guard's thread (`screen_cases`)."""

    def __init__(self, case: Case, form: CaseForm, guard: Guard) -> None:
        state = GuardState(guard, case.dismissals)
        labels = {f.key: f.label for f in form.fields}
        for form_field in form.fields:
            if form_field.free_text:
                state.scan(form_field.key, case.values.get(form_field.key, ""))
        self.open = [
            f"{labels.get(o.field, o.field)}: “{o.finding.text}” looks like {kind_words(o.finding.kind)}."
            for o in state.open_findings()
        ]
        self.marks: dict[str, list[Finding]] = {o.field: [] for o in state.open_findings()}
        for o in state.open_findings():
            self.marks[o.field].append(o.finding)
        self.unchecked = [labels.get(key, key) for key in state.failed_fields]
        self.dismissed = [
            f"{labels.get(d.field, d.field)}: “{d.text}” ({kind_words(d.kind)}). Reason: {d.reason}"
            for d in case.dismissals
        ]

    @property
    def clear(self) -> bool:
        return not self.open and not self.unchecked

    def summary(self) -> str:
        if self.unchecked:
            return "The identifier check could not read: " + ", ".join(self.unchecked)
        if self.open:
            count = len(self.open)
            return f"{count} possible patient identifier{'s' if count != 1 else ''}"
        if self.dismissed:
            count = len(self.dismissed)
            return f"No open identifiers · {count} marked not PHI by the presenter"
        return "No patient identifiers found"


def screen_cases(cases: Sequence[Case], form: CaseForm, guard: Guard) -> dict[str, Screening]:
    """Every case's screening, by client id (run in the guard's thread)."""
    return {case.client_id: Screening(case, form, guard) for case in cases}


def _recommendation_findings(findings: list[Finding]) -> str:
    if not findings:
        return ""
    found = "; ".join(f"“{f.text}” looks like {kind_words(f.kind)}" for f in findings)
    return f"Before you can send them: {found}. Write it without identifiers."


class ReviewView(QWidget):
    """The review screen; `set_sessions` gives it the upcoming sessions (from the lobby). The
    programs are those the source's snapshot says the person reviews (`HubProgram.reviews`)."""

    back_requested = Signal()
    reviewed = Signal(object)  # the Case as the hub returned it after approve or return

    def __init__(
        self,
        source: CaseSource,
        guard: Guard,
        local_zone: tzinfo,
        parent: QWidget | None = None,
        *,
        scan_delay_ms: int = SCAN_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewView")
        self._source = source
        self._guard = guard
        self._local = local_zone
        self._programs: list[HubProgram] = []
        self._sessions: list[ScheduledSession] = []
        self._queue: list[Case] = []
        self._screenings: dict[str, Screening] = {}
        self._form: CaseForm = DEFAULT_FORM
        self._busy = False
        self._load_id = 0
        # What the guard said of each recommendations text checked ("" when clear): the Send
        # button reads it, and typing back to a checked text needs no new scan.
        self._checked_texts: dict[str, str] = {}
        self.loads = 0  # how many queue loads finished, screened or failed (tests wait on it)
        self.recommendation_checks = 0  # how many checks of recommendations finished (tests wait on it)
        self._tasks = TaskSet(lambda exc: self.show_error(f"Something unexpected went wrong: {exc}"))
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(scan_delay_ms)
        self._check_timer.timeout.connect(self.check_recommendations_now)

        self.back_button = QPushButton("← Clinics")
        self.back_button.clicked.connect(self.back_requested)
        self.title_label = QLabel("Review cases")
        set_heading(self.title_label, 1.6)
        self.program_combo = QComboBox()
        self.program_combo.setAccessibleName("Program")
        self.program_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.mode_combo = QComboBox()
        self.mode_combo.setAccessibleName("Which cases")
        self.mode_combo.addItem("Cases waiting for review", REVIEW_MODE)
        self.mode_combo.addItem("Presented cases: write recommendations", RECOMMEND_MODE)
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Fetch the review queue again (Ctrl+R)")
        self.refresh_button.clicked.connect(self.reload)
        add_refresh_shortcut(self, self.reload)
        self.error_banner = Banner(BannerKind.ERROR)
        self.info_banner = Banner(BannerKind.INFO)

        self.queue_list = QListWidget()
        self.queue_list.setObjectName("ReviewQueue")
        self.queue_list.setAccessibleName("Cases waiting for review")
        self.queue_list.setFixedWidth(320)
        self.queue_list.setWordWrap(True)
        self.queue_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.queue_list.currentRowChanged.connect(self._show_current)
        self.empty_label = _plain(EMPTY_QUEUE_TEXT, "Muted")

        self.case_title = QLabel("")
        set_heading(self.case_title, 1.25)
        self.case_title.setWordWrap(True)
        self.presenter_label = _plain("", "Muted")
        self.screening_title = QLabel("Identifier check")
        set_heading(self.screening_title, 1.05)
        self.screening_summary = QLabel("")
        self.screening_summary.setObjectName("FindingsSummary")
        self.screening_summary.setWordWrap(True)
        self.findings_label = _plain("", "FieldError")
        self.dismissals_label = _plain("", "CaseDetail")
        self._values_box = QWidget()
        self._values_layout = QVBoxLayout(self._values_box)
        self._values_layout.setContentsMargins(0, 0, 0, 0)
        self._values_layout.setSpacing(4)

        self.session_combo = QComboBox()
        self.session_combo.setAccessibleName("Session to present the case in")
        self.session_combo.currentIndexChanged.connect(lambda _i: self._update_buttons())
        self.approve_button = QPushButton("&Approve for this session")
        self.approve_button.setObjectName("Primary")
        self.approve_button.clicked.connect(self.approve)
        self.approve_note = _plain("", "SubmitNote")
        self.comments_edit = QPlainTextEdit()
        self.comments_edit.setTabChangesFocus(True)
        self.comments_edit.setPlaceholderText("What should the presenter change?")
        self.comments_edit.setAccessibleName("Comments for the presenter")
        self.comments_edit.setFixedHeight(80)
        self.comments_edit.textChanged.connect(self._update_buttons)
        self.return_button = QPushButton("Re&turn with comments")
        self.return_button.clicked.connect(self.return_current)
        self.recommend_edit = QPlainTextEdit()
        self.recommend_edit.setTabChangesFocus(True)
        self.recommend_edit.setPlaceholderText(
            "What the hub advises: treatment, tests, follow-up. No patient identifiers."
        )
        self.recommend_edit.setAccessibleName("Written recommendations for the presenter")
        self.recommend_edit.setFixedHeight(120)
        self.recommend_edit.textChanged.connect(self._on_recommendations_edited)
        self.recommend_note = _plain("", "SubmitNote")
        self.recommend_button = QPushButton("Sen&d recommendations")
        self.recommend_button.setObjectName("Primary")
        self.recommend_button.clicked.connect(self.recommend_current)
        for button in (
            self.back_button,
            self.refresh_button,
            self.approve_button,
            self.return_button,
            self.recommend_button,
        ):
            button.setAutoDefault(True)
        self._build_layout()
        self.reload()

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.back_button)
        header.addSpacing(8)
        header.addWidget(self.title_label, 1)
        program_label = QLabel("&Program:")
        program_label.setBuddy(self.program_combo)
        header.addWidget(program_label)
        header.addWidget(self.program_combo)
        header.addWidget(_buddy("S&how:", self.mode_combo))
        header.addWidget(self.mode_combo)
        header.addWidget(self.refresh_button)

        detail = QWidget()
        detail.setObjectName("CaseFields")
        column = QVBoxLayout(detail)
        column.setContentsMargins(0, 0, 12, 0)
        column.setSpacing(6)
        column.addWidget(self.case_title)
        column.addWidget(self.presenter_label)
        column.addSpacing(6)
        column.addWidget(self.screening_title)
        column.addWidget(self.screening_summary)
        column.addWidget(self.findings_label)
        column.addWidget(self.dismissals_label)
        column.addSpacing(8)
        column.addWidget(self._values_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("CaseScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(detail)

        approve_row = QHBoxLayout()
        session_label = QLabel("&Session:")
        session_label.setBuddy(self.session_combo)
        approve_row.addWidget(session_label)
        approve_row.addWidget(self.session_combo, 1)
        approve_row.addWidget(self.approve_button)
        self.review_actions = _panel(
            approve_row,
            self.approve_note,
            _buddy("&Comments for the presenter (to return it):", self.comments_edit),
            _beside(self.comments_edit, self.return_button),
        )
        self.recommend_actions = _panel(
            _buddy("&Written recommendations (the presenter reads them in My cases):", self.recommend_edit),
            _beside(self.recommend_edit, self.recommend_button),
            self.recommend_note,
        )
        self.recommend_actions.hide()
        self._detail_column = QWidget()
        right = QVBoxLayout(self._detail_column)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(scroll, 1)
        right.addWidget(self.review_actions)
        right.addWidget(self.recommend_actions)

        left = QVBoxLayout()
        left.addWidget(self.queue_list, 1)
        left.addWidget(self.empty_label)
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addLayout(left)
        body.addWidget(self._detail_column, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 20)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.info_banner)
        layout.addLayout(body, 1)

    # --- the queue -----------------------------------------------------------------------------

    @property
    def program(self) -> HubProgram | None:
        index = self.program_combo.currentIndex()
        return self._programs[index] if 0 <= index < len(self._programs) else None

    @property
    def recommending(self) -> bool:
        """Showing the presented cases, to write their recommendations (else the review queue)."""
        return bool(self.mode_combo.currentData() == RECOMMEND_MODE)

    def _update_programs(self) -> None:
        """The programs the person reviews, as the source now knows them (learnt from the hub)."""
        programs = [p for p in self._source.snapshot().programs if p.reviews]
        if programs == self._programs:
            return
        chosen = self.program
        self._programs = programs
        self.program_combo.blockSignals(True)
        self.program_combo.clear()
        for program in programs:
            self.program_combo.addItem(program.name)
        same = [i for i, p in enumerate(programs) if chosen is not None and p.program_id == chosen.program_id]
        self.program_combo.setCurrentIndex(same[0] if same else 0)
        self.program_combo.blockSignals(False)
        self._fill_sessions()

    def reload(self) -> None:
        """Fetch the selected program's queue (or its presented cases)."""
        self._update_programs()
        recommending = self.recommending
        self.review_actions.setVisible(not recommending)
        self.recommend_actions.setVisible(recommending)
        program = self.program
        if program is None:
            self._set_queue([])
            self.empty_label.setText("You review no program's cases.")
            return
        try:
            self._tasks.spawn(self._load(program))
        except RuntimeError:
            logger.info("No event loop yet; the review queue was not loaded")

    async def _load(self, program: HubProgram) -> None:
        recommending = self.recommending
        self._load_id += 1
        load_id = self._load_id

        def superseded() -> bool:  # another program, list or load was chosen meanwhile
            return (
                load_id != self._load_id or self.program is not program or self.recommending != recommending
            )

        items: list[ReviewItem]
        try:
            try:
                form = await self._source.case_form(program)
                if recommending:
                    items = await self._source.presented_cases(program)
                else:
                    items = await self._source.review_queue(program)
            except CaseError as exc:
                self.show_error(f"Could not fetch the cases of {program.name}.", as_sentence(str(exc)))
                return
            if superseded():
                return
            self.error_banner.clear()
            cases = [item.case for item in items]
            if cases:
                self.empty_label.setText(CHECKING_QUEUE_TEXT)
                self.empty_label.setVisible(True)
            # Ten long cases took half a second of the guard: never on the Qt thread.
            screenings = await run_in_guard_thread(screen_cases, cases, form, self._guard)
            if superseded():
                return
            self._form = form
            self._screenings = screenings
            self._set_queue(cases)
        finally:
            if load_id == self._load_id and self.empty_label.text() == CHECKING_QUEUE_TEXT:
                self._show_empty_note()  # the newest load failed: the queue shown is still the last one
            self.loads += 1

    def _set_queue(self, queue: list[Case]) -> None:
        """Show these cases; each one's screening is already in `_screenings`."""
        self._queue = queue
        self._screenings = {c.client_id: self._screenings[c.client_id] for c in queue}
        self.queue_list.blockSignals(True)
        self.queue_list.clear()
        for case in queue:
            screening = self._screenings[case.client_id]
            text = (
                f"{case.title(self._form)}\n{case.presenter or 'Presenter not named'}\n{screening.summary()}"
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace("\n", ". "))
            self.queue_list.addItem(item)
        self.queue_list.blockSignals(False)
        self._show_empty_note()
        self._detail_column.setVisible(bool(queue))
        if queue:
            self.queue_list.setCurrentRow(0)
        self._show_current(self.queue_list.currentRow())

    def _show_empty_note(self) -> None:
        self.empty_label.setText(EMPTY_PRESENTED_TEXT if self.recommending else EMPTY_QUEUE_TEXT)
        self.empty_label.setVisible(not self._queue)

    @property
    def queue(self) -> list[Case]:
        return list(self._queue)

    @property
    def current(self) -> Case | None:
        row = self.queue_list.currentRow()
        return self._queue[row] if 0 <= row < len(self._queue) else None

    def screening(self, client_id: str) -> Screening:
        return self._screenings[client_id]

    def _show_current(self, _row: int) -> None:
        case = self.current
        while self._values_layout.count():
            item = self._values_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.comments_edit.clear()
        self.recommend_edit.clear()
        if case is None:
            self._update_buttons()
            return
        screening = self._screenings[case.client_id]
        self.case_title.setText(case.title(self._form))
        about = [case.presenter] if case.presenter else []
        if self.recommending and case.session is not None:
            about.append(f"presented on {session_time(case.session.start, self._local)}")
        self.presenter_label.setText(" · ".join(about))
        self.screening_summary.setText(screening.summary())
        self.screening_summary.setProperty("open", not screening.clear)
        self.screening_summary.style().unpolish(self.screening_summary)
        self.screening_summary.style().polish(self.screening_summary)
        self.findings_label.setText("\n".join(screening.open))
        self.findings_label.setVisible(bool(screening.open))
        self.dismissals_label.setText(
            "Marked not PHI by the presenter:\n" + "\n".join(screening.dismissed)
            if screening.dismissed
            else ""
        )
        self.dismissals_label.setVisible(bool(screening.dismissed))
        for form_field in self._form.fields:
            value = case.values.get(form_field.key, "").strip()
            label = QLabel(form_field.label)
            label.setObjectName("FieldLabel")
            label.setStyleSheet("font-weight: bold;")
            self._values_layout.addSpacing(6)
            self._values_layout.addWidget(label)
            marks = screening.marks.get(form_field.key, [])
            self._values_layout.addWidget(_marked(value, marks) if marks else _plain(value or "—"))
        self._update_buttons()

    # --- sessions ------------------------------------------------------------------------------

    def set_sessions(self, sessions: Sequence[ScheduledSession], now: datetime) -> None:
        """The sessions a case can be approved into: the program's upcoming ones (the lobby's)."""
        self._sessions = sorted((s for s in sessions if s.start > now), key=lambda s: s.start)
        self._fill_sessions()

    def _fill_sessions(self) -> None:
        program = self.program
        self.session_combo.clear()
        for session in self._sessions:
            if program is not None and session.program != program.name:
                continue
            label = f"{session_time(session.start, self._local)} · {session.title or session.program}"
            self.session_combo.addItem(label, session)
        if self.session_combo.count() == 0:
            self.session_combo.addItem(NO_SESSIONS_TEXT, None)
        self._update_buttons()

    def _update_buttons(self) -> None:
        case = self.current
        screening = self._screenings.get(case.client_id) if case is not None else None
        has_session = self.session_combo.currentData() is not None
        approvable = case is not None and screening is not None and screening.clear and has_session
        self.approve_button.setEnabled(approvable and not self._busy)
        if case is not None and screening is not None and not screening.clear:
            self.approve_note.setText(
                "It cannot be approved while the identifier check finds something: return it with "
                "comments so the presenter can fix it."
            )
        elif case is not None and not has_session:
            self.approve_note.setText("There is no upcoming session of this program to present it in.")
        else:
            self.approve_note.setText("")
        self.approve_note.setVisible(bool(self.approve_note.text()))
        self.return_button.setEnabled(
            case is not None and bool(self.comments_edit.toPlainText().strip()) and not self._busy
        )
        blockers = self.recommendation_blockers()
        self.recommend_note.setText(blockers)
        self.recommend_note.setVisible(bool(blockers))
        self.recommend_button.setEnabled(
            case is not None
            and bool(self.recommend_edit.toPlainText().strip())
            and not blockers
            and not self._busy
        )

    def recommendation_blockers(self) -> str:
        """Why the recommendations cannot be sent, in words ("" when they can): the guard's
        findings in them (a name, a date...), as the hub would refuse them, or that the guard has
        not yet read this text."""
        text = self.recommend_edit.toPlainText().strip()
        if not text:
            return ""
        return self._checked_texts.get(text, CHECKING_RECOMMENDATIONS_TEXT)

    def _on_recommendations_edited(self) -> None:
        self._check_timer.start()  # debounced, as the case form's typing
        self._update_buttons()

    def check_recommendations_now(self) -> None:
        """Check the recommendations' text now, in the guard's thread, unless it was checked."""
        self._check_timer.stop()
        text = self.recommend_edit.toPlainText().strip()
        if text and text not in self._checked_texts:
            self._tasks.spawn(self._check_recommendations(text))

    async def _check_recommendations(self, text: str) -> str:
        """The guard's verdict on `text` ("" when clear), computed in its thread and kept."""
        try:
            verdict = _recommendation_findings(await run_guard(self._guard, text))
        except Exception as exc:  # noqa: BLE001 - a guard failure blocks sending, never crashes
            # The kind only: the exception could quote the text.
            logger.error("The identifier check failed on the recommendations (%s)", type(exc).__name__)
            verdict = RECOMMENDATIONS_UNREADABLE_TEXT
        self._checked_texts.pop(text, None)
        self._checked_texts[text] = verdict
        while len(self._checked_texts) > CHECKED_TEXTS_KEPT:
            del self._checked_texts[next(iter(self._checked_texts))]  # the oldest
        self.recommendation_checks += 1
        self._update_buttons()
        return verdict

    # --- actions -------------------------------------------------------------------------------

    def approve(self) -> None:
        case, session, program = self.current, self.session_combo.currentData(), self.program
        if (
            case is None
            or program is None
            or not isinstance(session, ScheduledSession)
            or not self.approve_button.isEnabled()
        ):
            return
        slot = SessionSlot(session.uid, session.start)
        when = session_time(session.start, self._local)
        self._tasks.spawn(
            self._act(
                case,
                self._source.approve(program, case, slot),
                f"Approved “{case.title(self._form)}” for {when}.",
            )
        )

    def return_current(self) -> None:
        case, comments, program = self.current, self.comments_edit.toPlainText().strip(), self.program
        if case is None or program is None or not comments or not self.return_button.isEnabled():
            return
        self._tasks.spawn(
            self._act(
                case,
                self._source.return_case(program, case, comments),
                f"Returned “{case.title(self._form)}” to its presenter with your comments.",
            )
        )

    def recommend_current(self) -> None:
        """Check the exact text once more in the guard's thread, then send it if it is clear."""
        case, program = self.current, self.program
        text = self.recommend_edit.toPlainText().strip()
        if case is None or program is None or not text or not self.recommend_button.isEnabled():
            return
        self._tasks.spawn(self._send_recommendations(case, program, text))

    async def _send_recommendations(self, case: Case, program: HubProgram, text: str) -> None:
        # The guard reads the very string that is sent, just before it goes: the answers kept
        # from typing are for the button only.
        self._busy = True
        self._update_buttons()
        try:
            verdict = await self._check_recommendations(text)
        finally:
            self._busy = False
            self._update_buttons()
        if verdict:
            return  # the note under the text says why
        await self._act(
            case,
            self._source.recommend(program, case, text),
            f"Sent the recommendations for “{case.title(self._form)}” to its presenter.",
        )

    async def _act(self, case: Case, action: Awaitable[Case], done_text: str) -> None:
        self._busy = True
        self._update_buttons()
        try:
            result = await action
        except CaseError as exc:
            self.show_error(f"“{case.title(self._form)}” was not updated.", as_sentence(str(exc)))
            return
        finally:
            self._busy = False
            self._update_buttons()
        self.error_banner.clear()
        self.info_banner.show_message(done_text)
        row = self._queue.index(case) if case in self._queue else -1
        remaining = [c for c in self._queue if c.client_id != case.client_id]
        self._set_queue(remaining)
        if remaining:
            self.queue_list.setCurrentRow(min(max(row, 0), len(remaining) - 1))
        self.queue_list.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reviewed.emit(result)

    def show_error(self, message: str, details: str | None = None) -> None:
        self.info_banner.clear()
        self.error_banner.show_message(message, details)

    @property
    def pending_tasks(self) -> int:
        return len(self._tasks)
