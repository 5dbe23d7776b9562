"""The schedule's cache on disk: subscriptions, each feed's last good copy, and how fresh it is.

- SQLite in WAL mode under the user data folder (platformdirs, so XDG_DATA_HOME moves it), the
  folder 0700 and the file 0600 (SQLite gives its -wal and -shm files the file's mode).
- Every write is one transaction: a crash (or a kill) mid-write leaves the last committed state.
- A file that is not a readable database is moved aside (renamed with a timestamp) and a new one
  is made; `notices` then holds a sentence for the user. Nothing raises for a damaged cache.
- Hub subscriptions keep the person's API token (the app needs it to ask for join details): the
  file is the user's alone, and `Subscription`'s repr never shows the token.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import platformdirs

logger = logging.getLogger(__name__)

APP_NAME = "echo-desktop"
APP_AUTHOR = "Project ECHO"
FILE_NAME = "schedule.db"

Clock = Callable[[], datetime]

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            feed TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            service TEXT,
            token TEXT,
            program_id INTEGER,
            time_zone TEXT,
            added_at TEXT NOT NULL
        )""",
        """CREATE TABLE feeds (
            subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
            body BLOB,
            etag TEXT,
            last_modified TEXT,
            fetched_at TEXT,
            error TEXT,
            error_at TEXT
        )""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
)


class SubscriptionKind(StrEnum):
    HUB = "hub"  # one program of a hub: its API feed, fetched with the person's token
    FEED = "feed"  # any iCalendar feed, by URL or file


@dataclass(frozen=True)
class Subscription:
    """One subscribed program or calendar."""

    id: int
    kind: SubscriptionKind
    feed: str  # the feed's URL or file path (a hub's: {service}/api/programs/{id}/feed.ics)
    name: str  # the program's name, for people
    service: str | None = None  # the hub's program service (hub subscriptions)
    token: str | None = field(default=None, repr=False)  # the person's API token (hub)
    program_id: int | None = None
    time_zone: str | None = None  # the program's IANA zone, when the hub said


@dataclass(frozen=True)
class CachedFeed:
    """What the cache holds for one subscription."""

    subscription_id: int
    body: bytes | None = None  # the last good copy of the feed
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None  # the last time the source answered (200 or 304)
    error: str | None = None  # the last refresh's problem, for people (None: it went well)
    error_at: datetime | None = None


@dataclass(frozen=True)
class FeedUpdate:
    """One subscription's outcome in a refresh.

    `body` None keeps the cached copy (a 304, or a failure); `fetched_at` None keeps the fetched
    time (the source did not answer); `error` replaces the last error (None clears it).
    """

    subscription_id: int
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    error: str | None = None


def default_path() -> Path:
    """The cache file in the platform's user data folder (XDG_DATA_HOME on Linux)."""
    return platformdirs.user_data_path(APP_NAME, APP_AUTHOR) / FILE_NAME


