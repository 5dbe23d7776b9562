"""The schedule cache on disk: what it keeps, its permissions, a damaged file, and a killed writer."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from echo_desktop.storage.schedule_cache import (
    FeedUpdate,
    ScheduleCache,
    Subscription,
    SubscriptionKind,
    default_path,
)
from tests.waiting import wait_until

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
HUB = Subscription(
    0,
    SubscriptionKind.HUB,
    "https://hub.example.org/api/programs/3/feed.ics",
    "Hepatitis C",
    service="https://hub.example.org",
    token="api-token-secret-0123",
    program_id=3,
    time_zone="America/Denver",
)
FEED = Subscription(0, SubscriptionKind.FEED, "/home/dana/pain.ics", "pain.ics")


def test_subscriptions_feeds_and_refresh_times_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "data" / "schedule.db"
    cache = ScheduleCache.open(path)
    hub, feed = cache.subscribe([HUB, FEED], NOW)
    assert hub.token == "api-token-secret-0123" and "api-token-secret" not in repr(hub)
    cache.record_refresh(
        [
            FeedUpdate(hub.id, b"BEGIN:VCALENDAR hub", '"e1"', "Thu, 01 Oct 2026 12:00:00 GMT", NOW),
            FeedUpdate(feed.id, None, None, None, None, "pain.ics: the file does not exist"),
        ],
        NOW,
        complete=False,
    )
    assert cache.last_refresh() is None  # one source failed: not a full refresh
    cache.close()

    again = ScheduleCache.open(path)
    assert again.notices == ()
    assert [s.name for s in again.subscriptions()] == ["Hepatitis C", "pain.ics"]
    feeds = again.feeds()
    assert feeds[hub.id].body == b"BEGIN:VCALENDAR hub" and feeds[hub.id].etag == '"e1"'
    assert feeds[hub.id].fetched_at == NOW and feeds[hub.id].error is None
    assert feeds[feed.id].body is None and feeds[feed.id].error == "pain.ics: the file does not exist"
    assert feeds[feed.id].error_at == NOW

    # A 304: only the fetched time moves; the body and validators stay.
    later = NOW + timedelta(minutes=15)
    again.record_refresh(
        [FeedUpdate(hub.id, fetched_at=later), FeedUpdate(feed.id, b"x", fetched_at=later)], later, True
    )
    feeds = again.feeds()
    assert (feeds[hub.id].body, feeds[hub.id].etag, feeds[hub.id].fetched_at) == (
        b"BEGIN:VCALENDAR hub",
        '"e1"',
        later,
    )
    assert feeds[feed.id].error is None and again.last_refresh() == later

    # Subscribing to the same feed again updates it and keeps its copy.
    [renamed] = again.subscribe(
        [Subscription(0, SubscriptionKind.FEED, FEED.feed, "Chronic Pain ECHO")], later
    )
    assert renamed.id == feed.id and again.feeds()[feed.id].body == b"x"
    again.unsubscribe(feed.id)
    assert [s.id for s in again.subscriptions()] == [hub.id] and feed.id not in again.feeds()
    again.close()


def test_the_cache_is_private_in_wal_mode_under_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "echo-desktop" / "schedule.db"
    cache = ScheduleCache.open()
    cache.subscribe([HUB], NOW)
    assert stat.S_IMODE(default_path().parent.stat().st_mode) == 0o700
    for suffix in ("", "-wal", "-shm"):
        assert stat.S_IMODE(Path(f"{default_path()}{suffix}").stat().st_mode) == 0o600
    with sqlite3.connect(default_path()) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    cache.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_cache_is_moved_aside_rebuilt_and_the_user_told(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "schedule.db"
    cache = ScheduleCache.open(path)
    [hub] = cache.subscribe([HUB], NOW)
    cache.record_refresh([FeedUpdate(hub.id, b"B" * 200_000, fetched_at=NOW)], NOW, True)
    cache.close()
    data = path.read_bytes()
    path.write_bytes(
        b"this is not a database at all" * 100 if damage == "garbage" else data[: len(data) // 3]
    )

    rebuilt = ScheduleCache.open(path, now=lambda: NOW)
    assert len(rebuilt.notices) == 1
    assert (
        "could not be read" in rebuilt.notices[0]
        and "schedule.db.damaged-20261020T080000Z" in rebuilt.notices[0]
    )
    assert (tmp_path / "schedule.db.damaged-20261020T080000Z").read_bytes()[:29] == (
        b"this is not a database at all" if damage == "garbage" else data[:29]
    )
    assert rebuilt.subscriptions() == [] and rebuilt.last_refresh() is None
    rebuilt.subscribe([FEED], NOW)  # and it works
    rebuilt.close()
    assert ScheduleCache.open(path).notices == ()


def test_a_folder_that_cannot_hold_the_cache_keeps_it_in_memory_with_a_notice(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    cache = ScheduleCache.open(blocker / "schedule.db")
    assert len(cache.notices) == 1 and "kept only until the app closes" in cache.notices[0]
    cache.subscribe([FEED], NOW)
    assert [s.feed for s in cache.subscriptions()] == [FEED.feed]
    cache.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from echo_desktop.storage.schedule_cache import FeedUpdate, ScheduleCache, Subscription, SubscriptionKind

    cache = ScheduleCache.open(Path(sys.argv[1]))
    subs = cache.subscribe(
        [Subscription(0, SubscriptionKind.FEED, f"/feeds/{n}.ics", f"feed {n}") for n in range(3)],
        datetime.now(UTC),
    )
    n = int(sys.argv[2])
    while True:
        n += 1
        body = (b"%d;" % n) * 50_000  # big enough that a kill lands mid-write often
        now = datetime.now(UTC)
        cache.record_refresh([FeedUpdate(s.id, body, str(n), None, now) for s in subs], now, True)
        print(n, flush=True)
    """
)


def test_a_writer_killed_mid_transaction_leaves_the_last_committed_state(tmp_path: Path) -> None:
    path = tmp_path / "schedule.db"
    committed = 0
    for _round in range(15):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(committed)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parent.parent,
        )
        assert writer.stdout is not None
        printed: list[int] = []
        reader = threading.Thread(target=lambda: printed.extend(int(line) for line in writer.stdout or ()))
        reader.start()
        wait_until(lambda: len(printed) >= 3, what="the writer to commit a few refreshes")
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        reader.join()
        assert writer.returncode == -signal.SIGKILL

        cache = ScheduleCache.open(path)
        assert cache.notices == ()
        feeds = cache.feeds()
        assert len(feeds) == 3
        tags = {feed.etag for feed in feeds.values()}
        assert len(tags) == 1  # all three rows come from the same transaction
        last = int(tags.pop() or 0)
        # Everything it said it committed is there; at most the one after it (committed, not yet printed).
        assert printed[-1] <= last <= printed[-1] + 1
        assert all(feed.body == (b"%d;" % last) * 50_000 for feed in feeds.values())
        cache.close()
        committed = last
