"""The room keeper: each session's Janus room exists from 20 minutes before it starts to its end.

Every few seconds (and whenever someone asks to join) the keeper compares what should exist,
from the schedule and an injected clock, with Janus:
- a session whose room has opened gets its room, with the PIN and secret kept for it in the store
  (`session_rooms`), so a room made again after a Janus restart has the same PIN;
- an open room that Janus no longer has (it restarted) is made again;
- a room whose session has ended, or was cancelled or moved, is destroyed.

Janus is behind a small port (`JanusRooms`: create, exists, destroy), implemented over the Janus
client by `hub.rooms.JanusVideoRooms`. PINs and secrets never reach a log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from echo_desktop.hub.program_service.sessions import HubSession, sessions_with_open_rooms
from echo_desktop.hub.program_service.store import ProgramStore, SessionRoom
from echo_desktop.session.errors import EchoError

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 3.0


class JanusRooms(Protocol):
    """What the keeper asks of Janus."""

    async def create(self, room: int, pin: str, secret: str, description: str) -> None:
        """Create the room (no change if it exists)."""
        ...

    async def exists(self, room: int) -> bool: ...

    async def destroy(self, room: int, secret: str) -> None:
        """Destroy the room (no change if it is gone)."""
        ...


class RoomKeeper:
    """Keeps Janus's rooms in step with the schedule. Runs on the service's loop."""

    def __init__(
        self,
        store: ProgramStore,
        rooms: JanusRooms,
        now: Callable[[], datetime],
        check_every: float = CHECK_EVERY_S,
    ) -> None:
        self._store = store
        self._rooms = rooms
        self._now = now
        self._check_every = check_every
        self._lock = asyncio.Lock()  # one pass at a time: a join never races a check
        self._failing = False
        self.passes = 0  # completed checks (tests wait on it)

    async def ensure_open(self, session: HubSession) -> SessionRoom:
        """The session's room record, once its room exists on Janus (made now if it must be)."""
        async with self._lock:
            return await self._open(session)

    async def check(self) -> None:
        """One pass: destroy the rooms that are over, make the ones that are due or were lost."""
        async with self._lock:
            due = sessions_with_open_rooms(self._store, self._now())
            due_keys = {(s.uid, s.start) for s in due}
            due_rooms = {s.room for s in due}
            for record in self._store.open_rooms():
                if (record.series_uid, record.start) not in due_keys:
                    await self._close(record, shared=record.room in due_rooms)
            for session in due:
                await self._open(session)
            self.passes += 1

    async def run(self) -> None:
        """Check every few seconds until cancelled; Janus being away is logged once, not raised."""
        while True:
            try:
                await self.check()
            except (EchoError, OSError) as exc:
                if not self._failing:
                    logger.warning("Cannot keep the session rooms on Janus just now: %s", exc)
                self._failing = True
            else:
                if self._failing:
                    logger.info("Janus answers again; the session rooms are in step")
                self._failing = False
            await asyncio.sleep(self._check_every)

    async def _open(self, session: HubSession) -> SessionRoom:
        record = self._store.session_room(session.uid, session.start)
        if not await self._rooms.exists(record.room):
            again = record.created_at is not None and record.destroyed_at is None
            await self._rooms.create(record.room, record.pin, record.secret, session.title)
            self._store.mark_room_created(session.uid, session.start)
            logger.info(
                "%s room %d for %s (%s)",
                "Made again" if again else "Opened",
                record.room,
                session.uid,
                session.start.isoformat(),
            )
        elif record.created_at is None or record.destroyed_at is not None:
            self._store.mark_room_created(session.uid, session.start)
        return record

    async def _close(self, record: SessionRoom, shared: bool) -> None:
        # A moved session may overlap the next one of its series, in the same room: that one
        # keeps the room, this record is only closed.
        if not shared:
            await self._rooms.destroy(record.room, record.secret)
        self._store.mark_room_destroyed(record.series_uid, record.start)
        logger.info("Closed room %d for %s (%s)", record.room, record.series_uid, record.start.isoformat())
