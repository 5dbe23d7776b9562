"""The lobby's words: day headings, a session's status, and how fresh the schedule is.

Plain functions over aware datetimes. Day and month names are spelled out here rather than taken
from strftime, which follows the process locale (Qt sets it from the environment), so the
lobby reads the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from echo_desktop.schedule.lobby import ScheduledSession, ScheduleSnapshot, SessionStatus, clock_time

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def day_heading(day: date, today: date) -> str:
    """ "Today", "Tomorrow", or "Thursday 3 December"."""
    if day == today:
        return "Today"
    if day == today + timedelta(days=1):
        return "Tomorrow"
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"


def short_date(moment: datetime) -> str:
    """ "Tue 24 Nov" (the moment as given: convert it to the user's zone first)."""
    return f"{DAY_NAMES[moment.weekday()][:3]} {moment.day} {MONTH_NAMES[moment.month - 1][:3]}"


def is_offline(snapshot: ScheduleSnapshot) -> bool:
    """Whether the lobby says "offline": a refresh finished in this run and did not reach every
    source. Before the first answer the app is only checking, which is not being offline."""
    return snapshot.checked and not snapshot.online


def freshness(snapshot: ScheduleSnapshot, local: tzinfo) -> str:
    """The lobby's header line: "Updated 9:14", "Offline · last updated Tue 24 Nov, 9:14", or,
    before the first refresh has answered, "Last updated Tue 24 Nov, 9:14 · checking for changes…"."""
    updated = snapshot.updated.astimezone(local) if snapshot.updated is not None else None
    if not snapshot.checked:
        if updated is None:
            return "Checking for the schedule…"
        return f"Last updated {short_date(updated)}, {clock_time(updated)} · checking for changes…"
    if snapshot.online:
        return f"Updated {clock_time(updated)}" if updated is not None else "Updated just now"
    if updated is None:
        return "Offline · not updated yet"
    return f"Offline · last updated {short_date(updated)}, {clock_time(updated)}"


def status_text(session: ScheduledSession, now: datetime, local: tzinfo) -> str:
    """Where a session stands, for its card: "Room opens at 8:40", "Open: join now", "Live"."""
    status = session.status(now)
    if status is SessionStatus.ENDED:
        return "Ended"
    if status is SessionStatus.LIVE:
        return "Live"
    if session.join is None:  # a calendar that is not a hub's: no room to open
        return "Starting soon" if status is SessionStatus.OPEN else ""
    if status is SessionStatus.OPEN:
        return "Open: join now"
    return f"Room opens at {clock_time(session.opens.astimezone(local))}"


def reminder_text(session: ScheduledSession, local: tzinfo) -> tuple[str, str]:
    """The title and body of a session's reminder."""
    start = clock_time(session.start.astimezone(local))
    title = f"{session.program} starts at {start}"
    body = session.title
    if session.join is not None:
        body += " · the room is open: join from the schedule."
    return title, body
