"""The program service's store on SQLite: private, migrated, tokens only as hashes, crash-safe."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from echo_desktop.hub.program_service.sessions import find_session, sessions_with_open_rooms
from echo_desktop.hub.program_service.store import MIGRATIONS, Person, ProgramStore, StoreError
from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.schedule.feed import build_feed
from echo_desktop.schedule.occurrences import occurrences
from echo_desktop.schedule.series import Agenda, Frequency
from echo_desktop.session.models import Role
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProgramStore]:
    opened = ProgramStore.open(tmp_path / "hub" / "programs.db", now=lambda: NOON)
    yield opened
    opened.close()


def test_a_new_store_is_private_in_wal_mode_and_migrated(store: ProgramStore) -> None:
    assert store.schema_version == len(MIGRATIONS)
    store.add_program("Hepatitis C", "America/Denver")  # a write makes the -wal and -shm files
    files = [store.path, Path(f"{store.path}-wal"), Path(f"{store.path}-shm")]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files), [oct(f.stat().st_mode) for f in files]
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_the_data_and_migrates_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "programs.db"
    first = ProgramStore.open(path, now=lambda: NOON)
    first.add_program("Pain", "America/New_York")
    first.close()
    again = ProgramStore.open(path, now=lambda: NOON)
    try:
        assert [p.name for p in again.programs()] == ["Pain"]
        assert again.schema_version == len(MIGRATIONS)
    finally:
        again.close()


def test_a_store_from_a_newer_hub_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "programs.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer ECHO hub"):
        ProgramStore.open(path)


def test_programs_need_a_name_and_a_real_time_zone(store: ProgramStore) -> None:
    program = store.add_program("  Hepatitis\nC  ", "America/Denver")
    assert (program.name, program.time_zone) == ("Hepatitis C", "America/Denver")
    with pytest.raises(StoreError, match="not a known IANA time zone"):
        store.add_program("Dementia", "Mountain Standard Time")
    with pytest.raises(StoreError, match="not a known IANA time zone"):
        store.add_program("Dementia", "../../etc/passwd")
    with pytest.raises(StoreError, match="already a program"):
        store.add_program("Hepatitis C", "America/Denver")
    with pytest.raises(StoreError, match="needs a name"):
        store.add_program(" ", "UTC")
    assert [p.name for p in store.programs()] == ["Hepatitis C"]


def test_tokens_open_their_own_door_and_are_stored_only_as_hashes(store: ProgramStore) -> None:
    issued = store.add_person("Dana Whitehorse, NP", "Taos Clinic", Role.SPOKE)
    dana = Person(issued.person.id, "Dana Whitehorse, NP", "Taos Clinic", Role.SPOKE)
    assert issued.person == dana and issued.api_token != issued.feed_token
    assert store.person_for(issued.api_token, TokenKind.API) == dana
    assert store.person_for(issued.feed_token, TokenKind.FEED) == dana
    assert store.person_for(issued.feed_token, TokenKind.API) is None  # a feed URL is no API key
    assert store.person_for("not-a-token", TokenKind.API) is None
    on_disk = b"".join(p.read_bytes() for p in store.path.parent.iterdir())
    assert issued.api_token.encode() not in on_disk and issued.feed_token.encode() not in on_disk


def test_revoked_tokens_and_feed_urls_are_refused(store: ProgramStore) -> None:
    dana = store.add_person("Dana", "Taos", Role.SPOKE)
    kim = store.add_person("Dr. Kim", "Hub", Role.HUB)
    new_feed = store.reissue_feed(dana.person.id)
    assert store.person_for(dana.feed_token, TokenKind.FEED) is None  # the old URL is dead
    assert store.person_for(new_feed, TokenKind.FEED) == dana.person
    assert store.revoke(dana.person.id) == 2  # the API token and the new feed token
    assert store.person_for(dana.api_token, TokenKind.API) is None
    assert store.person_for(new_feed, TokenKind.FEED) is None
    assert store.person_for(kim.api_token, TokenKind.API) == kim.person  # others are untouched
    assert store.revoke(dana.person.id) == 0
    with pytest.raises(StoreError, match="no person"):
        store.reissue_feed(999)


_WRITER = r"""
import sys
from pathlib import Path
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.session.models import Role

