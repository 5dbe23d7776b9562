"""Single sessions of the store's series, found the way every client finds them: in the feed.

The hub's own feed is expanded with `schedule.occurrences` (recurring-ical-events), so a moved
session is found at its new time, a cancelled one not at all, and the service can never disagree
with what it publishes. No RRULE engine of our own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from echo_desktop.hub.program_service.store import MAX_SESSION, ProgramStore, StoreError
from echo_desktop.schedule.feed import build_feed
from echo_desktop.schedule.lobby import ROOM_OPENS_BEFORE
from echo_desktop.schedule.occurrences import occurrences


@dataclass(frozen=True)
class HubSession:
    """One session of a series: where it is held and when (aware, UTC)."""

    program_id: int
    uid: str
    title: str
    room: int
    start: datetime
    end: datetime

    @property
    def opens(self) -> datetime:
        """When its room opens (the hub makes the room then)."""
        return self.start - ROOM_OPENS_BEFORE


def find_session(store: ProgramStore, uid: str, start: datetime) -> HubSession | None:
    """The session of series `uid` that starts at `start` (aware), or None (no such series, no
    session then, or cancelled)."""
    program_id = store.program_of_series(uid)
    if program_id is None:
        return None
    start = start.astimezone(UTC)
    found = _sessions(store, program_id, start, start + timedelta(seconds=1))
    return next((s for s in found if s.uid == uid and s.start == start), None)


def sessions_starting(store: ProgramStore, start: datetime, end: datetime) -> list[HubSession]:
    """Every program's sessions that start in [start, end), in time order."""
    found = [s for program_id in store.program_ids() for s in _sessions(store, program_id, start, end)]
    return sorted(found, key=lambda s: (s.start, s.uid))


def sessions_with_open_rooms(store: ProgramStore, now: datetime) -> list[HubSession]:
    """The sessions whose room should exist at `now`: opened, and not yet ended."""
    candidates = sessions_starting(store, now - MAX_SESSION, now + ROOM_OPENS_BEFORE + timedelta(seconds=1))
    return [s for s in candidates if s.opens <= now < s.end]


def _sessions(store: ProgramStore, program_id: int, start: datetime, end: datetime) -> list[HubSession]:
    try:
        schedule = store.schedule(program_id)
    except StoreError:
        return []  # removed since it was listed
    rooms = {series.uid: series.room for _, series in schedule.series}
    feed = build_feed(
        schedule.program.name,
        schedule.program.time_zone,
        [series for _, series in schedule.series],
        schedule.changed_at,
    )
    return [
        HubSession(program_id, o.uid, o.title, room, o.start.astimezone(UTC), o.end.astimezone(UTC))
        for o in occurrences(feed, start, end)
        if (room := rooms.get(o.uid)) is not None
    ]
