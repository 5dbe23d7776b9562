"""A program's schedule as an iCalendar feed (RFC 5545), for the client and any calendar app.

Each series is one VEVENT with its time zone (TZID, and the VTIMEZONE it needs), its RRULE and
EXDATEs; a moved session is an override VEVENT with a RECURRENCE-ID. The agenda goes in the
DESCRIPTION for people, and as data in X-ECHO-DIDACTIC, X-ECHO-PRESENTER and X-ECHO-CASE-SLOTS
for the app; X-ECHO-ROOM names the series' Janus room (a number, not a secret). A feed never
carries a room's PIN: joining asks the service, with a token.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from echo_desktop.schedule.series import Frequency, Series

PRODID = "-//Project ECHO//ECHO Desktop hub//EN"


def build_feed(program: str, time_zone: str, series: Iterable[Series], stamp: datetime) -> bytes:
    """The feed of one program; `stamp` (aware) is when it last changed (DTSTAMP)."""
    zone = ZoneInfo(time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", program)
    for one in series:
        for event in _events(one, program, zone, stamp.astimezone(UTC)):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _events(series: Series, program: str, zone: ZoneInfo, stamp: datetime) -> list[Event]:
    start = series.first_start.replace(tzinfo=zone)
    main = _event(series, program, stamp, start)
    if series.frequency is not Frequency.ONCE:
        rule: dict[str, object] = {"freq": series.frequency.value, "interval": series.interval}
        if series.until is not None:
            # UNTIL in UTC, at the end of the last day in the program's zone (RFC 5545 3.3.10).
            last = datetime.combine(series.until, time(23, 59, 59), zone)
            rule["until"] = last.astimezone(UTC)
        main.add("rrule", rule)
        # A moved session is replaced by its override (RECURRENCE-ID), not excluded: an EXDATE on
        # it would drop the override too in some calendar apps.
        if series.cancelled:
            main.add("exdate", [_on(day, series, zone) for day in sorted(series.cancelled)])
    overrides = []
    for day, new_start in sorted(series.moved.items()):
        override = _event(series, program, stamp, new_start.replace(tzinfo=zone))
        override.add("recurrence-id", _on(day, series, zone))
        overrides.append(override)
    return [main, *overrides]


def _event(series: Series, program: str, stamp: datetime, start: datetime) -> Event:
    event = Event()
    event.add("uid", series.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + series.duration)
    event.add("summary", series.title)
    event.add("categories", [program])
    description = series.agenda.describe()
    if description:
        event.add("description", description)
    if series.room is not None:
        event.add("x-echo-room", str(series.room))
    if series.agenda.didactic:
        event.add("x-echo-didactic", series.agenda.didactic)
    if series.agenda.presenter:
        event.add("x-echo-presenter", series.agenda.presenter)
    event.add("x-echo-case-slots", str(series.agenda.case_slots))
    return event


def _on(day: date, series: Series, zone: ZoneInfo) -> datetime:
    """The series' start time on `day`, in the program's zone (the key of an occurrence)."""
    return datetime.combine(day, series.first_start.time(), zone)
