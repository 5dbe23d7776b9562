"""The schedule's cache on disk, each feed's last good copy and how fresh it is; and, beside it,
the subscriptions.

- The subscriptions (what only the user can give: hubs with their API tokens, feed URLs) live in
  their own small file (`subscriptions_file`, under the user config folder); the SQLite cache holds
  only what can be fetched again (feed bodies, validators, errors, the last refresh, the titles of
  the cases approved into a hub's sessions). So a damaged cache loses nothing the user gave: it is
  moved aside (renamed with a timestamp), rebuilt empty, and the next refresh fetches every feed
  again; `notices` says so. Nothing raises for it.
- A cache from before that split has its subscriptions table copied to the file once (if there is
  no file yet), then dropped, so nobody has to subscribe again after an upgrade.
- SQLite in WAL mode under the user data folder (platformdirs, so XDG_DATA_HOME moves it), the
  folder 0700 and the file 0600 (SQLite gives its -wal and -shm files the file's mode).
- Every write is one transaction: a crash (or a kill) mid-write leaves the last committed state.
- Hub subscriptions keep the person's API token (the app needs it to ask for join details): the
  file is the user's alone, and `Subscription`'s repr never shows the token.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from echo_desktop.schedule.lobby import ApprovedCase
from echo_desktop.storage import sqlite_file, subscriptions_file
from echo_desktop.storage.subscriptions_file import Subscription, SubscriptionKind

logger = logging.getLogger(__name__)

APP_NAME = "echo-desktop"
APP_AUTHOR = "Project ECHO"
FILE_NAME = "schedule.db"

Clock = Callable[[], datetime]

# A feed's cached copy; the same columns in every version of the table.
_FEED_COLUMNS = "body BLOB, etag TEXT, last_modified TEXT, fetched_at TEXT, error TEXT, error_at TEXT"

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
        "CREATE TABLE feeds (subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions (id)"
        f" ON DELETE CASCADE, {_FEED_COLUMNS})",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    (
        # The subscriptions moved to their own file (copied there first, by `_migrate`): the feeds
        # are keyed by the file's subscription ids, with no table to reference.
        f"CREATE TABLE feeds_v2 (subscription_id INTEGER PRIMARY KEY, {_FEED_COLUMNS})",
        "INSERT INTO feeds_v2 SELECT subscription_id, body, etag, last_modified, fetched_at, error, error_at"
        " FROM feeds",
        "DROP TABLE feeds",
        "ALTER TABLE feeds_v2 RENAME TO feeds",
        "DROP TABLE subscriptions",
    ),
    (
        # 3: the approved cases of each hub subscription's sessions (issue 11), for the lobby
        # offline: replaced whole at each refresh that reached the hub.
        "CREATE TABLE approved_cases (subscription_id INTEGER NOT NULL, position INTEGER NOT NULL,"
        " uid TEXT NOT NULL, start TEXT NOT NULL, client_id TEXT NOT NULL, title TEXT NOT NULL,"
        " PRIMARY KEY (subscription_id, position))",
    ),
)
_PER_SUBSCRIPTION = ("feeds", "approved_cases")  # the tables keyed by a subscription's id
SUBSCRIPTIONS_MIGRATION = 2  # the schema version that moves the subscriptions out

DAMAGED_NOTICE = "The saved schedule was damaged; it was set aside and is being fetched again."

__all__ = [
    "CachedFeed",
    "FeedUpdate",
    "ScheduleCache",
    "Subscription",
    "SubscriptionKind",
    "default_path",
    "subscriptions_path_for",
]


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
    cases: Sequence[ApprovedCase] | None = None  # a hub's approved cases; None keeps the cached ones


def subscriptions_path_for(path: Path | None) -> Path:
    """Where the subscriptions of the cache at `path` live: the user config folder's file for the
    default cache (None), else `<path's stem>.subscriptions.json` beside it (a demo's or a test's
    own cache keeps its own subscriptions). The case sync reads its hubs from the same file."""
    if path is None:
        return subscriptions_file.default_path()
    return path.with_name(f"{path.stem}.{subscriptions_file.FILE_NAME}")


def default_path() -> Path:
    """The cache file in the platform's user data folder (XDG_DATA_HOME on Linux)."""
    return platformdirs.user_data_path(APP_NAME, APP_AUTHOR) / FILE_NAME


