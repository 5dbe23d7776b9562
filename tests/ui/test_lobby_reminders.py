"""Reminders ten minutes before a session: a desktop notification, or a banner without a tray."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from echo_desktop.schedule.lobby import ScheduleSnapshot
from echo_desktop.ui.schedule.lobby_view import LobbyView
from tests.fake_schedule import MovableClock
from tests.ui.lobby_data import LOCAL, NOW, at, pain


def wait_ticks(lobby: LobbyView, qtbot: QtBot, count: int = 2) -> None:
    """Wait until the lobby's timer has read the clock `count` more times."""
    target = lobby.ticks + count
    qtbot.waitUntil(lambda: lobby.ticks >= target, timeout=3000)


def test_without_a_tray_the_reminder_is_a_banner_shown_once(
    qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # the offscreen platform has none
    clock = MovableClock(NOW)
    session = pain(at(24, 14, 0))
    lobby = LobbyView(clock, local_zone=LOCAL, tick_ms=20)  # the real notifier
    qtbot.addWidget(lobby)
    lobby.show()
    lobby.set_snapshot(ScheduleSnapshot(sessions=(session,), updated=NOW, online=True))
    wait_ticks(lobby, qtbot)
    assert not lobby.reminder_banner.isVisible()

    clock.set(session.start - timedelta(minutes=10))
    qtbot.waitUntil(lobby.reminder_banner.isVisible, timeout=3000)
    assert lobby.reminder_banner.message == "Chronic Pain ECHO starts at 14:00"
    assert lobby.reminder_banner.details.startswith("Tapering opioids safely")

    lobby.reminder_banner.clear()
    clock.advance(timedelta(minutes=1))
    wait_ticks(lobby, qtbot)
    lobby.set_snapshot(ScheduleSnapshot(sessions=(session,), updated=NOW, online=True))  # a refresh
    wait_ticks(lobby, qtbot)
    assert not lobby.reminder_banner.isVisible()
    lobby.stop()


def test_with_a_notifier_the_reminder_goes_to_the_desktop(
    qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    clock = MovableClock(NOW)
    shown: list[tuple[str, str]] = []

    def notify(title: str, body: str) -> bool:
        shown.append((title, body))
        return True

    first, second = pain(at(24, 14, 0)), pain(at(24, 14, 5), uid="other", program="Dermatology ECHO")
    lobby = LobbyView(clock, local_zone=LOCAL, notify=notify, tick_ms=20)
    qtbot.addWidget(lobby)
    lobby.set_snapshot(ScheduleSnapshot(sessions=(first, second), updated=NOW, online=True))
    clock.set(first.start - timedelta(minutes=5))
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=3000)
    wait_ticks(lobby, qtbot)
    assert [title for title, _ in shown] == [
        "Chronic Pain ECHO starts at 14:00",
        "Dermatology ECHO starts at 14:05",
    ]
    assert not lobby.reminder_banner.isVisible()
    lobby.stop()
