"""The lobby's plain values: when a room opens, grouping by the user's day, two-zone times, and
one session exported for the user's own calendar."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from echo_desktop.schedule.lobby import (
    JoinRef,
    ScheduledSession,
    SessionStatus,
    by_day,
    time_label,
    upcoming,
)
from echo_desktop.schedule.occurrences import occurrences
from echo_desktop.storage.calendar_file import CalendarFileExport

START = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # 9:00 in Denver, 11:00 in New York
NEW_YORK = ZoneInfo("America/New_York")


def _session(start: datetime = START, hub: bool = True, **changes: object) -> ScheduledSession:
    values: dict[str, object] = {
        "start": start,
        "end": start + timedelta(hours=1),
        "title": "Hepatitis C teleECHO",
        "program": "Hepatitis C",
        "uid": "hcv@echo-hub",
        "program_time_zone": "America/Denver",
        "didactic": "Treating HCV in pregnancy",
        "presenter": "Dr. Ana Ruiz",
        "cases": ("Case presentation 1", "Case presentation 2"),
        "join": JoinRef("http://127.0.0.1:8090", "hcv@echo-hub", start) if hub else None,
    }
    values.update(changes)
    return ScheduledSession(**values)  # type: ignore[arg-type]


def test_join_is_possible_from_twenty_minutes_before_the_start_until_the_end() -> None:
    session = _session()
    minute = timedelta(minutes=1)
    assert session.status(START - 21 * minute) is SessionStatus.SCHEDULED
    assert not session.can_join(START - 21 * minute)
    assert session.status(START - 20 * minute) is SessionStatus.OPEN
    assert session.can_join(START - 20 * minute)
    assert session.status(START + 59 * minute) is SessionStatus.LIVE
    assert session.can_join(START + 59 * minute)
    assert session.status(START + 60 * minute) is SessionStatus.ENDED
    assert not session.can_join(START + 60 * minute)
    # A calendar that is not a hub's has no join details to ask for.
    assert not _session(hub=False).can_join(START)


def test_sessions_group_by_the_users_day_and_show_the_programs_time_beside_theirs() -> None:
    late = _session(datetime(2026, 12, 4, 3, 30, tzinfo=UTC))  # 22:30 on the 3rd in New York
    days = by_day([late, _session()], NEW_YORK)
    assert [d.isoformat() for d, _ in days] == ["2026-12-03"]
    assert [s.start for s in days[0][1]] == [START, late.start]
    assert time_label(_session(), NEW_YORK) == "11:00–12:00 your time · 9:00 in Denver"
    assert time_label(_session(), ZoneInfo("America/Denver")) == "9:00–10:00"
    # In Tokyo the clinic is after midnight: the program's time names its own (previous) day.
    assert time_label(_session(), ZoneInfo("Asia/Tokyo")) == "1:00–2:00 your time · 9:00 Thu in Denver"
    assert time_label(_session(program_time_zone=None), NEW_YORK) == "11:00–12:00"


def test_upcoming_keeps_fourteen_days_and_drops_what_ended() -> None:
    now = START + timedelta(hours=2)
    sessions = [_session(START + timedelta(days=d)) for d in range(0, 20)]
    shown = upcoming(sessions, now)
    assert shown[0].start == START + timedelta(days=1)
    assert shown[-1].start == START + timedelta(days=14)


def test_a_session_exported_for_the_users_calendar_reads_back_as_that_one_session(tmp_path: Path) -> None:
    path = tmp_path / "clinic.ics"
    CalendarFileExport(now=lambda: START - timedelta(days=1))(_session(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = occurrences(path.read_bytes(), START - timedelta(days=1), START + timedelta(days=1))
    assert len(found) == 1
    assert (found[0].start, found[0].end, found[0].title) == (
        START,
        START + timedelta(hours=1),
        "Hepatitis C teleECHO",
    )
    assert "Dr. Ana Ruiz" in found[0].description and "Case presentation 2" in found[0].description
    assert found[0].uid.endswith("hcv@echo-hub") and found[0].uid != "hcv@echo-hub"
