"""One session as an .ics file the user's own calendar (Outlook, Google, Apple) can import.

The event is a standalone one: its UID is the series' UID prefixed with this session's start, so
importing it twice updates it instead of adding a copy, and it never poses as an exception of a
series the calendar does not have (a RECURRENCE-ID without its series confuses Outlook). Times are
written in UTC, which every calendar app reads. Nothing secret goes in (the feed has no PIN either).
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from echo_desktop.schedule.lobby import ScheduledSession

PRODID = "-//Project ECHO//ECHO Desktop//EN"


def session_ics(session: ScheduledSession, stamp: datetime) -> bytes:
    """The session as a one-event iCalendar file; `stamp` (aware) is when it was exported."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    start = session.start.astimezone(UTC)
    event.add("uid", f"{start:%Y%m%dT%H%M%SZ}-{session.uid or 'session@echo-desktop'}")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", session.end.astimezone(UTC))
    event.add("summary", session.title)
    if session.program:
        event.add("categories", [session.program])
    lines = [f"Program: {session.program}"] if session.program else []
    if session.didactic:
        lines.append(
            f"Didactic: {session.didactic}" + (f" ({session.presenter})" if session.presenter else "")
        )
    lines.extend(f"Case: {case}" for case in session.cases)
    if session.description and not lines:
        lines.append(session.description)
    lines.append("Join from ECHO Desktop's schedule when the room opens, 20 minutes before the start.")
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    return bytes(calendar.to_ical())
