"""The device check: pick camera, microphone and speaker, and see that each one works.

Every DevicePort call may block (opening a camera can take a second), so each runs in a worker
thread with `asyncio.to_thread` (the preview and the meter through a DeviceSlot); the dialog
only polls the running preview and level meter from GUI timers. Failures become verdicts in
plain words, never exceptions. Closing the dialog closes the preview and the meter, also off the
GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.session.models import DeviceInfo, DeviceKind, MediaPreferences, Role, VideoFrame
from echo_desktop.session.ports import CameraPreview, DevicePort, LevelMeter
from echo_desktop.ui import icons, style
from echo_desktop.ui.device_slot import DeviceSlot
from echo_desktop.ui.tasks import TaskSet
from echo_desktop.ui.verdict import Verdict, VerdictKind
from echo_desktop.ui.video_tile import VideoTile

logger = logging.getLogger(__name__)

PREVIEW_INTERVAL_MS = 33
"""~30 Hz: the preview is polled like the call's video grid."""
METER_INTERVAL_MS = 50
"""~20 Hz: fast enough for the level bar to follow speech."""
HEARD_LEVEL = 0.05
"""A peak above this (about -26 dBFS) means the microphone picks up a voice."""
NO_PICTURE_AFTER_S = 5.0
TONE_SECONDS = 1.0

CAMERA_STARTING = "Starting the camera…"
CAMERA_WORKING = "Camera working"
CAMERA_NO_PICTURE = "The camera is on but sends no picture. Is it covered, or in use by another program?"
NO_CAMERA = "No camera found: you will join with audio only"
MIC_STARTING = "Starting the microphone…"
MIC_SILENT = "Microphone: no sound yet — speak to test"
MIC_HEARD = "Microphone: we hear you"
NO_MICROPHONE = "No microphone found: you will join listen-only"
SPEAKER_READY = "Play a short sound to check your speaker or headset."
SPEAKER_PLAYING = "Playing a test sound…"
SPEAKER_ASK = "Speaker: did you hear the sound?"
SPEAKER_WORKING = "Speaker working"
SPEAKER_NOT_HEARD = (
    "Speaker: no sound heard. Turn the volume up or choose another speaker, then play it again."
)
NO_SPEAKER = "No speaker found: you will not hear the others"

_DEFAULT = ""
"""Combo data of the "System default" entry (MediaPreferences says None)."""
_NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def meter_percent(level: float) -> int:
    """A peak level (0..1) on a -60..0 dBFS scale, 0..100: speech moves the bar visibly."""
    if not level > 0.001:  # also catches NaN
        return 0
    db = 20 * math.log10(min(level, 1.0))
    return round(max(0.0, min(1.0, (db + 60) / 60)) * 100)


@dataclass
class _Section:
    """What the dialog knows about one kind of device."""

    kind: DeviceKind
    combo: QComboBox
    verdict: Verdict
    saved: str | None
    listed: bool = False


def _problem(exc: BaseException, fallback: str) -> str:
    """The user-readable part of a device failure."""
    text = str(exc).strip()
    if isinstance(exc, OSError) and text:
        return text
    return fallback


