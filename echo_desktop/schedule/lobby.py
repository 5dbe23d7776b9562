"""The lobby's values: the upcoming sessions as the app shows them, and when each room opens.

Plain Python with no third-party import, so the lobby can appear before icalendar (or any media
library) is loaded. Times are aware datetimes; "now" is always passed in, never read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

ROOM_OPENS_BEFORE = timedelta(minutes=20)
"""A session's room opens this long before it starts (the hub creates it then)."""
REMIND_BEFORE = timedelta(minutes=10)
"""The desktop notification comes this long before a session starts."""
LOBBY_DAYS = 14


class SessionStatus(StrEnum):
    """Where a session stands at a given moment."""

    SCHEDULED = "scheduled"  # its room is not open yet
    OPEN = "open"  # the room is open, the session has not started
    LIVE = "live"  # under way
    ENDED = "ended"


@dataclass(frozen=True)
class JoinRef:
    """How to ask a hub's program service for a session's join details (never the PIN itself)."""

    service: str  # the program service's base URL, e.g. https://hub.example.org:8090
    uid: str  # the series' UID in the feed
    start: datetime  # this occurrence's start (aware), as the feed gives it


@dataclass(frozen=True)
class ScheduledSession:
    """One session of one program, as the lobby lists it."""

    start: datetime
    end: datetime
    title: str
    program: str
    uid: str
    program_time_zone: str | None = None  # IANA name of the zone the program schedules in
    didactic: str = ""
    presenter: str = ""
    cases: tuple[str, ...] = ()  # approved cases, or slots ("Case presentation 1") until then
    description: str = ""
    room: str | None = None  # the hub's room number, when the feed names one
    join: JoinRef | None = None  # None: a calendar that is not a hub's (no Join button)
    moved: bool = False  # this one session was moved from its usual time

    @property
    def opens(self) -> datetime:
        """When the room opens (Join is enabled from then until the end)."""
        return self.start - ROOM_OPENS_BEFORE

    def status(self, now: datetime) -> SessionStatus:
        if now >= self.end:
            return SessionStatus.ENDED
        if now >= self.start:
            return SessionStatus.LIVE
        if now >= self.opens:
            return SessionStatus.OPEN
        return SessionStatus.SCHEDULED

    def can_join(self, now: datetime) -> bool:
        """Whether Join is enabled: a hub session whose room is open and that has not ended."""
        return self.join is not None and self.status(now) in (SessionStatus.OPEN, SessionStatus.LIVE)


@dataclass(frozen=True)
class ApprovedCase:
    """A case approved into a hub's session, as the lobby names it: `title` is the case form's
    title field (the presenter's question), already screened by the de-identification guard."""

    uid: str  # the session's series UID
    start: datetime  # the session's start (aware)
    client_id: str
    title: str


def with_approved_cases(slots: tuple[str, ...], titles: Sequence[str]) -> tuple[str, ...]:
    """A session's case list: the approved cases' titles first, each in place of a slot's name
    ("Case presentation 1"), then the slots still free."""
    return (*titles, *slots[len(titles) :])


@dataclass(frozen=True)
class ScheduleSnapshot:
    """What the lobby shows: the sessions, how fresh they are, and what went wrong."""

    sessions: tuple[ScheduledSession, ...] = ()
    updated: datetime | None = None  # the last time every subscription was fetched (aware)
    online: bool = False  # the last refresh reached every source
    checked: bool = False  # a refresh has finished since the app started (until then, "checking")
    problems: tuple[str, ...] = ()  # one line per failing program or feed, naming it
    notices: tuple[str, ...] = ()  # things the user must be told once (a cache moved aside)
    subscriptions: tuple[str, ...] = field(default=())  # the programs and feeds subscribed to


@dataclass(frozen=True)
class JoinDetails:
    """What the hub gives a person for one session once its room is open."""

    server_url: str  # Janus, ws:// or wss://
    room: int
    pin: str
    display_name: str
    role: str  # a session.models.Role value


def upcoming(
    sessions: Iterable[ScheduledSession], now: datetime, days: int = LOBBY_DAYS
) -> list[ScheduledSession]:
    """The sessions not yet ended that start within `days` of now, in time order."""
    horizon = now + timedelta(days=days)
    return sorted(
        (s for s in sessions if s.end > now and s.start < horizon), key=lambda s: (s.start, s.program)
    )


def by_day(sessions: Iterable[ScheduledSession], zone: tzinfo) -> list[tuple[date, list[ScheduledSession]]]:
    """Sessions grouped by their day in `zone` (the user's), days and sessions in time order."""
    days: dict[date, list[ScheduledSession]] = {}
    for session in sorted(sessions, key=lambda s: s.start):
        days.setdefault(session.start.astimezone(zone).date(), []).append(session)
    return sorted(days.items())


def clock_time(moment: datetime) -> str:
    """A 24-hour wall-clock time without a leading zero ("9:00", "14:30")."""
    return f"{moment.hour}:{moment.minute:02d}"


def zone_city(name: str) -> str:
    """The city of an IANA zone name, for people: "America/Denver" -> "Denver"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def time_label(session: ScheduledSession, local: tzinfo) -> str:
    """The session's times in the user's zone, with the program's beside it when it differs:
    "9:00–10:00 your time · 8:00 in Denver"."""
    start, end = session.start.astimezone(local), session.end.astimezone(local)
    text = f"{clock_time(start)}–{clock_time(end)}"
    if session.program_time_zone:
        try:
            there = session.start.astimezone(ZoneInfo(session.program_time_zone))
        except (KeyError, ValueError):
            return text
        if there.utcoffset() != start.utcoffset() or there.tzname() != start.tzname():
            # Across midnight the program's day is not the user's: name it ("22:31 Wed in Denver").
            day = f" {_WEEKDAYS[there.weekday()]}" if there.date() != start.date() else ""
            return f"{text} your time · {clock_time(there)}{day} in {zone_city(session.program_time_zone)}"
    return text


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not the locale's: the UI is English