store = ProgramStore.open(Path(sys.argv[1]))
n = 0
while True:
    store.add_person(f"Person {n}", "Site", Role.SPOKE)
    n += 1
"""


def test_a_writer_killed_mid_transaction_leaves_a_readable_store(tmp_path: Path) -> None:
    path = tmp_path / "programs.db"
    ProgramStore.open(path).close()
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], cwd=ROOT)
    try:

        def people() -> int:
            with sqlite3.connect(path) as db:
                return int(db.execute("SELECT count(*) FROM people").fetchone()[0])

        wait_until(lambda: people() >= 200, what="the writer to commit 200 people")
    finally:
        os.kill(writer.pid, signal.SIGKILL)  # mid-write: it never stops between transactions
        writer.wait()
    store = ProgramStore.open(path)
    try:
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            people_count = db.execute("SELECT count(*) FROM people").fetchone()[0]
            tokens_count = db.execute("SELECT count(*) FROM tokens").fetchone()[0]
        assert people_count >= 200
        assert tokens_count == 2 * people_count  # each person's transaction is whole, or absent
    finally:
        store.close()


def test_series_and_their_exceptions_make_the_feed(tmp_path: Path) -> None:
    clock = [NOON]
    uids = (f"s{n}@test" for n in itertools.count(1))
    store = ProgramStore.open(tmp_path / "programs.db", now=lambda: clock[0], new_uid=lambda: next(uids))
    try:
        program = store.add_program("Hepatitis C", "America/Denver")
        weekly = store.add_series(
            program.id, "HCV", datetime(2026, 10, 22, 9, 0), timedelta(hours=1), Frequency.WEEKLY,
            until=date(2026, 12, 17), agenda=Agenda("HCV in pregnancy", "Dr. Ruiz", 2),
        )  # fmt: skip
        store.add_series(program.id, "Kickoff", datetime(2027, 1, 8, 7, 30), timedelta(minutes=90))
        clock[0] = NOON + timedelta(hours=1)
        store.cancel(weekly.uid, date(2026, 11, 26))
        store.move(weekly.uid, date(2026, 12, 3), datetime(2026, 12, 4, 10, 0))
        with pytest.raises(StoreError, match="no session on"):
            store.cancel(weekly.uid, date(2026, 12, 24))  # after the series ends
        with pytest.raises(StoreError, match="no series"):
            store.cancel("nope", date(2026, 11, 26))
        with pytest.raises(StoreError, match="no program"):
            store.add_series(999, "x", datetime(2026, 1, 1, 9, 0), timedelta(hours=1))
        with pytest.raises(StoreError, match="ends before it starts"):
            store.add_series(program.id, "x", datetime(2026, 1, 1, 9, 0), timedelta(hours=1),
                             Frequency.WEEKLY, until=date(2025, 1, 1))  # fmt: skip

        schedule = store.schedule(program.id)
        assert schedule.changed_at == NOON + timedelta(hours=1)
        stored = dict((s.uid, s) for _, s in schedule.series)
        assert stored["s1@test"].cancelled == {date(2026, 11, 26)}
        assert stored["s1@test"].moved == {date(2026, 12, 3): datetime(2026, 12, 4, 10, 0)}
        assert stored["s1@test"].agenda == Agenda("HCV in pregnancy", "Dr. Ruiz", 2)
        feed = build_feed(
            "Hepatitis C", "America/Denver", [s for _, s in schedule.series], schedule.changed_at
        )
        starts = [
            o.start.isoformat()
            for o in occurrences(feed, NOON - timedelta(days=60), NOON + timedelta(days=60))
        ]
        assert "2026-11-26T09:00:00-07:00" not in starts and "2026-12-04T10:00:00-07:00" in starts
        assert starts[-1] == "2027-01-08T07:30:00-07:00" and len(starts) == 9
    finally:
        store.close()


def test_a_schema_1_store_is_migrated_with_its_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from echo_desktop.hub.program_service import store as store_module

    path = tmp_path / "programs.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])
    with sqlite3.connect(path) as db:  # what a hub of schema 1 wrote
        for statement in store_module._statements(MIGRATIONS[0]):
            db.execute(statement)
        db.execute(
            "INSERT INTO programs (name, time_zone, created_at) VALUES (?, ?, ?)",
            ("Pain", "UTC", "2026-01-01T00:00:00+00:00"),
        )
        db.execute("PRAGMA user_version = 1")
    monkeypatch.undo()
    store = ProgramStore.open(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        (pain,) = store.programs()
        assert store.schedule(pain.id).changed_at == datetime(2026, 1, 1, tzinfo=UTC)
    finally:
        store.close()


def test_people_belong_to_programs(store: ProgramStore) -> None:
    hcv = store.add_program("Hepatitis C", "America/Denver")
    pain = store.add_program("Pain", "America/New_York")
    dana = store.add_person("Dana", "Taos", Role.SPOKE).person
    kim = store.add_person("Dr. Kim", "Hub", Role.HUB).person
    store.add_member(dana.id, hcv.id)
    store.add_member(dana.id, hcv.id)  # again: no change
    store.add_member(kim.id, pain.id)
    store.add_member(kim.id, hcv.id)
    assert store.programs_for(dana.id) == [hcv]
    assert store.programs_for(kim.id) == [hcv, pain]
    assert store.is_member(dana.id, hcv.id) and not store.is_member(dana.id, pain.id)
    assert not store.is_member(dana.id, 10**30)
    with pytest.raises(StoreError, match="no program"):
        store.add_member(dana.id, 999)
    with pytest.raises(StoreError, match="no person"):
        store.add_member(999, hcv.id)
    listed = {r.person.id: r for r in store.people()}
    assert listed[kim.id].programs == (hcv.id, pain.id) and listed[dana.id].programs == (hcv.id,)
    assert listed[dana.id].api_live and listed[dana.id].feed_live
    store.revoke(dana.id, TokenKind.FEED)
    listed = {r.person.id: r for r in store.people()}
    assert listed[dana.id].api_live and not listed[dana.id].feed_live


def test_each_series_gets_a_room_number_of_its_own(tmp_path: Path) -> None:
    rooms = iter([4321, 4321, 4321, 8765])  # the allocator repeats itself: the store asks again
    store = ProgramStore.open(tmp_path / "programs.db", now=lambda: NOON, new_room=lambda: next(rooms))
    try:
        program = store.add_program("Hepatitis C", "America/Denver")
        first = store.add_series(program.id, "HCV", datetime(2026, 12, 3, 9, 0), timedelta(hours=1))
        second = store.add_series(program.id, "Kickoff", datetime(2026, 12, 4, 9, 0), timedelta(hours=1))
        assert (first.room, second.room) == (4321, 8765)
        assert [s.room for _, s in store.schedule(program.id).series] == [4321, 8765]
        with pytest.raises(StoreError, match="at most a day"):
            store.add_series(program.id, "Marathon", datetime(2026, 12, 5, 9, 0), timedelta(hours=25))
    finally:
        store.close()


def test_a_session_keeps_its_pin_and_secret_and_its_room_history(store: ProgramStore) -> None:
    program = store.add_program("Hepatitis C", "America/Denver")
    series = store.add_series(
        program.id, "HCV", datetime(2026, 12, 3, 9, 0), timedelta(hours=1), Frequency.WEEKLY
    )
    start = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    first = store.session_room(series.uid, start)
    again = store.session_room(series.uid, start.astimezone(ZoneInfo("America/Denver")))
    assert again == first and first.room == series.room and first.start == start
    assert len(first.pin) == 6 and first.pin.isdigit() and len(first.secret) >= 24
    assert first.pin not in repr(first) and first.secret not in repr(first)
    next_week = store.session_room(series.uid, start + timedelta(days=7))
    assert (next_week.pin, next_week.secret) != (first.pin, first.secret)
    assert store.open_rooms() == []
    store.mark_room_created(series.uid, start)
    (opened,) = store.open_rooms()
    assert opened.created_at == NOON and opened.pin == first.pin
    store.mark_room_destroyed(series.uid, start)
    assert store.open_rooms() == []
    assert store.session_room(series.uid, start).destroyed_at == NOON
    with pytest.raises(StoreError, match="no series"):
        store.session_room("nope", start)
    with pytest.raises(StoreError, match="aware"):
        store.session_room(series.uid, datetime(2026, 12, 3, 9, 0))


def test_one_session_is_found_by_its_series_and_start(store: ProgramStore) -> None:
    program = store.add_program("Hepatitis C", "America/Denver")
    weekly = store.add_series(
        program.id, "HCV", datetime(2026, 10, 22, 9, 0), timedelta(hours=1), Frequency.WEEKLY,
        until=date(2026, 12, 17),
    )  # fmt: skip
    store.cancel(weekly.uid, date(2026, 11, 26))
    store.move(weekly.uid, date(2026, 12, 3), datetime(2026, 12, 4, 10, 0))
    denver = ZoneInfo("America/Denver")

    found = find_session(store, weekly.uid, datetime(2026, 11, 5, 9, 0, tzinfo=denver))  # after DST
    assert found is not None and found.room == weekly.room and found.program_id == program.id
    assert found.start == datetime(2026, 11, 5, 16, 0, tzinfo=UTC)
    assert found.end == found.start + timedelta(hours=1)
    assert found.opens == found.start - timedelta(minutes=20)
    assert find_session(store, weekly.uid, datetime(2026, 11, 26, 9, 0, tzinfo=denver)) is None  # cancelled
    assert find_session(store, weekly.uid, datetime(2026, 12, 3, 9, 0, tzinfo=denver)) is None  # moved away
    moved = find_session(store, weekly.uid, datetime(2026, 12, 4, 10, 0, tzinfo=denver))
    assert moved is not None and moved.start == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert find_session(store, weekly.uid, datetime(2026, 11, 5, 9, 1, tzinfo=denver)) is None  # no such time
    assert find_session(store, weekly.uid, datetime(2026, 12, 24, 9, 0, tzinfo=denver)) is None  # ended
    assert find_session(store, "nope", datetime(2026, 11, 5, 16, 0, tzinfo=UTC)) is None

    start = datetime(2026, 11, 5, 16, 0, tzinfo=UTC)
    assert sessions_with_open_rooms(store, start - timedelta(minutes=21)) == []
    assert sessions_with_open_rooms(store, start - timedelta(minutes=20)) == [found]
    assert sessions_with_open_rooms(store, start + timedelta(minutes=59)) == [found]
    assert sessions_with_open_rooms(store, start + timedelta(minutes=60)) == []


def test_a_schema_2_store_gains_rooms_and_memberships(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from echo_desktop.hub.program_service import store as store_module

    path = tmp_path / "programs.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:2])
    old = ProgramStore.open(path, now=lambda: NOON)
    program = old.add_program("Pain", "UTC")
    with sqlite3.connect(path) as db:  # a series as a schema-2 hub wrote it
        db.execute(
            "INSERT INTO series (program_id, uid, title, first_start, duration_minutes, frequency,"
            " interval, until, didactic, presenter, case_slots)"
            " VALUES (?, 'old@hub', 'Pain clinic', '2026-12-01T09:00:00', 60, 'weekly', 1, NULL, '', '', 0)",
            (program.id,),
        )
    old.close()
    monkeypatch.undo()
    store = ProgramStore.open(path, now=lambda: NOON)
    try:
        assert store.schema_version == len(MIGRATIONS)
        ((_, series),) = store.schedule(program.id).series
        assert series.uid == "old@hub" and series.room is not None
        added = store.add_series(program.id, "New", datetime(2026, 12, 2, 9, 0), timedelta(hours=1))
        assert added.room != series.room
    finally:
        store.close()
