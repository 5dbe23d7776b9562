"""The person's cases on this computer: drafts, the outbox, the hub's copies of their cases (with
comments and recommendations, for offline), and each program's case form.

- SQLite in WAL mode, `case.db` beside the schedule cache under the user data folder
  (platformdirs), the folder 0700 and the file 0600 (its -wal and -shm files take its mode).
- `synchronous = FULL`: in WAL mode that syncs the log at every commit, so a saved draft survives
  a power cut, not only a crash (NORMAL could lose the last commits). Drafts are small and their
  saves coalesced by the caller, so the sync per save is cheap enough.
- Every write is one transaction: a killed writer leaves the last committed state. Moving a case
  between the tables (a draft queued, a refusal back to a draft) is one transaction too, so a
  case is never in neither table, nor in both.
- A draft may hold PHI until it is cleaned: `secure_delete` zeroes what a deletion or an update
  frees, and a discard truncates the WAL (which still holds earlier versions of the pages), so
  the text does not linger in the files. Case text never goes to a log or an exception message
  (SQL parameters only; SQLite's messages do not quote them).
- A damaged file is moved aside (renamed with a timestamp) and a new one started; `notices` says
  so, naming the old file (its drafts may still be recovered from it). Nothing raises for it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from echo_desktop.cases.case_json import case_from_json, case_to_json, form_from_json, form_to_json
from echo_desktop.cases.model import Case, CaseForm, CaseStatus
from echo_desktop.storage import sqlite_file

logger = logging.getLogger(__name__)

APP_NAME = "echo-desktop"
APP_AUTHOR = "Project ECHO"
FILE_NAME = "case.db"

Clock = Callable[[], datetime]

_CASE_COLUMNS = "client_id TEXT PRIMARY KEY, service TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL"
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        f"CREATE TABLE drafts ({_CASE_COLUMNS}, refusal TEXT NOT NULL DEFAULT '')",
        f"CREATE TABLE outbox ({_CASE_COLUMNS}, attempts INTEGER NOT NULL DEFAULT 0)",
        f"CREATE TABLE known ({_CASE_COLUMNS})",
        "CREATE TABLE forms (service TEXT NOT NULL, program_id INTEGER NOT NULL, body TEXT NOT NULL,"
        " PRIMARY KEY (service, program_id))",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
)


@dataclass(frozen=True)
class StoredCase:
    """A case kept here, with the hub it belongs to. A draft's `case.version` is the hub's version
    it was edited from (0 for a new case); `refusal` is the hub's last refusal of it, for people."""

    service: str
    case: Case
    refusal: str = ""


def default_path() -> Path:
    """`case.db` in the platform's user data folder (XDG_DATA_HOME on Linux), beside the schedule."""
    return platformdirs.user_data_path(APP_NAME, APP_AUTHOR) / FILE_NAME


def damaged_notice(aside: Path) -> str:
    return (
        "The saved cases could not be read, so a new store was started: drafts and cases waiting "
        f"to be sent that were not yet on the hub are in the old file, {aside}. "
        "Cases the hub has will be fetched again."
    )


