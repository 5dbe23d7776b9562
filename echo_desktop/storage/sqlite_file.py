"""What the app's SQLite files share: opened private to the user in WAL mode and checked, migrated
by numbered steps, written in transactions, and moved aside when damaged.

Callers catch `sqlite3.DatabaseError` from `open_private` (a damaged or unreadable file), move
the file aside and start again: each store words its own notice.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


def open_private(path: Path, synchronous: str = "NORMAL") -> sqlite3.Connection:
    """Open (or create) `path` readable by the user only (the folder 0700, the file 0600: its -wal
    and -shm files take its mode), in WAL mode with autocommit off-limits (`isolation_level=None`:
    every write goes through `transaction`); raises sqlite3.DatabaseError when it fails its check.

    `synchronous`: NORMAL loses no committed state in a crash; FULL not in a power cut either.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    # Created private before SQLite opens it: its -wal and -shm files take its mode.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"PRAGMA synchronous = {synchronous}")
        check = connection.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"the integrity check failed: {check}")
    except BaseException:
        connection.close()
        raise
    return connection


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed whole, or rolled back whole."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def migrate(
    db: sqlite3.Connection,
    migrations: Sequence[Sequence[str]],
    before: Callable[[int], None] | None = None,
) -> list[int]:
    """Run the steps after the file's `user_version`, each in its own transaction (`before(number)`
    inside it, first); returns the numbers run. A file from a newer version raises DatabaseError."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(migrations):
        raise sqlite3.DatabaseError(f"written by a newer ECHO Desktop (schema {version})")
    done: list[int] = []
    for number, statements in enumerate(migrations[version:], start=version + 1):
        with transaction(db):
            if before is not None:
                before(number)
            for statement in statements:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
        done.append(number)
    return done


def move_aside(path: Path, now: datetime) -> Path:
    """Rename a damaged file (and its -wal and -shm files) with a timestamp; returns the new name."""
    aside = path.with_name(f"{path.name}.damaged-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.replace(Path(f"{aside}{suffix}"))
    return aside
