"""One running device check resource (a camera preview, a level meter) that follows the user's pick.

Opening and closing run in worker threads, one at a time, so a camera is never opened twice.
When the user picks another device while one is still opening, the late arrival is closed
again at once; after `shutdown()` everything is closed in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from echo_desktop.ui.tasks import close_in_thread, run_detached

logger = logging.getLogger(__name__)


class Closable(Protocol):
    def close(self) -> None: ...


R = TypeVar("R", bound=Closable)


class DeviceSlot(Generic[R]):
    """Holds the resource opened for the current device pick, if any.

    Call `pick()` when the user chooses a device (it returns a ticket), then await
    `open(ticket, device)`; only the newest ticket's resource is kept.
    """

    def __init__(self, opener: Callable[[str | None], R], what: str) -> None:
        self._opener = opener
        self._what = what
        self._lock = asyncio.Lock()
        self._ticket = 0
        self._shut = False
        self.resource: R | None = None

    def pick(self) -> int:
        """A new pick: any open still under way is superseded. Returns the pick's ticket."""
        self._ticket += 1
        return self._ticket

    def is_current(self, ticket: int) -> bool:
        """True while `ticket` is the newest pick and the slot is not shut down."""
        return not self._shut and ticket == self._ticket

    async def open(self, ticket: int, device: str | None) -> R | None:
        """Close what runs, then open `device` (None: the system default) in a worker thread.

        Returns None when the pick was superseded meanwhile (what was opened is closed again).
        Raises whatever the opener raises (an OSError with a user-readable message).
        """
        async with self._lock:
            if not self.is_current(ticket):
                return None
            await self._close_running()
            resource = await asyncio.to_thread(self._opener, device)
            if not self.is_current(ticket):
                logger.debug("A %s opened after it was no longer wanted; closing it", self._what)
                await close_in_thread(resource, self._what)
                return None
            self.resource = resource
            return resource

    async def close(self) -> None:
        """Close what runs (in a worker thread), after any open under way."""
        self.pick()
        async with self._lock:
            await self._close_running()

    def shutdown(self) -> None:
        """Stop for good: close what runs in the background, and anything that opens late."""
        self._shut = True
        self._ticket += 1
        running, self.resource = self.resource, None
        if running is not None:
            run_detached(close_in_thread(running, self._what))

    async def _close_running(self) -> None:
        running, self.resource = self.resource, None
        if running is not None:
            await close_in_thread(running, self._what)
