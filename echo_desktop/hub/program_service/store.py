"""The program service's store: every line of its SQL, on SQLite (the embedded default).

Keeping all SQL here is what lets PostgreSQL take over when a hub outgrows one machine: nothing
else in the service knows it talks to a database.

- WAL mode, so readers never wait for the writer and a crash leaves the last commit readable.
- Schema migrations: numbered scripts, applied in order in one transaction each, the number kept
  in `PRAGMA user_version`.
- User-only permissions: the folder is 0700 and the file 0600; SQLite gives its -wal and -shm
  files the database file's mode.
- Tokens are stored as hashes only (see tokens); a revoked token stays, marked, for the record.
- Room PINs and secrets are stored in plain text (the service hands the PIN to each member who
  joins, and needs the secret to destroy the room): they live only here and in Janus, never in a
  log, a feed or a repr.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import threading
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from echo_desktop.cases.findings import Dismissal, PhiKind
from echo_desktop.cases.model import DEFAULT_FORM, Case, CaseForm, CaseStatus, SessionSlot
from echo_desktop.cases.review import IN_A_SESSION, HubCase
from echo_desktop.cases.validation import FieldFinding
from echo_desktop.cases.wire import form_from_json, form_to_json
from echo_desktop.hub.program_service.tokens import TokenKind, new_pin, new_token, token_hash
from echo_desktop.schedule.series import Agenda, Frequency, Series
from echo_desktop.session.models import Role, clean_name

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SlotsTaken = Callable[[SessionSlot], int]
"""How many other cases hold a slot of one session (inside the transaction that asks)."""
CaseChange = Callable[[HubCase | None, SlotsTaken], HubCase]
"""A case rule applied in the store's transaction: the case as it is (None: no such case), and
how many slots of a session are taken; returns the case as it should be (itself: no change)."""

MAX_SESSION = timedelta(hours=24)
"""The longest session: the room keeper looks this far back for sessions still under way."""

MIGRATIONS: tuple[str, ...] = (
    # 1: programs, people and their tokens.
    """
    CREATE TABLE programs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        time_zone TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        site TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('hub', 'facilitator', 'spoke')),
        created_at TEXT NOT NULL
    );
    CREATE TABLE tokens (
        hash TEXT PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people (id),
        kind TEXT NOT NULL CHECK (kind IN ('api', 'feed')),
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE INDEX tokens_by_person ON tokens (person_id, kind);
    """,
    # 2: each program's clinics: series, their cancelled and moved dates, and agendas.
    """
    ALTER TABLE programs ADD COLUMN changed_at TEXT;
    UPDATE programs SET changed_at = created_at;
    CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        program_id INTEGER NOT NULL REFERENCES programs (id),
        uid TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        first_start TEXT NOT NULL,
        duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
        frequency TEXT NOT NULL CHECK (frequency IN ('once', 'weekly', 'monthly')),
        interval INTEGER NOT NULL CHECK (interval >= 1),
        until TEXT,
        didactic TEXT NOT NULL,
        presenter TEXT NOT NULL,
        case_slots INTEGER NOT NULL CHECK (case_slots >= 0)
    );
    CREATE INDEX series_by_program ON series (program_id);
    CREATE TABLE series_exceptions (
        series_id INTEGER NOT NULL REFERENCES series (id),
        day TEXT NOT NULL,
        moved_to TEXT,
        PRIMARY KEY (series_id, day)
    );
    """,
    # 3: who belongs to which program; each series' Janus room; each session's PIN and secret.
    # Series made before this get a room number from their id (an allocated number is random, far
    # from these, and checked for uniqueness anyway).
    """
    CREATE TABLE memberships (
        person_id INTEGER NOT NULL REFERENCES people (id),
        program_id INTEGER NOT NULL REFERENCES programs (id),
        PRIMARY KEY (person_id, program_id)
    );
    CREATE INDEX memberships_by_program ON memberships (program_id);
    ALTER TABLE series ADD COLUMN room INTEGER;
    UPDATE series SET room = 10000 + id;
    CREATE UNIQUE INDEX series_by_room ON series (room);
    CREATE TABLE session_rooms (
        series_id INTEGER NOT NULL REFERENCES series (id),
        start TEXT NOT NULL,
        room INTEGER NOT NULL,
        pin TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at TEXT,
        destroyed_at TEXT,
        PRIMARY KEY (series_id, start)
    );
    """,
    # 4: cases (issue 11): each case by the id its presenter's computer made, its values as JSON,
    # where it stands, its session slot, the guard's dismissed findings (offsets only), the digest
    # of the last submission accepted (a retry is recognised by it); the dismissals; program forms.
    """
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL UNIQUE,
        program_id INTEGER NOT NULL REFERENCES programs (id),
        presenter_id INTEGER NOT NULL REFERENCES people (id),
        presenter TEXT NOT NULL,
        form_values TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN
            ('submitted', 'returned', 'approved', 'presented', 'recommended')),
        version INTEGER NOT NULL CHECK (version >= 1),
        comments TEXT NOT NULL,
        session_uid TEXT,
        session_start TEXT,
        recommendations TEXT NOT NULL,
        findings TEXT NOT NULL,
        submission_digest TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX cases_by_program ON cases (program_id, status);
    CREATE INDEX cases_by_presenter ON cases (presenter_id);
    CREATE INDEX cases_by_session ON cases (session_uid, session_start);
    CREATE TABLE case_dismissals (
        case_id INTEGER NOT NULL REFERENCES cases (id),
        position INTEGER NOT NULL,
        field TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (case_id, position)
    );
    CREATE TABLE case_forms (
        program_id INTEGER PRIMARY KEY REFERENCES programs (id),
        form TEXT NOT NULL
    );
    """,
)

ROOM_NUMBERS = (1_000_000, 2**31 - 1)
"""Where allocated room numbers fall: clear of the hand-made rooms (1234, tests' 5000s), and
within a signed 32-bit integer so every client reads them exactly."""
_ROOM_ATTEMPTS = 50


class StoreError(Exception):
    """A request the store refuses (a bad name, an unknown time zone, a duplicate)."""


@dataclass(frozen=True)
class Program:
    """A teleECHO program: its name and the IANA time zone its clinics are scheduled in."""

    id: int
    name: str
    time_zone: str


@dataclass(frozen=True)
class ProgramSchedule:
    """A program with its series, and when any of it last changed (the feed's Last-Modified)."""

    program: Program
    series: list[tuple[int, Series]]
    changed_at: datetime


@dataclass(frozen=True)
class Person:
    """Someone a facilitator issued a token to: their name, site and role."""

    id: int
    name: str
    site: str
    role: Role


@dataclass(frozen=True)
class PersonRecord:
    """A person as a facilitator lists them: their programs and which tokens are still live."""

    person: Person
    programs: tuple[int, ...]
    api_live: bool
    feed_live: bool


@dataclass(frozen=True)
class SessionRoom:
    """One session's Janus room: the series' room number, and this session's own PIN and secret.

    Kept so that the PIN stays the same when the room is made again (after a Janus restart).
    """

    series_uid: str
    start: datetime  # the session's start, in UTC
    room: int
    pin: str = field(repr=False)
    secret: str = field(repr=False)
    created_at: datetime | None = None  # when the room was last made on Janus
    destroyed_at: datetime | None = None  # when it was removed after the session


@dataclass(frozen=True)
class IssuedPerson:
    """A new person with their tokens, in plain text this once (the store keeps only hashes)."""

    person: Person
    api_token: str
    feed_token: str


class ProgramStore:
    """The program service's data on SQLite. Thread-safe; each call is one transaction."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        now: Clock,
        new_uid: Callable[[], str],
        new_room: Callable[[], int],
    ) -> None:
        self._db = connection
        self.path = path
        self.now = now
        self._new_uid = new_uid
        self._new_room = new_room
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        path: Path,
        now: Clock | None = None,
        new_uid: Callable[[], str] | None = None,
        new_room: Callable[[], int] | None = None,
    ) -> ProgramStore:
        """Open (or create) the store at `path`, private to this user, migrated to the newest schema.

        `now`, `new_uid` (series UIDs) and `new_room` (Janus room numbers) may be injected.
        """
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file private before SQLite opens it: its -wal and -shm files take its mode.
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at each checkpoint
            store = cls(
                connection,
                path,
                now or (lambda: datetime.now(UTC)),
                new_uid or (lambda: f"{uuid.uuid4().hex}@echo-hub"),
                new_room or _random_room,
            )
            store._migrate()
        except BaseException:
            connection.close()
            raise
        return store

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path} was written by a newer ECHO hub (schema {version})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._transaction() as db:
                for statement in _statements(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
            logger.info("Program store schema is now version %d", number)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _stamp(self) -> str:
        return self.now().astimezone(UTC).isoformat()

    # --- programs ------------------------------------------------------------------------------

    def add_program(self, name: str, time_zone: str) -> Program:
        """Add a program; its time zone must be an IANA name (e.g. America/Denver)."""
        name = clean_name(name)
        if not name:
            raise StoreError("a program needs a name")
        _check_time_zone(time_zone)
        with self._lock, self._transaction() as db:
            try:
                cursor = db.execute(
                    "INSERT INTO programs (name, time_zone, created_at, changed_at) VALUES (?, ?, ?, ?)",
                    (name, time_zone, self._stamp(), self._stamp()),
                )
            except sqlite3.IntegrityError as exc:
                raise StoreError(f"there is already a program named {name!r}") from exc
            assert cursor.lastrowid is not None
            return Program(cursor.lastrowid, name, time_zone)

    def programs(self) -> list[Program]:
        with self._lock:
            rows = self._db.execute("SELECT id, name, time_zone FROM programs ORDER BY name").fetchall()
        return [Program(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def program_named(self, name: str) -> Program | None:
        """The program with this name (names are unique), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, time_zone FROM programs WHERE name = ?", (clean_name(name),)
            ).fetchone()
        return None if row is None else Program(int(row[0]), str(row[1]), str(row[2]))

    # --- membership ----------------------------------------------------------------------------

    def add_member(self, person_id: int, program_id: int) -> None:
        """Make a person a member of a program (again: no change)."""
        with self._lock, self._transaction() as db:
            self._require_program(db, program_id)
            self._require_person(db, person_id)
            db.execute(
                "INSERT INTO memberships (person_id, program_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (person_id, program_id),
            )

    def programs_for(self, person_id: int) -> list[Program]:
        """The programs a person belongs to, by name."""
        with self._lock:
            rows = self._db.execute(
                "SELECT p.id, p.name, p.time_zone FROM programs p"
                " JOIN memberships m ON m.program_id = p.id WHERE m.person_id = ? ORDER BY p.name",
                (person_id,),
            ).fetchall()
        return [Program(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def is_member(self, person_id: int, program_id: int) -> bool:
        if not _fits_sqlite(program_id):
            return False
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM memberships WHERE person_id = ? AND program_id = ?", (person_id, program_id)
            ).fetchone()
        return row is not None

    # --- sessions ------------------------------------------------------------------------------

    def add_series(
        self,
        program_id: int,
        title: str,
        first_start: datetime,
        duration: timedelta,
        frequency: Frequency = Frequency.ONCE,
        interval: int = 1,
        until: date | None = None,
        agenda: Agenda | None = None,
    ) -> Series:
        """Add a recurring clinic, or a one-off session (times are the program's wall-clock times).

        The series gets a Janus room number of its own, unique in this store.
        """
        agenda = agenda or Agenda()
        if duration > MAX_SESSION:
            raise StoreError("a session lasts at most a day")
        try:
            series = Series(
                self._new_uid(),
                clean_name(title) or "teleECHO clinic",
                first_start,
                duration,
                frequency,
                interval,
                until,
                agenda=agenda,
            )
        except ValueError as exc:
            raise StoreError(str(exc)) from exc
        with self._lock, self._transaction() as db:
            self._require_program(db, program_id)
            room = self._free_room(db)
            db.execute(
                "INSERT INTO series (program_id, uid, title, first_start, duration_minutes, frequency,"
                " interval, until, didactic, presenter, case_slots, room)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    program_id,
                    series.uid,
                    series.title,
                    series.first_start.isoformat(),
                    int(series.duration.total_seconds() // 60),
                    series.frequency.value,
                    series.interval,
                    None if until is None else until.isoformat(),
                    agenda.didactic,
                    agenda.presenter,
                    agenda.case_slots,
                    room,
                ),
            )
            self._touch(db, program_id)
        return replace(series, room=room)

    def _free_room(self, db: sqlite3.Connection) -> int:
        """A room number no series has (inside the write transaction, so no other writer races us)."""
        for _ in range(_ROOM_ATTEMPTS):
            room = self._new_room()
            if db.execute("SELECT 1 FROM series WHERE room = ?", (room,)).fetchone() is None:
                return room
        raise StoreError("no free Janus room number could be found")

    def cancel(self, series_uid: str, day: date) -> None:
        """Cancel the session a series has on `day`."""
        self._set_exception(series_uid, day, None)

    def move(self, series_uid: str, day: date, new_start: datetime) -> None:
        """Move the session a series has on `day` to `new_start` (wall-clock, the program's zone)."""
        if new_start.tzinfo is not None:
            raise StoreError("a session's time is a wall-clock time in its program's time zone")
        self._set_exception(series_uid, day, new_start)

    def _set_exception(self, series_uid: str, day: date, moved_to: datetime | None) -> None:
        with self._lock, self._transaction() as db:
            row = db.execute(
                "SELECT id, program_id, first_start, frequency, until FROM series WHERE uid = ?",
                (series_uid,),
            ).fetchone()
            if row is None:
                raise StoreError(f"there is no series {series_uid!r}")
            first = datetime.fromisoformat(row[2]).date()
            last = (
                first if row[3] == Frequency.ONCE.value else (date.fromisoformat(row[4]) if row[4] else None)
            )
            if day < first or (last is not None and day > last):
                raise StoreError(f"the series has no session on {day.isoformat()}")
            db.execute(
                "INSERT INTO series_exceptions (series_id, day, moved_to) VALUES (?, ?, ?)"
                " ON CONFLICT (series_id, day) DO UPDATE SET moved_to = excluded.moved_to",
                (row[0], day.isoformat(), None if moved_to is None else moved_to.isoformat()),
            )
            self._touch(db, int(row[1]))

    def schedule(self, program_id: int) -> ProgramSchedule:
        """A program, every series of it with its exceptions, and when it last changed."""
        if not _fits_sqlite(program_id):
            raise StoreError(f"there is no program {program_id}")
        with self._lock:
            program_row = self._db.execute(
                "SELECT id, name, time_zone, changed_at FROM programs WHERE id = ?", (program_id,)
            ).fetchone()
            if program_row is None:
                raise StoreError(f"there is no program {program_id}")
            rows = self._db.execute(
                "SELECT id, uid, title, first_start, duration_minutes, frequency, interval, until,"
                " didactic, presenter, case_slots, room FROM series WHERE program_id = ? ORDER BY id",
                (program_id,),
            ).fetchall()
            exceptions = self._db.execute(
                "SELECT e.series_id, e.day, e.moved_to FROM series_exceptions e"
                " JOIN series s ON s.id = e.series_id WHERE s.program_id = ?",
                (program_id,),
            ).fetchall()
        cancelled: dict[int, set[date]] = {}
        moved: dict[int, dict[date, datetime]] = {}
        for series_id, day, moved_to in exceptions:
            if moved_to is None:
                cancelled.setdefault(series_id, set()).add(date.fromisoformat(day))
            else:
                moved.setdefault(series_id, {})[date.fromisoformat(day)] = datetime.fromisoformat(moved_to)
        series = [
            (
                int(r[0]),
                Series(
                    uid=r[1],
                    title=r[2],
                    first_start=datetime.fromisoformat(r[3]),
                    duration=timedelta(minutes=r[4]),
                    frequency=Frequency(r[5]),
                    interval=r[6],
                    until=date.fromisoformat(r[7]) if r[7] else None,
                    cancelled=frozenset(cancelled.get(r[0], set())),
                    moved=moved.get(r[0], {}),
                    agenda=Agenda(r[8], r[9], r[10]),
                    room=r[11],
                ),
            )
            for r in rows
        ]
        program = Program(int(program_row[0]), str(program_row[1]), str(program_row[2]))
        return ProgramSchedule(program, series, datetime.fromisoformat(program_row[3]))

    def program_of_series(self, series_uid: str) -> int | None:
        """The id of the program a series belongs to, or None for an unknown UID."""
        with self._lock:
            row = self._db.execute("SELECT program_id FROM series WHERE uid = ?", (series_uid,)).fetchone()
        return None if row is None else int(row[0])

    def program_ids(self) -> list[int]:
        with self._lock:
            return [int(r[0]) for r in self._db.execute("SELECT id FROM programs ORDER BY id")]

    # --- session rooms -------------------------------------------------------------------------

    def session_room(self, series_uid: str, start: datetime) -> SessionRoom:
        """The room record of the session of `series_uid` starting at `start` (aware), made with a
        fresh PIN and secret the first time it is asked for, the same ever after."""
        start_text = _utc_text(start)
        with self._lock, self._transaction() as db:
            row = db.execute("SELECT id, room FROM series WHERE uid = ?", (series_uid,)).fetchone()
            if row is None:
                raise StoreError(f"there is no series {series_uid!r}")
            db.execute(
                "INSERT INTO session_rooms (series_id, start, room, pin, secret) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (series_id, start) DO NOTHING",
                (row[0], start_text, row[1], new_pin(), secrets.token_urlsafe(24)),
            )
            record = db.execute(
                _SESSION_ROOM_SELECT + " WHERE r.series_id = ? AND r.start = ?", (row[0], start_text)
            ).fetchone()
        return _session_room(record)

    def mark_room_created(self, series_uid: str, start: datetime) -> None:
        """Record that the session's room was (again) made on Janus."""
        self._mark_room(series_uid, start, "created_at = ?, destroyed_at = NULL")

    def mark_room_destroyed(self, series_uid: str, start: datetime) -> None:
        """Record that the session's room was removed from Janus."""
        self._mark_room(series_uid, start, "destroyed_at = ?")

    def _mark_room(self, series_uid: str, start: datetime, assignment: str) -> None:
        with self._lock, self._transaction() as db:
            db.execute(
                f"UPDATE session_rooms SET {assignment} WHERE start = ?"  # noqa: S608 -- ours, fixed
                " AND series_id = (SELECT id FROM series WHERE uid = ?)",
                (self._stamp(), _utc_text(start), series_uid),
            )

    def open_rooms(self) -> list[SessionRoom]:
        """The session rooms made on Janus and not yet removed."""
        with self._lock:
            rows = self._db.execute(
                _SESSION_ROOM_SELECT + " WHERE r.created_at IS NOT NULL AND r.destroyed_at IS NULL"
                " ORDER BY r.start"
            ).fetchall()
        return [_session_room(r) for r in rows]

    def _require_program(self, db: sqlite3.Connection, program_id: int) -> None:
        if (
            not _fits_sqlite(program_id)
            or db.execute("SELECT 1 FROM programs WHERE id = ?", (program_id,)).fetchone() is None
        ):
            raise StoreError(f"there is no program {program_id}")

    def _require_person(self, db: sqlite3.Connection, person_id: int) -> None:
        if (
            not _fits_sqlite(person_id)
            or db.execute("SELECT 1 FROM people WHERE id = ?", (person_id,)).fetchone() is None
        ):
            raise StoreError(f"there is no person {person_id}")

    def _touch(self, db: sqlite3.Connection, program_id: int) -> None:
        db.execute("UPDATE programs SET changed_at = ? WHERE id = ?", (self._stamp(), program_id))

    # --- people and tokens ---------------------------------------------------------------------

    def add_person(self, name: str, site: str, role: Role) -> IssuedPerson:
        """Add a person with a fresh API token and feed token, returned in plain text this once."""
        name, site = clean_name(name), clean_name(site)
        if not name:
            raise StoreError("a person needs a name")
        api_token, feed_token = new_token(), new_token()
        stamp = self._stamp()
        with self._lock, self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO people (name, site, role, created_at) VALUES (?, ?, ?, ?)",
                (name, site, role.value, stamp),
            )
            assert cursor.lastrowid is not None
            person = Person(cursor.lastrowid, name, site, role)
            for token, kind in ((api_token, TokenKind.API), (feed_token, TokenKind.FEED)):
                db.execute(
                    "INSERT INTO tokens (hash, person_id, kind, created_at) VALUES (?, ?, ?, ?)",
                    (token_hash(token), person.id, kind.value, stamp),
                )
        return IssuedPerson(person, api_token, feed_token)

    def person_for(self, token: str, kind: TokenKind) -> Person | None:
        """The person a live token of this kind belongs to; None for an unknown or revoked one."""
        with self._lock:
            row = self._db.execute(
                "SELECT p.id, p.name, p.site, p.role FROM tokens t JOIN people p ON p.id = t.person_id"
                " WHERE t.hash = ? AND t.kind = ? AND t.revoked_at IS NULL",
                (token_hash(token), kind.value),
            ).fetchone()
        return None if row is None else Person(int(row[0]), str(row[1]), str(row[2]), Role(row[3]))

    def revoke(self, person_id: int, kind: TokenKind | None = None) -> int:
        """Revoke a person's live tokens (of one kind, or all); returns how many were revoked."""
        query = "UPDATE tokens SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL"
        params: tuple[object, ...] = (self._stamp(), person_id)
        if kind is not None:
            query += " AND kind = ?"
            params += (kind.value,)
        with self._lock, self._transaction() as db:
            self._require_person(db, person_id)
            return db.execute(query, params).rowcount

    def people(self) -> list[PersonRecord]:
        """Everyone, with their programs and whether each kind of token is still live."""
        with self._lock:
            rows = self._db.execute(
                "SELECT p.id, p.name, p.site, p.role,"
                " EXISTS (SELECT 1 FROM tokens t WHERE t.person_id = p.id AND t.kind = 'api'"
                "         AND t.revoked_at IS NULL),"
                " EXISTS (SELECT 1 FROM tokens t WHERE t.person_id = p.id AND t.kind = 'feed'"
                "         AND t.revoked_at IS NULL)"
                " FROM people p ORDER BY p.id"
            ).fetchall()
            members = self._db.execute(
                "SELECT person_id, program_id FROM memberships ORDER BY program_id"
            ).fetchall()
        programs: dict[int, list[int]] = {}
        for person_id, program_id in members:
            programs.setdefault(int(person_id), []).append(int(program_id))
        return [
            PersonRecord(
                Person(int(r[0]), str(r[1]), str(r[2]), Role(r[3])),
                tuple(programs.get(int(r[0]), [])),
                bool(r[4]),
                bool(r[5]),
            )
            for r in rows
        ]

    def reissue_feed(self, person_id: int) -> str:
        """Revoke a person's feed URL and give them a new one (plain text, this once)."""
        return self.reissue(person_id, TokenKind.FEED)

    def reissue(self, person_id: int, kind: TokenKind) -> str:
        """Revoke a person's live tokens of one kind and give them a new one (plain text, this once)."""
        token = new_token()
        stamp = self._stamp()
        with self._lock, self._transaction() as db:
            self._require_person(db, person_id)
            db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE person_id = ? AND kind = ? AND revoked_at IS NULL",
                (stamp, person_id, kind.value),
            )
            db.execute(
                "INSERT INTO tokens (hash, person_id, kind, created_at) VALUES (?, ?, ?, ?)",
                (token_hash(token), person_id, kind.value, stamp),
            )
        return token

    # --- cases ---------------------------------------------------------------------------------

    def case_form(self, program_id: int) -> CaseForm:
        """The program's own case form, or the default ECHO form; StoreError for no such program."""
        with self._lock:
            self._require_program(self._db, program_id)
            row = self._db.execute(
                "SELECT form FROM case_forms WHERE program_id = ?", (program_id,)
            ).fetchone()
        return DEFAULT_FORM if row is None else form_from_json(json.loads(row[0]))

    def set_case_form(self, program_id: int, form: CaseForm | None) -> None:
        """Give a program a form of its own (None: back to the default)."""
        with self._lock, self._transaction() as db:
            self._require_program(db, program_id)
            if form is None:
                db.execute("DELETE FROM case_forms WHERE program_id = ?", (program_id,))
                return
            db.execute(
                "INSERT INTO case_forms (program_id, form) VALUES (?, ?)"
                " ON CONFLICT (program_id) DO UPDATE SET form = excluded.form",
                (program_id, json.dumps(form_to_json(form))),
            )

    def case(self, client_id: str) -> HubCase | None:
        """The case with this client-made id, or None."""
        with self._lock:
            return self._case(self._db, client_id)

    def change_case(self, client_id: str, change: CaseChange) -> HubCase:
        """Apply a case rule in one transaction: read the case, let `change` decide (it may raise
        CaseRefusal: nothing is written), and write what it returns unless it is unchanged."""
        with self._lock, self._transaction() as db:
            current = self._case(db, client_id)

            def taken(slot: SessionSlot) -> int:
                statuses = [s.value for s in IN_A_SESSION]
                row = db.execute(
                    "SELECT COUNT(*) FROM cases WHERE session_uid = ? AND session_start = ?"
                    " AND client_id != ? AND status IN (?, ?, ?)",
                    (slot.uid, _utc_text(slot.start), client_id, *statuses),
                ).fetchone()
                return int(row[0])

            changed = change(current, taken)
            if changed != current:
                self._write_case(db, changed, current is None)
            return changed

    def cases_presented_by(self, person_id: int) -> list[HubCase]:
        """A person's own cases (as presenter), the newest change first."""
        return self._cases("presenter_id = ?", (person_id,))

    def program_cases(self, program_id: int, status: CaseStatus | None = None) -> list[HubCase]:
        """A program's cases (of one status), the oldest change first: the review queue's order."""
        if status is None:
            return self._cases("program_id = ?", (program_id,), oldest_first=True)
        return self._cases("program_id = ? AND status = ?", (program_id, status.value), oldest_first=True)

    def session_cases(self, slot: SessionSlot) -> list[HubCase]:
        """The cases that hold a slot of one session (approved, presented or recommended)."""
        statuses = tuple(s.value for s in IN_A_SESSION)
        return self._cases(
            "session_uid = ? AND session_start = ? AND status IN (?, ?, ?)",
            (slot.uid, _utc_text(slot.start), *statuses),
            oldest_first=True,
        )

    def approved_cases(self, program_id: int, start: datetime, end: datetime) -> list[HubCase]:
        """A program's cases that hold a session slot (approved, presented or recommended) in the
        sessions starting from `start` until before `end`, by session start, then oldest first."""
        statuses = tuple(s.value for s in IN_A_SESSION)
        return self._cases(
            "program_id = ? AND status IN (?, ?, ?) AND session_start >= ? AND session_start < ?",
            (program_id, *statuses, _utc_text(start), _utc_text(end)),
            order="session_start, updated_at, id",
        )

    def _cases(
        self, where: str, params: tuple[object, ...], oldest_first: bool = False, order: str | None = None
    ) -> list[HubCase]:
        order = order or ("updated_at, id" if oldest_first else "updated_at DESC, id DESC")
        with self._lock:
            ids = self._db.execute(
                f"SELECT client_id FROM cases WHERE {where} ORDER BY {order}",  # noqa: S608 -- ours, fixed
                params,
            ).fetchall()
            found = [self._case(self._db, str(row[0])) for row in ids]
        return [case for case in found if case is not None]

    def _case(self, db: sqlite3.Connection, client_id: str) -> HubCase | None:
        row = db.execute(_CASE_SELECT + " WHERE client_id = ?", (client_id,)).fetchone()
        if row is None:
            return None
        dismissals = db.execute(
            "SELECT field, kind, text, reason FROM case_dismissals WHERE case_id = ? ORDER BY position",
            (row[0],),
        ).fetchall()
        return _hub_case(row, [Dismissal(str(d[0]), PhiKind(d[1]), str(d[2]), str(d[3])) for d in dismissals])

    def _write_case(self, db: sqlite3.Connection, hub_case: HubCase, new: bool) -> None:
        case = hub_case.case
        stamp = (case.updated_at or self.now()).astimezone(UTC).isoformat()
        columns = {
            "program_id": case.program_id,
            "presenter_id": hub_case.presenter_id,
            "presenter": case.presenter,
            "form_values": json.dumps(case.values, ensure_ascii=False),
            "status": case.status.value,
            "version": case.version,
            "comments": case.comments,
            "session_uid": None if case.session is None else case.session.uid,
            "session_start": None if case.session is None else _utc_text(case.session.start),
            "recommendations": case.recommendations,
            "findings": json.dumps([[f.field, f.kind.value, f.start, f.end] for f in hub_case.findings]),
            "submission_digest": hub_case.submission_digest,
            "updated_at": stamp,
        }
        if new:
            self._require_program(db, case.program_id)
            self._require_person(db, hub_case.presenter_id)
            columns = {"client_id": case.client_id, **columns, "created_at": stamp}
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            db.execute(f"INSERT INTO cases ({names}) VALUES ({marks})", tuple(columns.values()))  # noqa: S608
        else:
            assignments = ", ".join(f"{name} = ?" for name in columns)
            db.execute(
                f"UPDATE cases SET {assignments} WHERE client_id = ?",  # noqa: S608 -- our column names
                (*columns.values(), case.client_id),
            )
        case_id = db.execute("SELECT id FROM cases WHERE client_id = ?", (case.client_id,)).fetchone()[0]
        db.execute("DELETE FROM case_dismissals WHERE case_id = ?", (case_id,))
        db.executemany(
            "INSERT INTO case_dismissals (case_id, position, field, kind, text, reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(case_id, n, d.field, d.kind.value, d.text, d.reason) for n, d in enumerate(case.dismissals)],
        )


