"""The sessions in a window of time, read from any iCalendar feed: the hub's, Outlook's, Google's.

Recurrences are expanded by recurring-ical-events (RRULE, EXDATE, RECURRENCE-ID overrides, time
zones and their daylight-saving changes); we write no RRULE engine of our own. Google's
X-WR-TIMEZONE is applied first (x-wr-timezone). A feed that cannot be read raises FeedError with
the reason; an event whose time zone is unknown is read in UTC, with a warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar

logger = logging.getLogger(__name__)

MAX_FEED_BYTES = 5 * 1024 * 1024


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
    time_zone: str | None = None  # the feed's zone for this session, when it names one


def read_feed(data: bytes) -> Calendar:
    """Parse a feed; raises FeedError for one that is too big or is not iCalendar."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise FeedError(f"the feed is not a valid iCalendar file: {exc}") from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise FeedError("the feed is not a VCALENDAR")
    try:
        standard: Calendar = x_wr_timezone.to_standard(calendar)
    except Exception as exc:
        raise FeedError(f"the feed's X-WR-TIMEZONE cannot be applied: {exc}") from exc
    return standard


def occurrences(data: bytes, start: datetime, end: datetime) -> list[Occurrence]:
    """The sessions of a feed that start in [start, end) (both aware), in time order."""
    calendar = read_feed(data)
    try:
        events = recurring_ical_events.of(calendar).between(start, end)
    except Exception as exc:
        raise FeedError(f"the feed's dates or recurrence rules cannot be read: {exc}") from exc
    found = [_occurrence(event) for event in events]
    return sorted((o for o in found if o is not None), key=lambda o: o.start)


def _occurrence(event: Any) -> Occurrence | None:
    if event.name != "VEVENT" or "DTSTART" not in event:
        return None
    start = _aware(event["DTSTART"].dt)
    if "DTEND" in event:
        end = _aware(event["DTEND"].dt)
    elif "DURATION" in event:
        end = start + event["DURATION"].dt
    else:
        end = start + timedelta(hours=1)
    zone = getattr(start.tzinfo, "key", None)
    return Occurrence(
        start=start,
        end=end,
        title=str(event.get("SUMMARY", "")) or "Untitled session",
        uid=str(event.get("UID", "")),
        description=str(event.get("DESCRIPTION", "")),
        time_zone=zone if isinstance(zone, str) else None,
    )


def _aware(value: object) -> datetime:
    """An aware datetime: a date is its midnight, a floating time is read in UTC (with a warning)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            logger.warning("A session has a time with no time zone; it is read as UTC")
            return value.replace(tzinfo=UTC)
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(0), UTC)
    raise FeedError(f"a session's time is not a date or time: {value!r}")
