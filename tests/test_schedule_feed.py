"""The hub's feed and the client's reading of feeds: recurrence, exceptions, time zones, bad input."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echo_desktop.schedule.feed import build_feed
from echo_desktop.schedule.occurrences import MAX_FEED_BYTES, FeedError, occurrences, read_feed
from echo_desktop.schedule.series import Agenda, Frequency, Series

DENVER = ZoneInfo("America/Denver")
STAMP = datetime(2026, 10, 1, tzinfo=UTC)


def _hcv(**changes: object) -> Series:
    base: dict[str, object] = {
        "uid": "hcv-weekly@echo-hub",
        "title": "Hepatitis C teleECHO",
        "first_start": datetime(2026, 10, 22, 9, 0),  # a Thursday, before DST ends (Nov 1)
        "duration": timedelta(minutes=60),
        "frequency": Frequency.WEEKLY,
        "until": date(2026, 12, 17),
        "agenda": Agenda("Treating HCV in pregnancy", "Dr. Ana Ruiz", 2),
    }
    base.update(changes)
    return Series(**base)  # type: ignore[arg-type]


def _window(feed: bytes) -> list[tuple[str, str]]:
    found = occurrences(feed, datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 31, tzinfo=UTC))
    return [(o.start.isoformat(), o.title) for o in found]


def test_a_weekly_series_keeps_its_wall_clock_time_across_dst_and_ends() -> None:
    feed = build_feed("Hepatitis C", "America/Denver", [_hcv()], STAMP)
    starts = [start for start, _ in _window(feed)]
    assert starts[0] == "2026-10-22T09:00:00-06:00"  # daylight time
    assert starts[2] == "2026-11-05T09:00:00-07:00"  # standard time, still 9:00 in Denver
    assert starts[-1] == "2026-12-17T09:00:00-07:00"  # the last one, on the end date
    assert len(starts) == 9


def test_cancelled_and_moved_sessions() -> None:
    series = _hcv(
        cancelled=frozenset({date(2026, 11, 26)}),  # Thanksgiving
        moved={date(2026, 12, 3): datetime(2026, 12, 4, 10, 0)},
    )
    starts = [start for start, _ in _window(build_feed("Hepatitis C", "America/Denver", [series], STAMP))]
    assert "2026-11-26T09:00:00-07:00" not in starts
    assert "2026-12-03T09:00:00-07:00" not in starts
    assert "2026-12-04T10:00:00-07:00" in starts
    assert len(starts) == 8


def test_every_n_weeks_monthly_and_one_off() -> None:
    fortnightly = _hcv(uid="a", interval=2)
    monthly = _hcv(
        uid="b", frequency=Frequency.MONTHLY, first_start=datetime(2026, 10, 5, 12, 0), title="Pain"
    )
    once = _hcv(
        uid="c",
        frequency=Frequency.ONCE,
        first_start=datetime(2027, 1, 8, 7, 30),
        until=None,
        title="Kickoff",
    )
    found = _window(build_feed("Mixed", "America/Denver", [fortnightly, monthly, once], STAMP))
    assert [s for s, t in found if t == "Hepatitis C teleECHO"][:2] == [
        "2026-10-22T09:00:00-06:00",
        "2026-11-05T09:00:00-07:00",
    ]
    assert [s[:10] for s, t in found if t == "Pain"] == ["2026-10-05", "2026-11-05", "2026-12-05"]
    assert [s for s, t in found if t == "Kickoff"] == ["2027-01-08T07:30:00-07:00"]


def test_the_feed_carries_the_agenda_and_its_time_zone_but_no_pin() -> None:
    feed = build_feed("Hepatitis C", "America/Denver", [_hcv()], STAMP).decode()
    assert "BEGIN:VTIMEZONE" in feed and "TZID:America/Denver" in feed
    assert "DTSTART;TZID=America/Denver:20261022T090000" in feed
    assert "RRULE:FREQ=WEEKLY;" in feed
    assert "Didactic: Treating HCV in pregnancy (Dr. Ana Ruiz)" in feed.replace("\r\n ", "")
    assert "PIN" not in feed.upper().replace("PINNED", "")
    first = occurrences(feed.encode(), datetime(2026, 10, 22, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC))
    assert first[0].time_zone == "America/Denver" and "Case presentations: 2" in first[0].description


def test_every_session_carries_its_room_and_agenda_as_data() -> None:
    moved = _hcv(room=812345, moved={date(2026, 12, 3): datetime(2026, 12, 4, 10, 0)})
    bare = _hcv(uid="bare", agenda=Agenda(), room=None, frequency=Frequency.ONCE, until=None)
    calendar = read_feed(build_feed("Hepatitis C", "America/Denver", [moved, bare], STAMP))
    events = {(str(e["UID"]), "RECURRENCE-ID" in e): e for e in calendar.walk("VEVENT")}
    assert len(events) == 3
    for key in (("hcv-weekly@echo-hub", False), ("hcv-weekly@echo-hub", True)):  # the override too
        event = events[key]
        assert str(event["X-ECHO-ROOM"]) == "812345"
        assert str(event["X-ECHO-DIDACTIC"]) == "Treating HCV in pregnancy"
        assert str(event["X-ECHO-PRESENTER"]) == "Dr. Ana Ruiz"
        assert str(event["X-ECHO-CASE-SLOTS"]) == "2"
    plain = events[("bare", False)]
    assert "X-ECHO-ROOM" not in plain and "X-ECHO-DIDACTIC" not in plain and "X-ECHO-PRESENTER" not in plain
    assert str(plain["X-ECHO-CASE-SLOTS"]) == "0"


OUTLOOK = b"""BEGIN:VCALENDAR\r
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r
VERSION:2.0\r
BEGIN:VTIMEZONE\r
TZID:Mountain Standard Time\r
BEGIN:STANDARD\r
DTSTART:16011104T020000\r
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r
TZOFFSETFROM:-0600\r
TZOFFSETTO:-0700\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010311T020000\r
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r
TZOFFSETFROM:-0700\r
TZOFFSETTO:-0600\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:040000008200E00074C5B7101A82E00800000000\r
SUMMARY:Dementia ECHO\r
DTSTART;TZID=Mountain Standard Time:20261022T090000\r
DTEND;TZID=Mountain Standard Time:20261022T100000\r
RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=TH\r
DTSTAMP:20261001T000000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""

