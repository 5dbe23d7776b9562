"""The case form: any program's form, saved as a draft while typing, checked for identifiers.

Every free-text field is screened by the injected guard as the person types (debounced) and at
once when text is pasted or dropped, in the guard's own thread (`guard_thread`): the window never
waits for it, and a result is applied only if the field still holds the text it was computed on.
Findings are marked in the text and listed beside the form, each with "Replace with …" and "Not
PHI…". Submit stays disabled, saying why, while a finding is open, a field could not be checked
or a required field is empty; pressed, it screens every field again and sends exactly the text
it screened. The draft is saved through the source (debounced) and never logged: it may still
hold PHI.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.cases.findings import Finding
from echo_desktop.cases.model import Case, CaseForm, CaseStatus, FieldKind, FormField
from echo_desktop.cases.ports import CaseError, CaseSource
from echo_desktop.cases.validation import Guard
from echo_desktop.ui.banner import Banner, BannerKind, as_sentence
from echo_desktop.ui.cases.dismiss_dialog import DismissDialog
from echo_desktop.ui.cases.editors import FreeTextEditor, LineEditor, LongTextEditor
from echo_desktop.ui.cases.guard_state import GuardState, OpenFinding, kind_words
from echo_desktop.ui.cases.guard_thread import SCAN_DELAY_MS, run_guard
from echo_desktop.ui.style import set_heading
from echo_desktop.ui.tasks import TaskSet

logger = logging.getLogger(__name__)

SAVE_DELAY_MS = 500
CHOOSE_TEXT = "Choose…"
ALL_CLEAR_TEXT = "No patient identifiers found."
CHECKING_TEXT = "Checking for patient identifiers…"
SUBMIT_TEXT = "Submit for review"
SUBMIT_CHECKING_TEXT = "Checking…"
SUBMITTING_TEXT = "Submitting…"


class FindingRow(QFrame):
    """One open finding beside the form: what and where, and the two ways to answer it."""

    def __init__(self, field_label: str, item: OpenFinding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindingRow")
        self.item = item
        finding = item.finding
        self.label = QLabel(
            f"<b>{field_label}</b>: “{_escape(finding.text)}” looks like {kind_words(finding.kind)}."
        )
        self.label.setWordWrap(True)
        self.replace_button = QPushButton(f"Replace with “{finding.suggestion}”")
        self.replace_button.setObjectName("Small")
        self.replace_button.setAccessibleName(
            f"Replace {finding.text} in {field_label} with {finding.suggestion}"
        )
        self.dismiss_button = QPushButton("Not PHI…")
        self.dismiss_button.setObjectName("Small")
        self.dismiss_button.setAccessibleName(f"{finding.text} in {field_label} is not PHI")
        self.show_button = QPushButton("Show in the text")
        self.show_button.setObjectName("Small")
        self.show_button.setAccessibleName(f"Show {finding.text} in {field_label}")
        for button in (self.replace_button, self.dismiss_button, self.show_button):
            button.setAutoDefault(True)
        # The suggestion can be long: it gets a line of its own, so the panel never scrolls sideways.
        others = QHBoxLayout()
        others.setSpacing(6)
        others.addWidget(self.dismiss_button)
        others.addWidget(self.show_button)
        others.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.replace_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(others)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CaseFormView(QWidget):
    """Edits one case. Emits `submitted(Case)` once the source took it, `discarded(client_id)`
    after Discard, and `closed()` when the person goes back (the draft saved first).

    A case the hub returned is edited as a draft that keeps the facilitator's comments (shown
    above the form); `refusal` is the hub's reason for sending a submission back (shown too)."""

    submitted = Signal(object)
    discarded = Signal(str)
    closed = Signal()

    def __init__(
        self,
        source: CaseSource,
        guard: Guard,
        form: CaseForm,
        case: Case,
        *,
        program_name: str = "",
        refusal: str = "",
        save_delay_ms: int = SAVE_DELAY_MS,
        scan_delay_ms: int = SCAN_DELAY_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CaseFormView")
        self._source = source
        self._form = form
        self._case = case
        self._guard = GuardState(guard, case.dismissals)
        self._guard_fn = guard
        self._tasks = TaskSet(
            lambda exc: self.error_banner.show_message(f"Something unexpected went wrong: {exc}")
        )
        # The scans apart from the other tasks: `stop` cancels them (their results have no use).
        self._scans = TaskSet(
            lambda exc: self.error_banner.show_message(f"Something unexpected went wrong: {exc}")
        )
        self._scan_tasks: dict[str, set[asyncio.Future[Any]]] = {}
        self._saving = False
        self._save_task: asyncio.Future[Any] | None = None
        self._dirty = False
        self._busy = False
        self.saves = 0  # how many saves finished (tests wait on it)
        self.editors: dict[str, FreeTextEditor] = {}
        self.choices: dict[str, QComboBox] = {}
        self._labels: dict[str, str] = {f.key: f.label for f in form.fields}
        self._scan_timers: dict[str, QTimer] = {}
        self._rows: list[FindingRow] = []
        self.dismiss_dialog: DismissDialog | None = None
        self.discard_box: QMessageBox | None = None

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(save_delay_ms)
        self._save_timer.timeout.connect(self._save_soon)
        self._scan_delay_ms = scan_delay_ms

        self.back_button = QPushButton("← My cases")
        self.back_button.setToolTip("Back to your cases (the draft is saved)")
        self.back_button.clicked.connect(self.go_back)
        # A returned case comes back as a draft of the hub's copy: its version and comments say so.
        returned = case.status is CaseStatus.RETURNED or (case.version > 0 and bool(case.comments.strip()))
        # "Case for review" read as if someone else's case waited for this person to review it.
        title = "Edit returned case" if returned else "Your case for the clinic"
        self.title_label = QLabel(title)
        set_heading(self.title_label, 1.5)
        self.program_label = QLabel(program_name)
        self.program_label.setObjectName("Muted")
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("Muted")
        self.error_banner = Banner(BannerKind.ERROR)
        self.comments_banner = Banner(BannerKind.WARNING, dismissible=False)
        self.refusal_banner = Banner(BannerKind.ERROR, dismissible=False)
        if returned:
            self.comments_banner.show_message(
                "The facilitator returned this case with comments:", case.comments
            )
        if refusal.strip():
            self.refusal_banner.show_message("The hub sent this case back:", as_sentence(refusal))
        privacy = QLabel(
            "Describe the patient without anything that identifies them: no names, places smaller "
            "than a state, dates beyond the year, ages over 89, numbers or addresses."
        )
        privacy.setObjectName("Muted")
        privacy.setWordWrap(True)

        fields_box = QWidget()
        fields_box.setObjectName("CaseFields")
        fields_layout = QVBoxLayout(fields_box)
        fields_layout.setContentsMargins(0, 0, 12, 0)
        fields_layout.setSpacing(4)
        fields_layout.addWidget(privacy)
        for form_field in form.fields:
            self._add_field(fields_layout, form_field, case.values.get(form_field.key, ""))
        fields_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("CaseScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(fields_box)

        self.findings_title = QLabel("Patient identifiers")
        set_heading(self.findings_title, 1.1)
        self.findings_summary = QLabel(ALL_CLEAR_TEXT)
        self.findings_summary.setObjectName("FindingsSummary")
        self.findings_summary.setWordWrap(True)
        self._rows_box = QWidget()
        self._rows_layout = QVBoxLayout(self._rows_box)
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(8)
        rows_scroll = QScrollArea()
        rows_scroll.setObjectName("FindingsScroll")
        rows_scroll.setWidgetResizable(True)
        rows_scroll.setFrameShape(QFrame.Shape.NoFrame)
        rows_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows_box_outer = QWidget()
        outer_rows = QVBoxLayout(rows_box_outer)
        outer_rows.setContentsMargins(0, 0, 0, 0)
        outer_rows.addWidget(self._rows_box)
        outer_rows.addStretch(1)
        rows_scroll.setWidget(rows_box_outer)
        side = QFrame()
        side.setObjectName("FindingsPanel")
        side.setFixedWidth(380)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(14, 12, 14, 12)
        side_layout.setSpacing(8)
        side_layout.addWidget(self.findings_title)
        side_layout.addWidget(self.findings_summary)
        side_layout.addWidget(rows_scroll, 1)

        self.submit_note = QLabel("")
        self.submit_note.setObjectName("SubmitNote")
        self.submit_note.setWordWrap(True)
        self.discard_button = QPushButton("&Discard draft…")
        self.discard_button.setObjectName("Danger")
        self.discard_button.setVisible(case.status is CaseStatus.DRAFT)
        self.discard_button.clicked.connect(self.ask_discard)
        self.submit_button = QPushButton(SUBMIT_TEXT)
        self.submit_button.setObjectName("Primary")
        self.submit_button.setToolTip("Send the case to the program's facilitators (Ctrl+Enter)")
        self.submit_button.clicked.connect(self.submit)
        for button in (self.back_button, self.discard_button, self.submit_button):
            button.setAutoDefault(True)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.submit)

        header_text = QVBoxLayout()
        header_text.setSpacing(2)
        header_text.addWidget(self.title_label)
        header_text.addWidget(self.program_label)
        header = QHBoxLayout()
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addSpacing(12)
        header.addLayout(header_text, 1)
        header.addWidget(self.saved_label, 0, Qt.AlignmentFlag.AlignBottom)
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(scroll, 1)
        body.addWidget(side)
        footer = QHBoxLayout()
        footer.setSpacing(10)
        footer.addWidget(self.submit_note, 1)
        footer.addWidget(self.discard_button)
        footer.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 20)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.refusal_banner)
        layout.addWidget(self.comments_banner)
        layout.addLayout(body, 1)
        layout.addLayout(footer)

        for key, editor in self.editors.items():
            editor.edited.connect(partial(self._on_edited, key))
        for combo in self.choices.values():
            combo.currentIndexChanged.connect(self._on_choice_changed)
        try:
            self.scan_all()  # the summary says "Checking…" until every field has an answer
        except RuntimeError:
            logger.info("No event loop yet; the case's fields were not screened")
        self._refresh_findings()

    # --- building ------------------------------------------------------------------------------

    def _add_field(self, layout: QVBoxLayout, form_field: FormField, value: str) -> None:
        mark = " <span style='color:#B42318'>*</span>" if form_field.required else ""
        label = QLabel(f"<b>{_escape(form_field.label)}</b>{mark}")
        label.setObjectName("FieldLabel")
        widget: QWidget
        if form_field.kind is FieldKind.CHOICE:
            combo = QComboBox()
            combo.addItem(CHOOSE_TEXT, "")
            for choice in form_field.choices:
                combo.addItem(choice, choice)
            index = combo.findData(value)
            combo.setCurrentIndex(max(index, 0))
            self.choices[form_field.key] = combo
            widget = combo
        else:
            editor: FreeTextEditor = LineEditor() if form_field.kind is FieldKind.TEXT else LongTextEditor()
            if isinstance(editor, LineEditor):
                editor.setText(value)
            else:
                editor.setPlainText(value)
            self.editors[form_field.key] = editor
            widget = editor
        widget.setAccessibleName(form_field.label + (" (required)" if form_field.required else ""))
        if form_field.help:
            widget.setAccessibleDescription(form_field.help)
        label.setBuddy(widget)
        layout.addSpacing(10)
        layout.addWidget(label)
        if form_field.help:
            help_label = QLabel(form_field.help)
            help_label.setObjectName("Muted")
            help_label.setWordWrap(True)
            layout.addWidget(help_label)
        layout.addWidget(widget)

    # --- values --------------------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        """The form's values, by field key (empty fields included)."""
        values = {key: editor.plain_text() for key, editor in self.editors.items()}
        values.update({key: str(combo.currentData() or "") for key, combo in self.choices.items()})
        return values

    def current_case(self) -> Case:
        """The case as the form holds it now, with the dismissals still standing."""
        return replace(self._case, values=self.values(), dismissals=self._guard.dismissals)

    @property
    def guard_state(self) -> GuardState:
        return self._guard

    @property
    def finding_rows(self) -> list[FindingRow]:
        return list(self._rows)

    def missing_fields(self) -> list[str]:
        values = self.values()
        return [f.label for f in self._form.fields if f.required and not values.get(f.key, "").strip()]

    # --- typing, scanning and saving -------------------------------------------------------------

    def _on_edited(self, key: str, added: int) -> None:
        self._changed()
        if added > 1:  # a paste or a drop: identifiers must show before anything else happens
            self.scan_now(key)
            return
        timer = self._scan_timers.get(key)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(self._scan_delay_ms)
            timer.timeout.connect(partial(self.scan_now, key))
            self._scan_timers[key] = timer
        timer.start()
        self._update_submit()  # required fields may have been filled

    def _on_choice_changed(self) -> None:
        self._changed()
        self._update_submit()

    def _changed(self) -> None:
        self._dirty = True
        self.saved_label.setText("Saving…")
        self._save_timer.start()

    def scan_now(self, key: str) -> asyncio.Future[Any]:
        """Screen one field's text now, in the guard's thread (a pending debounced scan of it is
        cancelled). The future says whether the result was applied (False: the text changed
        while the guard read it, and a newer scan of the field is pending)."""
        timer = self._scan_timers.get(key)
        if timer is not None:
            timer.stop()
        task = self._scans.spawn(self._scan(key, self.editors[key].plain_text()))
        pending = self._scan_tasks.setdefault(key, set())
        pending.add(task)
        task.add_done_callback(pending.discard)
        return task

    def scan_all(self) -> list[asyncio.Future[Any]]:
        """Screen every free-text field now (see `scan_now`)."""
        return [self.scan_now(key) for key in self.editors]

    @property
    def scanning(self) -> bool:
        """Whether a scan is running or waiting for the guard's thread (typing still inside its
        debounce has not asked for one yet)."""
        return any(self._scan_tasks.values())

    async def _scan(self, key: str, text: str) -> bool:
        error: Exception | None = None
        found: list[Finding] = []
        try:
            found = await run_guard(self._guard_fn, text)
        except Exception as exc:  # noqa: BLE001 (any guard failure blocks submission, never the form)
            error = exc
        if self.editors[key].plain_text() != text:
            # Edited while the guard read it: the offsets belong to the old text. Every edit asks
            # for a scan of its own, which wins; a change that did not (signals blocked) gets one.
            if not self._scan_pending(key):
                self.scan_now(key)
            return False
        if error is None:
            self._guard.record(key, text, found)
        else:
            self._guard.record_failure(key, error)
        self._refresh_findings()
        return True

    def _scan_pending(self, key: str) -> bool:
        """Whether a scan of the field other than the running one is asked for (timer or task)."""
        timer = self._scan_timers.get(key)
        current = asyncio.current_task()
        others = [task for task in self._scan_tasks.get(key, ()) if task is not current]
        return bool(others) or (timer is not None and timer.isActive())

    def _save_soon(self) -> None:
        if self._saving:
            self._save_timer.start()  # one save at a time; this one follows
            return
        self._save_task = self._tasks.spawn(self._save())

    async def _save(self) -> bool:
        """Save the draft through the source; a failure is shown, never with the draft's text."""
        self._saving = True
        self._dirty = False
        try:
            await self._source.save_draft(self.current_case())
        except CaseError as exc:
            self._dirty = True
            logger.warning("Saving a case draft failed")
            self.saved_label.setText("Not saved")
            self.error_banner.show_message(
                "The draft could not be saved on this computer.", as_sentence(str(exc))
            )
            return False
        finally:
            self._saving = False
        self.saves += 1
        if not self._dirty:
            self.saved_label.setText("Draft saved on this computer")
        return True

    async def flush(self) -> bool:
        """Save now if anything changed since the last save; False when the save failed."""
        self._save_timer.stop()
        running = self._save_task
        if running is not None and not running.done():
            await asyncio.wait([running])  # one save at a time
        if not self._dirty:
            return True
        return await self._save()

    # --- findings ------------------------------------------------------------------------------

    def _refresh_findings(self) -> None:
        for key, editor in self.editors.items():
            editor.set_marks(self._guard.open_in(key))
        open_findings = self._guard.open_findings()
        focus_row = next((i for i, r in enumerate(self._rows) if r.isAncestorOf(self.focusWidget())), None)
        for row in self._rows:
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        self._rows = []
        for item in open_findings:
            row = FindingRow(self._labels.get(item.field, item.field), item)
            row.replace_button.clicked.connect(partial(self.replace_finding, item))
            row.dismiss_button.clicked.connect(partial(self.ask_dismiss, item))
            row.show_button.clicked.connect(partial(self.show_finding, item))
            self._rows_layout.addWidget(row)
            self._rows.append(row)
        failed = [self._labels.get(k, k) for k in self._guard.failed_fields]
        checking = not failed and not all(self._guard.is_checked(key) for key in self.editors)
        if failed:
            self.findings_summary.setText(
                "The identifier check could not read " + ", ".join(failed) + ". Edit the text to try again."
            )
        elif checking:
            self.findings_summary.setText(CHECKING_TEXT)  # the first scans are still running
        elif open_findings:
            count = len(open_findings)
            self.findings_summary.setText(
                f"{count} possible patient identifier{'s' if count != 1 else ''}. Replace each, "
                "or mark it as not PHI and say why."
            )
        else:
            self.findings_summary.setText(ALL_CLEAR_TEXT)
        self.findings_summary.setProperty("open", bool(open_findings or failed))
        # Neither green nor red while the first answers are due: nothing is known yet.
        self.findings_summary.setProperty("checking", checking)
        self.findings_summary.style().unpolish(self.findings_summary)
        self.findings_summary.style().polish(self.findings_summary)
        self._update_submit()  # first: the focus may move to Submit, which must be enabled
        if focus_row is not None:
            # The row the focus was in is gone (answered): go on to the next one, else the form.
            if self._rows:
                self._rows[min(focus_row, len(self._rows) - 1)].replace_button.setFocus()
            else:
                self.submit_button.setFocus()

    def _current(self, item: OpenFinding) -> bool:
        """Whether a listed finding still matches the text (typing may have moved it)."""
        text = self.editors[item.field].plain_text()
        return text[item.finding.start : item.finding.end] == item.finding.text

    def replace_finding(self, item: OpenFinding) -> None:
        """Write the suggestion in place of the finding (one undoable edit), then re-check."""
        if not self._current(item):
            self.scan_now(item.field)
            return
        editor = self.editors[item.field]
        editor.replace_range(item.finding.start, item.finding.end, item.finding.suggestion)
        self.scan_now(item.field)

    def show_finding(self, item: OpenFinding) -> None:
        if self._current(item):
            self.editors[item.field].show_range(item.finding.start, item.finding.end)

    def ask_dismiss(self, item: OpenFinding) -> None:
        """ "Not PHI…": ask for a reason, then record the dismissal."""
        if self.dismiss_dialog is not None:
            return
        dialog = DismissDialog(self._labels.get(item.field, item.field), item.finding, self)
        self.dismiss_dialog = dialog
        dialog.accepted.connect(partial(self._on_dismissed, item, dialog))
        dialog.finished.connect(partial(self._on_dismiss_closed, dialog))
        dialog.open()

    def _on_dismissed(self, item: OpenFinding, dialog: DismissDialog) -> None:
        if not dialog.reason or not self._current(item):
            return
        self._guard.dismiss(item.field, item.finding, dialog.reason)
        self._changed()
        self._refresh_findings()

    def _on_dismiss_closed(self, dialog: DismissDialog, _result: int) -> None:
        if self.dismiss_dialog is dialog:
            self.dismiss_dialog = None
        dialog.deleteLater()

    # --- submit and discard --------------------------------------------------------------------

    def submit_blockers(self) -> list[str]:
        """Why the case cannot be submitted now, in words (empty: it can)."""
        reasons = []
        count = len(self._guard.open_findings())
        if count:
            reasons.append(
                f"{count} possible patient identifier{'s' if count != 1 else ''} "
                "to replace or mark as not PHI"
            )
        if self._guard.failed_fields:
            reasons.append("a field the identifier check could not read")
        missing = self.missing_fields()
        if missing:
            reasons.append("required: " + ", ".join(missing))
        return reasons

    def _update_submit(self) -> None:
        reasons = self.submit_blockers()
        self.submit_button.setEnabled(not reasons and not self._busy)
        self.submit_note.setText(("Before you can submit: " + "; ".join(reasons) + ".") if reasons else "")

    def submit(self) -> None:
        """Screen every field again, then, if nothing blocks it, hand the case to the source (it
        queues it offline). What is sent is exactly the text those scans read: if the person
        typed meanwhile, nothing is sent (the new text is screened as any edit is)."""
        if self._busy:
            return
        values = self.values()
        checks = self.scan_all()  # queued behind any scan still running: the newest answers win
        self._busy = True
        self.submit_button.setText(SUBMIT_CHECKING_TEXT)
        self._update_submit()
        self._tasks.spawn(self._submit(values, checks))

    async def _submit(self, values: dict[str, str], checks: list[asyncio.Future[Any]]) -> None:
        try:
            applied = await asyncio.gather(*checks)
            if not all(applied) or self.values() != values or self.submit_blockers():
                return
            self.submit_button.setText(SUBMITTING_TEXT)
            if not await self.flush() or self.values() != values:
                return
            try:
                case = replace(self._case, values=values, dismissals=self._guard.dismissals)
                mine = await self._source.submit(case)
            except CaseError as exc:
                logger.info("The case was not submitted")
                self.error_banner.show_message(
                    "The case was not submitted. Your draft is kept.", as_sentence(str(exc))
                )
                return
        finally:
            self._busy = False
            self.submit_button.setText(SUBMIT_TEXT)
            self._update_submit()
        self.submitted.emit(mine.case)

    def ask_discard(self) -> None:
        """Ask before deleting the draft: it cannot be brought back."""
        if self.discard_box is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Discard draft",
            "Delete this draft from this computer? It cannot be brought back.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.discard_box = box
        box.finished.connect(partial(self._on_discard_answer, box))
        box.open()

    def _on_discard_answer(self, box: QMessageBox, _result: int) -> None:
        self.discard_box = None
        box.deleteLater()
        if box.clickedButton() is box.button(QMessageBox.StandardButton.Discard):
            self._tasks.spawn(self._discard())

    async def _discard(self) -> None:
        self._save_timer.stop()
        for timer in self._scan_timers.values():
            timer.stop()
        running = self._save_task
        if running is not None and not running.done():
            await asyncio.wait([running])  # let it land first, or it would bring the draft back
        try:
            await self._source.discard_draft(self._case.client_id)
        except CaseError as exc:
            self.error_banner.show_message("The draft could not be deleted.", as_sentence(str(exc)))
            return
        self._dirty = False
        self.discarded.emit(self._case.client_id)

    def go_back(self) -> None:
        """Save what changed, then go back to "My cases"."""
        self._tasks.spawn(self._go_back())

    async def _go_back(self) -> None:
        if await self.flush():
            self.closed.emit()

    def stop(self) -> None:
        """Stop the timers and the scans (the view is going away; `flush` first to keep the last
        keystrokes)."""
        self._save_timer.stop()
        for timer in self._scan_timers.values():
            timer.stop()
        self._scans.cancel_all()

    @property
    def pending_tasks(self) -> int:
        return len(self._tasks) + len(self._scans)
