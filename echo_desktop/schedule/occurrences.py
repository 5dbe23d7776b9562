"""The sessions in a window of time, read from any iCalendar feed: the hub's, Outlook's, Google's.

Recurrences are expanded by recurring-ical-events (RRULE, EXDATE, RECURRENCE-ID overrides, time
zones and their daylight-saving changes); we write no RRULE engine of our own. Google's
X-WR-TIMEZONE is applied first (x-wr-timezone). Outlook names its zones the Windows way
("Mountain Standard Time") and ships their VTIMEZONE, which icalendar reads; for the lobby's second
clock such a name is mapped to its IANA zone. A feed that cannot be read raises FeedError with the
reason; an event whose time zone is unknown is read in UTC, with a warning. Floating times (no
TZID, no Z) are the viewer's wall-clock time, as RFC 5545 says, and an all-day event (DATE values)
starts at the viewer's midnight: both read in the `local_zone` the caller passes (UTC by default).
Events marked STATUS:CANCELLED (how Outlook and Google publish a cancelled session or occurrence)
are left out.

The hub's feeds add, per VEVENT, `X-ECHO-ROOM`, `X-ECHO-DIDACTIC`, `X-ECHO-PRESENTER` and
`X-ECHO-CASE-SLOTS`; other calendars have none of them, and their sessions carry none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import recurring_ical_events
from icalendar import Calendar

logger = logging.getLogger(__name__)

MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_CASE_SLOTS = 20  # more would be a broken feed, not a clinic

try:  # a table icalendar keeps for the same purpose; a missing one only costs the second clock
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON as _WINDOWS_ZONES
except ImportError:  # pragma: no cover - depends on the icalendar release
    _WINDOWS_ZONES = {}


class FeedError(ValueError):
    """A feed that is not a calendar we can read; the message says why."""


@dataclass(frozen=True)
class Occurrence:
    """One session: when (aware, in the feed's zone), what, and which series it belongs to."""

    start: datetime
    end: datetime
    title: str
    uid: str
    description: str = ""
    time_zone: str | None = None  # the IANA zone the feed schedules this session in, when known
    program: str = ""  # the calendar's name (X-WR-CALNAME), else the event's first CATEGORIES
    room: str | None = None  # X-ECHO-ROOM: the hub's room number (not secret)
    didactic: str = ""  # X-ECHO-DIDACTIC
    presenter: str = ""  # X-ECHO-PRESENTER
    cases: tuple[str, ...] = ()  # X-ECHO-CASE-SLOTS: case names, or numbered slots
    moved: bool = False  # an override (RECURRENCE-ID) that starts at another time


@dataclass(frozen=True)
class FeedReading:
    """A feed's sessions in a window, and what the user should know about how they were read."""

    occurrences: list[Occurrence]
    warnings: tuple[str, ...] = ()  # e.g. an unknown time zone read as UTC


def read_feed(data: bytes) -> Calendar:
    """Parse a feed; raises FeedError for one that is too big or is not iCalendar."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    try:
        calendar = Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises many types (even AttributeError) on odd input
        raise FeedError(f"the feed is not a valid iCalendar file: {exc}") from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise FeedError("the feed is not a VCALENDAR")
    if "X-WR-TIMEZONE" not in calendar:
        return calendar  # x-wr-timezone (and the click it imports) is only needed for Google's feeds
    import x_wr_timezone

    try:
        standard: Calendar = x_wr_timezone.to_standard(calendar)
    except Exception as exc:
        raise FeedError(f"the feed's X-WR-TIMEZONE cannot be applied: {exc}") from exc
    return standard


def occurrences(data: bytes, start: datetime, end: datetime, local_zone: tzinfo = UTC) -> list[Occurrence]:
    """The sessions of a feed that start in [start, end) (both aware), in time order; floating
    and all-day times are read in `local_zone` (the viewer's)."""
    return read_occurrences(data, start, end, local_zone).occurrences


def read_occurrences(data: bytes, start: datetime, end: datetime, local_zone: tzinfo = UTC) -> FeedReading:
    """The sessions of a feed in [start, end), with warnings about what was read in UTC; floating
    and all-day times are read in `local_zone` (the viewer's)."""
    calendar = read_feed(data)
    try:
        unknown = _unknown_zones(calendar)
        events = recurring_ical_events.of(calendar).between(start, end)
        program = _text(calendar.get("X-WR-CALNAME"))
        found = [
            # An unknown zone's times are naive too, but they are not the viewer's: read them as UTC.
            _occurrence(event, program, UTC if _text(event.get("UID")) in unknown.uids else local_zone)
            for event in events
        ]
    except FeedError:
        raise
    except Exception as exc:
        # recurring-ical-events and icalendar raise many types on odd input; all mean "unreadable".
        raise FeedError(f"the feed's dates or recurrence rules cannot be read: {exc}") from exc
    for warning in unknown.warnings:
        logger.warning("%s", warning)
    ordered = sorted((o for o in found if o is not None), key=lambda o: (o.start, o.uid))
    return FeedReading(ordered, unknown.warnings)


@dataclass(frozen=True)
class _UnknownZones:
    uids: frozenset[str]  # the events whose times name a zone nobody knows
    warnings: tuple[str, ...]  # one line per such zone


def _unknown_zones(calendar: Calendar) -> _UnknownZones:
    """The TZIDs that neither a VTIMEZONE nor the zone database explains (read as UTC).

    icalendar leaves such times naive, like floating ones, and recurring-ical-events drops the
    TZID, so they are found here, before expansion, while the name is still there to be quoted.
    """
    unknown: dict[str, str] = {}
    uids: set[str] = set()
    for event in calendar.walk("VEVENT"):
        for key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            prop = event.get(key)
            zone = getattr(prop, "params", {}).get("TZID")
            value = getattr(prop, "dt", None)
            if zone and isinstance(value, datetime) and value.tzinfo is None:
                unknown.setdefault(str(zone), _text(event.get("SUMMARY")) or "a session")
                uids.add(_text(event.get("UID")))
    warnings = tuple(
        f'The time zone "{zone}" of "{title}" is unknown; its times are shown as UTC'
        for zone, title in sorted(unknown.items())
    )
    return _UnknownZones(frozenset(uids), warnings)


def _occurrence(event: Any, program: str, zone: tzinfo) -> Occurrence | None:
    if event.name != "VEVENT" or "DTSTART" not in event:
        return None
    if _cancelled(event):
        return None
    start = _aware(event["DTSTART"].dt, zone)
    if "DTEND" in event:
        end = _aware(event["DTEND"].dt, zone)
    elif "DURATION" in event:
        end = start + event["DURATION"].dt
    else:
        end = start + timedelta(hours=1)
    if end <= start:  # a broken end; keep the session visible rather than drop it
        end = start + timedelta(hours=1)
    return Occurrence(
        start=start,
        end=end,
        title=_text(event.get("SUMMARY")) or "Untitled session",
        uid=_text(event.get("UID")),
        description=_text(event.get("DESCRIPTION")),
        time_zone=_zone_name(event["DTSTART"]),
        program=program or _first_category(event.get("CATEGORIES")),
        room=_text(event.get("X-ECHO-ROOM")) or None,
        didactic=_text(event.get("X-ECHO-DIDACTIC")),
        presenter=_text(event.get("X-ECHO-PRESENTER")),
        cases=_cases(_text(event.get("X-ECHO-CASE-SLOTS"))),
        moved=_moved(event, start, zone),
    )


def _cancelled(event: Any) -> bool:
    """Outlook and Google publish a cancelled session as STATUS:CANCELLED (an override of one
    occurrence, or a whole event) rather than removing it, so such events are not sessions."""
    return _text(event.get("STATUS")).upper() == "CANCELLED"


def _moved(event: Any, start: datetime, zone: tzinfo) -> bool:
    """recurring-ical-events gives every occurrence a RECURRENCE-ID (its usual start); an override
    that moved the session is the one whose start differs from it."""
    prop = event.get("RECURRENCE-ID")
    if prop is None:
        return False
    return _aware(prop.dt, zone) != start


def _zone_name(prop: Any) -> str | None:
    """The IANA name of the zone a time is given in: as written, or mapped from a Windows name."""
    name = getattr(prop, "params", {}).get("TZID") or getattr(getattr(prop.dt, "tzinfo", None), "key", None)
    if not isinstance(name, str) or not name:
        return None
    name = _WINDOWS_ZONES.get(name, name)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _cases(value: str) -> tuple[str, ...]:
    """X-ECHO-CASE-SLOTS: a count of open slots ("2"), or the cases' names, comma-separated."""
    value = value.strip()
    if not value:
        return ()
    if value.isdigit():
        return tuple(f"Case presentation {n}" for n in range(1, min(int(value), MAX_CASE_SLOTS) + 1))
    return tuple(part.strip() for part in value.split(",") if part.strip())[:MAX_CASE_SLOTS]


def _first_category(value: Any) -> str:
    """The first of an event's CATEGORIES (one property or several), as text."""
    props = value if isinstance(value, list) else [value]
    for prop in props:
        for category in getattr(prop, "cats", ()):
            if _text(category):
                return _text(category)
    return ""


def _text(value: object) -> str:
    """A property's text without surrounding blanks; nothing for a missing one."""
    if value is None:
        return ""
    return str(value).strip()


def _aware(value: object, zone: tzinfo) -> datetime:
    """An aware datetime: a date is its midnight in `zone`, a naive (floating) time is read there."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=zone)
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(0), zone)
    raise FeedError(f"a session's time is not a date or time: {value!r}")
