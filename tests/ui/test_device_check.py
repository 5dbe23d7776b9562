"""The device check: lists, preview pixels, the level meter, the test tone, verdicts, and saving."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from echo_desktop.session.models import DeviceKind, MediaPreferences
from echo_desktop.ui import device_check as dc
from echo_desktop.ui.device_check import DeviceCheckDialog, meter_percent
from echo_desktop.ui.verdict import VerdictKind
from tests.fakes import FakeDevices, FakePreview, MemorySettingsStore
from tests.ui.conftest import Harness, HarnessFactory
from tests.ui.helpers import center_color, fill_form, join


def open_check(h: Harness, qtbot: QtBot) -> DeviceCheckDialog:
    button = h.window.join_view.check_devices_button
    assert button.isVisible() and "&" in button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = h.window.device_check
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.devices_listed, timeout=3000)
    return dialog


def wait_verdict(qtbot: QtBot, verdict: object, text: str) -> None:
    qtbot.waitUntil(lambda: verdict.text == text, timeout=3000)  # type: ignore[attr-defined]


def test_meter_scale() -> None:
    assert meter_percent(0.0) == 0
    assert meter_percent(float("nan")) == 0
    assert meter_percent(1.0) == 100
    assert meter_percent(2.0) == 100
    assert 50 < meter_percent(dc.HEARD_LEVEL) < 60
    assert meter_percent(0.5) > meter_percent(0.1) > meter_percent(0.01) > 0


def test_preview_meter_and_verdicts(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)

    wait_verdict(qtbot, dialog.camera_verdict, dc.CAMERA_WORKING)
    assert dialog.camera_verdict.kind is VerdictKind.OK
    assert center_color(dialog.preview_tile) == QColor(*FakeDevices.PREVIEW_COLOR)
    assert [
        c.currentText() for c in (dialog.camera_combo, dialog.microphone_combo, dialog.speaker_combo)
    ] == [
        "System default (Integrated Webcam)",
        "System default (Built-in Microphone)",
        "System default (Built-in Speakers)",
    ]
    assert dialog.camera_combo.count() == 3

    wait_verdict(qtbot, dialog.microphone_verdict, dc.MIC_SILENT)
    assert dialog.level_bar.value() == 0
    devices.level = 0.02  # some noise: the bar moves, but that is not a voice yet
    qtbot.waitUntil(lambda: dialog.level_bar.value() > 0, timeout=3000)
    assert dialog.microphone_verdict.text == dc.MIC_SILENT
    devices.level = 0.4
    wait_verdict(qtbot, dialog.microphone_verdict, dc.MIC_HEARD)
    assert dialog.level_bar.value() == meter_percent(0.4)
    devices.level = 0.0
    qtbot.waitUntil(lambda: dialog.level_bar.value() == 0, timeout=3000)
    assert dialog.microphone_verdict.text == dc.MIC_HEARD, "once heard, it stays heard"

    assert dialog.speaker_verdict.text == dc.SPEAKER_READY
    assert devices.gui_thread_calls == [], "every DevicePort call ran off the GUI thread"
    assert [(c[0], c[1]) for c in devices.calls if c[0] == "list_devices"] == [
        ("list_devices", DeviceKind.CAMERA),
        ("list_devices", DeviceKind.MICROPHONE),
        ("list_devices", DeviceKind.SPEAKER),
    ]


def test_test_sound_disables_the_button_and_asks(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    devices.tone_gate = threading.Event()
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)
    qtbot.waitUntil(dialog.play_button.isEnabled, timeout=3000)
    assert not dialog.heard_yes_button.isVisible()

    qtbot.mouseClick(dialog.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.playing, timeout=3000)
    assert not dialog.play_button.isEnabled()
    assert dialog.speaker_verdict.text == dc.SPEAKER_PLAYING
    qtbot.mouseClick(dialog.play_button, Qt.MouseButton.LeftButton)  # ignored while playing
    devices.tone_gate.set()

    wait_verdict(qtbot, dialog.speaker_verdict, dc.SPEAKER_ASK)
    assert devices.tones == [(None, dc.TONE_SECONDS)]
    assert dialog.play_button.isEnabled()
    assert dialog.heard_yes_button.isVisible() and dialog.heard_no_button.isVisible()
    assert dialog.focusWidget() is dialog.heard_yes_button, "keyboard users answer at once"
    qtbot.mouseClick(dialog.heard_no_button, Qt.MouseButton.LeftButton)
    assert dialog.speaker_verdict.text == dc.SPEAKER_NOT_HEARD
    assert dialog.speaker_verdict.kind is VerdictKind.WARNING

    dialog.speaker_combo.setCurrentIndex(dialog.speaker_combo.findData("8"))
    qtbot.mouseClick(dialog.play_button, Qt.MouseButton.LeftButton)
    wait_verdict(qtbot, dialog.speaker_verdict, dc.SPEAKER_ASK)
    qtbot.mouseClick(dialog.heard_yes_button, Qt.MouseButton.LeftButton)
    assert dialog.speaker_verdict.text == dc.SPEAKER_WORKING
    assert devices.tones[-1] == ("8", dc.TONE_SECONDS)


def test_missing_devices_get_plain_verdicts(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices({DeviceKind.CAMERA: [], DeviceKind.MICROPHONE: [], DeviceKind.SPEAKER: []})
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)
    wait_verdict(qtbot, dialog.speaker_verdict, dc.NO_SPEAKER)
    assert dialog.camera_verdict.text == dc.NO_CAMERA == "No camera found: you will join with audio only"
    assert dialog.microphone_verdict.text == dc.NO_MICROPHONE
    assert "listen-only" in dialog.microphone_verdict.text
    for verdict in (dialog.camera_verdict, dialog.microphone_verdict, dialog.speaker_verdict):
        assert verdict.kind is VerdictKind.WARNING
    assert not dialog.play_button.isEnabled()
    assert not dialog.camera_combo.isEnabled()
    assert devices.previews == [] and devices.meters == []
    assert not dialog.preview_tile.camera_on


@pytest.mark.parametrize(
    ("failing", "verdict_name"),
    [
        ("open_camera_preview", "camera_verdict"),
        ("open_level_meter", "microphone_verdict"),
    ],
)
def test_device_failures_become_verdicts(
    make_window: HarnessFactory, qtbot: QtBot, failing: str, verdict_name: str
) -> None:
    devices = FakeDevices()
    devices.fail_on.add(failing)
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)
    verdict = getattr(dialog, verdict_name)
    qtbot.waitUntil(lambda: verdict.kind is VerdictKind.ERROR, timeout=3000)
    assert verdict.text == devices.fail_message
    assert dialog.isVisible()


def test_tone_and_listing_failures_become_verdicts(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    devices.fail_on.update({"play_test_tone", "list_devices"})
    devices.fail_kinds = {DeviceKind.CAMERA}
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)
    qtbot.waitUntil(lambda: dialog.camera_verdict.kind is VerdictKind.ERROR, timeout=3000)
    assert dialog.camera_verdict.text == devices.fail_message
    qtbot.waitUntil(dialog.play_button.isEnabled, timeout=3000)
    qtbot.mouseClick(dialog.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.speaker_verdict.kind is VerdictKind.ERROR, timeout=3000)
    assert dialog.speaker_verdict.text == devices.fail_message
    assert dialog.play_button.isEnabled(), "try again after a failure"
    wait_verdict(qtbot, dialog.microphone_verdict, dc.MIC_SILENT)


def test_switching_camera_closes_the_old_preview_first(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    devices.colors["2"] = (200, 120, 30)
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)
    wait_verdict(qtbot, dialog.camera_verdict, dc.CAMERA_WORKING)
    dialog.camera_combo.setCurrentIndex(dialog.camera_combo.findData("2"))
    qtbot.waitUntil(lambda: len(devices.previews) == 2 and dialog.preview_tile.has_frame, timeout=3000)
    qtbot.waitUntil(lambda: center_color(dialog.preview_tile) == QColor(200, 120, 30), timeout=3000)
    assert devices.previews[0].closed and not devices.previews[1].closed
    assert [p.device for p in devices.previews] == [None, "2"]
    opened = [c[1] for c in devices.calls if c[0] in ("open_camera_preview", "close")]
    assert opened == [None, "preview", "2"], "one camera open at a time"


def test_closing_closes_preview_and_meter_off_the_gui_thread(
    make_window: HarnessFactory, qtbot: QtBot
) -> None:
    devices = FakeDevices()
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)
    wait_verdict(qtbot, dialog.camera_verdict, dc.CAMERA_WORKING)
    wait_verdict(qtbot, dialog.microphone_verdict, dc.MIC_SILENT)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not devices.open_previews and not devices.open_meters, timeout=3000)
    assert h.window.device_check is None
    assert devices.gui_thread_calls == []
    assert h.settings.saves == 0, "cancel saves nothing"


def test_a_failing_close_is_only_logged(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)
    wait_verdict(qtbot, dialog.microphone_verdict, dc.MIC_SILENT)
    devices.fail_on.add("close")
    dialog.reject()
    qtbot.waitUntil(lambda: len([c for c in devices.calls if c[0] == "close"]) == 2, timeout=3000)
    assert h.window.isVisible() and not h.window.join_view.error_banner.isVisible()


def test_closing_while_the_camera_opens_still_closes_it(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    gate = threading.Event()
    original = devices.open_camera_preview

    def slow_open(device: str | None) -> FakePreview:
        gate.wait(5.0)
        return original(device)

    devices.open_camera_preview = slow_open  # type: ignore[method-assign]
    h = make_window(devices=devices)
    dialog = open_check(h, qtbot)
    qtbot.waitUntil(lambda: dialog.camera_verdict.text == dc.CAMERA_STARTING, timeout=3000)
    dialog.reject()
    gate.set()
    qtbot.waitUntil(lambda: len(devices.previews) == 1 and devices.previews[0].closed, timeout=3000)


def test_choices_are_saved_and_flow_into_the_join_request(make_window: HarnessFactory, qtbot: QtBot) -> None:
    devices = FakeDevices()
    settings = MemorySettingsStore()
    h = make_window(settings=settings, devices=devices)
    dialog = open_check(h, qtbot)
    wait_verdict(qtbot, dialog.camera_verdict, dc.CAMERA_WORKING)
    dialog.camera_combo.setCurrentIndex(dialog.camera_combo.findData("2"))
    dialog.microphone_combo.setCurrentIndex(dialog.microphone_combo.findData("7"))
    dialog.speaker_combo.setCurrentIndex(dialog.speaker_combo.findData("8"))
    qtbot.waitUntil(lambda: bool(devices.meters) and devices.meters[-1].device == "7", timeout=3000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: h.window.device_check is None, timeout=3000)
    qtbot.waitUntil(lambda: not devices.open_previews and not devices.open_meters, timeout=3000)

    assert settings.values == {
        "camera": "2",
        "microphone": "7",
        "speaker": "8",
        "start_muted": "0",
        "start_camera_off": "0",
    }, "only the media settings are saved here; the form is saved when joining"
    summary = h.window.join_view.devices_label.text()
    assert "USB Document Camera" in summary and "Headset Microphone" in summary

    h.window.join_view.start_muted_check.setChecked(True)
    h.window.join_view.start_camera_off_check.setChecked(True)
    join(h, qtbot)
    assert h.engine.joined is not None
    assert h.engine.joined.media == MediaPreferences(
        "2", "7", "8", camera_enabled=False, microphone_muted=True
    )
    assert settings.values["start_muted"] == "1" and settings.values["start_camera_off"] == "1"

    # A new window starts from the saved choices, and its device check shows them.
    devices2 = FakeDevices()
    h2 = make_window(settings=MemorySettingsStore(dict(settings.values)), devices=devices2)
    view = h2.window.join_view
    assert view.start_muted_check.isChecked() and view.start_camera_off_check.isChecked()
    assert view.media_preferences() == MediaPreferences("2", "7", "8", False, True)
    dialog2 = open_check(h2, qtbot)
    assert dialog2.camera_combo.currentData() == "2"
    assert dialog2.microphone_combo.currentData() == "7"
    assert dialog2.speaker_combo.currentData() == "8"
    qtbot.waitUntil(lambda: [p.device for p in devices2.previews] == ["2"], timeout=3000)
    dialog2.reject()


def test_default_devices_are_not_stored_and_unplugged_ones_fall_back(
    make_window: HarnessFactory, qtbot: QtBot
) -> None:
    devices = FakeDevices()
    settings = MemorySettingsStore({"camera": "9", "microphone": "7"})
    h = make_window(settings=settings, devices=devices)
    dialog = open_check(h, qtbot)
    wait_verdict(qtbot, dialog.camera_verdict, dc.CAMERA_WORKING)
    assert dialog.camera_combo.currentIndex() == 0, "camera 9 is gone: the system default is used"
    assert dialog.microphone_combo.currentData() == "7"
    dialog.microphone_combo.setCurrentIndex(0)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: h.window.device_check is None, timeout=3000)
    assert "camera" not in settings.values and "microphone" not in settings.values


def test_dialog_is_keyboard_friendly(make_window: HarnessFactory, qtbot: QtBot) -> None:
    h = make_window(devices=FakeDevices())
    fill_form(h.window.join_view)
    dialog = open_check(h, qtbot)
    buddies = {label.buddy(): label.text() for label in dialog.findChildren(QLabel) if label.buddy()}
    for combo in (dialog.camera_combo, dialog.microphone_combo, dialog.speaker_combo):
        assert "&" in buddies[combo] and combo.accessibleName()
    assert dialog.level_bar.accessibleName() == "Microphone level"
    assert dialog.preview_tile.accessibleName() == "Camera preview"
    assert dialog.save_button.isDefault()
    for button in (dialog.play_button, dialog.save_button, dialog.heard_yes_button, dialog.heard_no_button):
        assert "&" in button.text()
    qtbot.waitUntil(lambda: dialog.camera_combo.isEnabled(), timeout=3000)
    dialog.reject()
    qtbot.waitUntil(lambda: h.window.device_check is None, timeout=3000)
    assert h.window.focusWidget() is h.window.join_view.check_devices_button, "focus goes back"