class DeviceCheckDialog(QDialog):
    """Pick the devices for the clinic and check them before joining.

    Call `start()` after showing it (it lists the devices in the background). After Accept,
    `preferences()` holds the chosen device ids (None for the system default) and
    `summary()` a line naming them.
    """

    def __init__(
        self,
        devices: DevicePort,
        preferences: MediaPreferences,
        display_name: str = "",
        role: Role = Role.SPOKE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DeviceCheck")
        self.setWindowTitle("Check devices")
        self.setModal(True)
        self.setMinimumSize(760, 520)
        self.resize(860, 580)
        self._devices = devices
        self._initial = preferences
        self._closed = False
        self._started = False
        self._tasks = TaskSet(self._on_task_error)
        self._camera: DeviceSlot[CameraPreview] = DeviceSlot(devices.open_camera_preview, "camera preview")
        self._meter: DeviceSlot[LevelMeter] = DeviceSlot(devices.open_level_meter, "level meter")
        self._preview_ticks = 0
        self._heard = False
        self._playing = False
        self._listing_done = False

        self.camera_combo = self._combo("Camera")
        self.microphone_combo = self._combo("Microphone")
        self.speaker_combo = self._combo("Speaker")
        self.camera_verdict = Verdict()
        self.microphone_verdict = Verdict()
        self.speaker_verdict = Verdict()
        self._sections = {
            DeviceKind.CAMERA: _Section(
                DeviceKind.CAMERA, self.camera_combo, self.camera_verdict, preferences.camera
            ),
            DeviceKind.MICROPHONE: _Section(
                DeviceKind.MICROPHONE, self.microphone_combo, self.microphone_verdict, preferences.microphone
            ),
            DeviceKind.SPEAKER: _Section(
                DeviceKind.SPEAKER, self.speaker_combo, self.speaker_verdict, preferences.speaker
            ),
        }

        self.preview_tile = VideoTile(
            0,
            display_name.strip() or "You",
            role,
            self._preview_frame,
            mirrored=True,
            show_caption=False,
            accessible_name="Camera preview",
        )
        self.preview_tile.setMinimumSize(320, 240)
        self.preview_tile.set_waiting_text(CAMERA_STARTING)

        self.level_bar = QProgressBar()
        self.level_bar.setObjectName("LevelMeter")
        self.level_bar.setRange(0, 100)
        self.level_bar.setValue(0)
        self.level_bar.setTextVisible(False)
        self.level_bar.setAccessibleName("Microphone level")
        self.level_bar.setAccessibleDescription("Moves when the microphone picks up sound")

        self.play_button = QPushButton("&Play test sound")
        self.play_button.setIcon(icons.icon("speaker", style.TEXT, style.TEXT_MUTED))
        self.play_button.setToolTip(f"Plays a {TONE_SECONDS:g}-second tone on the chosen speaker")
        self.play_button.clicked.connect(self._on_play_clicked)
        self.heard_yes_button = QPushButton("&Yes, I heard it")
        self.heard_yes_button.clicked.connect(lambda: self._on_heard(True))
        self.heard_no_button = QPushButton("&No sound")
        self.heard_no_button.clicked.connect(lambda: self._on_heard(False))

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("&Use these devices")
        self.save_button.setObjectName("Primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.accept)

        self._preview_timer = QTimer(self)
        self._preview_timer.setInterval(PREVIEW_INTERVAL_MS)
        self._preview_timer.timeout.connect(self._poll_preview)
        self._meter_timer = QTimer(self)
        self._meter_timer.setInterval(METER_INTERVAL_MS)
        self._meter_timer.timeout.connect(self._poll_meter)

        self._build_layout()
        self._show_heard_question(False)
        self.camera_verdict.set_verdict(VerdictKind.PENDING, "Looking for cameras…")
        self.microphone_verdict.set_verdict(VerdictKind.PENDING, "Looking for microphones…")
        self.speaker_verdict.set_verdict(VerdictKind.PENDING, "Looking for speakers…")
        self.play_button.setEnabled(False)
        self.camera_combo.currentIndexChanged.connect(lambda _i: self._on_camera_changed())
        self.microphone_combo.currentIndexChanged.connect(lambda _i: self._on_microphone_changed())
        self.speaker_combo.currentIndexChanged.connect(lambda _i: self._on_speaker_changed())

    # --- layout --------------------------------------------------------------------------------

    @staticmethod
    def _combo(name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(18)
        combo.setEnabled(False)
        return combo

    @staticmethod
    def _heading(text: str, icon_name: str, buddy: QWidget) -> QHBoxLayout:
        sign = QLabel()
        sign.setPixmap(icons.pixmap(icon_name, style.PRIMARY, 20))
        label = QLabel(text)
        style.set_heading(label, 1.05)
        label.setBuddy(buddy)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(sign)
        row.addWidget(label, 1)
        return row

    @staticmethod
    def _card() -> tuple[QFrame, QVBoxLayout]:
        card = QFrame()
        card.setObjectName("Card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(10)
        return card, layout

    def _build_layout(self) -> None:
        title = QLabel("Check your camera, microphone and speaker")
        style.set_heading(title, 1.35)
        intro = QLabel(
            "Choose the devices to use in the clinic. Nothing is sent to anyone during this check."
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)

        camera_card, camera_layout = self._card()
        camera_layout.addLayout(self._heading("&Camera", "camera", self.camera_combo))
        camera_layout.addWidget(self.camera_combo)
        camera_layout.addWidget(self.preview_tile, 1)
        camera_layout.addWidget(self.camera_verdict)

        mic_card, mic_layout = self._card()
        mic_layout.addLayout(self._heading("&Microphone", "mic", self.microphone_combo))
        mic_layout.addWidget(self.microphone_combo)
        level_caption = QLabel("Level")
        level_caption.setObjectName("Muted")
        level_caption.setBuddy(self.level_bar)
        level_row = QHBoxLayout()
        level_row.setSpacing(10)
        level_row.addWidget(level_caption)
        level_row.addWidget(self.level_bar, 1)
        mic_layout.addLayout(level_row)
        mic_layout.addWidget(self.microphone_verdict)

        speaker_card, speaker_layout = self._card()
        speaker_layout.addLayout(self._heading("&Speaker", "speaker", self.speaker_combo))
        speaker_layout.addWidget(self.speaker_combo)
        play_row = QHBoxLayout()
        play_row.addWidget(self.play_button)
        play_row.addStretch(1)
        speaker_layout.addLayout(play_row)
        speaker_layout.addWidget(self.speaker_verdict)
        heard_row = QHBoxLayout()
        heard_row.setContentsMargins(28, 0, 0, 0)
        heard_row.setSpacing(8)
        heard_row.addWidget(self.heard_yes_button)
        heard_row.addWidget(self.heard_no_button)
        heard_row.addStretch(1)
        self._heard_row = QWidget()
        self._heard_row.setLayout(heard_row)
        speaker_layout.addWidget(self._heard_row)

        speaker_layout.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(16)
        right.addWidget(mic_card)
        right.addWidget(speaker_card, 1)  # the columns end on one line
        mic_card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addWidget(camera_card, 11)
        columns.addLayout(right, 9)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 24)
        outer.setSpacing(12)
        outer.addWidget(title)
        outer.addWidget(intro)
        outer.addSpacing(4)
        outer.addLayout(columns, 1)
        outer.addSpacing(4)
        outer.addLayout(buttons)

        for first, second in (
            (self.camera_combo, self.microphone_combo),
            (self.microphone_combo, self.speaker_combo),
            (self.speaker_combo, self.play_button),
            (self.play_button, self.heard_yes_button),
            (self.heard_yes_button, self.heard_no_button),
            (self.heard_no_button, self.cancel_button),
            (self.cancel_button, self.save_button),
        ):
            QWidget.setTabOrder(first, second)

    # --- results -------------------------------------------------------------------------------

    def preferences(self) -> MediaPreferences:
        """The preferences given, with the devices chosen here (None: the system default)."""
        return replace(
            self._initial,
            camera=self._choice(DeviceKind.CAMERA),
            microphone=self._choice(DeviceKind.MICROPHONE),
            speaker=self._choice(DeviceKind.SPEAKER),
        )

    def summary(self) -> str:
        """One sentence naming the chosen devices, for the join screen."""
        names: list[str] = []
        missing: list[str] = []
        for kind in (DeviceKind.CAMERA, DeviceKind.MICROPHONE, DeviceKind.SPEAKER):
            section = self._sections[kind]
            if not section.listed:
                continue
            name = section.combo.currentData(_NAME_ROLE)
            if name:
                names.append(str(name))
            else:
                missing.append(f"no {kind.value}")
        parts = []
        if names:
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            parts.append(f"Using {listed}.")
        if missing:
            parts.append(f"{', '.join(missing).capitalize()} found.")
        return " ".join(parts)

    def _choice(self, kind: DeviceKind) -> str | None:
        section = self._sections[kind]
        if not section.listed or not section.combo.isEnabled():
            return section.saved  # nothing to choose from now: keep the saved choice for later
        data = section.combo.currentData()
        return str(data) if data else None

    def _device(self, kind: DeviceKind) -> str | None:
        """The device to open for a kind: None means the system default."""
        data = self._sections[kind].combo.currentData()
        return str(data) if data else None

    # --- starting and stopping -------------------------------------------------------------------

    def start(self) -> None:
        """List the devices in the background, then start the preview and the meter."""
        if self._started or self._closed:
            return
        self._started = True
        self._tasks.spawn(self._list_all())

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def devices_listed(self) -> bool:
        """True once every kind of device was listed (or listing it failed)."""
        return self._listing_done

    @property
    def busy(self) -> bool:
        """True while a device call started by the dialog is still running."""
        return len(self._tasks) > 0

    def done(self, result: int) -> None:
        self._shutdown()
        super().done(result)

    def _shutdown(self) -> None:
        """Stop polling and close the preview and the meter in a worker thread."""
        if self._closed:
            return
        self._closed = True
        self._preview_timer.stop()
        self._meter_timer.stop()
        self._camera.shutdown()
        self._meter.shutdown()
        logger.debug("Device check closed")

    def _on_task_error(self, exc: BaseException) -> None:
        if not self._closed:
            self.camera_verdict.set_verdict(VerdictKind.ERROR, f"Something went wrong in the check: {exc}")

    # --- listing -------------------------------------------------------------------------------

    async def _list_all(self) -> None:
        for kind in (DeviceKind.CAMERA, DeviceKind.MICROPHONE, DeviceKind.SPEAKER):
            try:
                found = await asyncio.to_thread(self._devices.list_devices, kind)
            except Exception as exc:
                if self._closed:
                    return
                logger.warning("Listing %s devices failed", kind.value, exc_info=True)
                self._sections[kind].verdict.set_verdict(
                    VerdictKind.ERROR, _problem(exc, f"The {kind.value}s could not be listed.")
                )
                if kind is DeviceKind.CAMERA:
                    self.preview_tile.set_camera_off_text("No picture")
                    self.preview_tile.set_media_state(False, False)
                elif kind is DeviceKind.MICROPHONE:
                    self.level_bar.setEnabled(False)
                continue
            if self._closed:
                return
            self._fill(kind, list(found))
        self._listing_done = True
        self._update_busy_state()

    def _fill(self, kind: DeviceKind, found: list[DeviceInfo]) -> None:
        section = self._sections[kind]
        combo = section.combo
        combo.blockSignals(True)
        try:
            combo.clear()
            section.listed = True
            if not found:
                combo.addItem(f"No {kind.value} found", _DEFAULT)
                combo.setEnabled(False)
            else:
                default = next((d for d in found if d.is_default), found[0])
                combo.addItem(f"System default ({default.name})", _DEFAULT)
                combo.setItemData(0, default.name, _NAME_ROLE)
                for device in found:
                    combo.addItem(device.name, device.device_id)
                    combo.setItemData(combo.count() - 1, device.name, _NAME_ROLE)
                index = combo.findData(section.saved) if section.saved else 0
                if index < 0:
                    logger.info(
                        "The saved %s %r is not connected; using the default", kind.value, section.saved
                    )
                    index = 0
                combo.setCurrentIndex(index)
                combo.setEnabled(True)
        finally:
            combo.blockSignals(False)
        logger.info("Device check found %d %s device(s)", len(found), kind.value)
        if kind is DeviceKind.CAMERA:
            self._on_camera_changed(found=bool(found))
        elif kind is DeviceKind.MICROPHONE:
            self._on_microphone_changed(found=bool(found))
        else:
            self._on_speaker_changed(found=bool(found))

    # --- camera --------------------------------------------------------------------------------

    def _on_camera_changed(self, found: bool = True) -> None:
        if self._closed:
            return
        self._preview_timer.stop()
        if not found:
            self.preview_tile.set_media_state(False, False)
            self.preview_tile.set_camera_off_text("No camera")
            self.camera_verdict.set_verdict(VerdictKind.WARNING, NO_CAMERA)
            self._tasks.spawn(self._camera.close())
            return
        self.preview_tile.set_media_state(True, False)
        self.preview_tile.set_waiting_text(CAMERA_STARTING)
        self.camera_verdict.set_verdict(VerdictKind.PENDING, CAMERA_STARTING)
        self._tasks.spawn(self._open_camera(self._camera.pick(), self._device(DeviceKind.CAMERA)))

    async def _open_camera(self, ticket: int, device: str | None) -> None:
        try:
            preview = await self._camera.open(ticket, device)
        except Exception as exc:
            if self._camera.is_current(ticket):
                logger.warning("Opening camera %r failed", device, exc_info=True)
                self.preview_tile.set_media_state(False, False)
                self.preview_tile.set_camera_off_text("No picture")
                self.camera_verdict.set_verdict(
                    VerdictKind.ERROR, _problem(exc, "The camera could not be started.")
                )
            return
        if preview is not None:
            self._preview_ticks = 0
            self._preview_timer.start()

    def _preview_frame(self) -> VideoFrame | None:
        preview = self._camera.resource
        return preview.latest_frame() if preview is not None else None

    def _poll_preview(self) -> None:
        if self._closed or self._camera.resource is None:
            return
        self._preview_ticks += 1
        got_frame = self.preview_tile.refresh()
        if got_frame or self.preview_tile.has_frame:
            self.camera_verdict.set_verdict(VerdictKind.OK, CAMERA_WORKING)
        elif self._preview_ticks * PREVIEW_INTERVAL_MS >= NO_PICTURE_AFTER_S * 1000:
            self.camera_verdict.set_verdict(VerdictKind.WARNING, CAMERA_NO_PICTURE)

    # --- microphone ----------------------------------------------------------------------------

    def _on_microphone_changed(self, found: bool = True) -> None:
        if self._closed:
            return
        self._meter_timer.stop()
        self._heard = False
        self.level_bar.setValue(0)
        if not found:
            self.level_bar.setEnabled(False)
            self.microphone_verdict.set_verdict(VerdictKind.WARNING, NO_MICROPHONE)
            self._tasks.spawn(self._meter.close())
            return
        self.level_bar.setEnabled(True)
        self.microphone_verdict.set_verdict(VerdictKind.PENDING, MIC_STARTING)
        self._tasks.spawn(self._open_meter(self._meter.pick(), self._device(DeviceKind.MICROPHONE)))

    async def _open_meter(self, ticket: int, device: str | None) -> None:
        try:
            meter = await self._meter.open(ticket, device)
        except Exception as exc:
            if self._meter.is_current(ticket):
                logger.warning("Opening microphone %r failed", device, exc_info=True)
                self.microphone_verdict.set_verdict(
                    VerdictKind.ERROR, _problem(exc, "The microphone could not be started.")
                )
            return
        if meter is not None:
            self.microphone_verdict.set_verdict(VerdictKind.PENDING, MIC_SILENT)
            self._meter_timer.start()

    def _poll_meter(self) -> None:
        meter = self._meter.resource
        if self._closed or meter is None:
            return
        try:
            level = float(meter.level())
        except Exception:
            logger.warning("Reading the microphone level failed", exc_info=True)
            self._meter_timer.stop()
            self.microphone_verdict.set_verdict(VerdictKind.ERROR, "The microphone stopped working.")
            return
        self.level_bar.setValue(meter_percent(level))
        if level > HEARD_LEVEL and not self._heard:
            self._heard = True
            self.microphone_verdict.set_verdict(VerdictKind.OK, MIC_HEARD)

    # --- speaker -------------------------------------------------------------------------------

    def _on_speaker_changed(self, found: bool = True) -> None:
        if self._closed:
            return
        self._show_heard_question(False)
        if not found:
            self.speaker_verdict.set_verdict(VerdictKind.WARNING, NO_SPEAKER)
        else:
            self.speaker_verdict.set_verdict(VerdictKind.PENDING, SPEAKER_READY)
        self._update_busy_state()

    def _on_play_clicked(self) -> None:
        if self._playing or self._closed:
            return
        self._tasks.spawn(self._play_tone(self._device(DeviceKind.SPEAKER)))

    async def _play_tone(self, device: str | None) -> None:
        self._playing = True
        self._show_heard_question(False)
        self._update_busy_state()
        self.play_button.setText("Playing…")
        self.speaker_verdict.set_verdict(VerdictKind.PENDING, SPEAKER_PLAYING)
        try:
            await asyncio.to_thread(self._devices.play_test_tone, device, TONE_SECONDS)
        except Exception as exc:
            if self._closed:
                return
            logger.warning("Playing the test tone on %r failed", device, exc_info=True)
            self.speaker_verdict.set_verdict(
                VerdictKind.ERROR, _problem(exc, "The test sound could not play.")
            )
        else:
            if self._closed:
                return
            self.speaker_verdict.set_verdict(VerdictKind.QUESTION, SPEAKER_ASK)
            self._show_heard_question(True)
            self.heard_yes_button.setFocus(Qt.FocusReason.OtherFocusReason)
        finally:
            self._playing = False
            if not self._closed:
                self.play_button.setText("&Play test sound")
                self._update_busy_state()

    def _on_heard(self, heard: bool) -> None:
        self._show_heard_question(False)
        if heard:
            self.speaker_verdict.set_verdict(VerdictKind.OK, SPEAKER_WORKING)
        else:
            self.speaker_verdict.set_verdict(VerdictKind.WARNING, SPEAKER_NOT_HEARD)
        self.play_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_heard_question(self, shown: bool) -> None:
        self._heard_row.setVisible(shown)

    def _update_busy_state(self) -> None:
        section = self._sections[DeviceKind.SPEAKER]
        can_play = section.listed and section.combo.isEnabled() and not self._playing
        self.play_button.setEnabled(can_play)

    @property
    def playing(self) -> bool:
        return self._playing