class ScheduleCache:
    """The cache; thread-safe (the app reads and writes it from worker threads)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, notices: tuple[str, ...]) -> None:
        self._db = connection
        self.path = path
        self.notices = notices  # things to tell the user once (the cache was damaged and rebuilt)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path | None = None, now: Clock | None = None) -> ScheduleCache:
        """Open (or create) the cache; a damaged one is moved aside and rebuilt, with a notice.
        Where no file can be used at all, the cache lives in memory for this run, with a notice."""
        path = path or default_path()
        now = now or (lambda: datetime.now(UTC))
        try:
            try:
                return cls(_connect(path), path, ())
            except sqlite3.DatabaseError as exc:
                aside = _move_aside(path, now())
                logger.warning("The schedule cache was unreadable (%s); moved aside as %s", exc, aside.name)
                notice = (
                    "The saved schedule could not be read, so it was set aside "
                    f"(as {aside.name}) and started afresh; subscribe to your programs again."
                )
                return cls(_connect(path), path, (notice,))
        except (OSError, sqlite3.Error) as exc:
            logger.warning("The schedule cache %s cannot be used (%s); keeping it in memory", path, exc)
            notice = (
                f"The schedule cannot be saved in {path.parent} ({exc}); "
                "it is kept only until the app closes."
            )
            memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            _migrate(memory)
            return cls(memory, path, (notice,))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- subscriptions -------------------------------------------------------------------------

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kind, feed, name, service, token, program_id, time_zone"
                " FROM subscriptions ORDER BY id"
            ).fetchall()
        return [
            Subscription(
                int(r[0]),
                SubscriptionKind(r[1]),
                r[2],
                r[3],
                r[4],
                r[5],
                None if r[6] is None else int(r[6]),
                r[7],
            )
            for r in rows
        ]

    def subscribe(
        self,
        subscriptions: Sequence[Subscription],
        added_at: datetime,
    ) -> list[Subscription]:
        """Add subscriptions (their `id` is ignored) in one transaction; one for a feed already
        subscribed replaces its name, token and details but keeps its cached copy."""
        with self._lock, self._transaction() as db:
            for one in subscriptions:
                db.execute(
                    "INSERT INTO subscriptions"
                    " (kind, feed, name, service, token, program_id, time_zone, added_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (feed) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
                    " service = excluded.service, token = excluded.token,"
                    " program_id = excluded.program_id, time_zone = excluded.time_zone",
                    (
                        one.kind.value,
                        one.feed,
                        one.name,
                        one.service,
                        one.token,
                        one.program_id,
                        one.time_zone,
                        _stamp(added_at),
                    ),
                )
        feeds = {one.feed for one in subscriptions}
        return [s for s in self.subscriptions() if s.feed in feeds]

    def unsubscribe(self, subscription_id: int) -> None:
        with self._lock, self._transaction() as db:
            db.execute("DELETE FROM feeds WHERE subscription_id = ?", (subscription_id,))
            db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))

    # --- feeds ---------------------------------------------------------------------------------

    def feeds(self) -> dict[int, CachedFeed]:
        """Every subscription's cached feed, by subscription id."""
        with self._lock:
            rows = self._db.execute(
                "SELECT subscription_id, body, etag, last_modified, fetched_at, error, error_at FROM feeds"
            ).fetchall()
        return {
            int(r[0]): CachedFeed(
                int(r[0]), None if r[1] is None else bytes(r[1]), r[2], r[3], _time(r[4]), r[5], _time(r[6])
            )
            for r in rows
        }

    def record_refresh(self, updates: Sequence[FeedUpdate], now: datetime, complete: bool) -> None:
        """A refresh's outcomes, in one transaction; when every source answered (`complete`), `now`
        becomes the last full refresh."""
        with self._lock, self._transaction() as db:
            for update in updates:
                db.execute(
                    "INSERT INTO feeds (subscription_id) VALUES (?) ON CONFLICT DO NOTHING",
                    (update.subscription_id,),
                )
                if update.body is not None:
                    db.execute(
                        "UPDATE feeds SET body = ?, etag = ?, last_modified = ? WHERE subscription_id = ?",
                        (update.body, update.etag, update.last_modified, update.subscription_id),
                    )
                if update.fetched_at is not None:
                    db.execute(
                        "UPDATE feeds SET fetched_at = ? WHERE subscription_id = ?",
                        (_stamp(update.fetched_at), update.subscription_id),
                    )
                db.execute(
                    "UPDATE feeds SET error = ?, error_at = ? WHERE subscription_id = ?",
                    (update.error, None if update.error is None else _stamp(now), update.subscription_id),
                )
            if complete:
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('refreshed_at', ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (_stamp(now),),
                )

    def last_refresh(self) -> datetime | None:
        """When every subscription last answered in one refresh; None if never."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'refreshed_at'").fetchone()
        return None if row is None else _time(row[0])

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def _connect(path: Path) -> sqlite3.Connection:
    """Open the file private to this user, check it is a sound cache, migrate it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    # Create the file private before SQLite opens it: its -wal and -shm files take its mode.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash loses no committed state
        check = connection.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"the integrity check failed: {check}")
        _migrate(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _migrate(db: sqlite3.Connection) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise sqlite3.DatabaseError(f"written by a newer ECHO Desktop (schema {version})")
    for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        logger.info("Schedule cache schema is now version %d", number)


def _move_aside(path: Path, now: datetime) -> Path:
    """Rename a damaged cache (and its -wal and -shm files) with a timestamp; returns the new name."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.replace(Path(f"{aside}{suffix}"))
    return aside


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
