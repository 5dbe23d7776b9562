"""The case form: findings marked and listed, replaced or dismissed, submit blocked until clear,
a paste screened at once, and the draft saved while typing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from echo_desktop.cases.findings import Finding, PhiKind
from echo_desktop.cases.model import DEFAULT_FORM, Case, CaseStatus
from echo_desktop.cases.ports import CaseError
from echo_desktop.ui.cases.case_form_view import ALL_CLEAR_TEXT, CaseFormView
from echo_desktop.ui.cases.editors import LineEditor, LongTextEditor
from tests.fake_cases import FakeCaseSource, fake_guard, sample_case

FormFactory = Callable[..., CaseFormView]
SLOW_MS = 60_000  # a debounce that never fires during a test: proves a scan or save came at once


@pytest.fixture
def source() -> FakeCaseSource:
    return FakeCaseSource()


@pytest.fixture
def make_form(
    qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot, source: FakeCaseSource
) -> Iterator[FormFactory]:
    views: list[CaseFormView] = []

    def build(case: Case | None = None, **options: object) -> CaseFormView:
        options.setdefault("guard", fake_guard)
        view = CaseFormView(
            source,
            form=DEFAULT_FORM,
            case=case if case is not None else sample_case(),
            program_name="Hepatitis C ECHO",
            **options,  # type: ignore[arg-type]
        )
        qtbot.addWidget(view)
        view.resize(1100, 800)
        view.show()
        qtbot.waitExposed(view)
        views.append(view)
        return view

    yield build
    for view in views:
        view.stop()


def hpi(view: CaseFormView) -> LongTextEditor:
    editor = view.editors["hpi"]
    assert isinstance(editor, LongTextEditor)
    return editor


def type_text(qtbot: QtBot, editor: LongTextEditor | LineEditor, text: str) -> None:
    editor.setFocus()
    if isinstance(editor, LongTextEditor):
        editor.moveCursor(editor.textCursor().MoveOperation.End)
    else:
        editor.end(False)
    qtbot.keyClicks(editor, text)


def test_a_clean_case_can_be_submitted(make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot) -> None:
    view = make_form()
    assert view.findings_summary.text() == ALL_CLEAR_TEXT
    assert view.submit_button.isEnabled()
    qtbot.mouseClick(view.submit_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.submitted, timeout=3000) as sent:
        pass
    assert source.submitted[0].values == sample_case().values
    assert sent.args[0].status is CaseStatus.QUEUED  # the source queues it and returns at once


def test_typed_findings_are_marked_listed_and_block_submit(make_form: FormFactory, qtbot: QtBot) -> None:
    view = make_form(scan_delay_ms=50)
    editor = hpi(view)
    type_text(qtbot, editor, " Seen by Mrs. Jones on March 3, 2024.")
    qtbot.waitUntil(lambda: len(view.finding_rows) == 2, timeout=3000)

    text = editor.toPlainText()
    marked = [(text[f.start : f.end], f.kind) for f in editor.marks]
    assert marked == [("Mrs. Jones", PhiKind.NAME), ("March 3, 2024", PhiKind.DATE)]
    selections = [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in editor.extraSelections()]
    assert selections == [(f.start, f.end) for f in editor.marks]
    labels = [row.label.text() for row in view.finding_rows]
    assert "History of present illness" in labels[0] and "Mrs. Jones" in labels[0]
    assert view.finding_rows[1].replace_button.text() == "Replace with “2024”"
    assert not view.submit_button.isEnabled()
    assert "2 possible patient identifiers" in view.submit_note.text()


def test_replace_writes_the_suggestion_and_clears_the_finding(make_form: FormFactory, qtbot: QtBot) -> None:
    case = sample_case()
    case = Case(case.client_id, case.program_id, {**case.values, "hpi": "A 92-year-old seen March 3, 2024."})
    view = make_form(case)
    assert [row.item.finding.kind for row in view.finding_rows] == [PhiKind.AGE, PhiKind.DATE]
    assert not view.submit_button.isEnabled()

    view.finding_rows[1].replace_button.click()
    assert hpi(view).toPlainText() == "A 92-year-old seen 2024."
    view.finding_rows[0].replace_button.click()
    assert hpi(view).toPlainText() == "A 90 or older seen 2024."
    assert view.finding_rows == []
    assert view.findings_summary.text() == ALL_CLEAR_TEXT
    assert view.submit_button.isEnabled()
    hpi(view).undo()  # one undoable edit per replacement
    assert hpi(view).toPlainText() == "A 92-year-old seen 2024."


def test_dismissal_needs_a_reason_and_an_edit_of_that_text_reopens_it(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    case = sample_case()
    case = Case(case.client_id, 7, {**case.values, "past_history": "Graves disease since 2019."})
    view = make_form(case, save_delay_ms=20)
    assert len(view.finding_rows) == 1
    view.finding_rows[0].dismiss_button.click()
    dialog = view.dismiss_dialog
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "Graves' disease, named after a physician")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert view.finding_rows == []
    assert view.submit_button.isEnabled()
    dismissals = view.current_case().dismissals
    assert [(d.field, d.kind, d.text, d.reason) for d in dismissals] == [
        ("past_history", PhiKind.NAME, "Graves", "Graves' disease, named after a physician")
    ]
    qtbot.waitUntil(lambda: bool(source.saved) and source.saved[-1].dismissals == dismissals, timeout=3000)

    # Typing elsewhere keeps it dismissed; changing the dismissed text itself does not.
    editor = view.editors["past_history"]
    assert isinstance(editor, LongTextEditor)
    type_text(qtbot, editor, " Stable.")
    view.scan_now("past_history")
    assert view.finding_rows == []
    editor.setPlainText("Graves and Mr. Graves since 2019.")
    view.scan_now("past_history")
    assert [row.item.finding.text for row in view.finding_rows] == ["Mr. Graves"]
    editor.setPlainText("Grave disease since 2019. Graves again.")
    view.scan_now("past_history")
    assert view.finding_rows == []  # the same text, still dismissed
    assert not view.submit_blockers()


def test_a_paste_is_screened_at_once(make_form: FormFactory, qtbot: QtBot) -> None:
    view = make_form(scan_delay_ms=SLOW_MS)
    editor = hpi(view)
    scans = view.guard_state.scans
    type_text(qtbot, editor, " x")  # typing waits for the (slow) debounce
    assert view.guard_state.scans == scans
    mime = QMimeData()
    mime.setText(" Call 505-555-0134 after March 3, 2024.")
    editor.insertFromMimeData(mime)
    assert view.guard_state.scans == scans + 1
    assert [row.item.finding.kind for row in view.finding_rows] == [PhiKind.PHONE, PhiKind.DATE]

    line = view.editors["question"]
    assert isinstance(line, LineEditor)
    QGuiApplication.clipboard().setText(" for Mrs. Ortiz")
    line.setFocus()
    line.end(False)
    line.paste()
    assert any(row.item.finding.text == "Mrs. Ortiz" for row in view.finding_rows)
    assert [f.text for f in line.marks] == ["Mrs. Ortiz"]


def test_submit_runs_the_guard_on_text_not_yet_screened(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    view = make_form(scan_delay_ms=SLOW_MS)
    type_text(qtbot, hpi(view), " Mrs. Lee")
    assert view.submit_button.isEnabled()  # the debounce has not run yet
    view.submit()
    assert not view.submit_button.isEnabled()
    assert [row.item.finding.text for row in view.finding_rows] == ["Mrs. Lee"]
    assert source.submitted == []


def test_required_fields_block_submit_and_say_which(make_form: FormFactory, qtbot: QtBot) -> None:
    case = sample_case()
    view = make_form(Case(case.client_id, 7, {**case.values, "chief_complaint": "", "sex": ""}))
    assert not view.submit_button.isEnabled()
    assert "required: Sex, Chief complaint" in view.submit_note.text()
    view.choices["sex"].setCurrentIndex(view.choices["sex"].findData("Male"))
    type_text(qtbot, view.editors["chief_complaint"], "Jaundice")
    assert view.submit_button.isEnabled()
    assert view.submit_note.text() == ""


def test_the_draft_is_saved_while_typing(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    view = make_form(save_delay_ms=30)
    type_text(qtbot, hpi(view), " Worse at night.")
    qtbot.waitUntil(
        lambda: bool(source.saved) and source.saved[-1].values["hpi"].endswith("night."), timeout=3000
    )
    assert view.saved_label.text() == "Draft saved on this computer"
    assert source.saved[-1].client_id == "case-1"


def test_a_failed_save_is_shown_without_the_text(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    source.save_error = CaseError("The disk is full")
    view = make_form(save_delay_ms=20)
    type_text(qtbot, hpi(view), " Mrs. Lee")
    qtbot.waitUntil(view.error_banner.isVisible, timeout=3000)
    assert view.error_banner.text() == "The draft could not be saved on this computer. The disk is full."
    assert view.saved_label.text() == "Not saved"


def test_a_refused_submission_keeps_the_draft(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    source.submit_error = CaseError("The hub found a date in History of present illness")
    view = make_form()
    view.submit()
    qtbot.waitUntil(view.error_banner.isVisible, timeout=3000)
    assert "Your draft is kept" in view.error_banner.text()
    assert "History of present illness" in view.error_banner.text()
    assert view.submit_button.isEnabled()
    assert source.discarded == []


def test_discard_asks_then_deletes_the_draft(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    view = make_form()
    qtbot.mouseClick(view.discard_button, Qt.MouseButton.LeftButton)
    box = view.discard_box
    assert box is not None
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: view.discard_box is None, timeout=3000)
    assert source.discarded == []

    qtbot.mouseClick(view.discard_button, Qt.MouseButton.LeftButton)
    box = view.discard_box
    assert box is not None
    with qtbot.waitSignal(view.discarded, timeout=3000):
        box.button(QMessageBox.StandardButton.Discard).click()
    assert source.discarded == ["case-1"]


def test_a_returned_case_shows_the_comments_and_cannot_be_discarded(make_form: FormFactory) -> None:
    view = make_form(sample_case(status=CaseStatus.RETURNED, comments="Please remove the clinic's town."))
    assert view.comments_banner.isVisible()
    assert "Please remove the clinic's town." in view.comments_banner.text()
    assert not view.discard_button.isVisible()


def test_a_failing_guard_blocks_submit_and_logs_no_text(
    make_form: FormFactory, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> list[Finding]:
        raise RuntimeError("guard broke")

    view = make_form(guard=broken)
    assert not view.submit_button.isEnabled()
    assert "could not read" in view.findings_summary.text()
    assert "liver" not in caplog.text and "Metformin" not in caplog.text


def test_keyboard_tab_moves_through_fields_and_finding_buttons(make_form: FormFactory, qtbot: QtBot) -> None:
    view = make_form()
    editor = hpi(view)
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert view.focusWidget() is view.editors["past_history"]
    type_text(qtbot, editor, " Mrs. Lee")
    view.scan_now("hpi")
    row = view.finding_rows[0]
    assert row.replace_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    row.replace_button.setFocus()
    qtbot.keyClick(row.replace_button, Qt.Key.Key_Space)
    assert "Mrs. Lee" not in editor.toPlainText()
    assert view.focusWidget() is view.submit_button  # the answered row is gone: focus moves on
