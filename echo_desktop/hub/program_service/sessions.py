"""Single sessions of the store's series, found the way every client finds them: in the feed.

The hub's own feed is expanded with `schedule.occurrences` (recurring-ical-events), so a moved
session is found at its new time, a cancelled one not at all, and the service can never disagree
with what it publishes. No RRULE engine of our own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from echo_desktop.hub.program_service.store import MAX_SESSION, ProgramStore, StoreError
from echo_desktop.schedule.feed import build_feed
from echo_desktop.schedule.lobby import ROOM_OPENS_BEFORE
from echo_desktop.schedule.occurrences import occurrences
from echo_desktop.schedule.series import Frequency, Series


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


def cancel_session(store: ProgramStore, uid: str, day: date) -> None:
    """Cancel the session series `uid` has on `day`; StoreError if its rule gives it none then."""
    _require_session_on(store, uid, day)
    store.cancel(uid, day)


def move_session(store: ProgramStore, uid: str, day: date, new_start: datetime) -> None:
    """Move the session series `uid` has on `day` to `new_start` (wall-clock, the program's zone);
    StoreError if its rule gives it none on `day`."""
    _require_session_on(store, uid, day)
    store.move(uid, day, new_start)


def _require_session_on(store: ProgramStore, uid: str, day: date) -> None:
    """Raise StoreError unless the series' own rule puts a session on `day`.

    The rule is read without the series' exceptions, so a cancelled or moved date may be changed
    again; a date the rule never reaches would make an EXDATE that removes nothing, or an override
    that adds a session nobody scheduled.
    """
    program_id = store.program_of_series(uid)
    if program_id is None:
        raise StoreError(f"there is no series {uid!r}")
    schedule = store.schedule(program_id)
    series = next((series for _, series in schedule.series if series.uid == uid), None)
    if series is None:
        raise StoreError(f"there is no series {uid!r}")
    zone = ZoneInfo(schedule.program.time_zone)
    rule_only = replace(series, cancelled=frozenset(), moved={})
    feed = build_feed(schedule.program.name, schedule.program.time_zone, [rule_only], schedule.changed_at)
    midnight = datetime.combine(day, time(), zone)
    found = occurrences(feed, midnight, datetime.combine(day + timedelta(days=1), time(), zone))
    if not any(o.start.astimezone(zone).date() == day for o in found):
        raise StoreError(
            f"{series.title!r} has no session on {day.isoformat()} (a {day:%A}): "
            f"it meets {describe_rule(series)}"
        )


def describe_rule(series: Series) -> str:
    """When a series meets, in words: "every Thursday at 09:00, from 2026-10-22 until 2026-12-17"."""
    first = series.first_start
    at = f"at {first:%H:%M}"
    if series.frequency is Frequency.ONCE:
        return f"once, on {first:%A %Y-%m-%d} {at}"
    if series.frequency is Frequency.WEEKLY:
        weeks = f"every {series.interval} weeks on" if series.interval > 1 else "every"
        rule = f"{weeks} {first:%A} {at}"
    else:
        months = f"every {series.interval} months" if series.interval > 1 else "every month"
        rule = f"on day {first.day} of {months} {at}"
    until = f" until {series.until.isoformat()}" if series.until else ""
    return f"{rule}, from {first.date().isoformat()}{until}"


SHIFT_HORIZON = timedelta(days=2 * 366)
"""How far ahead an open-ended series is searched for sessions a daylight-saving change moves."""


def real_wall_clock(moment: datetime, time_zone: str) -> datetime:
    """The wall-clock time `moment` (naive, in `time_zone`) really falls at: itself, unless the
    zone skips it (the hour the clocks go forward), when it is where calendars put it (02:30 is
    read as 03:30)."""
    zone = ZoneInfo(time_zone)
    return moment.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)


def shifted_sessions(series: Series, program: str, time_zone: str) -> list[datetime]:
    """The sessions of a series that a daylight-saving change moves off its wall-clock time,
    each as the wall-clock time it really starts (read from the series' feed, within its end or
    SHIFT_HORIZON)."""
    zone = ZoneInfo(time_zone)
    first = series.first_start.replace(tzinfo=zone)
    last = first + SHIFT_HORIZON
    if series.until is not None:
        last = min(last, datetime.combine(series.until + timedelta(days=1), time(), zone))
    feed = build_feed(program, time_zone, [series], first)
    found = []
    for occurrence in occurrences(feed, first, last):
        # Through UTC: astimezone to the same zone would keep a skipped time as it is.
        wall = occurrence.start.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if occurrence.uid == series.uid and not occurrence.moved and wall.time() != series.first_start.time():
            found.append(wall)
    return found
