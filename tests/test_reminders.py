"""The reminder rule: each session once, from ten minutes before its start until it starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from echo_desktop.schedule.lobby import REMIND_BEFORE, ScheduledSession
from echo_desktop.schedule.reminders import ReminderTracker, is_due

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def clinic(start: datetime = START, uid: str = "hcv", program: str = "Hepatitis C ECHO") -> ScheduledSession:
    return ScheduledSession(start, start + timedelta(hours=1), "Cirrhosis", program, uid)


def test_due_from_ten_minutes_before_until_the_start() -> None:
    session = clinic()
    assert timedelta(minutes=10) == REMIND_BEFORE
    assert not is_due(session, START - REMIND_BEFORE - timedelta(seconds=1))
    assert is_due(session, START - REMIND_BEFORE)
    assert is_due(session, START - timedelta(seconds=1))
    assert not is_due(session, START)
    assert not is_due(session, START + timedelta(minutes=30))


def test_each_session_is_reminded_once() -> None:
    tracker = ReminderTracker()
    session = clinic()
    assert tracker.due([session], START - timedelta(minutes=20)) == []
    assert not tracker.was_reminded(session)
    assert tracker.due([session], START - timedelta(minutes=9)) == [session]
    assert tracker.was_reminded(session)
    assert tracker.due([session], START - timedelta(minutes=8)) == []
    assert tracker.due([session], START - timedelta(minutes=1)) == []


def test_sessions_come_in_start_order_and_each_occurrence_counts() -> None:
    tracker = ReminderTracker()
    later = clinic(START + timedelta(minutes=5), uid="pain", program="Pain ECHO")
    first = clinic()
    next_week = clinic(START + timedelta(days=7))
    assert tracker.due([later, first, next_week], START - timedelta(minutes=4)) == [first, later]
    # The same series a week later is another session with its own reminder.
    assert tracker.due([next_week], START + timedelta(days=7, minutes=-5)) == [next_week]


def test_a_moved_session_is_reminded_at_its_new_time() -> None:
    tracker = ReminderTracker()
    assert tracker.due([clinic()], START - timedelta(minutes=5)) == [clinic()]
    moved = clinic(START + timedelta(hours=2))
    assert tracker.due([moved], START + timedelta(hours=2, minutes=-10)) == [moved]


def test_a_started_session_gets_no_late_reminder() -> None:
    tracker = ReminderTracker()
    assert tracker.due([clinic()], START + timedelta(minutes=1)) == []
