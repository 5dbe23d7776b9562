"""The main window over a fake engine: join, tiles, pixels, failures, settings and leaving."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from echo_desktop.session import events as ev
from echo_desktop.session.errors import RoomFullError, ServerGoneError, WrongPinError
from echo_desktop.session.models import JoinRequest, Participant, Role
from echo_desktop.session.phases import CallPhase
from echo_desktop.session.ports import SELF_VIEW
from echo_desktop.ui.call_view import CALL_ENDED_TEXT, CallView
from echo_desktop.ui.join_view import JoinView
from echo_desktop.ui.main_window import LEFT_CLINIC_TEXT, WINDOW_TITLE
from echo_desktop.ui.video_tile import VideoTile
from tests.fakes import FakeEngine, MemorySettingsStore
from tests.ui.conftest import Harness, HarnessFactory

SERVER = "ws://127.0.0.1:8188"


def fill_form(
    view: JoinView,
    *,
    name: str = "Dr. Ana Ruiz",
    room: str = "1234",
    pin: str = "4321",
    role: Role = Role.HUB,
    server: str = SERVER,
) -> None:
    view.server_edit.setText(server)
    view.room_edit.setText(room)
    view.pin_edit.setText(pin)
    view.name_edit.setText(name)
    view.role_combo.setCurrentIndex(view.role_combo.findData(role.value))


def join(h: Harness, qtbot: QtBot, **form: Any) -> None:
    fill_form(h.window.join_view, **form)
    qtbot.mouseClick(h.window.join_view.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: h.window.showing_call, timeout=3000)


def center_color(tile: VideoTile) -> QColor:
    image = tile.grab().toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def test_window_title_and_join_screen_first(harness: Harness) -> None:
    assert harness.window.windowTitle() == WINDOW_TITLE
    assert harness.window.stack.currentWidget() is harness.window.join_view
    assert harness.window.join_view.server_edit.text() == SERVER


def test_join_shows_call_view_with_status(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)

    call: CallView = harness.window.call_view
    assert call.status_label.text() == "In the clinic"
    assert harness.session.state.phase is CallPhase.IN_CALL
    assert harness.engine.joined == JoinRequest(SERVER, 1234, "4321", "Dr. Ana Ruiz", Role.HUB)
    assert call.title_label.text() == "Clinic room 1234"
    self_tile = call.grid.tile_for(SELF_VIEW)
    assert self_tile is not None and self_tile.display_name == "You"
    assert call.participant_list.entries() == [("Dr. Ana Ruiz (you)", Role.HUB)]
    assert call.grid.is_refreshing


def test_enter_in_the_form_joins(harness: Harness, qtbot: QtBot) -> None:
    view = harness.window.join_view
    fill_form(view)
    qtbot.keyClick(view.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: harness.window.showing_call, timeout=3000)
    assert harness.engine.join_calls == 1


def test_remote_tiles_follow_joins_and_leaves(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    grid = harness.window.call_view.grid
    engine = harness.engine

    bea = engine.add_remote("Bea Okafor", Role.FACILITATOR)
    carl = engine.add_remote("Carl Mendes", Role.SPOKE)
    qtbot.waitUntil(lambda: grid.tile_for(carl.feed_id) is not None, timeout=3000)
    assert [t.display_name for t in grid.tiles()] == ["Bea Okafor", "Carl Mendes", "You"]
    assert grid.shape == (2, 2)
    assert harness.window.call_view.participant_list.entries() == [
        ("Dr. Ana Ruiz (you)", Role.HUB),
        ("Bea Okafor", Role.FACILITATOR),
        ("Carl Mendes", Role.SPOKE),
    ]

    engine.remove_remote(bea.feed_id)
    qtbot.waitUntil(lambda: grid.tile_for(bea.feed_id) is None, timeout=3000)
    assert [t.display_name for t in grid.tiles()] == ["Carl Mendes", "You"]
    assert grid.shape == (1, 2)
    assert harness.window.call_view.participants_heading.text() == "Participants (2)"


def test_tile_renders_the_frame_pixels(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    grid = harness.window.call_view.grid
    remote = harness.engine.add_remote("Bea Okafor", Role.FACILITATOR)
    qtbot.waitUntil(lambda: grid.tile_for(remote.feed_id) is not None, timeout=3000)
    tile = grid.tile_for(remote.feed_id)
    assert tile is not None
    qtbot.waitUntil(lambda: tile.has_frame, timeout=3000)

    assert center_color(tile) == QColor(*FakeEngine.color_of(remote.feed_id))
    self_tile = grid.tile_for(SELF_VIEW)
    assert self_tile is not None
    qtbot.waitUntil(lambda: self_tile.has_frame, timeout=3000)
    assert center_color(self_tile) == QColor(*FakeEngine.color_of(SELF_VIEW))


def test_wrong_pin_shows_the_message_in_the_join_view(harness: Harness, qtbot: QtBot) -> None:
    harness.engine.fail_with = WrongPinError
    view = harness.window.join_view
    fill_form(view)
    qtbot.mouseClick(view.join_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: view.error_banner.isVisible(), timeout=3000)
    assert WrongPinError.user_message in view.error_banner.text()
    assert not harness.window.showing_call
    assert not view.is_busy and view.join_button.isEnabled()
    assert harness.session.state.phase is CallPhase.FAILED
    assert view.pin_edit.hasFocus() and view.pin_edit.selectedText() == "4321"

    # A second try with the right PIN works from the failed state.
    harness.engine.fail_with = None
    qtbot.mouseClick(view.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: harness.window.showing_call, timeout=3000)
    assert not harness.window.call_view.failure_banner.isVisible()


def test_join_error_details_are_shown_beneath_the_message(harness: Harness, qtbot: QtBot) -> None:
    harness.engine.fail_with = RoomFullError("room 1234 has 6 publishers")
    view = harness.window.join_view
    fill_form(view)
    qtbot.mouseClick(view.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.error_banner.isVisible(), timeout=3000)
    assert view.error_banner.message == RoomFullError.user_message
    assert "room 1234 has 6 publishers" in view.error_banner.details


def test_form_is_disabled_while_joining(harness: Harness, qtbot: QtBot) -> None:
    view = harness.window.join_view
    seen: list[bool] = []
    original_join = harness.engine.join

    async def observing_join(request: JoinRequest) -> Participant:
        seen.append(view.is_busy and not view.join_button.isEnabled() and view.busy_bar.isVisible())
        return await original_join(request)

    harness.engine.join = observing_join  # type: ignore[method-assign]
    fill_form(view)
    qtbot.mouseClick(view.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: harness.window.showing_call, timeout=3000)
    assert seen == [True]
    assert not view.is_busy


def test_invalid_input_is_shown_inline_and_does_not_join(harness: Harness, qtbot: QtBot) -> None:
    view = harness.window.join_view
    fill_form(view, name="   ", room="0", server="http://example.org")
    qtbot.mouseClick(view.join_button, Qt.MouseButton.LeftButton)

    assert view.field_error("name") == "A display name is required."
    assert view.field_error("room") == "The room number must be positive."
    assert view.field_error("server") == "The server address must start with ws:// or wss://."
    assert harness.engine.join_calls == 0
    assert not harness.window.showing_call

    fill_form(view, room="")
    qtbot.mouseClick(view.join_button, Qt.MouseButton.LeftButton)
    assert "room number" in view.field_error("room")
    assert view.field_error("name") == ""


def test_settings_are_saved_and_loaded_into_a_new_window(make_window: HarnessFactory, qtbot: QtBot) -> None:
    settings = MemorySettingsStore({"theme": "calm"})
    first = make_window(settings=settings)
    join(first, qtbot, name="Nurse Joy Tembo", room="77", role=Role.FACILITATOR)
    assert settings.values == {
        "theme": "calm",
        "server": SERVER,
        "room": "77",
        "name": "Nurse Joy Tembo",
        "role": "facilitator",
        "start_muted": "0",
        "start_camera_off": "0",
    }, "other keys are kept; the PIN is not stored unless asked; default devices are not stored"

    second_harness = make_window(settings=settings)
    second = second_harness.window.join_view
    assert second.server_edit.text() == SERVER
    assert second.room_edit.text() == "77"
    assert second.name_edit.text() == "Nurse Joy Tembo"
    assert second.selected_role() is Role.FACILITATOR
    assert second.pin_edit.text() == ""


def test_pin_is_stored_only_when_remembered(make_window: HarnessFactory, qtbot: QtBot) -> None:
    settings = MemorySettingsStore({"pin": "old"})
    h = make_window(settings=settings)
    assert h.window.join_view.pin_edit.text() == "old"
    assert h.window.join_view.remember_pin_check.isChecked()
    join(h, qtbot, pin="new")
    assert settings.values["pin"] == "new"

    h2 = make_window(settings=settings)
    h2.window.join_view.remember_pin_check.setChecked(False)
    join(h2, qtbot)
    assert "pin" not in settings.values


def test_leave_returns_to_the_join_screen(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    harness.engine.add_remote("Bea Okafor", Role.FACILITATOR)
    qtbot.waitUntil(lambda: len(harness.window.call_view.grid.tiles()) == 2, timeout=3000)

    qtbot.mouseClick(harness.window.call_view.leave_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not harness.window.showing_call, timeout=3000)

    assert harness.session.state.phase is CallPhase.IDLE
    assert harness.engine.leave_calls == 1
    assert harness.window.join_view.info_banner.message == LEFT_CLINIC_TEXT
    assert harness.window.call_view.grid.tiles() == []
    assert not harness.window.call_view.grid.is_refreshing


def test_leave_shortcut(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    harness.window.activateWindow()
    qtbot.waitUntil(lambda: harness.window.isActiveWindow(), timeout=3000)
    qtbot.keyClick(
        harness.window.call_view.participant_list, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: not harness.window.showing_call, timeout=3000)
    assert harness.engine.leave_calls == 1


def test_failure_shows_reason_and_back_to_join_action(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    call = harness.window.call_view
    harness.engine.emit(ev.EngineFailed(ServerGoneError()))
    qtbot.waitUntil(lambda: call.failure_banner.isVisible(), timeout=3000)

    assert call.failure_banner.message == ServerGoneError.user_message
    assert call.status_label.text() == f"Call failed: {ServerGoneError.user_message}"
    assert call.failure_banner.action_button.isVisible()
    assert not call.grid.is_refreshing
    assert call.grid.tiles() == [], "no frozen self-view after the call ended"
    assert call.grid.empty_text == CALL_ENDED_TEXT
    assert not call.leave_button.isVisible()

    qtbot.mouseClick(call.failure_banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not harness.window.showing_call, timeout=3000)
    assert harness.session.state.phase is CallPhase.IDLE


def test_notices_are_shown_in_the_window(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    call = harness.window.call_view
    harness.engine.emit(ev.Notice("No camera was found. Others will see your initials."))
    qtbot.waitUntil(lambda: call.notice_banner.isVisible(), timeout=3000)
    assert call.notice_banner.message == "No camera was found. Others will see your initials."

    harness.engine.emit(ev.Notice("Your microphone is muted by the system."))
    qtbot.waitUntil(lambda: "muted" in call.notice_banner.message, timeout=3000)
    assert "No camera" in call.notice_banner.details


def test_closing_during_a_call_leaves_first(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    harness.window.close()
    qtbot.waitUntil(lambda: not harness.window.isVisible(), timeout=3000)
    assert harness.engine.leave_calls == 1
    assert harness.session.state.phase is CallPhase.IDLE


def test_closing_on_the_join_screen_closes_at_once(harness: Harness, qtbot: QtBot) -> None:
    harness.window.close()
    assert not harness.window.isVisible()
    assert harness.engine.leave_calls == 0


def test_tiles_tell_the_engine_their_size(harness: Harness, qtbot: QtBot) -> None:
    """Frames are scaled to each tile's size by the engine, so the GUI thread only blits."""
    from echo_desktop.session.ports import SELF_VIEW

    join(harness, qtbot)
    grid = harness.window.call_view.grid
    remote = harness.engine.add_remote("Nurse B")
    qtbot.waitUntil(lambda: grid.tile_for(remote.feed_id) is not None, timeout=3000)
    tile = grid.tile_for(remote.feed_id)
    assert tile is not None
    ratio = tile.devicePixelRatioF()
    expected = (int(tile.width() * ratio), int(tile.height() * ratio))
    qtbot.waitUntil(lambda: harness.engine.view_sizes.get(remote.feed_id) == expected, timeout=3000)
    assert expected[0] > 100 and expected[1] > 60
    assert SELF_VIEW in harness.engine.view_sizes
