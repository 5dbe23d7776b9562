"""Lobby test data: a fixed zone (New York), a fixed "now", and two programs' sessions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from echo_desktop.schedule.lobby import ScheduledSession, ScheduleSnapshot
from tests.fake_schedule import hub_session

LOCAL = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 24, 9, 14, tzinfo=LOCAL)  # a Tuesday
DENVER = "America/Denver"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, New York time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL)


def hcv(start: datetime, **more: object) -> ScheduledSession:
    session = hub_session(
        start,
        program="Hepatitis C ECHO",
        program_time_zone=DENVER,
        didactic="Treating HCV with DAAs",
        presenter="Dr. Karla Thornton",
        cases=("54-year-old with cirrhosis", "Reinfection after treatment"),
    )
    return replace(session, **more)  # type: ignore[arg-type]


def pain(start: datetime, **more: object) -> ScheduledSession:
    session = hub_session(
        start,
        program="Chronic Pain ECHO",
        uid="pain-weekly",
        title="Tapering opioids safely",
        program_time_zone="America/New_York",
        didactic="Buprenorphine in primary care",
        presenter="Dr. Sam Lee",
        cases=("Case presentation 1",),
    )
    return replace(session, **more)  # type: ignore[arg-type]


def week_snapshot(*, online: bool = True, checked: bool = True, **more: object) -> ScheduleSnapshot:
    """A week of sessions: one open now (today at 9:30), one moved, one in another zone.

    `checked`: a refresh has finished since the app started (False: only the cache so far)."""
    sessions = (
        hcv(at(24, 9, 30)),  # opens 9:10: open at NOW
        pain(at(24, 14, 0)),
        pain(at(25, 12, 0), moved=True, title="Starting treatment for opioid use disorder"),
        hcv(at(26, 22, 30), title="Alcohol use and liver disease"),  # 20:30 in Denver; Friday in UTC
        pain(at(27, 12, 0), title="Non-drug therapies for low back pain"),
        hcv(at(1, 9, 30) + timedelta(days=30), title="Hepatitis C in pregnancy"),  # 1 December
        hcv(at(24, 9, 30) + timedelta(days=15)),  # beyond the lobby's 14 days
    )
    fields: dict[str, object] = {
        "sessions": sessions,
        "updated": at(24, 9, 14),
        "online": online,
        "checked": checked,
        "subscriptions": ("Hepatitis C ECHO", "Chronic Pain ECHO"),
        **more,
    }
    return ScheduleSnapshot(**fields)  # type: ignore[arg-type]
