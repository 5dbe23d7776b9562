"""The newest decoded frame per feed, handed from the engine thread to the GUI thread.

Only the latest frame is kept: a slow painter skips frames instead of queueing them.
"""

from __future__ import annotations

import threading

from echo_desktop.session.models import Rgb32Array, VideoFrame


class LatestFrameStore:
    """Thread-safe map of feed id to its newest frame."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frames: dict[int, VideoFrame] = {}

    def put(self, feed_id: int, pixels: Rgb32Array) -> None:
        with self._lock:
            previous = self._frames.get(feed_id)
            seq = previous.seq + 1 if previous else 1
            self._frames[feed_id] = VideoFrame(pixels=pixels, seq=seq)

    def get(self, feed_id: int) -> VideoFrame | None:
        with self._lock:
            return self._frames.get(feed_id)

    def discard(self, feed_id: int) -> None:
        with self._lock:
            self._frames.pop(feed_id, None)

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
