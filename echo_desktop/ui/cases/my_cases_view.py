""" "My cases": the presenter's cases with their status in words, from the copy saved on this
computer (so it works offline), with the hub's comments and recommendations, and Export PDF."""

from __future__ import annotations

import itertools
import logging
import re
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.cases.model import DEFAULT_FORM, Case, CaseForm
from echo_desktop.cases.ports import CaseError, CaseSource, CasesSnapshot, HubProgram, MyCase
from echo_desktop.schedule.lobby import clock_time
from echo_desktop.ui.banner import Banner, BannerKind, as_sentence
from echo_desktop.ui.cases.case_card import CaseCard
from echo_desktop.ui.cases.pdf import write_case_pdf
from echo_desktop.ui.page import add_refresh_shortcut, install_scrolling_page
from echo_desktop.ui.schedule.wording import short_date
from echo_desktop.ui.style import set_heading
from echo_desktop.ui.tasks import TaskSet

logger = logging.getLogger(__name__)

CONTENT_MAX_WIDTH = 980
EMPTY_TEXT = "No cases yet. Start one with “New case”."
OFFLINE_NOTE = (
    "You are offline. These are your cases as saved on this computer; queued cases are sent "
    "and new answers arrive when the hub answers again."
)


def pdf_name(case: Case, form: CaseForm) -> str:
    """A file name a person recognises: "Case - How should we manage....pdf" (at most 60 chars)."""
    title = re.sub(r"[^\w\- ]+", " ", case.title(form)).strip()
    return f"Case - {' '.join(title.split())[:50].strip() or case.client_id}.pdf"


