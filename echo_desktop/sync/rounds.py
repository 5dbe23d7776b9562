"""The background rounds both syncs run (the schedule's refresh, the cases' send-and-pull).

One round at a time: a round asked for while one is under way (the window's at start, `run()`'s)
waits for that one and gets its result. `run()` starts rounds whenever the `RefreshPolicy` says,
and at once when the network comes back. `wait_checked()` returns once a round has finished in
this process, whether it reached the hubs or not: the app starts its later work after it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

from echo_desktop.schedule.refresh_policy import RefreshPolicy

T = TypeVar("T")


class Rounds(Generic[T]):
    """Runs `round_` (a coroutine function) as described above; use it on one event loop."""

    def __init__(
        self, round_: Callable[[], Coroutine[Any, Any, T]], policy: RefreshPolicy, name: str
    ) -> None:
        self._round = round_
        self._name = name
        self.policy = policy
        self._in_flight: asyncio.Task[T] | None = None  # the round under way
        self._wake: asyncio.Event | None = None
        self._checked = asyncio.Event()  # set once a round has finished in this process

    @property
    def checked(self) -> bool:
        return self._checked.is_set()

    def mark_checked(self) -> None:
        """A round has finished (the round itself says so, before it publishes its result)."""
        self._checked.set()

    async def wait_checked(self) -> None:
        await self._checked.wait()

    async def refresh(self) -> T:
        """A round now, or the one under way."""
        task = self._in_flight
        if task is None:
            task = asyncio.create_task(self._round(), name=self._name)
            self._in_flight = task
            task.add_done_callback(self._round_done)
        # Shielded: one caller given up (a closed dialog) must not cancel the others' round.
        return await asyncio.shield(task)

    def network_changed(self, reachable: bool) -> None:
        self.policy.network_changed(reachable)
        if reachable and self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Rounds whenever the policy says, until cancelled; a failed round backs off (the round
        tells the policy), it never ends the loop."""
        self._wake = asyncio.Event()
        while True:
            delay = self.policy.delay()
            if delay > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
                continue
            await self.refresh()

    async def cancel(self) -> None:
        """End the round under way, if any, and wait for it to end."""
        if self._in_flight is not None:
            self._in_flight.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._in_flight

    def _round_done(self, task: asyncio.Task[T]) -> None:
        if self._in_flight is task:
            self._in_flight = None
