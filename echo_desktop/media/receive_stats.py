"""Per-feed receive statistics, updated on the engine thread and read from any thread."""

from __future__ import annotations

import copy
import threading
import time

from echo_desktop.session.models import FeedStats


class ReceiveStats:
    """Counts decoded frames, and measures the first frame's delay and the frame rate."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._feeds: dict[int, FeedStats] = {}
        self._since: dict[int, float] = {}
        self._first_at: dict[int, float] = {}
        self._last_at: dict[int, float] = {}

    def add_feed(self, feed_id: int, display: str, since: float) -> None:
        """Start counting a feed; `since` (monotonic) is when we started waiting for it."""
        with self._lock:
            if feed_id not in self._feeds:
                self._feeds[feed_id] = FeedStats(feed_id=feed_id, display=display)
                self._since[feed_id] = since

    def set_codec(self, feed_id: int, codec: str) -> None:
        with self._lock:
            if feed_id in self._feeds and codec:
                self._feeds[feed_id].codec = codec

    def remove_feed(self, feed_id: int) -> None:
        with self._lock:
            self._feeds.pop(feed_id, None)

    def on_video_frame(self, feed_id: int) -> bool:
        """Record one decoded frame; True if it was the feed's first."""
        now = time.monotonic()
        with self._lock:
            stats = self._feeds.get(feed_id)
            if stats is None:
                return False
            first = stats.frames_decoded == 0
            stats.frames_decoded += 1
            if first:
                self._first_at[feed_id] = now
                stats.first_frame_s = now - self._since[feed_id]
            self._last_at[feed_id] = now
            span = now - self._first_at[feed_id]
            if span > 0:
                stats.fps = (stats.frames_decoded - 1) / span
            return first

    def on_audio_frame(self, feed_id: int) -> bool:
        """Record one decoded audio frame; True if it was the feed's first."""
        with self._lock:
            stats = self._feeds.get(feed_id)
            if stats is None:
                return False
            stats.audio_frames_decoded += 1
            return stats.audio_frames_decoded == 1

    def clear(self) -> None:
        """Forget every feed (the call ended)."""
        with self._lock:
            self._feeds.clear()
            self._since.clear()
            self._first_at.clear()
            self._last_at.clear()

    def snapshot(self) -> list[FeedStats]:
        with self._lock:
            return [copy.deepcopy(s) for s in self._feeds.values()]