GOOGLE = b"""BEGIN:VCALENDAR\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
VERSION:2.0\r
X-WR-CALNAME:Pain ECHO\r
X-WR-TIMEZONE:America/New_York\r
BEGIN:VEVENT\r
DTSTART:20261022T160000Z\r
DTEND:20261022T170000Z\r
RRULE:FREQ=WEEKLY;COUNT=3\r
UID:abc123@google.com\r
SUMMARY:Pain ECHO\r
DTSTAMP:20261001T000000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_outlook_feed_with_a_windows_zone_name_comes_out_right() -> None:
    found = _window(OUTLOOK)
    # 9:00 Mountain, daylight then standard time after Nov 1.
    assert [s for s, _ in found] == [
        "2026-10-22T09:00:00-06:00",
        "2026-10-29T09:00:00-06:00",
        "2026-11-05T09:00:00-07:00",
    ]


def test_a_google_feed_keeps_its_wall_clock_time_in_its_calendar_zone() -> None:
    found = _window(GOOGLE)
    # Noon in New York; after DST ends (Nov 1) it is still noon there, an hour later in UTC.
    assert [s for s, _ in found] == [
        "2026-10-22T12:00:00-04:00",
        "2026-10-29T12:00:00-04:00",
        "2026-11-05T12:00:00-05:00",
    ]


def test_an_oversized_feed_is_refused_by_its_size() -> None:
    with pytest.raises(FeedError, match="larger than 5 MB"):
        read_feed(b"BEGIN:VCALENDAR\r\n" + b"X" * MAX_FEED_BYTES)


@pytest.mark.parametrize(
    "feed",
    [b"", b"not a calendar", b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"],
)
def test_a_malformed_feed_is_refused_with_a_reason(feed: bytes) -> None:
    with pytest.raises(FeedError):
        occurrences(feed, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


_LINES = st.sampled_from(
    [
        "BEGIN:VEVENT",
        "END:VEVENT",
        "DTSTART:20261022T090000Z",
        "DTSTART;TZID=Nowhere/Special:20261022T090000",
        "DTSTART;VALUE=DATE:20261022",
        "DTSTART:garbage",
        "DTEND:20261021T090000Z",
        "RRULE:FREQ=WEEKLY;COUNT=3",
        "RRULE:FREQ=SOMETIMES",
        "EXDATE:20261029T090000Z",
        "RECURRENCE-ID:20261029T090000Z",
        "SUMMARY:x",
        "UID:u1",
        "DURATION:PT1H",
        "DURATION:nonsense",
    ]
)


@given(st.lists(_LINES, max_size=12))
@settings(max_examples=300)
def test_garbage_inside_a_calendar_only_ever_raises_feed_error(lines: list[str]) -> None:
    feed = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR", ""]).encode()
    with contextlib.suppress(FeedError):
        for found in occurrences(feed, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)):
            assert found.start.tzinfo is not None and found.end.tzinfo is not None
