"""Real capture devices: the webcam (opencv) and the microphone (sounddevice).

Capture runs off the event loop: the camera in its own thread, the microphone in PortAudio's
callback thread. Only the newest video frame is kept, and the audio queue is bounded (the oldest
block is dropped), so nothing grows when the encoder falls behind.
"""

from __future__ import annotations

import asyncio
import collections
import fractions
import logging
import threading
import time
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media.local_media import LocalMedia
from echo_desktop.media.synthetic import AUDIO_PTIME, AUDIO_RATE, VIDEO_CLOCK

logger = logging.getLogger(__name__)

Array = np.ndarray[Any, np.dtype[Any]]


class CameraTrack(MediaStreamTrack):
    """Frames from an opencv VideoCapture, read in a thread; the latest frame always wins."""

    kind = "video"

    def __init__(self, source: int | str = 0, width: int = 640, height: int = 480, fps: float = 15.0) -> None:
        super().__init__()
        import cv2

        self._cv2 = cv2
        self._capture = cv2.VideoCapture(source)
        if not self._capture.isOpened():
            raise OSError(f"camera {source!r} could not be opened")
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._capture.set(cv2.CAP_PROP_FPS, fps)
        self._fps = fps
        self._latest: Array | None = None
        self._lock = threading.Lock()
        self._arrived = threading.Event()
        self._running = True
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._read_loop, name="camera", daemon=True)
        self._thread.start()

    def _read_loop(self) -> None:
        while self._running:
            ok, bgr = self._capture.read()
            if not ok:
                logger.warning("The camera stopped delivering frames")
                break
            with self._lock:
                self._latest = bgr
            self._arrived.set()
        self._running = False
        self._arrived.set()

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        arrived = await asyncio.to_thread(self._arrived.wait, 2.0)
        with self._lock:
            bgr, self._latest = self._latest, None
            self._arrived.clear()
        if not arrived or bgr is None:
            if not self._running:
                self.stop()
                raise MediaStreamError
            return await self.recv()
        frame = av.VideoFrame.from_ndarray(bgr, format="bgr24")
        frame.pts = int((time.monotonic() - self._start) * VIDEO_CLOCK)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        return frame

    def stop(self) -> None:
        super().stop()
        self._running = False
        self._capture.release()


class MicrophoneTrack(MediaStreamTrack):
    """48 kHz mono in 20 ms frames from sounddevice, with a bounded queue."""

    kind = "audio"
    MAX_QUEUED = 10  # 200 ms; beyond that the oldest block is dropped

    def __init__(self, device: int | str | None = None) -> None:
        super().__init__()
        import sounddevice

        self._blocks: collections.deque[Array] = collections.deque(maxlen=self.MAX_QUEUED)
        self._ready = threading.Event()
        self._samples = int(AUDIO_RATE * AUDIO_PTIME)
        self._pts = 0
        self._stream = sounddevice.InputStream(
            samplerate=AUDIO_RATE,
            channels=1,
            dtype="int16",
            blocksize=self._samples,
            device=device,
            callback=self._on_block,
        )
        self._stream.start()

    def _on_block(self, block: Array, frames: int, time_info: Any, status: Any) -> None:
        self._blocks.append(block.copy())
        self._ready.set()

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        while not self._blocks:
            self._ready.clear()
            if not await asyncio.to_thread(self._ready.wait, 1.0) and not self._stream.active:
                self.stop()
                raise MediaStreamError
        block = self._blocks.popleft()
        frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._pts += block.shape[0]
        return frame

    def stop(self) -> None:
        super().stop()
        self._stream.stop()
        self._stream.close()


def device_media(camera: int | str = 0) -> LocalMedia:
    """Open the camera and microphone; whatever is missing is reported, and the call goes on."""
    notices: list[str] = []
    video: MediaStreamTrack | None = None
    audio: MediaStreamTrack | None = None
    try:
        video = CameraTrack(camera)
    except OSError as exc:
        logger.warning("No camera: %s", exc)
        notices.append("No camera was found. You will join with audio only.")
    try:
        audio = MicrophoneTrack()
    except Exception as exc:  # noqa: BLE001 - PortAudio raises several unrelated types
        logger.warning("No microphone: %s", exc)
        notices.append("No microphone was found. You will join listen-only.")
    return LocalMedia(audio=audio, video=video, notices=notices)
