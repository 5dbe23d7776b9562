"""The case form: findings marked and listed, replaced or dismissed, submit blocked until clear,
a paste screened at once, and the draft saved while typing. The guard runs in its own thread:
the tests wait for its answers, and some hold it mid-scan (`gated_guard`) to see the form go on."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from echo_desktop.cases.findings import Finding, PhiKind
from echo_desktop.cases.model import DEFAULT_FORM, Case, CaseStatus
from echo_desktop.cases.ports import CaseError
from echo_desktop.ui.cases.case_form_view import ALL_CLEAR_TEXT, CHECKING_TEXT, SUBMIT_TEXT, CaseFormView
from echo_desktop.ui.cases.editors import LineEditor, LongTextEditor
from echo_desktop.ui.cases.guard_thread import THREAD_NAME
from tests.fake_cases import FakeCaseSource, fake_guard, sample_case
from tests.ui.gated_guard import GatedGuard

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

    def build(case: Case | None = None, *, settle: bool = True, **options: object) -> CaseFormView:
        """A form on `case`; with `settle`, once the guard has answered for every field."""
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
        if settle:
            settled(qtbot, view)
        return view

    yield build
    for view in views:
        view.stop()


def settled(qtbot: QtBot, view: CaseFormView) -> None:
    """Wait until every scan asked for has answered (a debounce still running is not one)."""
    qtbot.waitUntil(lambda: not view.scanning, timeout=3000)


def scan(qtbot: QtBot, view: CaseFormView, key: str) -> None:
    """Screen a field now and wait for the answer."""
    view.scan_now(key)
    settled(qtbot, view)


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
    settled(qtbot, view)
    assert [row.item.finding.kind for row in view.finding_rows] == [PhiKind.AGE]
    view.finding_rows[0].replace_button.click()
    assert hpi(view).toPlainText() == "A 90 or older seen 2024."
    settled(qtbot, view)
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
    scan(qtbot, view, "past_history")
    assert view.finding_rows == []
    editor.setPlainText("Graves and Mr. Graves since 2019.")
    scan(qtbot, view, "past_history")
    assert [row.item.finding.text for row in view.finding_rows] == ["Mr. Graves"]
    editor.setPlainText("Grave disease since 2019. Graves again.")
    scan(qtbot, view, "past_history")
    assert view.finding_rows == []  # the same text, still dismissed
    assert not view.submit_blockers()


def test_a_paste_is_screened_at_once(make_form: FormFactory, qtbot: QtBot) -> None:
    view = make_form(scan_delay_ms=SLOW_MS)
    editor = hpi(view)
    scans = view.guard_state.scans
    type_text(qtbot, editor, " x")  # typing waits for the (slow) debounce
    assert not view.scanning
    mime = QMimeData()
    mime.setText(" Call 505-555-0134 after March 3, 2024.")
    editor.insertFromMimeData(mime)
    assert view.scanning  # asked for at once
    settled(qtbot, view)
    assert view.guard_state.scans == scans + 1
    assert [row.item.finding.kind for row in view.finding_rows] == [PhiKind.PHONE, PhiKind.DATE]

    line = view.editors["question"]
    assert isinstance(line, LineEditor)
    QGuiApplication.clipboard().setText(" for Mrs. Ortiz")
    line.setFocus()
    line.end(False)
    line.paste()
    assert view.scanning
    settled(qtbot, view)
    assert any(row.item.finding.text == "Mrs. Ortiz" for row in view.finding_rows)
    assert [f.text for f in line.marks] == ["Mrs. Ortiz"]


def test_submit_runs_the_guard_on_text_not_yet_screened(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    view = make_form(scan_delay_ms=SLOW_MS)
    type_text(qtbot, hpi(view), " Mrs. Lee")
    assert view.submit_button.isEnabled()  # the debounce has not run yet
    view.submit()
    assert not view.submit_button.isEnabled()  # checking
    qtbot.waitUntil(lambda: view.submit_button.text() == SUBMIT_TEXT, timeout=3000)
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
    scan(qtbot, view, "hpi")
    row = view.finding_rows[0]
    assert row.replace_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    row.replace_button.setFocus()
    qtbot.keyClick(row.replace_button, Qt.Key.Key_Space)
    assert "Mrs. Lee" not in editor.toPlainText()
    settled(qtbot, view)
    assert view.focusWidget() is view.submit_button  # the answered row is gone: focus moves on


# --- the guard in its own thread ---------------------------------------------------------------


def paste(editor: LongTextEditor, text: str) -> None:
    """Paste at the end of a long field (the form screens a paste at once)."""
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    mime = QMimeData()
    mime.setText(text)
    editor.insertFromMimeData(mime)


def found_texts(view: CaseFormView) -> list[str]:
    return [row.item.finding.text for row in view.finding_rows]


def test_every_scan_runs_in_the_guards_thread_never_on_the_qt_thread(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    view = make_form(guard=gated_guard, scan_delay_ms=20)
    opening = len(gated_guard.calls)
    assert opening == len(view.editors)  # every field screened as the form opened
    type_text(qtbot, hpi(view), " Mrs. Lee")  # typing (debounced)
    qtbot.waitUntil(lambda: found_texts(view) == ["Mrs. Lee"], timeout=3000)
    paste(hpi(view), " Seen March 3, 2024.")  # a paste
    qtbot.waitUntil(lambda: found_texts(view) == ["Mrs. Lee", "March 3, 2024"], timeout=3000)
    for _ in range(2):  # "Replace with …", then its re-scan
        view.finding_rows[0].replace_button.click()
        settled(qtbot, view)
    assert found_texts(view) == []
    view.submit()  # and Submit's own scans
    qtbot.waitUntil(lambda: bool(source.submitted), timeout=3000)

    assert len(gated_guard.calls) > opening + len(view.editors) + 3
    threads = gated_guard.threads
    assert threading.main_thread() not in threads
    assert threading.current_thread() not in threads  # the test's, where Qt runs
    (worker,) = threads  # one thread for every scan: they never run at once
    assert worker.name.startswith(THREAD_NAME)


def test_the_summary_says_checking_until_the_first_scans_answer(
    make_form: FormFactory, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    case = sample_case()
    case = Case(case.client_id, case.program_id, {**case.values, "hpi": "Seen by Mrs. Jones in 2024."})
    gated_guard.close()
    view = make_form(case, guard=gated_guard, settle=False)
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)
    assert view.scanning
    assert view.findings_summary.text() == CHECKING_TEXT
    # Shown neither as all clear (green) nor as found (red) while nothing is known yet.
    assert view.findings_summary.property("checking") is True
    assert view.findings_summary.property("open") is False
    assert view.finding_rows == []
    gated_guard.open()
    settled(qtbot, view)
    assert view.findings_summary.property("checking") is False
    assert view.findings_summary.text().startswith("1 possible patient identifier.")
    assert found_texts(view) == ["Mrs. Jones"]
    assert not view.submit_button.isEnabled()


def test_the_form_goes_on_while_the_guard_is_slow(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    view = make_form(guard=gated_guard, save_delay_ms=20)
    gated_guard.close()
    paste(hpi(view), " Seen by Mrs. Jones.")
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)  # the guard is mid-scan

    question = view.editors["question"]
    type_text(qtbot, question, " In pregnancy?")
    # The Qt thread goes on: the edit is saved as a draft while the guard still holds its scan.
    qtbot.waitUntil(
        lambda: bool(source.saved) and source.saved[-1].values["question"].endswith("In pregnancy?"),
        timeout=3000,
    )
    assert view.saved_label.text() == "Draft saved on this computer"
    assert source.saved[-1].values["hpi"].endswith("Seen by Mrs. Jones.")
    assert gated_guard.held == 1 and view.finding_rows == []  # the paste's scan has not answered

    gated_guard.open()
    qtbot.waitUntil(lambda: found_texts(view) == ["Mrs. Jones"], timeout=3000)
    assert not view.submit_button.isEnabled()


def test_a_result_for_text_changed_during_the_scan_is_not_applied(
    make_form: FormFactory, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    view = make_form(guard=gated_guard, scan_delay_ms=SLOW_MS)
    editor = hpi(view)
    scans = view.guard_state.scans
    gated_guard.close()
    paste(editor, " Mrs. Lee")
    scanned = editor.toPlainText()
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)
    type_text(qtbot, editor, " and")  # its own scan waits for the (slow) debounce
    gated_guard.open()
    settled(qtbot, view)

    assert gated_guard.answered[-1] == scanned  # the guard did answer, with "Mrs. Lee" at its place
    assert view.guard_state.scans == scans  # ...for a text the field no longer holds: dropped
    assert view.finding_rows == [] and editor.marks == []
    scan(qtbot, view, "hpi")  # the newer scan is applied
    text = editor.toPlainText()
    assert [text[f.start : f.end] for f in editor.marks] == ["Mrs. Lee"]
    assert view.guard_state.scans == scans + 1


def test_a_change_that_asked_for_no_scan_gets_one_when_a_stale_result_lands(
    make_form: FormFactory, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    view = make_form(guard=gated_guard)
    line = view.editors["question"]
    assert isinstance(line, LineEditor)
    gated_guard.close()
    view.scan_now("question")
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)
    line.blockSignals(True)  # a change the form is not told about
    line.setText("For Mrs. Ortiz?")
    line.blockSignals(False)
    gated_guard.open()
    qtbot.waitUntil(lambda: found_texts(view) == ["Mrs. Ortiz"], timeout=3000)
    assert gated_guard.texts()[-1] == "For Mrs. Ortiz?"


def test_submit_waits_for_a_pending_scan_and_refuses_what_it_finds(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    view = make_form(guard=gated_guard, scan_delay_ms=SLOW_MS)
    gated_guard.close()
    paste(hpi(view), " Seen by Mrs. Lee.")
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)
    assert view.submit_button.isEnabled()  # nothing known blocks it: the scan has not answered
    qtbot.mouseClick(view.submit_button, Qt.MouseButton.LeftButton)
    assert view.submit_button.text() == "Checking…" and not view.submit_button.isEnabled()

    gated_guard.open()
    qtbot.waitUntil(lambda: view.submit_button.text() == SUBMIT_TEXT, timeout=3000)
    assert source.submitted == []
    assert found_texts(view) == ["Mrs. Lee"]
    assert not view.submit_button.isEnabled()
    assert "1 possible patient identifier to replace" in view.submit_note.text()
    # Submit screened every field again, after the scan that was running.
    texts = [editor.plain_text() for editor in view.editors.values()]
    assert gated_guard.answered[-len(texts) :] == texts


def test_submit_while_a_scan_is_pending_sends_once_every_scan_answered(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    answered_when_sent: list[int] = []
    submit = source.submit

    async def counting_submit(case: Case) -> object:
        answered_when_sent.append(len(gated_guard.answered))
        return await submit(case)

    source.submit = counting_submit  # type: ignore[method-assign,assignment]
    view = make_form(guard=gated_guard, scan_delay_ms=SLOW_MS)
    gated_guard.close()
    paste(hpi(view), " Stable on treatment.")
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)
    qtbot.mouseClick(view.submit_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.submitted, timeout=3000):
        gated_guard.open()
    assert answered_when_sent == [len(gated_guard.calls)]  # nothing was still being read
    assert source.submitted[0].values["hpi"] == hpi(view).toPlainText()
    assert source.submitted[0].values["hpi"].endswith("Stable on treatment.")


def test_text_typed_while_submit_checks_is_not_sent(
    make_form: FormFactory, source: FakeCaseSource, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    view = make_form(guard=gated_guard, scan_delay_ms=SLOW_MS)
    gated_guard.close()
    qtbot.mouseClick(view.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)
    type_text(qtbot, hpi(view), " Mrs. Lee")  # not screened yet: its debounce is slow
    gated_guard.open()
    qtbot.waitUntil(lambda: view.submit_button.text() == SUBMIT_TEXT, timeout=3000)
    assert not view.scanning
    assert source.submitted == []
    assert view.submit_button.isEnabled()  # pressed again, it screens this text first
    view.submit()
    qtbot.waitUntil(lambda: view.submit_button.text() == SUBMIT_TEXT, timeout=3000)
    assert source.submitted == [] and found_texts(view) == ["Mrs. Lee"]


def test_a_guard_failure_in_its_thread_blocks_submit(
    make_form: FormFactory, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[threading.Thread] = []

    def broken(text: str) -> list[Finding]:
        calls.append(threading.current_thread())
        raise RuntimeError(f"guard broke on {text}")

    view = make_form(replace(sample_case(), values={**sample_case().values, "hpi": "Mrs. Lee"}), guard=broken)
    assert calls and threading.main_thread() not in calls
    assert view.guard_state.failed_fields == sorted(view.editors)
    assert "could not read" in view.findings_summary.text()
    assert "a field the identifier check could not read" in view.submit_note.text()
    assert "Mrs. Lee" not in caplog.text
