"""Device listing and the pre-join device check: camera preview, microphone meter, test tone.

Every call here may block on a device (opening a camera can take a second), so callers run them
off the GUI thread. Failures raise OSError subclasses with a message fit for the user.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from echo_desktop.media.camera import CameraError, CameraMode, list_cameras
from echo_desktop.media.convert import display_pixels
from echo_desktop.media.frame_store import LatestFrameStore
from echo_desktop.media.microphone import BLOCK, RATE, MicrophoneError
from echo_desktop.media.speaker import SpeakerError
from echo_desktop.session.models import DeviceInfo, DeviceKind, VideoFrame

logger = logging.getLogger(__name__)

PREVIEW_FEED = 1


def list_devices(kind: DeviceKind) -> list[DeviceInfo]:
    """Devices of one kind, the system default first where the platform says which it is."""
    if kind is DeviceKind.CAMERA:
        cameras = list_cameras()
        return [
            DeviceInfo(kind, device_id, name, is_default=i == 0)
            for i, (device_id, name) in enumerate(cameras)
        ]
    try:
        import sounddevice

        devices: Any = sounddevice.query_devices()
        default_in, default_out = sounddevice.default.device
    except Exception:
        logger.warning("Audio devices could not be listed", exc_info=True)
        return []
    channels_key = "max_input_channels" if kind is DeviceKind.MICROPHONE else "max_output_channels"
    default = default_in if kind is DeviceKind.MICROPHONE else default_out
    found = [
        DeviceInfo(kind, str(index), str(device["name"]), is_default=index == default)
        for index, device in enumerate(devices)
        if int(device[channels_key]) > 0
    ]
    return sorted(found, key=lambda d: not d.is_default)


class OpenCvPreview:
    """A camera preview: a thread keeps the newest frame."""

    def __init__(self, device: str | None, mode: CameraMode | None = None) -> None:
        import cv2

        self._store = LatestFrameStore()
        device = device or "0"
        source: int | str = int(device) if device.isdigit() else device
        self._capture = cv2.VideoCapture(source)
        if not self._capture.isOpened():
            raise CameraError("The camera could not be opened. Is another program using it?")
        mode = mode or CameraMode()
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, mode.width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, mode.height)
        self._period = 1.0 / mode.fps
        self._running = True
        self.failed = False
        self._thread = threading.Thread(target=self._loop, name="camera-preview", daemon=True)
        self._thread.start()

    def _loop(self) -> None:

        while self._running:
            ok, bgr = self._capture.read()
            if not ok:
                self.failed = True
                break
            self._store.put(PREVIEW_FEED, display_pixels(cast(npt.NDArray[np.uint8], bgr), "bgr"))
            time.sleep(self._period / 4)  # files read instantly; cameras block in read()

    def latest_frame(self) -> VideoFrame | None:
        return self._store.get(PREVIEW_FEED)

    def close(self) -> None:
        self._running = False
        if self._thread.is_alive():
            self._thread.join(2.0)
        self._capture.release()


class SoundDeviceLevelMeter:
    """Peak level of the microphone over the last 100 ms."""

    def __init__(self, device: str | None) -> None:
        import sounddevice

        self._peaks: list[float] = [0.0] * 10
        self._index = 0
        self.blocks = 0
        try:
            self._stream = sounddevice.InputStream(
                samplerate=RATE, channels=1, dtype="int16", blocksize=BLOCK,
                device=int(device) if device and device.isdigit() else (device or None),
                callback=self._on_block,
            )  # fmt: skip
            self._stream.start()
        except Exception as exc:  # PortAudio raises several unrelated types
            raise MicrophoneError(f"The microphone could not be opened ({exc}).") from exc

    def _on_block(self, block: Any, frames: int, time_info: Any, status: Any) -> None:
        self._peaks[self._index % len(self._peaks)] = float(np.abs(block).max()) / 32768.0
        self._index += 1
        self.blocks += 1

    def level(self) -> float:
        return max(self._peaks)

    def close(self) -> None:
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:
            logger.debug("Closing the level meter failed", exc_info=True)


def test_tone(seconds: float, frequency: float = 440.0, level: float = 0.3) -> np.ndarray[Any, Any]:
    """A tone with 20 ms fades, so the test itself never clicks."""
    t = np.arange(int(RATE * seconds)) / RATE
    tone = np.sin(2 * math.pi * frequency * t) * level
    fade = int(RATE * 0.02)
    envelope = np.ones_like(tone)
    envelope[:fade] = np.linspace(0, 1, fade)
    envelope[-fade:] = np.linspace(1, 0, fade)
    return (tone * envelope * 32767).astype(np.int16)


def play_test_tone(device: str | None, seconds: float = 1.0) -> None:
    """Play a short tone on the chosen output and wait until it has played."""
    import sounddevice

    try:
        sounddevice.play(
            test_tone(seconds), RATE, device=int(device) if device and device.isdigit() else (device or None)
        )
        sounddevice.wait()
    except Exception as exc:  # PortAudio raises several unrelated types
        raise SpeakerError(f"The speaker could not play a sound ({exc}).") from exc


class MediaDevices:
    """The DevicePort: what the UI's device check and device menus use."""

    def list_devices(self, kind: DeviceKind) -> list[DeviceInfo]:
        return list_devices(kind)

    def open_camera_preview(self, device: str | None) -> OpenCvPreview:
        return OpenCvPreview(device)

    def open_level_meter(self, device: str | None) -> SoundDeviceLevelMeter:
        return SoundDeviceLevelMeter(device)

    def play_test_tone(self, device: str | None, seconds: float = 1.0) -> None:
        play_test_tone(device, seconds)