class CaseStore:
    """The store; thread-safe (the sync uses it from worker threads)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, notices: tuple[str, ...]) -> None:
        self._db = connection
        self.path = path
        self.notices = notices
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path | None = None, now: Clock | None = None) -> CaseStore:
        """Open (or create) the store. A damaged file is moved aside with a notice; where no file
        can be used at all, the store lives in memory for this run, with a notice."""
        path = path or default_path()
        now = now or (lambda: datetime.now(UTC))
        notices: list[str] = []
        try:
            try:
                connection = _connect(path)
            except sqlite3.DatabaseError as exc:
                aside = sqlite_file.move_aside(path, now())
                logger.warning("The case store was unreadable (%s); moved aside as %s", exc, aside.name)
                notices.append(damaged_notice(aside))
                connection = _connect(path)
        except (OSError, sqlite3.Error) as exc:
            logger.warning("The case store %s cannot be used (%s); keeping it in memory", path, exc)
            notices.append(
                f"Cases cannot be saved in {path.parent} ({exc}); drafts are kept only until the app closes."
            )
            connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            sqlite_file.migrate(connection, MIGRATIONS)
        return cls(connection, path, tuple(notices))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- drafts --------------------------------------------------------------------------------

    def save_draft(self, service: str, case: Case, now: datetime) -> None:
        """Keep a draft's newest state (its refusal, if any, stays until it is queued again)."""
        body = _dump(replace(case, status=CaseStatus.DRAFT))
        with self._lock, self._transaction() as db:
            db.execute(
                "INSERT INTO drafts (client_id, service, body, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (client_id) DO UPDATE SET service = excluded.service, body = excluded.body,"
                " at = excluded.at",
                (case.client_id, service, body, _stamp(now)),
            )

    def draft(self, client_id: str) -> StoredCase | None:
        with self._lock:
            row = self._db.execute(
                "SELECT service, body, refusal FROM drafts WHERE client_id = ?", (client_id,)
            ).fetchone()
        return None if row is None else StoredCase(row[0], _load(row[1]), row[2])

    def discard_draft(self, client_id: str) -> None:
        """Delete a draft, and truncate the WAL so its earlier versions are gone from it too."""
        with self._lock:
            with self._transaction() as db:
                db.execute("DELETE FROM drafts WHERE client_id = ?", (client_id,))
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- the outbox ----------------------------------------------------------------------------

    def queue(self, service: str, case: Case, now: datetime) -> None:
        """Put a case in the outbox and drop its draft, in one transaction."""
        body = _dump(replace(case, status=CaseStatus.QUEUED))
        with self._lock, self._transaction() as db:
            db.execute(
                "INSERT INTO outbox (client_id, service, body, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (client_id) DO UPDATE SET service = excluded.service, body = excluded.body,"
                " at = excluded.at, attempts = 0",
                (case.client_id, service, body, _stamp(now)),
            )
            db.execute("DELETE FROM drafts WHERE client_id = ?", (case.client_id,))

    def outbox(self) -> list[StoredCase]:
        """The queued cases, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT service, body FROM outbox ORDER BY at, client_id").fetchall()
        return [StoredCase(r[0], _load(r[1])) for r in rows]

    def sent(self, service: str, hub_copy: Case, now: datetime) -> None:
        """The hub took a queued case: out of the outbox, its copy kept, in one transaction."""
        with self._lock, self._transaction() as db:
            db.execute("DELETE FROM outbox WHERE client_id = ?", (hub_copy.client_id,))
            _put_known(db, service, hub_copy, now)

    def refused(self, client_id: str, refusal: str, now: datetime, base_version: int | None = None) -> None:
        """The hub refused a queued case: back to a draft with the hub's words, the text kept (and
        edited from `base_version` when the hub said it has a newer one), in one transaction."""
        with self._lock, self._transaction() as db:
            row = db.execute("SELECT service, body FROM outbox WHERE client_id = ?", (client_id,)).fetchone()
            if row is None:
                return
            case = replace(_load(row[1]), status=CaseStatus.DRAFT)
            if base_version is not None:
                case = replace(case, version=base_version)
            db.execute("DELETE FROM outbox WHERE client_id = ?", (client_id,))
            db.execute(
                "INSERT INTO drafts (client_id, service, body, at, refusal) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (client_id) DO UPDATE SET service = excluded.service, body = excluded.body,"
                " at = excluded.at, refusal = excluded.refusal",
                (client_id, row[0], _dump(case), _stamp(now), refusal),
            )

    # --- the hub's copies ----------------------------------------------------------------------

    def replace_known(self, service: str, cases: Sequence[Case], now: datetime) -> None:
        """A hub's answer to "my cases": its copies replace what was kept from that hub."""
        with self._lock, self._transaction() as db:
            db.execute("DELETE FROM known WHERE service = ?", (service,))
            for case in cases:
                _put_known(db, service, case, now)

    def put_known(self, service: str, case: Case, now: datetime) -> None:
        """One case as the hub has it now (after a review, for instance)."""
        with self._lock, self._transaction() as db:
            _put_known(db, service, case, now)

    def known(self) -> list[StoredCase]:
        with self._lock:
            rows = self._db.execute("SELECT service, body FROM known").fetchall()
        return [StoredCase(r[0], _load(r[1])) for r in rows]

    def all_cases(self) -> tuple[list[StoredCase], list[StoredCase], list[StoredCase]]:
        """The drafts, the outbox and the hub's copies, read together (one consistent view)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                drafts = self._db.execute("SELECT service, body, refusal FROM drafts").fetchall()
                queued = self._db.execute("SELECT service, body FROM outbox").fetchall()
                known = self._db.execute("SELECT service, body FROM known").fetchall()
            finally:
                self._db.execute("COMMIT")
        return (
            [StoredCase(r[0], _load(r[1]), r[2]) for r in drafts],
            [StoredCase(r[0], _load(r[1])) for r in queued],
            [StoredCase(r[0], _load(r[1])) for r in known],
        )

    # --- forms and the last pull ---------------------------------------------------------------

    def save_form(self, service: str, program_id: int, form: CaseForm) -> None:
        with self._lock, self._transaction() as db:
            db.execute(
                "INSERT INTO forms (service, program_id, body) VALUES (?, ?, ?)"
                " ON CONFLICT (service, program_id) DO UPDATE SET body = excluded.body",
                (service, program_id, json.dumps(form_to_json(form))),
            )

    def form(self, service: str, program_id: int) -> CaseForm | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM forms WHERE service = ? AND program_id = ?", (service, program_id)
            ).fetchone()
        if row is None:
            return None
        try:
            return form_from_json(json.loads(row[0]))
        except ValueError:
            return None

    def record_pull(self, now: datetime) -> None:
        """Every hub answered a pull at `now`."""
        with self._lock, self._transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('pulled_at', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_stamp(now),),
            )

    def last_pull(self) -> datetime | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'pulled_at'").fetchone()
        return None if row is None else datetime.fromisoformat(row[0])

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_file.transaction(self._db)


def _put_known(db: sqlite3.Connection, service: str, case: Case, now: datetime) -> None:
    db.execute(
        "INSERT INTO known (client_id, service, body, at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (client_id) DO UPDATE SET service = excluded.service, body = excluded.body,"
        " at = excluded.at",
        (case.client_id, service, _dump(case), _stamp(now)),
    )


def _dump(case: Case) -> str:
    return json.dumps(case_to_json(case), ensure_ascii=False)


def _load(body: str) -> Case:
    """A stored case; one that no longer reads is damage (the file is checked at open, so this is a
    row written by a newer version or edited by hand)."""
    try:
        return case_from_json(json.loads(body))
    except ValueError as exc:
        raise sqlite3.DatabaseError(f"a stored case cannot be read ({exc})") from None


def _connect(path: Path) -> sqlite3.Connection:
    """Open the file private to this user, check it is a sound store, migrate it, read every case."""
    connection = sqlite_file.open_private(path, synchronous="FULL")  # a saved draft survives a power cut
    try:
        connection.execute("PRAGMA secure_delete = ON")  # deleted text does not linger in free pages
        sqlite_file.migrate(connection, MIGRATIONS)
        for table in ("drafts", "outbox", "known"):
            for (body,) in connection.execute(f"SELECT body FROM {table}"):  # noqa: S608 - our names
                _load(body)
    except BaseException:
        connection.close()
        raise
    return connection


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