class MyCasesView(QWidget):
    """The presenter's cases. The window feeds it `CasesSnapshot`s and connects its signals."""

    open_requested = Signal(object)  # a MyCase to edit (a draft, or one returned with comments)
    new_requested = Signal(object)  # the HubProgram a new case is for
    refresh_requested = Signal()
    back_requested = Signal()

    def __init__(self, source: CaseSource, local_zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MyCasesView")
        self._source = source
        self._local = local_zone
        self._entries: dict[str, MyCase] = {}
        self._programs: tuple[HubProgram, ...] | None = None  # None: not shown yet
        self._cards: list[CaseCard] = []
        self._tasks = TaskSet(lambda exc: self.show_error(f"Something unexpected went wrong: {exc}"))

        self.back_button = QPushButton("← Clinics")
        self.back_button.setToolTip("Back to the schedule")
        self.back_button.clicked.connect(self.back_requested)
        self.new_button = QPushButton("&New case")
        self.new_button.setObjectName("Primary")
        self.new_button.setToolTip("Prepare a de-identified case for a clinic")
        self.new_button.clicked.connect(self._on_new)
        # Which program a new case is for: asked only when the person belongs to more than one.
        self.program_combo = QComboBox()
        self.program_combo.setAccessibleName("Program for a new case")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Ask the hub for news of your cases (Ctrl+R)")
        self.refresh_button.clicked.connect(self.refresh_requested)
        for button in (self.back_button, self.new_button, self.refresh_button):
            button.setAutoDefault(True)
        add_refresh_shortcut(self, self.refresh_requested.emit)

        title = QLabel("My cases")
        set_heading(title, 1.6)
        self.freshness_label = QLabel("")
        self.freshness_label.setObjectName("Freshness")
        self.error_banner = Banner(BannerKind.ERROR)
        self.info_banner = Banner(BannerKind.INFO)
        self.offline_note = QLabel(OFFLINE_NOTE)
        self.offline_note.setObjectName("OfflineNote")
        self.offline_note.setWordWrap(True)
        self.offline_note.hide()
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("Muted")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        self._list = QWidget()
        self._list.setObjectName("CaseList")
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(0, 0, 0, 0)
        self._list_layout.setSpacing(10)

        title_column = QVBoxLayout()
        title_column.setSpacing(2)
        title_column.addWidget(title)
        title_column.addWidget(self.freshness_label)
        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addSpacing(8)
        header.addLayout(title_column, 1)
        header.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignBottom)
        header.addWidget(self.program_combo, 0, Qt.AlignmentFlag.AlignBottom)
        header.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignBottom)
        column = QVBoxLayout()
        column.setSpacing(10)
        column.addLayout(header)
        for widget in (self.error_banner, self.info_banner, self.offline_note, self.empty_label, self._list):
            column.addWidget(widget)
        column.addStretch(1)
        install_scrolling_page(self, column, "CaseList", CONTENT_MAX_WIDTH)
        self.set_cases(source.snapshot())

    # --- the list ------------------------------------------------------------------------------

    def set_cases(self, cases: CasesSnapshot) -> None:
        """Show the cases (in the source's order: drafts and queued first, then newest change) and
        whether the list is fresh."""
        self._set_programs(cases.programs)
        for card in self._cards:
            self._list_layout.removeWidget(card)
            card.deleteLater()
        self._cards = []
        self._entries = {entry.case.client_id: entry for entry in cases.cases}
        for entry in cases.cases:
            card = CaseCard(entry.case, DEFAULT_FORM, self._local, entry.refusal)
            card.open_clicked.connect(self._on_open)
            card.export_clicked.connect(self.export_case)
            self._list_layout.addWidget(card)
            self._cards.append(card)
        self.empty_label.setVisible(not cases.cases)
        offline = cases.checked and not cases.online
        self.offline_note.setVisible(offline)
        if offline and cases.problems:
            self.offline_note.setText(f"{OFFLINE_NOTE} ({as_sentence(cases.problems[0])})")
        else:
            self.offline_note.setText(OFFLINE_NOTE)
        for notice in cases.notices:
            self.show_info(notice)
        self.freshness_label.setText(self._freshness(cases))
        chain: list[QWidget] = [self.back_button, self.refresh_button, self.program_combo, self.new_button]
        for card in self._cards:
            chain += card.buttons
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _set_programs(self, programs: tuple[HubProgram, ...]) -> None:
        """Which program a new case is for: asked only when the person belongs to more than one."""
        if programs == self._programs:
            return
        chosen = self.program_combo.currentData()
        self._programs = programs
        self.program_combo.clear()
        for program in programs:
            self.program_combo.addItem(program.name, program)
        same = [
            i
            for i, p in enumerate(programs)
            if isinstance(chosen, HubProgram)
            and (p.service, p.program_id) == (chosen.service, chosen.program_id)
        ]
        self.program_combo.setCurrentIndex(same[0] if same else 0)
        self.program_combo.setVisible(len(programs) > 1)
        self.new_button.setEnabled(bool(programs))
        self.new_button.setToolTip(
            "Prepare a de-identified case for a clinic"
            if programs
            else "Add a program from your hub first: cases go to a program"
        )

    def _freshness(self, cases: CasesSnapshot) -> str:
        updated = cases.updated.astimezone(self._local) if cases.updated is not None else None
        when = f"{short_date(updated)}, {clock_time(updated)}" if updated is not None else ""
        if not cases.checked:
            return "Checking with the hub…"
        if cases.online:
            return f"Updated {when}" if when else "Up to date"
        return f"Offline · last updated {when}" if when else "Offline · not updated yet"

    def _on_new(self) -> None:
        program = self.program_combo.currentData()
        if isinstance(program, HubProgram):
            self.new_requested.emit(program)

    def _on_open(self, case: Case) -> None:
        entry = self._entries.get(case.client_id)
        if entry is not None:
            self.open_requested.emit(entry)

    @property
    def cards(self) -> list[CaseCard]:
        return list(self._cards)

    def card_for(self, client_id: str) -> CaseCard | None:
        return next((c for c in self._cards if c.case.client_id == client_id), None)

    def show_error(self, message: str, details: str | None = None) -> None:
        self.info_banner.clear()
        self.error_banner.show_message(message, details)

    def show_info(self, message: str) -> None:
        self.info_banner.show_message(message)

    def focus_first(self) -> None:
        self.new_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- export --------------------------------------------------------------------------------

    def export_case(self, case: Case) -> None:
        """Ask where to save the case (with its recommendations) as a PDF, then write it."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder or Path.home()) / pdf_name(case, DEFAULT_FORM))
        chosen, _filter = QFileDialog.getSaveFileName(self, "Export PDF", suggested, "PDF files (*.pdf)")
        if not chosen:
            return
        path = Path(chosen if chosen.lower().endswith(".pdf") else f"{chosen}.pdf")
        entry = self._entries.get(case.client_id)
        if entry is not None:
            self._tasks.spawn(self._export(entry, path))

    async def _export(self, entry: MyCase, path: Path) -> None:
        try:
            form = await self._source.case_form(entry.program)
        except CaseError:
            form = DEFAULT_FORM  # the labels may differ a little; the text is the case's own
        try:
            # On this thread: QTextDocument is a GUI object, and one case prints in milliseconds.
            write_case_pdf(entry.case, form, path, self._local, entry.program.name)
        except OSError as exc:
            logger.warning("Exporting a case as PDF failed: %s", type(exc).__name__)
            self.show_error(f"Could not save “{path.name}”.", as_sentence(exc.strerror or str(exc)))
            return
        self.error_banner.clear()
        self.show_info(f"Saved “{path.name}”.")

    @property
    def pending_tasks(self) -> int:
        return len(self._tasks)
