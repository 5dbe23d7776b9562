"""One clock per publisher, so media timestamps never jump back when a track is replaced.

aiortc turns frame pts into RTP timestamps. If a new camera or microphone track started again at
zero, receivers would see time go backwards and drop frames, so every local track takes its
timestamps from the publisher's shared clock.
"""

from __future__ import annotations

import fractions
import time

VIDEO_CLOCK = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)


class MediaClock:
    """Monotonic time since the publisher started."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def video_pts(self) -> int:
        """The 90 kHz timestamp for a video frame captured now."""
        return int(self.elapsed() * VIDEO_CLOCK)

    def audio_pts(self, rate: int) -> int:
        """The sample-count timestamp for audio captured now."""
        return int(self.elapsed() * rate)
