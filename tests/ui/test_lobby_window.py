"""The lobby in the main window: first screen, Join with no typing, back on leave, and its links."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtNetwork import QNetworkInformation
from pytestqt.qtbot import QtBot

from echo_desktop.schedule.lobby import JoinDetails, ScheduleSnapshot
from echo_desktop.schedule.ports import ScheduleError
from echo_desktop.session.errors import WrongPinError
from echo_desktop.session.models import JoinRequest, MediaPreferences, Role
from echo_desktop.session.phases import CallPhase
from echo_desktop.ui.main_window import LEFT_CLINIC_TEXT
from echo_desktop.ui.schedule.network_watch import NetworkWatch
from tests.fake_schedule import JANUS, FakeScheduleSource, MovableClock
from tests.fakes import MemorySettingsStore
from tests.ui.conftest import Harness, HarnessFactory
from tests.ui.hub_words import rooms_unavailable_message, unreachable_problem
from tests.ui.lobby_data import LOCAL, NOW, week_snapshot


@pytest.fixture
def source() -> FakeScheduleSource:
    return FakeScheduleSource(week_snapshot())


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def lobby_harness(make_window: HarnessFactory, source: FakeScheduleSource, clock: MovableClock) -> Harness:
    settings = MemorySettingsStore({"start_muted": "1", "camera": "cam-2"})
    return make_window(settings=settings, schedule=source, now=clock, local_zone=LOCAL)


def test_with_subscriptions_the_lobby_is_the_first_screen(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    window = lobby_harness.window
    assert window.showing_lobby and window.lobby_view is not None
    assert len(window.lobby_view.cards) == 6
    assert source.listener is not None
    qtbot.waitUntil(lambda: source.refreshes == 1, timeout=3000)  # refreshed once at start
    # The join form keeps a way back, and "Add a program…".
    assert window.join_view.back_button.isVisibleTo(window.join_view)
    assert window.join_view.add_program_button.isVisibleTo(window.join_view)


def test_without_subscriptions_the_join_form_is_first_with_a_link_to_add_one(
    make_window: HarnessFactory, qtbot: QtBot
) -> None:
    source = FakeScheduleSource(ScheduleSnapshot())
    h = make_window(schedule=source, now=MovableClock(NOW), local_zone=LOCAL)
    assert not h.window.showing_lobby and h.window.stack.currentWidget() is h.window.join_view
    assert h.window.join_view.add_program_button.isVisible()
    assert not h.window.join_view.back_button.isVisible()

    # Subscribing from there lands on the lobby.
    source.subscribed_snapshot = week_snapshot()
    qtbot.mouseClick(h.window.join_view.add_program_button, Qt.MouseButton.LeftButton)
    dialog = h.window.subscribe_dialog
    assert dialog is not None
    dialog.feed_radio.setChecked(True)
    dialog.feed_edit.setText("https://calendar.example.org/hcv.ics")
    qtbot.mouseClick(dialog.subscribe_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: h.window.showing_lobby, timeout=3000)
    assert source.feed_subscriptions == ["https://calendar.example.org/hcv.ics"]
    assert h.window.lobby_view is not None and len(h.window.lobby_view.cards) == 6
    assert h.window.join_view.back_button.isVisibleTo(h.window.join_view)


def test_without_a_source_nothing_changes(harness: Harness) -> None:
    assert harness.window.lobby_view is None
    assert harness.window.stack.currentWidget() is harness.window.join_view
    assert not harness.window.join_view.back_button.isVisible()
    assert not harness.window.join_view.add_program_button.isVisible()


def test_join_from_the_lobby_needs_no_typing_and_leaving_returns_there(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    window, lobby = lobby_harness.window, lobby_harness.window.lobby_view
    assert lobby is not None
    gate = asyncio.Event()
    source.join_gate = gate
    card = lobby.cards[0]
    qtbot.mouseClick(card.join_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: len(source.join_refs) == 1, timeout=3000)
    assert source.join_refs == [card.session.join]
    assert card.join_button.text() == "Joining…" and not card.join_button.isEnabled()
    gate.set()

    qtbot.waitUntil(lambda: window.showing_call, timeout=3000)
    assert lobby_harness.engine.joined == JoinRequest(
        JANUS,
        1234,
        "7391",
        "Dr. Ana Ruiz",
        Role.HUB,
        media=MediaPreferences(camera="cam-2", microphone_muted=True),
    )
    assert window.call_view.title_label.text() == card.session.title

    window.request_leave()
    qtbot.waitUntil(lambda: window.showing_lobby, timeout=3000)
    assert lobby.info_banner.message == LEFT_CLINIC_TEXT
    assert lobby.cards[0].join_button.isEnabled() and lobby.cards[0].join_button.text() == "Join"
    assert lobby_harness.session.state.phase is CallPhase.IDLE


def test_a_join_details_failure_is_shown_in_the_lobby(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    lobby = lobby_harness.window.lobby_view
    assert lobby is not None
    source.join_error = ScheduleError("Hepatitis C ECHO: the room is not open yet. It opens at 9:10.")
    qtbot.mouseClick(lobby.cards[0].join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lobby.error_banner.isVisible, timeout=3000)
    assert lobby.error_banner.message == "Could not join “Cirrhosis care in primary care”."
    assert lobby.error_banner.details == "Hepatitis C ECHO: the room is not open yet. It opens at 9:10."
    assert lobby_harness.engine.join_calls == 0
    assert lobby_harness.window.showing_lobby
    qtbot.waitUntil(lambda: not lobby.is_joining, timeout=3000)
    assert lobby.cards[0].join_button.isEnabled()


def test_a_hub_that_cannot_open_the_room_lets_the_user_try_again(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    window, lobby = lobby_harness.window, lobby_harness.window.lobby_view
    assert lobby is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    source.join_error = ScheduleError(rooms_unavailable_message("Hepatitis C ECHO"))  # 503
    qtbot.mouseClick(lobby.cards[0].join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lobby.error_banner.isVisible, timeout=3000)
    qtbot.waitUntil(lambda: not lobby.is_joining, timeout=3000)

    # Said as a sentence that names the session, with what to do; nothing joined.
    assert lobby.error_banner.message == "Could not join “Cirrhosis care in primary care”."
    assert lobby.error_banner.details == (
        "Hepatitis C ECHO: the hub cannot open the room just now; try again in a minute."
    )
    assert lobby_harness.engine.join_calls == 0 and window.showing_lobby
    # Join is back, with the keyboard focus, and the banner offers the same.
    join = lobby.cards[0].join_button
    assert join.isEnabled() and join.text() == "Join" and join.hasFocus()
    assert lobby.error_banner.action_button.isVisible()
    assert lobby.error_banner.action_button.text() == "Try again"

    # A minute later the hub can: "Try again" joins, and the error is gone.
    source.join_error = None
    qtbot.mouseClick(lobby.error_banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.showing_call, timeout=3000)
    assert source.join_refs == [lobby.cards[0].session.join] * 2
    assert not lobby.error_banner.isVisibleTo(lobby)


def test_unusable_join_details_and_a_refused_join_are_shown_in_the_lobby(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    lobby = lobby_harness.window.lobby_view
    assert lobby is not None
    source.details = JoinDetails("https://not-janus.example.org", 1234, "7391", "Dr. Ana Ruiz", "hub")
    qtbot.mouseClick(lobby.cards[0].join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lobby.error_banner.isVisible, timeout=3000)
    assert lobby.error_banner.message == "The hub sent join details this app cannot use."
    assert "ws://" in lobby.error_banner.details

    lobby.error_banner.clear()
    source.details = JoinDetails(JANUS, 1234, "0000", "Dr. Ana Ruiz", "no-such-role")
    lobby_harness.engine.fail_with = WrongPinError
    qtbot.waitUntil(lambda: not lobby.is_joining, timeout=3000)
    qtbot.mouseClick(lobby.cards[0].join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lobby.error_banner.isVisible, timeout=3000)
    assert WrongPinError.user_message in lobby.error_banner.text()
    assert "0000" not in lobby.error_banner.text()
    assert lobby_harness.window.showing_lobby


def test_join_another_room_and_back(lobby_harness: Harness, qtbot: QtBot) -> None:
    window, lobby = lobby_harness.window, lobby_harness.window.lobby_view
    assert lobby is not None
    qtbot.mouseClick(lobby.join_other_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.join_view
    qtbot.mouseClick(window.join_view.back_button, Qt.MouseButton.LeftButton)
    assert window.showing_lobby


def test_new_snapshots_and_refresh_reach_the_lobby(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    lobby = lobby_harness.window.lobby_view
    assert lobby is not None
    qtbot.waitUntil(lambda: source.refreshes == 1, timeout=3000)
    hub_down = unreachable_problem("Chronic Pain ECHO", 2)
    source.publish(week_snapshot(online=False, problems=(hub_down,)))
    assert lobby.freshness_label.text() == "Offline · last updated Tue 24 Nov, 9:14"
    assert lobby.problems_banner.isVisible() and lobby.problems_banner.message == f"{hub_down}."

    source.refreshed_snapshot = week_snapshot()
    qtbot.mouseClick(lobby.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: source.refreshes == 2, timeout=3000)
    qtbot.waitUntil(lambda: not lobby.problems_banner.isVisible(), timeout=3000)
    assert lobby.freshness_label.text() == "Updated 9:14"


def test_the_lobby_clock_is_the_one_injected(
    lobby_harness: Harness, clock: MovableClock, qtbot: QtBot
) -> None:
    lobby = lobby_harness.window.lobby_view
    assert lobby is not None
    second = lobby.cards[1]
    assert not second.join_button.isEnabled()
    clock.set(second.session.opens + timedelta(seconds=1))
    lobby.tick()
    # The first session has ended by then and is gone; the second is open.
    assert lobby.cards[0].session == second.session
    assert lobby.cards[0].join_button.isEnabled()


def test_closing_the_window_stops_listening(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: lobby_harness.window.pending_tasks == 0, timeout=3000)
    lobby_harness.window.close()
    assert source.listener is None


def test_network_reachability_goes_to_the_source(qasync_loop: asyncio.AbstractEventLoop) -> None:
    seen: list[bool] = []
    watch = NetworkWatch(seen.append)
    started = watch.start()  # a backend may or may not load on this machine; both are handled
    assert started == (QNetworkInformation.instance() is not None)
    reachability = QNetworkInformation.Reachability
    watch.on_reachability(reachability.Online)  # whatever the backend said first
    seen.clear()
    watch.on_reachability(reachability.Disconnected)
    watch.on_reachability(reachability.Disconnected)  # no change: nothing said
    watch.on_reachability(reachability.Site)  # a hub on the clinic's network answers
    watch.on_reachability(reachability.Online)
    watch.on_reachability(reachability.Local)  # this computer only
    assert seen == [False, True, False]
    watch.stop()


DAMAGED = "The saved schedule was damaged; it was set aside and fetched again."


def test_a_notice_with_no_subscriptions_is_shown_on_the_join_form(
    make_window: HarnessFactory, qtbot: QtBot
) -> None:
    source = FakeScheduleSource(ScheduleSnapshot(notices=(DAMAGED,)))
    h = make_window(schedule=source, now=MovableClock(NOW), local_zone=LOCAL)
    window = h.window
    assert window.stack.currentWidget() is window.join_view
    assert window.join_view.notice_banner.isVisible()
    assert window.join_view.notice_banner.message == DAMAGED
    # The same notice in later snapshots is not news: dismissed, it stays gone.
    qtbot.mouseClick(window.join_view.notice_banner.dismiss_button, Qt.MouseButton.LeftButton)
    source.publish(ScheduleSnapshot(notices=(DAMAGED,)))
    assert not window.join_view.notice_banner.isVisible()


def test_a_notice_follows_the_screen_until_dismissed(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    window, lobby = lobby_harness.window, lobby_harness.window.lobby_view
    assert lobby is not None
    source.publish(week_snapshot(notices=(DAMAGED,)))
    assert lobby.notice_banner.isVisible() and lobby.notice_banner.message == DAMAGED

    # Off to the join form before reading it: the notice goes along, and is not left behind.
    qtbot.mouseClick(lobby.join_other_button, Qt.MouseButton.LeftButton)
    assert window.join_view.notice_banner.isVisible()
    assert window.join_view.notice_banner.message == DAMAGED
    assert not lobby.notice_banner.isVisibleTo(lobby)
    source.publish(week_snapshot(notices=(DAMAGED,)))  # still the same news: shown once only
    assert window.join_view.notice_banner.message == DAMAGED

    qtbot.mouseClick(window.join_view.notice_banner.dismiss_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.join_view.back_button, Qt.MouseButton.LeftButton)
    assert window.showing_lobby and not lobby.notice_banner.isVisible()


def test_a_notice_that_comes_during_a_call_waits_for_the_call_to_end(
    lobby_harness: Harness, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    window, lobby = lobby_harness.window, lobby_harness.window.lobby_view
    assert lobby is not None
    qtbot.mouseClick(lobby.cards[0].join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.showing_call, timeout=3000)
    source.publish(week_snapshot(notices=(DAMAGED,)))
    assert not lobby.notice_banner.isVisibleTo(lobby)

    window.request_leave()
    qtbot.waitUntil(lambda: window.showing_lobby, timeout=3000)
    assert lobby.notice_banner.isVisible() and lobby.notice_banner.message == DAMAGED
