"""Reads the test card's frame counter from every received frame: proof that video moves.

The probe, the tests and the benches send a moving test card whose frames carry a counter
(media.frame_code). A receiver that reads the counter back knows each feed's picture advances,
not just that frames arrive. A clinic's camera pictures carry no counter, so only the probe and
the tools attach a reader, as the engine's frame observer; the app never scans its frames.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from echo_desktop.media import frame_code
from echo_desktop.session.models import Rgb32Array


@dataclass(frozen=True)
class CardProgress:
    """What one feed's counters showed: the first and last read, and how often it moved on."""

    first: int | None = None
    last: int | None = None
    advances: int = 0


class TestCardReader:
    """A frame observer (called on the engine thread) that keeps each feed's counter progress."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._progress: dict[int, CardProgress] = {}

    def __call__(self, feed_id: int, pixels: Rgb32Array) -> None:
        counter = frame_code.read(pixels)
        if counter is None:
            return
        with self._lock:
            seen = self._progress.get(feed_id)
            if seen is None:
                self._progress[feed_id] = CardProgress(counter, counter, 0)
            elif counter != seen.last:
                self._progress[feed_id] = CardProgress(seen.first, counter, seen.advances + 1)

    def progress(self, feed_id: int) -> CardProgress:
        """Thread-safe; an unseen feed has no counters and no advances."""
        with self._lock:
            return self._progress.get(feed_id, CardProgress())
