"""The case screens inside the main window: reached from the lobby's header, and back."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from echo_desktop.cases.model import CaseStatus
from echo_desktop.ui.main_window import MainWindow
from tests.fake_cases import FakeCaseSource, fake_guard, sample_case
from tests.fake_schedule import FakeScheduleSource, MovableClock
from tests.ui.conftest import HarnessFactory
from tests.ui.lobby_data import LOCAL, NOW, week_snapshot


def window_with_cases(make_window: HarnessFactory, cases: FakeCaseSource) -> MainWindow:
    return make_window(
        schedule=FakeScheduleSource(week_snapshot()),
        now=MovableClock(NOW),
        local_zone=LOCAL,
        cases=cases,
        guard=fake_guard,
    ).window


def test_without_cases_the_lobby_has_no_case_buttons(make_window: HarnessFactory) -> None:
    window = make_window(
        schedule=FakeScheduleSource(week_snapshot()), now=MovableClock(NOW), local_zone=LOCAL
    ).window
    assert window.lobby_view is not None
    assert not window.lobby_view.my_cases_button.isVisible()
    assert not window.lobby_view.review_button.isVisible()


def test_a_case_source_without_a_guard_turns_the_case_screens_off(make_window: HarnessFactory) -> None:
    window = make_window(
        schedule=FakeScheduleSource(week_snapshot()),
        now=MovableClock(NOW),
        local_zone=LOCAL,
        cases=FakeCaseSource(),
    ).window
    assert window.lobby_view is not None
    assert not window.lobby_view.my_cases_button.isVisible()


def test_new_case_from_the_lobby_to_submitted(make_window: HarnessFactory, qtbot: QtBot) -> None:
    cases = FakeCaseSource((sample_case("old", CaseStatus.SUBMITTED),))
    cases.submit_status = CaseStatus.SUBMITTED  # the hub took it at once
    window = window_with_cases(make_window, cases)
    lobby = window.lobby_view
    assert lobby is not None
    assert lobby.my_cases_button.isVisible() and lobby.review_button.isVisible()

    qtbot.mouseClick(lobby.my_cases_button, Qt.MouseButton.LeftButton)
    my_cases = window.my_cases_view
    assert my_cases is not None
    assert window.stack.currentWidget() is my_cases
    assert [card.status for card in my_cases.cards] == ["Submitted"]
    qtbot.waitUntil(lambda: cases.refreshes >= 1, timeout=3000)

    qtbot.mouseClick(my_cases.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.case_form_view is not None, timeout=3000)
    form = window.case_form_view
    assert form is not None
    assert window.stack.currentWidget() is form
    assert form.program_label.text() == "Hepatitis C ECHO"
    assert form.title_label.text() == "Your case for the clinic"
    for key, value in sample_case().values.items():
        if key in form.choices:
            form.choices[key].setCurrentIndex(form.choices[key].findData(value))
        else:
            form.editors[key].setFocus()
            qtbot.keyClicks(form.editors[key], value)
    assert form.submit_button.isEnabled()
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is my_cases, timeout=3000)
    assert window.case_form_view is None
    assert cases.submitted[0].values == sample_case().values
    assert my_cases.info_banner.message == "Your case was submitted. A facilitator will review it."
    assert sorted(card.status for card in my_cases.cards) == ["Submitted", "Submitted"]

    qtbot.mouseClick(my_cases.back_button, Qt.MouseButton.LeftButton)
    assert window.showing_lobby


def test_a_case_submitted_offline_says_it_is_queued(make_window: HarnessFactory, qtbot: QtBot) -> None:
    cases = FakeCaseSource((sample_case("d"),), online=False)
    cases.submit_status = CaseStatus.QUEUED
    window = window_with_cases(make_window, cases)
    window.show_my_cases()
    my_cases = window.my_cases_view
    assert my_cases is not None
    assert my_cases.offline_note.isVisible()
    card = my_cases.card_for("d")
    assert card is not None
    qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.case_form_view is not None, timeout=3000)
    assert window.case_form_view is not None
    window.case_form_view.submit()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is my_cases, timeout=3000)
    assert my_cases.info_banner.message.startswith("Your case is queued")
    assert [c.status for c in my_cases.cards] == ["Queued: waiting for the network"]


def test_review_from_the_lobby_offers_the_lobby_sessions(make_window: HarnessFactory, qtbot: QtBot) -> None:
    cases = FakeCaseSource()
    cases.queue = {7: (sample_case("s", CaseStatus.SUBMITTED),)}
    window = window_with_cases(make_window, cases)
    lobby = window.lobby_view
    assert lobby is not None
    qtbot.mouseClick(lobby.review_button, Qt.MouseButton.LeftButton)
    review = window.review_view
    assert review is not None
    assert window.stack.currentWidget() is review
    qtbot.waitUntil(lambda: len(review.queue) == 1, timeout=3000)
    starts = [review.session_combo.itemData(i).start for i in range(review.session_combo.count())]
    assert starts and all(start > NOW for start in starts)
    assert all(review.session_combo.itemData(i).program == "Hepatitis C ECHO" for i in range(len(starts)))
    qtbot.mouseClick(review.back_button, Qt.MouseButton.LeftButton)
    assert window.showing_lobby


def test_review_is_offered_once_a_hub_says_the_person_facilitates(make_window: HarnessFactory) -> None:
    cases = FakeCaseSource()
    (program,) = cases.current.programs
    cases.current = replace(cases.current, programs=(replace(program, role=""),))  # not known yet
    window = window_with_cases(make_window, cases)
    lobby = window.lobby_view
    assert lobby is not None
    assert lobby.my_cases_button.isVisible() and not lobby.review_button.isVisible()
    cases.publish(replace(cases.current, programs=(replace(program, role="spoke"),)))
    assert not lobby.review_button.isVisible()
    cases.publish(replace(cases.current, programs=(program,)))  # the round learnt "facilitator"
    assert lobby.review_button.isVisible()


def test_a_returned_case_opens_as_a_draft_with_the_comments(
    make_window: HarnessFactory, qtbot: QtBot
) -> None:
    returned = sample_case("r", CaseStatus.RETURNED, comments="Give the age as a band.", version=2)
    cases = FakeCaseSource((returned,))
    window = window_with_cases(make_window, cases)
    window.show_my_cases()
    my_cases = window.my_cases_view
    assert my_cases is not None
    card = my_cases.card_for("r")
    assert card is not None
    qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.case_form_view is not None, timeout=3000)
    form = window.case_form_view
    assert form is not None
    assert form.title_label.text() == "Edit returned case"
    assert form.comments_banner.isVisible() and "Give the age as a band." in form.comments_banner.text()
    assert form.current_case().status is CaseStatus.DRAFT and form.current_case().version == 2
