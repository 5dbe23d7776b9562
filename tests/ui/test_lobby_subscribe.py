"""The subscribe dialog: a hub with its token, or a calendar link or file; errors stay in the dialog."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot

from echo_desktop.schedule.ports import ScheduleError
from echo_desktop.ui.schedule.subscribe_dialog import UNEXPECTED_TEXT, SubscribeDialog
from tests.fake_schedule import SERVICE, FakeScheduleSource

TOKEN = "tok-3f9a1c-secret"


@pytest.fixture
def source() -> FakeScheduleSource:
    return FakeScheduleSource()


@pytest.fixture
def dialog(
    qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot, source: FakeScheduleSource
) -> SubscribeDialog:
    view = SubscribeDialog(source.subscribe_hub, source.subscribe_feed)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_subscribing_to_a_hub_sends_address_and_token(
    dialog: SubscribeDialog, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    landed: list[object] = []
    dialog.subscribed.connect(landed.append)
    dialog.address_edit.setText(SERVICE + "/")
    dialog.token_edit.setText(TOKEN)
    assert dialog.token_edit.echoMode() == dialog.token_edit.EchoMode.Password
    qtbot.mouseClick(dialog.subscribe_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=3000)
    assert source.hub_subscriptions == [(SERVICE, TOKEN)]
    assert landed == [source.current]
    assert source.current.subscriptions == (SERVICE,)


def test_missing_or_wrong_fields_are_named_before_anything_is_sent(
    dialog: SubscribeDialog, source: FakeScheduleSource
) -> None:
    dialog.submit()
    assert dialog.address_error.text() == "Enter the hub's address."
    assert dialog.token_error.text() == "Enter the token your hub team sent you."
    dialog.address_edit.setText("hub.example.org")
    dialog.token_edit.setText(TOKEN)
    dialog.submit()
    assert dialog.address_error.text().startswith("The hub's address starts with https://")
    assert source.hub_subscriptions == []


def test_a_refused_subscription_shows_the_error_and_keeps_the_dialog(
    dialog: SubscribeDialog, source: FakeScheduleSource, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    source.subscribe_error = ScheduleError("The hub refused the token. Ask your hub team for a new one.")
    dialog.address_edit.setText(SERVICE)
    dialog.token_edit.setText(TOKEN)
    dialog.submit()

    qtbot.waitUntil(dialog.error_banner.isVisible, timeout=3000)
    assert dialog.error_banner.message == "The hub refused the token. Ask your hub team for a new one."
    assert dialog.isVisible() and not dialog.is_busy and dialog.subscribe_button.isEnabled()
    assert TOKEN not in caplog.text


def test_an_unexpected_failure_says_nothing_secret(
    dialog: SubscribeDialog, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def broken(url: str, token: str) -> object:
        raise RuntimeError(f"GET {url}?token={token} failed")

    dialog._subscribe_hub = broken  # type: ignore[assignment]
    dialog.address_edit.setText(SERVICE)
    dialog.token_edit.setText(TOKEN)
    dialog.submit()
    qtbot.waitUntil(dialog.error_banner.isVisible, timeout=3000)
    assert dialog.error_banner.message == UNEXPECTED_TEXT
    assert TOKEN not in caplog.text and TOKEN not in dialog.error_banner.text()


def test_a_calendar_file_chosen_with_the_picker(
    dialog: SubscribeDialog,
    source: FakeScheduleSource,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = tmp_path / "derm.ics"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(feed), "Calendar files (*.ics)"))
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.feed_radio.isChecked() and dialog.feed_edit.text() == str(feed)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=3000)
    assert source.feed_subscriptions == [str(feed)]


def test_a_webcal_link_is_fetched_over_https(
    dialog: SubscribeDialog, source: FakeScheduleSource, qtbot: QtBot
) -> None:
    dialog.feed_radio.setChecked(True)
    dialog.submit()
    assert dialog.feed_error.text() == "Enter a link or choose a file."
    dialog.feed_edit.setText("webcal://calendar.example.org/derm.ics")
    dialog.submit()
    qtbot.waitUntil(lambda: source.feed_subscriptions != [], timeout=3000)
    assert source.feed_subscriptions == ["https://calendar.example.org/derm.ics"]
