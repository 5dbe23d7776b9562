""" "My cases": every status in words, offline from the saved list, opening what can be edited,
reading recommendations, and exporting a case with its recommendations as a PDF."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from echo_desktop.cases.model import DEFAULT_FORM, Case, CaseStatus, SessionSlot
from echo_desktop.cases.ports import HubProgram, MyCase
from echo_desktop.ui.cases.my_cases_view import EMPTY_TEXT, OFFLINE_NOTE, MyCasesView
from echo_desktop.ui.cases.pdf import case_html
from tests.fake_cases import PROGRAM, FakeCaseSource, sample_case, snapshot_of
from tests.ui.lobby_data import LOCAL

SLOT = SessionSlot("hcv-weekly", datetime(2026, 12, 3, 14, 0, tzinfo=UTC))
RECOMMENDATIONS = "Start sofosbuvir-velpatasvir for 12 weeks.\nRecheck ALT at week 4."

ViewFactory = Callable[[FakeCaseSource], MyCasesView]


def every_status() -> tuple[Case, ...]:
    return (
        sample_case("d", question="Draft question"),
        sample_case("q", CaseStatus.QUEUED, question="Queued question"),
        sample_case("s", CaseStatus.SUBMITTED, question="Submitted question"),
        sample_case("r", CaseStatus.RETURNED, question="Returned question", comments="Remove the town name."),
        sample_case("a", CaseStatus.APPROVED, question="Approved question", session=SLOT),
        sample_case("p", CaseStatus.PRESENTED, question="Presented question", session=SLOT),
        sample_case(
            "m",
            CaseStatus.RECOMMENDED,
            question="Recommended question",
            session=SLOT,
            recommendations=RECOMMENDATIONS,
        ),
    )


@pytest.fixture
def make_view(qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> ViewFactory:
    def build(source: FakeCaseSource) -> MyCasesView:
        view = MyCasesView(source, LOCAL)
        qtbot.addWidget(view)
        view.resize(1000, 900)
        view.show()
        qtbot.waitExposed(view)
        return view

    return build


def test_each_status_in_words(make_view: ViewFactory) -> None:
    view = make_view(FakeCaseSource(every_status()))
    words = {card.case.client_id: (card.status, card.detail_label.text()) for card in view.cards}
    assert words["d"][0] == "Draft"
    assert words["q"] == (
        "Queued: waiting for the network",
        "Submitted on this computer. It is sent by itself as soon as the hub answers.",
    )
    assert words["s"][0] == "Submitted"
    assert words["r"][0] == "Returned with comments"
    assert words["a"] == ("Approved", "To be presented on Thursday 3 December 2026 at 9:00.")
    assert words["p"][0] == "Presented"
    assert words["m"][0] == "Recommendations received"
    returned = view.card_for("r")
    assert returned is not None and returned.comments_label.isVisible()
    assert "Remove the town name." in returned.comments_label.text()


def test_only_drafts_and_returned_cases_open_for_editing(make_view: ViewFactory, qtbot: QtBot) -> None:
    view = make_view(FakeCaseSource(every_status()))
    editable = {card.case.client_id for card in view.cards if card.open_button.isVisible()}
    assert editable == {"d", "r"}
    exportable = {card.case.client_id for card in view.cards if card.export_button.isVisible()}
    assert exportable == {"q", "s", "a", "p", "m"}  # never a draft: it may still hold PHI
    card = view.card_for("r")
    assert card is not None
    with qtbot.waitSignal(view.open_requested, timeout=3000) as opened:
        card.open_button.click()
    assert opened.args[0].case.client_id == "r"


def test_recommendations_are_read_in_place(make_view: ViewFactory) -> None:
    view = make_view(FakeCaseSource(every_status()))
    card = view.card_for("m")
    assert card is not None and card.read_button.isVisible()
    assert not card.recommendations_label.isVisible()
    card.read_button.click()
    assert card.recommendations_label.isVisible()
    assert card.recommendations_label.text() == RECOMMENDATIONS.strip()


def test_offline_it_shows_the_saved_cases_and_says_so(make_view: ViewFactory) -> None:
    saved = snapshot_of(every_status(), online=False, problems=("The hub at hub.example.org did not answer",))
    view = make_view(FakeCaseSource())
    view.set_cases(saved)
    assert len(view.cards) == 7
    assert view.offline_note.isVisible()
    assert view.offline_note.text().startswith(OFFLINE_NOTE)
    assert "hub.example.org did not answer." in view.offline_note.text()
    assert view.freshness_label.text() == "Offline · not updated yet"
    view.set_cases(replace(saved, online=True, updated=datetime(2026, 11, 24, 14, 14, tzinfo=UTC)))
    assert not view.offline_note.isVisible()
    assert view.freshness_label.text() == "Updated Tue 24 Nov, 9:14"


def test_no_cases_says_how_to_start(make_view: ViewFactory) -> None:
    view = make_view(FakeCaseSource())
    assert view.empty_label.isVisible() and view.empty_label.text() == EMPTY_TEXT


def test_before_the_first_round_it_says_it_is_checking(make_view: ViewFactory) -> None:
    view = make_view(FakeCaseSource(every_status(), online=False, checked=False))
    assert view.freshness_label.text() == "Checking with the hub…"
    assert not view.offline_note.isVisible()


def test_a_case_the_hub_sent_back_says_why(make_view: ViewFactory) -> None:
    source = FakeCaseSource()
    refused = MyCase(sample_case("x"), PROGRAM, "Hepatitis C: a date in History of present illness")
    source.publish(replace(source.current, cases=(refused,)))
    view = make_view(source)
    card = view.card_for("x")
    assert card is not None and card.refusal_label.isVisible() and card.open_button.isVisible()
    assert card.refusal_label.text() == (
        "The hub sent it back: Hepatitis C: a date in History of present illness"
    )


def test_new_case_goes_to_the_chosen_program(make_view: ViewFactory, qtbot: QtBot) -> None:
    source = FakeCaseSource()
    pain = HubProgram("https://hub.example.org", 8, "Chronic Pain ECHO", "spoke")
    source.publish(replace(source.current, programs=(PROGRAM, pain)))
    view = make_view(source)
    assert view.program_combo.isVisible() and view.program_combo.count() == 2
    view.program_combo.setCurrentIndex(1)
    with qtbot.waitSignal(view.new_requested, timeout=3000) as asked:
        view.new_button.click()
    assert asked.args == [pain]
    view.set_cases(replace(source.current, programs=()))
    assert not view.new_button.isEnabled()


def test_export_writes_a_pdf_with_the_case_and_its_recommendations(
    make_view: ViewFactory, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = make_view(FakeCaseSource(every_status()))
    chosen = tmp_path / "hcv case"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kw: (str(chosen), "PDF files (*.pdf)")
    )
    card = view.card_for("m")
    assert card is not None
    card.export_button.click()
    written = tmp_path / "hcv case.pdf"
    qtbot.waitUntil(view.info_banner.isVisible, timeout=5000)
    assert view.info_banner.text() == "Saved “hcv case.pdf”."
    data = written.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 5_000  # fonts and text, not an empty page
    # The title is in the PDF's metadata as UTF-16; the page text is drawn as glyphs.
    assert "Recommended question".encode("utf-16-be") in data
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(written), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Recheck ALT at week 4." in text and "Metformin 500 mg" in text


def test_the_pdf_document_holds_every_field_and_escapes_markup() -> None:
    case = sample_case(
        "m",
        CaseStatus.RECOMMENDED,
        session=SLOT,
        recommendations=RECOMMENDATIONS,
        question="ALT <b>180</b> & rising",
    )
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(case_html(case, DEFAULT_FORM, LOCAL, "Hepatitis C ECHO"))
    text = document.toPlainText()
    assert "ALT <b>180</b> & rising" in text  # shown as typed, never read as markup
    assert "Recheck ALT at week 4." in text
    assert "Program: Hepatitis C ECHO" in text
    assert "Session: Thursday 3 December 2026 at 9:00" in text
    for form_field in DEFAULT_FORM.fields:
        assert form_field.label in text
    assert "Metformin 500 mg twice daily." in text


def test_an_export_that_cannot_be_written_says_so(
    make_view: ViewFactory, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = make_view(FakeCaseSource(every_status()))
    target = tmp_path / "missing-folder" / "case.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kw: (str(target), ""))
    card = view.card_for("s")
    assert card is not None
    card.export_button.click()
    qtbot.waitUntil(view.error_banner.isVisible, timeout=5000)
    assert view.error_banner.message == "Could not save “case.pdf”."
