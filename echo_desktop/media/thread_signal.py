"""A device thread waking a coroutine on the engine loop, without a thread hop in between.

Capture threads (PortAudio's callback, the camera reader) produce 65 blocks or frames a second.
Waiting for them with `asyncio.to_thread(event.wait)` parks an executor thread per wait and costs
two extra context switches each time; here the producer schedules the wake-up on the loop itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class ThreadSignal:
    """An auto-reset flag: `set` from any thread, `wait` from one coroutine at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flag = False
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None

    def set(self) -> None:
        """Raise the flag, and wake the waiting coroutine if there is one (thread-safe)."""
        with self._lock:
            self._flag = True
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            loop, future = waiter
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                loop.call_soon_threadsafe(_wake, future)

    async def wait(self, timeout: float) -> bool:
        """Wait until the flag is raised, then lower it; False if `timeout` seconds pass first."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._flag:
                self._flag = False
                return True
            future: asyncio.Future[None] = loop.create_future()
            self._waiter = (loop, future)
        timer = loop.call_later(timeout, _wake, future)
        try:
            await future
        finally:
            timer.cancel()
            with self._lock:
                if self._waiter is not None and self._waiter[1] is future:
                    self._waiter = None
                raised, self._flag = self._flag, False
        return raised