class ScheduleCache:
    """The cache and the subscriptions file; thread-safe (the app uses it from worker threads)."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        notices: tuple[str, ...],
        subscriptions_path: Path,
        subscriptions: Sequence[Subscription] = (),
    ) -> None:
        self._db = connection
        self.path = path
        self.subscriptions_path = subscriptions_path
        self.notices = notices  # things to tell the user once (a damaged file was set aside)
        self._subscriptions = list(subscriptions)
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, path: Path | None = None, now: Clock | None = None, subscriptions_path: Path | None = None
    ) -> ScheduleCache:
        """Open (or create) the cache and read the subscriptions.

        `subscriptions_path` defaults to the user config folder's file when `path` is the default
        too, and otherwise to `<path's stem>.subscriptions.json` beside `path` (a demo's or a test's
        own cache keeps its own subscriptions). A damaged cache is moved aside and rebuilt, a damaged
        subscriptions file is moved aside, each with a notice. Where no cache file can be used at
        all, the cache lives in memory for this run, with a notice.
        """
        if subscriptions_path is None:
            subscriptions_path = subscriptions_path_for(path)
        path = path or default_path()
        now = now or (lambda: datetime.now(UTC))
        notices: list[str] = []
        try:
            try:
                connection = _connect(path, subscriptions_path, now)
            except sqlite3.DatabaseError as exc:
                aside = sqlite_file.move_aside(path, now())
                logger.warning("The schedule cache was unreadable (%s); moved aside as %s", exc, aside.name)
                notices.append(DAMAGED_NOTICE)
                connection = _connect(path, subscriptions_path, now)
        except (OSError, sqlite3.Error) as exc:
            logger.warning("The schedule cache %s cannot be used (%s); keeping it in memory", path, exc)
            notices.append(
                f"The schedule cannot be saved in {path.parent} ({exc}); "
                "it is kept only until the app closes."
            )
            connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            _migrate(connection, subscriptions_path, now)
        try:
            loaded = subscriptions_file.load(subscriptions_path, now())
        except OSError as exc:
            loaded = subscriptions_file.Loaded([])
            notices.append(f"Your subscriptions cannot be read from {subscriptions_path} ({exc.strerror}).")
        cache = cls(connection, path, (*notices, *loaded.notices), subscriptions_path, loaded.subscriptions)
        cache._forget_unsubscribed()
        return cache

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- subscriptions -------------------------------------------------------------------------

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            return list(self._subscriptions)

    def subscribe(
        self,
        subscriptions: Sequence[Subscription],
        added_at: datetime,
    ) -> list[Subscription]:
        """Add subscriptions (their `id` is ignored) in one write of the subscriptions file; one for
        a feed already subscribed replaces its name, token and details but keeps its cached copy.
        Raises OSError when the file cannot be written (and then nothing changes)."""
        with self._lock:
            kept = list(self._subscriptions)
            by_feed = {s.feed: n for n, s in enumerate(kept)}
            next_id = max((s.id for s in kept), default=0) + 1
            for one in subscriptions:
                if one.feed in by_feed:
                    old = kept[by_feed[one.feed]]
                    kept[by_feed[one.feed]] = replace(one, id=old.id, added_at=old.added_at)
                else:
                    by_feed[one.feed] = len(kept)
                    kept.append(replace(one, id=next_id, added_at=added_at))
                    next_id += 1
            subscriptions_file.save(self.subscriptions_path, kept)
            self._subscriptions = kept
        feeds = {one.feed for one in subscriptions}
        return [s for s in kept if s.feed in feeds]

    def unsubscribe(self, subscription_id: int) -> None:
        with self._lock:
            kept = [s for s in self._subscriptions if s.id != subscription_id]
            subscriptions_file.save(self.subscriptions_path, kept)
            self._subscriptions = kept
            with self._transaction() as db:
                for table in _PER_SUBSCRIPTION:
                    db.execute(f"DELETE FROM {table} WHERE subscription_id = ?", (subscription_id,))  # noqa: S608

    def _forget_unsubscribed(self) -> None:
        """Drop cached feeds of no subscription (its file set aside or edited), so that a new
        subscription given the same id never shows another feed's sessions."""
        with self._lock:
            ids = [s.id for s in self._subscriptions]
            try:
                with self._transaction() as db:
                    marks = ", ".join("?" * len(ids))
                    for table in _PER_SUBSCRIPTION:
                        db.execute(f"DELETE FROM {table} WHERE subscription_id NOT IN ({marks})", ids)  # noqa: S608
            except sqlite3.Error as exc:  # the refresh will find the cache's trouble and say so
                logger.warning("Could not drop the cache of old subscriptions (%s)", exc)

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
                if update.cases is not None:
                    db.execute(
                        "DELETE FROM approved_cases WHERE subscription_id = ?", (update.subscription_id,)
                    )
                    db.executemany(
                        "INSERT INTO approved_cases (subscription_id, position, uid, start, client_id, title)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        [
                            (update.subscription_id, n, c.uid, _stamp(c.start), c.client_id, c.title)
                            for n, c in enumerate(update.cases)
                        ],
                    )
            if complete:
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('refreshed_at', ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (_stamp(now),),
                )

    def approved_cases(self) -> dict[int, list[ApprovedCase]]:
        """Every hub subscription's approved cases as last fetched, by subscription id."""
        with self._lock:
            rows = self._db.execute(
                "SELECT subscription_id, uid, start, client_id, title FROM approved_cases"
                " ORDER BY subscription_id, position"
            ).fetchall()
        found: dict[int, list[ApprovedCase]] = {}
        for row in rows:
            start = _time(row[2])
            if start is not None:
                found.setdefault(int(row[0]), []).append(ApprovedCase(row[1], start, row[3], row[4]))
        return found

    def last_refresh(self) -> datetime | None:
        """When every subscription last answered in one refresh; None if never."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'refreshed_at'").fetchone()
        return None if row is None else _time(row[0])

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_file.transaction(self._db)


def _connect(path: Path, subscriptions_path: Path, now: Clock) -> sqlite3.Connection:
    """Open the file private to this user, check it is a sound cache, migrate it."""
    connection = sqlite_file.open_private(path)  # WAL with NORMAL: a crash loses no committed state
    try:
        _migrate(connection, subscriptions_path, now)
    except BaseException:
        connection.close()
        raise
    return connection


def _migrate(db: sqlite3.Connection, subscriptions_path: Path, now: Clock) -> None:
    def before(number: int) -> None:
        if number == SUBSCRIPTIONS_MIGRATION:
            _copy_subscriptions_out(db, subscriptions_path, now())

    for number in sqlite_file.migrate(db, MIGRATIONS, before):
        logger.info("Schedule cache schema is now version %d", number)


def _copy_subscriptions_out(db: sqlite3.Connection, path: Path, now: datetime) -> None:
    """An older cache's subscriptions, written to the subscriptions file before the table goes (in
    the migration's transaction: if the file cannot be written, the table stays). A file already
    there is the newer truth and is kept."""
    rows = db.execute(
        "SELECT id, kind, feed, name, service, token, program_id, time_zone, added_at"
        " FROM subscriptions ORDER BY id"
    ).fetchall()
    if not rows or path.exists():
        return
    found = [
        Subscription(
            int(r[0]),
            SubscriptionKind(r[1]),
            r[2],
            r[3],
            r[4],
            r[5],
            None if r[6] is None else int(r[6]),
            r[7],
            _time(r[8]) or now,
        )
        for r in rows
    ]
    subscriptions_file.save(path, found)
    logger.info("Moved %d subscription(s) from the schedule cache to %s", len(found), path.name)


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
