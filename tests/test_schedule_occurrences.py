"""What the lobby reads from each kind of feed: Outlook's, Google's and the hub's, across a DST change."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echo_desktop.schedule.occurrences import FeedError, Occurrence, read_occurrences

FEEDS = Path(__file__).parent / "data" / "feeds"
AUTUMN = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def _read(name: str) -> list[Occurrence]:
    reading = read_occurrences((FEEDS / name).read_bytes(), *AUTUMN)
    assert reading.warnings == ()
    return reading.occurrences


def _starts(found: list[Occurrence]) -> list[str]:
    return [o.start.isoformat() for o in found]


def test_an_outlook_feed_with_windows_zone_names_exdate_and_a_moved_session() -> None:
    found = _read("outlook.ics")
    assert _starts(found) == [
        "2026-10-15T09:00:00-06:00",
        "2026-10-22T09:00:00-06:00",
        "2026-10-29T09:00:00-06:00",
        "2026-11-05T09:00:00-07:00",  # DST ended on Nov 1: still 9:00 in Denver
        # Nov 12 cancelled (an override with STATUS:CANCELLED); so is the one-off on Nov 17
        "2026-11-19T09:00:00-07:00",
        # Nov 26 excluded (EXDATE); Dec 3 moved to Friday 10:00 (RECURRENCE-ID)
        "2026-12-04T10:00:00-07:00",
        "2026-12-10T09:00:00-07:00",  # the last one (UNTIL)
    ]
    assert [o.moved for o in found].count(True) == 1 and found[5].moved
    assert not [o for o in found if "Canceled" in o.title]
    assert found[5].title == "Dementia ECHO: weekly clinic (moved)"
    # the Windows name is mapped to the IANA zone, for the lobby's "8:00 in Denver"
    assert {o.time_zone for o in found} == {"America/Denver"}
    assert {o.program for o in found} == {"Dementia ECHO"}
    # not a hub's calendar: no room, no agenda
    assert all(o.room is None and not o.didactic and not o.cases for o in found)


def test_a_google_feed_in_utc_keeps_its_wall_clock_time_in_x_wr_timezone() -> None:
    found = _read("google.ics")
    assert [(o.start.isoformat(), o.end.isoformat()) for o in found] == [
        ("2026-10-21T12:00:00-04:00", "2026-10-21T13:00:00-04:00"),
        ("2026-10-28T12:00:00-04:00", "2026-10-28T13:00:00-04:00"),
        ("2026-11-04T12:00:00-05:00", "2026-11-04T13:00:00-05:00"),  # noon after DST, 17:00 UTC
        # Nov 11 excluded; Nov 18 moved to Thursday 13:00
        ("2026-11-19T13:00:00-05:00", "2026-11-19T14:00:00-05:00"),
        ("2026-11-25T12:00:00-05:00", "2026-11-25T13:00:00-05:00"),
        # Dec 2 cancelled (an override with STATUS:CANCELLED); so is the Nov 10 workshop
        ("2026-12-09T12:00:00-05:00", "2026-12-09T13:00:00-05:00"),  # the series ends
        ("2026-12-16T12:00:00-05:00", "2026-12-16T13:30:00-05:00"),  # a one-off
    ]
    assert [o.moved for o in found] == [False, False, False, True, False, False, False]
    assert "workshop" not in " ".join(o.title for o in found)
    assert {o.time_zone for o in found} == {"America/New_York"}
    assert {o.program for o in found} == {"Chronic Pain ECHO"}


def test_the_hubs_feed_carries_room_agenda_and_cases_per_session() -> None:
    found = _read("hub.ics")
    assert _starts(found)[:3] == [
        "2026-10-22T09:00:00-06:00",
        "2026-10-29T09:00:00-06:00",
        "2026-11-05T09:00:00-07:00",
    ]
    assert "2026-11-26T09:00:00-07:00" not in _starts(found)
    assert _starts(found)[-1] == "2026-12-17T09:00:00-07:00"
    first, moved = found[0], next(o for o in found if o.moved)
    assert (first.program, first.room, first.didactic, first.presenter, first.cases) == (
        "Hepatitis C",
        "4321",
        "Treating HCV in pregnancy",
        "Dr. Ana Ruiz",
        ("Case presentation 1", "Case presentation 2"),
    )
    assert first.uid == "7f3c2a9e-hcv@echo-hub" and first.time_zone == "America/Denver"
    assert moved.start.isoformat() == "2026-12-04T10:00:00-07:00"
    assert (moved.didactic, moved.presenter) == ("When to refer for a liver transplant", "Dr. Sam Okafor")
    assert moved.cases == ("Cirrhosis with new ascites", "Case presentation 2")


def _calendar(*lines: str) -> bytes:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR", ""]).encode()


def test_an_unknown_time_zone_is_read_as_utc_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    feed = _calendar(
        "BEGIN:VEVENT",
        "UID:x",
        "SUMMARY:Addiction ECHO",
        "DTSTART;TZID=Nowhere/Special:20261022T090000",
        "DTEND;TZID=Nowhere/Special:20261022T100000",
        "END:VEVENT",
    )
    reading = read_occurrences(feed, *AUTUMN)
    assert _starts(reading.occurrences) == ["2026-10-22T09:00:00+00:00"]
    assert reading.occurrences[0].time_zone is None
    assert reading.warnings == (
        'The time zone "Nowhere/Special" of "Addiction ECHO" is unknown; its times are shown as UTC',
    )
    assert "Nowhere/Special" in caplog.text


def test_floating_and_all_day_times_are_the_viewers_local_time_across_a_dst_change() -> None:
    feed = _calendar(
        "BEGIN:VEVENT",
        "UID:floating",
        "SUMMARY:Rural clinic huddle",
        "DTSTART:20261029T090000",  # floating: 9:00 wherever the viewer is (RFC 5545)
        "DTEND:20261029T100000",
        "RRULE:FREQ=WEEKLY;COUNT=2",  # the second one is after DST ends (Nov 1)
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:all-day",
        "SUMMARY:ECHO conference",
        "DTSTART;VALUE=DATE:20261102",
        "DTEND;VALUE=DATE:20261103",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:nowhere",
        "SUMMARY:Addiction ECHO",
        "DTSTART;TZID=Nowhere/Special:20261104T090000",  # an unknown zone is still read as UTC
        "END:VEVENT",
    )
    denver = ZoneInfo("America/Denver")
    reading = read_occurrences(feed, *AUTUMN, local_zone=denver)
    assert [(o.uid, o.start.isoformat(), o.end.isoformat()) for o in reading.occurrences] == [
        ("floating", "2026-10-29T09:00:00-06:00", "2026-10-29T10:00:00-06:00"),
        ("all-day", "2026-11-02T00:00:00-07:00", "2026-11-03T00:00:00-07:00"),  # Denver's midnight
        ("nowhere", "2026-11-04T09:00:00+00:00", "2026-11-04T10:00:00+00:00"),
        ("floating", "2026-11-05T09:00:00-07:00", "2026-11-05T10:00:00-07:00"),  # still 9:00
    ]
    # Only the unknown zone is worth a warning: a floating time is read as the standard says.
    assert reading.warnings == (
        'The time zone "Nowhere/Special" of "Addiction ECHO" is unknown; its times are shown as UTC',
    )
    # A caller that names no zone gets UTC, as before.
    utc = read_occurrences(feed, *AUTUMN).occurrences
    assert [o.start.isoformat() for o in utc if o.uid != "nowhere"] == [
        "2026-10-29T09:00:00+00:00",
        "2026-11-02T00:00:00+00:00",
        "2026-11-05T09:00:00+00:00",
    ]


def test_without_a_calendar_name_the_program_is_the_events_category() -> None:
    feed = _calendar(
        "BEGIN:VEVENT",
        "UID:y",
        "SUMMARY:Clinic",
        "CATEGORIES:Pediatric Obesity ECHO,Teaching",
        "DTSTART:20261022T150000Z",
        "DURATION:PT45M",
        "X-ECHO-CASE-SLOTS:99999999999999999999",
        "END:VEVENT",
    )
    [found] = read_occurrences(feed, *AUTUMN).occurrences
    assert found.program == "Pediatric Obesity ECHO"
    assert found.end.isoformat() == "2026-10-22T15:45:00+00:00"
    assert len(found.cases) == 20  # a silly count is capped, not expanded


_LINES = st.sampled_from(
    [
        "BEGIN:VEVENT",
        "END:VEVENT",
        "BEGIN:VTIMEZONE",
        "END:VTIMEZONE",
        "TZID:Mountain Standard Time",
        "X-WR-TIMEZONE:America/New_York",
        "X-WR-TIMEZONE:Not/AZone",
        "X-WR-CALNAME:Program",
        "DTSTART:20261022T160000Z",
        "DTSTART;TZID=Mountain Standard Time:20261022T090000",
        "DTSTART;TZID=Nowhere/Special:20261022T090000",
        "DTSTART:garbage",
        "RECURRENCE-ID:garbage",
        "DTEND;VALUE=DATE:20261023",
        "DTEND:20261021T090000Z",
        "RRULE:FREQ=WEEKLY;UNTIL=20261210T160000Z;BYDAY=TH",
        "RRULE:FREQ=DAILY;COUNT=-1",
        "EXDATE;TZID=Mountain Standard Time:20261029T090000",
        "RECURRENCE-ID:20261029T160000Z",
        "STATUS:CANCELLED",
        "STATUS:cancelled",
        "RECURRENCE-ID;RANGE=THISANDFUTURE:20261029T160000Z",
        "CATEGORIES:",
        "X-ECHO-ROOM:",
        "X-ECHO-CASE-SLOTS:3",
        "X-ECHO-CASE-SLOTS:,,",
        "UID:u1",
        "DURATION:-PT1H",
    ]
)


@given(st.lists(_LINES, max_size=14), st.binary(max_size=40))
@settings(max_examples=300)
def test_any_feed_gives_sessions_or_a_feed_error_never_a_crash(lines: list[str], noise: bytes) -> None:
    for feed in (_calendar(*lines), _calendar(*lines) + noise, noise + _calendar(*lines)):
        with contextlib.suppress(FeedError):
            for found in read_occurrences(feed, *AUTUMN).occurrences:
                assert found.start.tzinfo is not None and found.end > found.start
