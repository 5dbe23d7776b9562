"""When the schedule is fetched next: every 15 minutes while the hub answers, backing off while it
does not, and at once when the network comes back.

Plain Python: the clock is injected (monotonic seconds), so the rules are tested without waiting.
"""

from __future__ import annotations

from collections.abc import Callable

REFRESH_EVERY_S = 15 * 60.0
FIRST_RETRY_S = 5.0
MAX_RETRY_S = 5 * 60.0


class RefreshPolicy:
    """Decides when the next refresh is due; the caller reports how each refresh went.

    A new policy is due at once (the app wants fresh data at start).
    """

    def __init__(
        self,
        clock: Callable[[], float],
        every_s: float = REFRESH_EVERY_S,
        first_retry_s: float = FIRST_RETRY_S,
        max_retry_s: float = MAX_RETRY_S,
    ) -> None:
        if not 0 < first_retry_s <= max_retry_s:
            raise ValueError("the first retry must be positive and no longer than the longest")
        self._clock = clock
        self._every = every_s
        self._first_retry = first_retry_s
        self._max_retry = max_retry_s
        self._failures = 0
        self._due = clock()

    @property
    def failures(self) -> int:
        """Refreshes failed in a row (0 after a success)."""
        return self._failures

    @property
    def due(self) -> float:
        """The clock reading at which the next refresh is due."""
        return self._due

    def delay(self) -> float:
        """Seconds until the next refresh (0 when it is due)."""
        return max(0.0, self._due - self._clock())

    def succeeded(self) -> None:
        """Every source answered: the next refresh is a full period away."""
        self._failures = 0
        self._due = self._clock() + self._every

    def failed(self) -> None:
        """A source was unreachable: retry soon, twice as long after each failure, up to the cap."""
        self._failures += 1
        # min() before the power would overflow only after ~1000 failures; cap the exponent anyway.
        backoff = self._first_retry * 2 ** min(self._failures - 1, 32)
        self._due = self._clock() + min(backoff, self._max_retry)

    def network_changed(self, reachable: bool) -> None:
        """The network came back: refresh now, and back off afresh if the hub is still down.
        A network that went away changes nothing (the next refresh will find out)."""
        if reachable:
            self._failures = 0
            self._due = self._clock()