_SESSION_ROOM_SELECT = (
    "SELECT s.uid, r.start, r.room, r.pin, r.secret, r.created_at, r.destroyed_at"
    " FROM session_rooms r JOIN series s ON s.id = r.series_id"
)


_CASE_SELECT = (
    "SELECT id, client_id, program_id, presenter_id, presenter, form_values, status, version, comments,"
    " session_uid, session_start, recommendations, findings, submission_digest, updated_at FROM cases"
)


def _hub_case(row: tuple[object, ...], dismissals: list[Dismissal]) -> HubCase:
    session = None
    if row[9] is not None and row[10] is not None:
        session = SessionSlot(str(row[9]), datetime.fromisoformat(str(row[10])))
    case = Case(
        client_id=str(row[1]),
        program_id=int(str(row[2])),
        values=json.loads(str(row[5])),
        status=CaseStatus(str(row[6])),
        version=int(str(row[7])),
        dismissals=tuple(dismissals),
        comments=str(row[8]),
        session=session,
        recommendations=str(row[11]),
        updated_at=datetime.fromisoformat(str(row[14])),
        presenter=str(row[4]),
    )
    findings = tuple(
        FieldFinding(str(f[0]), PhiKind(f[1]), int(f[2]), int(f[3])) for f in json.loads(str(row[12]))
    )
    return HubCase(case, int(str(row[3])), findings, str(row[13]))


def _session_room(row: tuple[object, ...]) -> SessionRoom:
    def stamp(value: object) -> datetime | None:
        return None if value is None else datetime.fromisoformat(str(value))

    return SessionRoom(
        series_uid=str(row[0]),
        start=datetime.fromisoformat(str(row[1])),
        room=int(str(row[2])),
        pin=str(row[3]),
        secret=str(row[4]),
        created_at=stamp(row[5]),
        destroyed_at=stamp(row[6]),
    )


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise StoreError("a session's start must be an aware time")
    return moment.astimezone(UTC).isoformat()


def _random_room() -> int:
    low, high = ROOM_NUMBERS
    return low + secrets.randbelow(high - low + 1)


def _fits_sqlite(number: int) -> bool:
    """Whether an id can be one of ours at all (SQLite's integers are 64-bit; a bigger one is
    nobody's, not a crash)."""
    return -(2**63) <= number < 2**63


def _check_time_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise StoreError(f"{name!r} is not a known IANA time zone (such as America/Denver)") from exc


def _statements(script: str) -> list[str]:
    """The statements of a migration script (ours: no semicolons inside literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]
