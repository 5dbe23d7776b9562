"""The microphone: 48 kHz mono from sounddevice, in 20 ms frames for the encoder.

PortAudio calls back on its own thread with one 20 ms block per encoded frame; the echo canceller
cleans it there (as two of its 10 ms frames), then it is queued. Blocks of 20 ms add no delay:
the encoder waits for a whole 20 ms frame anyway. They halve the Python callbacks (and the GIL
hand-offs with the engine thread) against 10 ms blocks. The queue is bounded: if the encoder falls
behind, the oldest block goes, so latency never grows.
"""

from __future__ import annotations

import collections
import fractions
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media.media_clock import MediaClock
from echo_desktop.media.thread_signal import ThreadSignal

logger = logging.getLogger(__name__)

RATE = 48_000
BLOCK = RATE // 100  # 10 ms: the echo canceller's frame, and the device check's meter block
FRAME = 2 * BLOCK  # 20 ms: one encoded frame, and one capture callback
MAX_QUEUED_FRAMES = 10  # 200 ms
STALL_S = 1.5  # no audio for this long means the device is gone

Pcm = np.ndarray[Any, np.dtype[np.int16]]


class CaptureProcessor(Protocol):
    """Echo cancellation and friends, applied to each capture block (a whole number of 10 ms)."""

    def capture(self, near_end: Pcm) -> Pcm: ...


def cleaned(processor: CaptureProcessor | None, pcm: Pcm) -> Pcm:
    """`pcm` through the processor. If the processor fails, the failure is logged and the raw
    audio goes on: a broken echo canceller must not silence the speaker or end the track."""
    if processor is None:
        return pcm
    try:
        return processor.capture(pcm)
    except Exception:
        logger.exception("Capture processing failed; sending the raw audio")
        return pcm


class MicrophoneError(OSError):
    """The microphone could not be opened."""


class MicrophoneTrack(MediaStreamTrack):
    """Audio from a sounddevice InputStream."""

    kind = "audio"

    def __init__(
        self,
        device: str | None = None,
        processor: CaptureProcessor | None = None,
        clock: MediaClock | None = None,
        on_level: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__()
        import sounddevice

        self.device = device
        self._processor = processor
        self._clock = clock or MediaClock()
        self._on_level = on_level
        self._frames: collections.deque[Pcm] = collections.deque(maxlen=MAX_QUEUED_FRAMES)
        self._ready = ThreadSignal()
        self._pts: int | None = None
        self._last_block_at = time.monotonic()
        self.lost = False
        self.blocks_captured = 0
        try:
            self._stream = sounddevice.InputStream(
                samplerate=RATE,
                channels=1,
                dtype="int16",
                blocksize=FRAME,
                device=_device(device),
                callback=self._on_block,
                finished_callback=self._on_finished,
            )
            self._stream.start()
        except Exception as exc:  # PortAudio raises several unrelated types
            raise MicrophoneError(str(exc)) from exc

    def _on_block(self, block: Pcm, frames: int, time_info: Any, status: Any) -> None:
        pcm = cleaned(self._processor, block[:, 0].copy())
        self._frames.append(pcm)
        self.blocks_captured += 1
        self._last_block_at = time.monotonic()
        if self._on_level is not None:
            self._on_level(float(np.abs(pcm).max()) / 32768.0)
        self._ready.set()

    def _on_finished(self) -> None:
        if self.readyState == "live":
            logger.warning("The microphone stream ended")
            self.lost = True
            self._ready.set()

    @property
    def stalled(self) -> bool:
        """True when the device has stopped delivering audio (unplugged, or taken away)."""
        return self.lost or time.monotonic() - self._last_block_at > STALL_S

    async def recv(self) -> av.AudioFrame:
        while not self._frames:
            if self.readyState != "live" or self.lost:
                self.stop()
                raise MediaStreamError
            await self._ready.wait(0.5)
        pcm = self._frames.popleft()
        if self._pts is None:
            self._pts = self._clock.audio_pts(RATE)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, RATE)
        self._pts += FRAME
        return frame

    def stop(self) -> None:
        super().stop()
        self._ready.set()  # a recv parked on the signal returns now, not after its timeout
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:
            logger.debug("Closing the microphone stream failed", exc_info=True)


def _device(device: str | None) -> int | str | None:
    if device is None or device == "":
        return None
    return int(device) if device.isdigit() else device
