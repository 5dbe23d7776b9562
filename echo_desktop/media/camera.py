"""The webcam, read with opencv in its own thread: the newest frame always wins.

A path instead of a camera index reads a video file at its own frame rate, which is how the
tests exercise this exact class without a camera.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media.convert import encoder_frame
from echo_desktop.media.media_clock import VIDEO_TIME_BASE, MediaClock
from echo_desktop.media.thread_signal import ThreadSignal

logger = logging.getLogger(__name__)

DEFAULT_WIDTH = 640
DEFAULT_HEIGHT = 480
DEFAULT_FPS = 15.0  # weak rural links: VGA at 15 fps
MAX_PROBED_INDEXES = 6

Bgr = np.ndarray[Any, np.dtype[np.uint8]]


@dataclass(frozen=True)
class CameraMode:
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    fps: float = DEFAULT_FPS


class CameraError(OSError):
    """The camera could not be opened or stopped delivering frames."""


def list_cameras() -> list[tuple[str, str]]:
    """(device id, human name) for each camera found; names come from the OS where it gives them."""
    cameras: list[tuple[str, str]] = []
    sysfs = Path("/sys/class/video4linux")
    if sysfs.is_dir():
        for node in sorted(sysfs.iterdir(), key=lambda p: p.name):
            index = node.name.removeprefix("video")
            name_file = node / "name"
            name = name_file.read_text().strip() if name_file.exists() else node.name
            # Each UVC camera exposes a metadata node too; only capture nodes have index 0.
            index_file = node / "index"
            if index_file.exists() and index_file.read_text().strip() != "0":
                continue
            if index.isdigit():
                cameras.append((index, name))
        return cameras
    import cv2

    for number in range(MAX_PROBED_INDEXES):  # other platforms: probe the first few indexes
        capture = cv2.VideoCapture(number)
        try:
            if capture.isOpened():
                cameras.append((str(number), f"Camera {number + 1}"))
        finally:
            capture.release()
    return cameras


def _source(device: str) -> int | str:
    return int(device) if device.isdigit() else device


class CameraTrack(MediaStreamTrack):
    """Video from an opencv VideoCapture (a camera index, or a file path for tests)."""

    kind = "video"

    def __init__(
        self, device: str = "0", mode: CameraMode | None = None, clock: MediaClock | None = None
    ) -> None:
        super().__init__()
        import cv2

        self.mode = mode or CameraMode()
        self.device = device
        self._clock = clock or MediaClock()
        source = _source(device)
        self._is_file = isinstance(source, str) and os.path.isfile(source)
        self._capture = cv2.VideoCapture(source)
        if not self._capture.isOpened():
            raise CameraError(f"camera {device!r} could not be opened")
        if not self._is_file:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.mode.width)
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.mode.height)
            self._capture.set(cv2.CAP_PROP_FPS, self.mode.fps)
        self._latest: av.VideoFrame | None = None  # converted for the encoder, not yet stamped
        self._lock = threading.Lock()
        self._arrived = ThreadSignal()
        self._running = True
        self.failed = False
        self.frames_read = 0
        self.frames_dropped = 0
        self._thread = threading.Thread(target=self._read_loop, name=f"camera-{device}", daemon=True)
        self._thread.start()

    def _read_loop(self) -> None:
        period = 1.0 / self.mode.fps
        next_at = time.monotonic()
        while self._running:
            ok, image = self._capture.read()
            bgr = cast(Bgr, image)
            if not ok:
                if self._running:
                    logger.warning("The camera stopped delivering frames")
                    self.failed = True
                break
            # Converted here, off the engine loop, which is the busiest thread in a call.
            frame = encoder_frame(bgr, "bgr")
            with self._lock:
                if self._latest is not None:
                    self.frames_dropped += 1  # the encoder was slower: the newer frame wins
                self._latest = frame
                self.frames_read += 1
            self._arrived.set()
            if self._is_file:  # a file reads instantly; pace it like a camera
                next_at += period
                time.sleep(max(0.0, next_at - time.monotonic()))
        self._running = False
        self._arrived.set()

    async def recv(self) -> av.VideoFrame:
        """The newest frame, stamped with the publisher clock at the time it is handed on."""
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            with self._lock:
                frame, self._latest = self._latest, None
            if frame is not None:
                break
            if not self._running:
                # Checked before waiting: a reader that failed right after its last frame raised
                # the signal only once, for that frame.
                self.stop()
                raise MediaStreamError
            await self._arrived.wait(1.0)
        frame.pts = self._clock.video_pts()
        frame.time_base = VIDEO_TIME_BASE
        return frame

    def stop(self) -> None:
        super().stop()
        self._running = False
        self._arrived.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self._capture.release()
