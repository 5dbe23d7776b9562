"""The facilitator's review: the queue screened by the guard (in its own thread), the presenter's
dismissals and reasons, approve into an upcoming session of the program, or return with comments;
recommendations checked as they are typed and again, the exact text, when sent."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from echo_desktop.cases.findings import Dismissal, Finding, PhiKind
from echo_desktop.cases.model import DEFAULT_FORM, CaseStatus, SessionSlot
from echo_desktop.cases.ports import CaseError, HubProgram
from echo_desktop.cases.validation import Guard
from echo_desktop.ui.cases.guard_thread import THREAD_NAME
from echo_desktop.ui.cases.review_view import (
    CHECKING_QUEUE_TEXT,
    CHECKING_RECOMMENDATIONS_TEXT,
    EMPTY_PRESENTED_TEXT,
    EMPTY_QUEUE_TEXT,
    NO_SESSIONS_TEXT,
    RECOMMEND_MODE,
    ReviewView,
)
from tests.fake_cases import PROGRAM, FakeCaseSource, fake_guard, sample_case
from tests.ui.gated_guard import GatedGuard
from tests.ui.lobby_data import LOCAL, NOW, at, hcv, pain

ViewFactory = Callable[..., ReviewView]

CLEAN = sample_case("clean", CaseStatus.SUBMITTED, question="Rising ALT on treatment")
DISMISSED = replace(
    sample_case("dismissed", CaseStatus.SUBMITTED, question="Thyroid eye disease"),
    values={**CLEAN.values, "question": "Thyroid eye disease", "past_history": "Graves disease."},
    dismissals=(Dismissal("past_history", PhiKind.NAME, "Graves", "Graves' disease, a condition"),),
)
LEAKY = replace(
    sample_case("leaky", CaseStatus.SUBMITTED, question="Jaundice"),
    values={**CLEAN.values, "question": "Jaundice", "hpi": "Seen by Mrs. Jones on March 3, 2024."},
)


@pytest.fixture
def source() -> FakeCaseSource:
    source = FakeCaseSource()
    source.queue = {7: (CLEAN, DISMISSED, LEAKY)}
    return source


@pytest.fixture
def make_view(qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> ViewFactory:
    def build(source: FakeCaseSource, guard: Guard = fake_guard, *, loaded: bool = True) -> ReviewView:
        """A review over `source`; with `loaded`, once its queue is fetched and screened."""
        view = ReviewView(source, guard, LOCAL)
        qtbot.addWidget(view)
        view.resize(1200, 800)
        view.show()
        qtbot.waitExposed(view)
        if loaded:
            qtbot.waitUntil(lambda: view.loads >= 1, timeout=3000)
        view.set_sessions([hcv(at(26, 14)), pain(at(26, 12)), hcv(at(20, 14))], NOW)
        return view

    return build


def select(view: ReviewView, client_id: str) -> None:
    view.queue_list.setCurrentRow([c.client_id for c in view.queue].index(client_id))


def test_the_queue_shows_each_case_with_its_guard_result(
    make_view: ViewFactory, source: FakeCaseSource
) -> None:
    view = make_view(source)
    items = [view.queue_list.item(i).text().splitlines() for i in range(view.queue_list.count())]
    assert [lines[0] for lines in items] == ["Rising ALT on treatment", "Thyroid eye disease", "Jaundice"]
    assert items[0][2] == "No patient identifiers found"
    assert items[1][2] == "No open identifiers · 1 marked not PHI by the presenter"
    assert items[2][2] == "2 possible patient identifiers"

    select(view, "leaky")
    assert view.findings_label.isVisible()
    assert "History of present illness: “Mrs. Jones” looks like a name." in view.findings_label.text()
    assert not view.approve_button.isEnabled()
    assert "return it with comments" in view.approve_note.text()

    select(view, "dismissed")
    assert view.dismissals_label.isVisible()
    assert "“Graves”" in view.dismissals_label.text()
    assert "Reason: Graves' disease, a condition" in view.dismissals_label.text()
    assert view.approve_button.isEnabled()


def test_approve_into_an_upcoming_session_of_the_program(
    make_view: ViewFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    view = make_view(source)
    # Only the program's sessions still to come: not the other program's, not a past one.
    sessions = [view.session_combo.itemData(i) for i in range(view.session_combo.count())]
    assert [(s.program, s.start) for s in sessions] == [("Hepatitis C ECHO", at(26, 14))]
    assert view.session_combo.itemText(0).startswith("Thursday 26 November 2026 at 14:00")
    select(view, "clean")
    with qtbot.waitSignal(view.reviewed, timeout=3000) as reviewed:
        qtbot.mouseClick(view.approve_button, Qt.MouseButton.LeftButton)
    assert source.approved == [(CLEAN, SessionSlot("hcv-weekly", at(26, 14)))]
    assert reviewed.args[0].status is CaseStatus.APPROVED
    assert view.info_banner.message == (
        "Approved “Rising ALT on treatment” for Thursday 26 November 2026 at 14:00."
    )
    assert [c.client_id for c in view.queue] == ["dismissed", "leaky"]


def test_return_with_comments(make_view: ViewFactory, source: FakeCaseSource, qtbot: QtBot) -> None:
    view = make_view(source)
    select(view, "leaky")
    assert not view.return_button.isEnabled()  # comments first
    qtbot.keyClicks(view.comments_edit, "Please remove the name and the full date.")
    assert view.return_button.isEnabled()
    with qtbot.waitSignal(view.reviewed, timeout=3000):
        qtbot.mouseClick(view.return_button, Qt.MouseButton.LeftButton)
    assert source.returned == [(LEAKY, "Please remove the name and the full date.")]
    assert [c.client_id for c in view.queue] == ["clean", "dismissed"]


def test_a_refused_review_keeps_the_case_in_the_queue(
    make_view: ViewFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    view = make_view(source)
    source.review_error = CaseError("Someone else changed this case; it was reloaded")
    select(view, "clean")
    view.approve()
    qtbot.waitUntil(view.error_banner.isVisible, timeout=3000)
    assert view.error_banner.text() == (
        "“Rising ALT on treatment” was not updated. Someone else changed this case; it was reloaded."
    )
    assert len(view.queue) == 3


def test_without_an_upcoming_session_approve_says_why(make_view: ViewFactory, source: FakeCaseSource) -> None:
    view = make_view(source)
    view.set_sessions([], NOW)
    assert view.session_combo.itemText(0) == NO_SESSIONS_TEXT
    assert not view.approve_button.isEnabled()
    assert view.approve_note.text() == "There is no upcoming session of this program to present it in."


def test_an_empty_queue_and_a_failed_fetch(make_view: ViewFactory, qtbot: QtBot) -> None:
    source = FakeCaseSource()
    view = make_view(source)
    assert view.empty_label.isVisible() and view.empty_label.text() == EMPTY_QUEUE_TEXT
    source.queue_error = CaseError("The hub did not answer")
    view.reload()
    qtbot.waitUntil(lambda: view.loads >= 2, timeout=3000)
    assert (
        view.error_banner.text() == "Could not fetch the cases of Hepatitis C ECHO. The hub did not answer."
    )


def test_only_the_programs_the_person_reviews_are_offered(make_view: ViewFactory) -> None:
    source = FakeCaseSource()
    pain = HubProgram("https://other-hub.example.org", 8, "Chronic Pain ECHO", "spoke")
    source.publish(replace(source.current, programs=(PROGRAM, pain)))
    view = make_view(source)
    assert [view.program_combo.itemText(i) for i in range(view.program_combo.count())] == ["Hepatitis C ECHO"]


def test_recommendations_for_a_presented_case_are_screened_then_sent(
    make_view: ViewFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    presented = replace(CLEAN, status=CaseStatus.PRESENTED, session=SessionSlot("hcv-weekly", at(20, 14)))
    source.presented = {7: (presented,)}
    view = make_view(source)
    assert view.review_actions.isVisible() and not view.recommend_actions.isVisible()
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(RECOMMEND_MODE))
    qtbot.waitUntil(lambda: [c.client_id for c in view.queue] == ["clean"], timeout=3000)
    assert view.recommend_actions.isVisible() and not view.review_actions.isVisible()
    assert not view.recommend_button.isEnabled()  # nothing written yet
    view.recommend_edit.setFocus()
    qtbot.keyClicks(view.recommend_edit, "Ask Mrs. Jones to recheck ALT on March 3, 2027.")
    assert not view.recommend_button.isEnabled()
    assert view.recommend_note.text() == CHECKING_RECOMMENDATIONS_TEXT  # debounced, as in the form
    qtbot.waitUntil(lambda: "“Mrs. Jones” looks like a name" in view.recommend_note.text(), timeout=3000)
    assert not view.recommend_button.isEnabled()
    view.recommend_edit.setPlainText("Continue treatment; recheck ALT in two weeks.")
    assert not view.recommend_button.isEnabled()
    qtbot.waitUntil(view.recommend_button.isEnabled, timeout=3000)
    assert not view.recommend_note.isVisible()
    with qtbot.waitSignal(view.reviewed, timeout=3000) as sent:
        qtbot.mouseClick(view.recommend_button, Qt.MouseButton.LeftButton)
    assert source.recommended == [(presented, "Continue treatment; recheck ALT in two weeks.")]
    assert sent.args[0].status is CaseStatus.RECOMMENDED
    assert view.queue == [] and view.empty_label.text() == EMPTY_PRESENTED_TEXT
    assert (
        view.info_banner.text() == "Sent the recommendations for “Rising ALT on treatment” to its presenter."
    )


# --- the guard in its own thread ---------------------------------------------------------------


def show_presented(view: ReviewView, source: FakeCaseSource, qtbot: QtBot) -> None:
    presented = replace(CLEAN, status=CaseStatus.PRESENTED, session=SessionSlot("hcv-weekly", at(20, 14)))
    source.presented = {7: (presented,)}
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(RECOMMEND_MODE))
    qtbot.waitUntil(lambda: [c.client_id for c in view.queue] == ["clean"], timeout=3000)


def test_the_queue_is_screened_in_the_guards_thread_and_shown_once_ready(
    make_view: ViewFactory, source: FakeCaseSource, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    gated_guard.close()
    view = make_view(source, gated_guard, loaded=False)
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)
    assert view.queue == [] and view.queue_list.count() == 0
    assert view.empty_label.isVisible() and view.empty_label.text() == CHECKING_QUEUE_TEXT
    gated_guard.open()
    qtbot.waitUntil(lambda: view.loads >= 1, timeout=3000)

    assert [c.client_id for c in view.queue] == ["clean", "dismissed", "leaky"]
    assert not view.empty_label.isVisible()
    assert view.screening("leaky").summary() == "2 possible patient identifiers"
    free_text = sum(1 for f in DEFAULT_FORM.fields if f.free_text)
    assert len(gated_guard.calls) == 3 * free_text  # every free-text field of every case, once
    (worker,) = gated_guard.threads
    assert worker is not threading.main_thread() and worker.name.startswith(THREAD_NAME)


def test_recommendations_are_checked_in_the_guards_thread_and_send_waits_for_a_new_check(
    make_view: ViewFactory, source: FakeCaseSource, qtbot: QtBot, gated_guard: GatedGuard
) -> None:
    view = make_view(source, gated_guard)
    show_presented(view, source, qtbot)
    checked = len(gated_guard.calls)
    view.recommend_edit.setPlainText("  Continue treatment; recheck ALT in two weeks.\n")
    assert not view.recommend_button.isEnabled()
    assert view.recommend_note.text() == CHECKING_RECOMMENDATIONS_TEXT
    qtbot.waitUntil(view.recommend_button.isEnabled, timeout=3000)
    assert gated_guard.texts()[checked:] == ["Continue treatment; recheck ALT in two weeks."]

    gated_guard.close()
    qtbot.mouseClick(view.recommend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gated_guard.held == 1, timeout=3000)
    assert source.recommended == []  # not before the guard has read the text once more
    assert not view.recommend_button.isEnabled()
    assert gated_guard.texts()[-1] == "Continue treatment; recheck ALT in two weeks."  # as sent
    with qtbot.waitSignal(view.reviewed, timeout=3000):
        gated_guard.open()
    assert [text for _case, text in source.recommended] == ["Continue treatment; recheck ALT in two weeks."]
    assert threading.main_thread() not in gated_guard.threads


def test_send_refuses_text_the_new_check_flags(
    make_view: ViewFactory, source: FakeCaseSource, qtbot: QtBot
) -> None:
    strict = threading.Event()  # the guard learns to flag "Jones" between the two checks

    def guard(text: str) -> list[Finding]:
        found = fake_guard(text)
        if strict.is_set() and "Jones" in text:
            start = text.index("Jones")
            found.append(Finding(start, start + 5, PhiKind.NAME, "Jones", "the patient"))
        return found

    view = make_view(source, guard)
    show_presented(view, source, qtbot)
    view.recommend_edit.setPlainText("Follow the Jones criteria for treatment.")
    qtbot.waitUntil(view.recommend_button.isEnabled, timeout=3000)
    strict.set()
    checks = view.recommendation_checks
    qtbot.mouseClick(view.recommend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.recommendation_checks == checks + 1, timeout=3000)
    assert source.recommended == []
    assert "“Jones” looks like a name" in view.recommend_note.text()
    assert not view.recommend_button.isEnabled()
