"""The lobby view on its own: what it shows online and offline, and the Join button's timing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from echo_desktop.schedule.lobby import ScheduleSnapshot
from echo_desktop.schedule.ports import ScheduleError
from echo_desktop.ui.schedule.lobby_view import EMPTY_TEXT, OFFLINE_NOTE, LobbyView
from tests.fake_schedule import MovableClock, RecordingExport
from tests.ui.lobby_data import LOCAL, NOW, at, hcv, pain, week_snapshot

LobbyFactory = Callable[..., LobbyView]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def make_lobby(
    qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot, clock: MovableClock
) -> Iterator[LobbyFactory]:
    views: list[LobbyView] = []

    def build(**options: object) -> LobbyView:
        options.setdefault("local_zone", LOCAL)
        options.setdefault("notify", lambda title, body: False)
        view = LobbyView(clock, **options)  # type: ignore[arg-type]
        qtbot.addWidget(view)
        view.resize(1000, 760)
        view.show()
        qtbot.waitExposed(view)
        views.append(view)
        return view

    yield build
    for view in views:
        view.stop()


def test_online_snapshot_lists_two_weeks_grouped_by_local_day(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    lobby.set_snapshot(week_snapshot())

    assert lobby.freshness_label.text() == "Updated 9:14"
    assert not lobby.offline_note.isVisible()
    # The 22:30 session is Thursday in New York (Friday in UTC); the one 15 days away is not shown.
    assert lobby.day_headings() == [
        "Today",
        "Tomorrow",
        "Thursday 26 November",
        "Friday 27 November",
        "Tuesday 1 December",
    ]
    cards = lobby.cards
    assert [c.session.start.astimezone(LOCAL).day for c in cards] == [24, 24, 25, 26, 27, 1]
    first = cards[0]
    assert first.time_label.text() == "9:30–10:30 your time · 7:30 in Denver"
    assert first.program_label.text() == "Hepatitis C ECHO"
    assert first.title_label.text() == "Cirrhosis care in primary care"
    assert first.didactic_label.text() == "Didactic: Treating HCV with DAAs — Dr. Karla Thornton"
    assert first.cases_label.text() == "Cases: 54-year-old with cirrhosis; Reinfection after treatment"
    assert first.status == "Open: join now"
    # A program in the user's own zone shows one time only.
    assert cards[1].time_label.text() == "14:00–15:00"
    assert cards[1].status == "Room opens at 13:40"
    assert cards[1].cases_label.text() == "Case: Case presentation 1"
    assert cards[2].moved_label.isVisible() and cards[2].moved_label.text() == "Moved"
    assert not cards[1].moved_label.isVisible()
    assert [c.join_button.isEnabled() for c in cards] == [True, False, False, False, False, False]


def test_offline_snapshot_keeps_the_sessions_and_says_when_it_was_updated(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    lobby.set_snapshot(week_snapshot(online=False, updated=at(24, 9, 14) - timedelta(days=1)))

    assert lobby.freshness_label.text() == "Offline · last updated Mon 23 Nov, 9:14"
    assert lobby.freshness_label.property("offline") is True
    assert lobby.offline_note.isVisible() and lobby.offline_note.text() == OFFLINE_NOTE
    assert len(lobby.cards) == 6
    assert not lobby.empty_state.isVisible()

    lobby.set_snapshot(week_snapshot(online=True))
    assert lobby.freshness_label.text() == "Updated 9:14"
    assert not lobby.offline_note.isVisible()


def test_before_the_first_answer_the_lobby_says_checking_not_offline(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    # At start the app has only its cache and has not heard back yet: that is not "offline".
    lobby.set_snapshot(week_snapshot(online=False, checked=False, updated=at(24, 9, 14)))
    assert lobby.freshness_label.text() == "Last updated Tue 24 Nov, 9:14 · checking for changes…"
    assert lobby.freshness_label.property("offline") is False
    assert not lobby.offline_note.isVisible()
    assert len(lobby.cards) == 6

    # The answer: the hub did not reply.
    lobby.set_snapshot(week_snapshot(online=False, checked=True, updated=at(24, 9, 14)))
    assert lobby.freshness_label.text() == "Offline · last updated Tue 24 Nov, 9:14"
    assert lobby.freshness_label.property("offline") is True
    assert lobby.offline_note.isVisible()


def test_with_no_cache_and_no_answer_yet_the_lobby_says_checking(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    lobby.set_snapshot(ScheduleSnapshot(subscriptions=("Hepatitis C ECHO",)))
    assert lobby.freshness_label.text() == "Checking for the schedule…"
    assert lobby.freshness_label.property("offline") is False
    lobby.set_snapshot(ScheduleSnapshot(subscriptions=("Hepatitis C ECHO",), checked=True))
    assert lobby.freshness_label.text() == "Offline · not updated yet"
    assert lobby.freshness_label.property("offline") is True


def test_join_is_enabled_from_the_room_opening_until_the_end(
    make_lobby: LobbyFactory, clock: MovableClock, qtbot: QtBot
) -> None:
    session = pain(at(24, 14, 0))
    lobby = make_lobby(tick_ms=20)
    lobby.set_snapshot(ScheduleSnapshot(sessions=(session,), updated=NOW, online=True))
    card = lobby.cards[0]
    assert card.status == "Room opens at 13:40"
    assert not card.join_button.isEnabled()

    clock.set(session.opens - timedelta(seconds=1))
    qtbot.waitUntil(lambda: lobby.cards[0].status == "Room opens at 13:40", timeout=3000)
    assert not lobby.cards[0].join_button.isEnabled()

    clock.set(session.opens)  # the timer notices by itself
    qtbot.waitUntil(lambda: lobby.cards[0].join_button.isEnabled(), timeout=3000)
    assert lobby.cards[0].status == "Open: join now"

    clock.set(session.start + timedelta(minutes=5))
    qtbot.waitUntil(lambda: lobby.cards[0].status == "Live", timeout=3000)
    assert lobby.cards[0].join_button.isEnabled()

    clock.set(session.end)
    qtbot.waitUntil(lambda: not lobby.cards, timeout=3000)
    assert lobby.empty_state.isVisible()
    assert lobby.empty_label.text() == EMPTY_TEXT


def test_a_calendar_session_without_a_hub_has_no_join_button(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    lobby.set_snapshot(ScheduleSnapshot(sessions=(replace(hcv(at(24, 9, 30)), join=None),), online=True))
    assert not lobby.cards[0].join_button.isVisible()
    assert lobby.cards[0].status == "Starting soon"


def test_join_click_and_enter_on_a_focused_join_ask_to_join(make_lobby: LobbyFactory, qtbot: QtBot) -> None:
    lobby = make_lobby()
    lobby.set_snapshot(week_snapshot())
    asked: list[object] = []
    lobby.join_requested.connect(asked.append)

    qtbot.mouseClick(lobby.cards[0].join_button, Qt.MouseButton.LeftButton)
    assert asked == [lobby.cards[0].session]

    lobby.activateWindow()
    qtbot.waitUntil(lobby.isActiveWindow, timeout=3000)
    lobby.focus_first_join()
    assert lobby.cards[0].join_button.hasFocus()
    qtbot.keyClick(lobby.cards[0].join_button, Qt.Key.Key_Return)
    assert asked == [lobby.cards[0].session] * 2

    # A disabled Join asks for nothing, even when clicked.
    qtbot.mouseClick(lobby.cards[1].join_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2


def test_while_joining_every_join_is_disabled(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    lobby.set_snapshot(week_snapshot())
    lobby.set_joining(lobby.cards[0].session)
    assert lobby.cards[0].join_button.text() == "Joining…"
    assert not any(c.join_button.isEnabled() for c in lobby.cards)
    lobby.set_joining(None)
    assert lobby.cards[0].join_button.isEnabled() and lobby.cards[0].join_button.text() == "Join"


def test_problems_show_beside_the_cached_sessions(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    one = ("Chronic Pain ECHO: the hub refused the token",)
    lobby.set_snapshot(week_snapshot(problems=one))
    assert lobby.problems_banner.isVisible()
    assert lobby.problems_banner.message == f"{one[0]}."
    assert not lobby.problems_banner.details  # the line says itself whether a saved copy is shown
    assert len(lobby.cards) == 6

    two = (*one, "Dermatology feed: the feed is larger than 5 MB")
    lobby.set_snapshot(week_snapshot(problems=two))
    assert lobby.problems_banner.message == "2 programs could not be updated."
    assert lobby.problems_banner.details == "\n".join(f"{problem}." for problem in two)

    lobby.set_snapshot(week_snapshot())
    assert not lobby.problems_banner.isVisible()


def test_empty_state_without_programs(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    assert lobby.empty_state.isVisible()
    assert "Add a program" in lobby.empty_hint.text()
    lobby.set_snapshot(
        ScheduleSnapshot(online=True, checked=True, updated=NOW, subscriptions=("Hepatitis C ECHO",))
    )
    assert lobby.freshness_label.text() == "Updated 9:14"
    assert lobby.empty_state.isVisible()
    assert "appear here" in lobby.empty_hint.text()


def test_header_buttons_and_ctrl_r(make_lobby: LobbyFactory, qtbot: QtBot) -> None:
    lobby = make_lobby()
    seen: list[str] = []
    lobby.refresh_requested.connect(lambda: seen.append("refresh"))
    lobby.add_program_requested.connect(lambda: seen.append("add"))
    lobby.join_other_requested.connect(lambda: seen.append("other"))
    lobby.activateWindow()
    qtbot.waitUntil(lobby.isActiveWindow, timeout=3000)
    lobby.refresh_button.setFocus()
    qtbot.keyClick(lobby, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(lobby.add_program_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(lobby.join_other_button, Qt.MouseButton.LeftButton)
    assert seen == ["refresh", "add", "other"]


def test_tab_order_runs_from_the_header_through_each_card(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby(calendar_export=RecordingExport())
    lobby.set_snapshot(week_snapshot())
    first, second = lobby.cards[0], lobby.cards[1]
    assert lobby.join_other_button.nextInFocusChain() is first.join_button
    assert first.join_button.nextInFocusChain() is first.export_button
    assert first.export_button.nextInFocusChain() is second.join_button
    assert first.join_button.accessibleName() == "Join Cirrhosis care in primary care, Today at 9:30"


def test_export_writes_through_the_port(
    make_lobby: LobbyFactory, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = RecordingExport()
    lobby = make_lobby(calendar_export=export)
    lobby.set_snapshot(week_snapshot())
    suggested: list[str] = []

    def save_dialog(_parent: object, _title: str, where: str, _filter: str) -> tuple[str, str]:
        suggested.append(where)
        return str(tmp_path / "clinic"), "Calendar files (*.ics)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    card = lobby.cards[1]
    qtbot.mouseClick(card.export_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lobby.info_banner.isVisible, timeout=3000)
    assert export.calls == [(card.session, tmp_path / "clinic.ics")]
    assert "Tapering opioids safely" in (tmp_path / "clinic.ics").read_text(encoding="utf-8")
    assert suggested[0].endswith("Chronic Pain ECHO 2026-11-24.ics")
    assert lobby.info_banner.message == "Saved “clinic.ics”. Open it to add the session to your calendar."


def test_export_failure_is_shown_and_cancel_writes_nothing(
    make_lobby: LobbyFactory, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = RecordingExport()
    lobby = make_lobby(calendar_export=export)
    lobby.set_snapshot(week_snapshot())

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    qtbot.mouseClick(lobby.cards[0].export_button, Qt.MouseButton.LeftButton)
    assert export.calls == []

    export.fail_with = PermissionError(13, "Permission denied")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(tmp_path / "x.ics"), ""))
    qtbot.mouseClick(lobby.cards[0].export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lobby.error_banner.isVisible, timeout=3000)
    assert lobby.error_banner.text() == "Could not save “x.ics”. Details: Permission denied"

    export.fail_with = ScheduleError("This session has no start time")
    qtbot.mouseClick(lobby.cards[0].export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "no start time" in lobby.error_banner.text(), timeout=3000)


def test_no_export_button_without_an_export(make_lobby: LobbyFactory) -> None:
    lobby = make_lobby()
    lobby.set_snapshot(week_snapshot())
    assert not lobby.cards[0].export_button.isVisible()


def test_a_refresh_that_brings_nothing_new_keeps_the_cards_a_changed_one_rebuilds(
    make_lobby: LobbyFactory,
) -> None:
    lobby = make_lobby()
    snapshot = week_snapshot()
    lobby.set_snapshot(snapshot)
    before = lobby.cards
    # A 304: the same sessions, only the time of the check changed. The user's click target stays.
    lobby.set_snapshot(
        replace(snapshot, updated=snapshot.updated + timedelta(minutes=15) if snapshot.updated else None)
    )
    assert lobby.cards == before
    # A new title for one session (the same series and start): that is news, so the cards rebuild.
    changed = replace(snapshot.sessions[0], title="A new topic")
    lobby.set_snapshot(replace(snapshot, sessions=(changed, *snapshot.sessions[1:])))
    assert lobby.cards != before
    assert "A new topic" in [card.session.title for card in lobby.cards]
