"""The call's control bar: mute and camera toggles, shortcuts, errors and device switching."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from echo_desktop.session import events as ev
from echo_desktop.session.errors import MediaError
from echo_desktop.session.models import DeviceKind, MediaPreferences
from echo_desktop.session.ports import SELF_VIEW
from echo_desktop.ui.call_controls import LOADING_TEXT
from echo_desktop.ui.video_grid import SELF_CAMERA_OFF_TEXT
from tests.fakes import FakeDevices
from tests.ui.conftest import Harness, HarnessFactory
from tests.ui.helpers import activate, join


def test_toggles_call_the_session_and_reflect_its_state(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    controls = harness.window.call_view.controls
    mute, camera = controls.mute_button, controls.camera_button
    qtbot.waitUntil(lambda: mute.isEnabled() and camera.isEnabled(), timeout=3000)
    assert (mute.text(), camera.text()) == ("Mute", "Stop camera")
    assert mute.property("off") is False

    qtbot.mouseClick(mute, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mute.text() == "Unmute", timeout=3000)
    assert harness.engine.media.muted
    assert harness.session.local_media.muted
    assert mute.property("off") is True
    assert "muted" in mute.accessibleDescription().lower()
    self_tile = harness.window.call_view.grid.tile_for(SELF_VIEW)
    assert self_tile is not None and self_tile.muted
    me = harness.window.call_view.participant_list.rich_entries()[0]
    assert me.name.endswith("(you)") and me.muted

    qtbot.mouseClick(camera, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: camera.text() == "Start camera", timeout=3000)
    assert not harness.engine.media.camera_on
    assert not self_tile.camera_on and not self_tile.has_frame
    assert self_tile.placeholder_text == SELF_CAMERA_OFF_TEXT
    assert harness.window.call_view.participant_list.rich_entries()[0].camera_on is False

    qtbot.mouseClick(mute, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(camera, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (mute.text(), camera.text()) == ("Mute", "Stop camera"), timeout=3000)
    assert not harness.engine.media.muted and harness.engine.media.camera_on
    qtbot.waitUntil(lambda: self_tile.has_frame, timeout=3000)


def test_shortcuts_toggle_and_are_announced(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    activate(harness, qtbot)
    controls = harness.window.call_view.controls
    assert "Ctrl+D" in controls.mute_button.toolTip()
    assert "Ctrl+D" in controls.mute_button.accessibleDescription()
    assert "Ctrl+E" in controls.camera_button.toolTip()
    assert "Ctrl+E" in controls.camera_button.accessibleDescription()
    focus = harness.window.call_view.participant_list

    qtbot.keyClick(focus, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: harness.engine.media.muted, timeout=3000)
    qtbot.keyClick(focus, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not harness.engine.media.camera_on, timeout=3000)
    qtbot.keyClick(focus, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not harness.engine.media.muted, timeout=3000)
    # The engine's state comes back to the window as an event: wait for the window, too.
    qtbot.waitUntil(lambda: controls.mute_button.text() == "Mute", timeout=3000)
    assert controls.camera_button.text() == "Start camera"


def test_join_options_start_muted_with_the_camera_off(harness: Harness, qtbot: QtBot) -> None:
    view = harness.window.join_view
    view.start_muted_check.setChecked(True)
    view.start_camera_off_check.setChecked(True)
    join(harness, qtbot)
    assert harness.engine.joined is not None
    assert harness.engine.joined.media == MediaPreferences(camera_enabled=False, microphone_muted=True)
    controls = harness.window.call_view.controls
    qtbot.waitUntil(lambda: controls.mute_button.text() == "Unmute", timeout=3000)
    assert controls.camera_button.text() == "Start camera"
    assert harness.settings.values["start_muted"] == "1"
    assert harness.settings.values["start_camera_off"] == "1"


def test_missing_devices_disable_the_toggles_and_say_why(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    activate(harness, qtbot)
    engine = harness.engine
    engine.media = dataclasses.replace(
        engine.media, has_microphone=False, has_camera=False, camera_on=False, muted=False
    )
    engine.emit(ev.LocalMediaChanged(engine.media))
    controls = harness.window.call_view.controls
    qtbot.waitUntil(lambda: not controls.mute_button.isEnabled(), timeout=3000)
    assert not controls.camera_button.isEnabled()
    assert controls.mute_button.text() == "No microphone"
    assert "No microphone was found" in controls.mute_button.toolTip()
    assert "No camera was found" in controls.camera_button.toolTip()
    assert "No camera" in controls.camera_button.accessibleDescription()

    calls: list[bool] = []
    original = engine.set_microphone_muted

    async def spy(muted: bool) -> None:
        calls.append(muted)
        await original(muted)

    engine.set_microphone_muted = spy  # type: ignore[method-assign]
    focus = harness.window.call_view.participant_list
    qtbot.keyClick(focus, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    self_tile = harness.window.call_view.grid.self_tile
    assert self_tile is not None and self_tile.placeholder_text == "No camera found"
    # Proof that the press went through: a camera appears, and its shortcut, pressed after the
    # first one, takes the same path to the engine. Once it has arrived, the first would have too.
    engine.media = dataclasses.replace(engine.media, has_camera=True)
    engine.emit(ev.LocalMediaChanged(engine.media))
    qtbot.waitUntil(controls.camera_button.isEnabled, timeout=3000)
    qtbot.keyClick(focus, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: engine.media.camera_on, timeout=3000)
    assert calls == [], "a disabled toggle's shortcut does nothing"


def test_a_failing_toggle_is_shown_in_the_window(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)

    async def broken(muted: bool) -> None:
        raise MediaError("the microphone was unplugged")

    harness.engine.set_microphone_muted = broken  # type: ignore[method-assign]
    call = harness.window.call_view
    qtbot.waitUntil(call.controls.mute_button.isEnabled, timeout=3000)
    qtbot.mouseClick(call.controls.mute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(call.control_banner.isVisible, timeout=3000)
    assert call.control_banner.message == MediaError.user_message
    assert "unplugged" in call.control_banner.details
    assert call.controls.mute_button.text() == "Mute", "the state stays what the session says"
    assert harness.window.showing_call


def test_controls_are_off_outside_a_call(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    controls = harness.window.call_view.controls
    qtbot.waitUntil(controls.mute_button.isEnabled, timeout=3000)
    qtbot.mouseClick(harness.window.call_view.leave_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not harness.window.showing_call, timeout=3000)
    assert not controls.mute_button.isEnabled() and not controls.camera_button.isEnabled()


def test_no_device_menu_without_a_device_port(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    assert harness.window.call_view.controls.devices_button.isHidden()
    assert harness.window.join_view.check_devices_button.isHidden()


def test_switch_camera_and_microphone_mid_call(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    h = make_window(devices=devices)
    join(h, qtbot)
    controls = h.window.call_view.controls
    assert controls.devices_button.isVisible()
    qtbot.waitUntil(lambda: controls.devices_loaded, timeout=3000)

    cameras = controls.device_actions("camera")
    assert [a.text() for a in cameras] == ["Integrated Webcam", "USB Document Camera"]
    assert [a.isChecked() for a in cameras] == [True, False], "the camera in use is ticked"
    cameras[1].trigger()
    qtbot.waitUntil(lambda: h.engine.media.camera == "2", timeout=3000)
    qtbot.waitUntil(lambda: controls.device_actions("camera")[1].isChecked(), timeout=3000)

    microphones = controls.device_actions("microphone")
    assert [a.text() for a in microphones] == ["Built-in Microphone", "Headset Microphone"]
    assert microphones[0].isChecked(), "no microphone reported: the default is ticked"
    microphones[1].trigger()
    qtbot.waitUntil(lambda: h.engine.media.microphone == "7", timeout=3000)
    qtbot.waitUntil(lambda: controls.device_actions("microphone")[1].isChecked(), timeout=3000)
    assert devices.gui_thread_calls == [], "device lists are loaded off the GUI thread"


def test_a_failing_switch_keeps_the_old_device_and_says_why(
    make_window: HarnessFactory, qtbot: QtBot
) -> None:
    h = make_window(devices=FakeDevices())
    join(h, qtbot)
    controls = h.window.call_view.controls
    qtbot.waitUntil(lambda: controls.devices_loaded, timeout=3000)

    async def broken(device: str) -> None:
        raise MediaError("camera 2 is in use by another program")

    h.engine.switch_camera = broken  # type: ignore[method-assign]
    controls.device_actions("camera")[1].trigger()
    banner = h.window.call_view.control_banner
    qtbot.waitUntil(banner.isVisible, timeout=3000)
    assert "in use by another program" in banner.details
    assert [a.isChecked() for a in controls.device_actions("camera")] == [True, False]


def test_device_menu_shows_listing_problems(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    devices.fail_on.add("list_devices")
    devices.fail_kinds = {DeviceKind.CAMERA}
    devices.devices[DeviceKind.MICROPHONE] = []
    h = make_window(devices=devices)
    join(h, qtbot)
    controls = h.window.call_view.controls
    qtbot.waitUntil(lambda: controls.devices_loaded, timeout=3000)
    texts = [a.text() for a in controls.devices_menu.actions() if a.text()]
    assert texts == ["Camera", f"Cameras: {devices.fail_message}", "Microphone", "No microphone found"]
    assert LOADING_TEXT not in texts
    controls.devices_menu_opening.emit()  # opening the menu lists the devices again
    qtbot.waitUntil(lambda: len([c for c in devices.calls if c[0] == "list_devices"]) >= 4, timeout=3000)
