"""Synthetic media for the probe, demos and tests: a moving test card and a tone.

The test card carries a frame counter (frame_code) and moves every frame, so a receiver can tell
live video from a frozen one by content. Both tracks pace themselves in real time.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from typing import Any

import av
import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media import frame_code
from echo_desktop.media.convert import encoder_frame
from echo_desktop.media.media_clock import MediaClock
from echo_desktop.media.microphone import CaptureProcessor, cleaned

VIDEO_CLOCK = 90_000
AUDIO_RATE = 48_000
AUDIO_PTIME = 0.020


class _Pacer:
    """Sleeps until the n-th period after the first call; never drifts."""

    def __init__(self, period: float) -> None:
        self.period = period
        self.count = 0
        self._start: float | None = None

    async def next(self) -> int:
        if self._start is None:
            self._start = time.monotonic()
        else:
            self.count += 1
            delay = self._start + self.count * self.period - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        return self.count


class TestPatternTrack(MediaStreamTrack):
    """A moving colour test card with the sender's name and a frame counter.

    With `stamp_time=True` each frame also carries, in a second code strip, the wall-clock time
    (`time.time()`, ms modulo 65536) at which it left this track for the encoder, so a receiver on
    the same machine can measure glass-to-glass latency (`frame_code.read_clock`).
    """

    kind = "video"

    def __init__(
        self,
        label: str,
        width: int = 640,
        height: int = 480,
        fps: float = 15.0,
        *,
        stamp_time: bool = False,
        clock: MediaClock | None = None,
    ) -> None:
        super().__init__()
        # Offset by the publisher clock: a replacement track must not start time again at zero.
        self._pts_base = clock.video_pts() if clock is not None else 0
        self._label = label[:40]
        self._width = width
        self._height = height
        self._fps = fps
        self._stamp_time = stamp_time
        self._pacer = _Pacer(1.0 / fps)
        # A horizontal hue ramp, rolled one step per frame, is cheap and visibly moving.
        ramp = np.linspace(0, 179, width, dtype=np.float32).astype(np.uint8)
        hsv = np.zeros((height, width, 3), dtype=np.uint8)
        hsv[..., 0] = ramp[None, :]
        hsv[..., 1] = 140
        hsv[..., 2] = 150
        self._background = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)

    def render(self, counter: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
        """Draw frame number `counter` as an RGB array."""
        image: np.ndarray[Any, np.dtype[np.uint8]] = np.roll(self._background, counter * 4, axis=1)
        w, h = self._width, self._height
        # A bouncing square makes motion obvious to a person watching.
        x = int((math.sin(counter / 10) * 0.4 + 0.5) * (w - 80))
        cv2.rectangle(image, (x, h // 2 - 40), (x + 80, h // 2 + 40), (255, 255, 255), -1)
        # Text sits near the top: the receiving app draws its own caption along the bottom.
        scale = h / 480
        font = cv2.FONT_HERSHEY_SIMPLEX
        top = int(h * frame_code.STRIP_FRACTION) + int(40 * scale)
        if self._stamp_time:
            top += frame_code.strip_height(h)  # the clock strip sits below the counter strip
        for colour, weight in (((0, 0, 0), 5), ((255, 255, 255), 2)):
            cv2.putText(image, self._label, (int(16 * scale), top), font, 1.0 * scale, colour, weight)
        cv2.putText(image, f"test card #{counter}", (int(16 * scale), top + int(34 * scale)), font,
                    0.7 * scale, (255, 255, 255), 2)  # fmt: skip
        frame_code.stamp(image, counter)
        return image

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        counter = await self._pacer.next()
        image = self.render(counter)
        if self._stamp_time:
            # Stamped last, as the frame leaves for the encoder: drawing the card is not counted.
            frame_code.stamp_clock(image, int(time.time() * 1000))
        frame = encoder_frame(image, "rgb")
        frame.pts = self._pts_base + int(counter * VIDEO_CLOCK / self._fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        return frame


class ToneTrack(MediaStreamTrack):
    """A quiet sine tone, 48 kHz mono, in 20 ms frames.

    With a `processor` (the echo canceller) each frame goes through it as a microphone block
    would: the test tone then stands in for a microphone the way a browser's fake device does.
    """

    kind = "audio"

    def __init__(
        self,
        frequency: float = 440.0,
        level: float = 0.1,
        clock: MediaClock | None = None,
        processor: CaptureProcessor | None = None,
    ) -> None:
        super().__init__()
        self._processor = processor
        self._pts_base = clock.audio_pts(AUDIO_RATE) if clock is not None else 0
        self._samples = int(AUDIO_RATE * AUDIO_PTIME)
        self._pacer = _Pacer(AUDIO_PTIME)
        self._phase_step = 2 * math.pi * frequency / AUDIO_RATE
        self._amplitude = int(32767 * level)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        count = await self._pacer.next()
        start = count * self._samples
        t = np.arange(start, start + self._samples, dtype=np.float64)
        samples = (np.sin(t * self._phase_step) * self._amplitude).astype(np.int16)
        samples = cleaned(self._processor, samples)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._pts_base + start
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        return frame
