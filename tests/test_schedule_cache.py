"""The schedule cache on disk: what it keeps, its permissions, a damaged file, and a killed writer."""

from __future__ import annotations

import sqlite3
import stat
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from echo_desktop.schedule.lobby import ApprovedCase
from echo_desktop.storage import subscriptions_file
from echo_desktop.storage.schedule_cache import (
    FeedUpdate,
    ScheduleCache,
    Subscription,
    SubscriptionKind,
    default_path,
)
from tests.killed_writer import killed_after_a_few

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
    assert rebuilt.notices == (
        "The saved schedule was damaged; it was set aside and is being fetched again.",
    )
    assert (tmp_path / "schedule.db.damaged-20261020T080000Z").read_bytes()[:29] == (
        b"this is not a database at all" if damage == "garbage" else data[:29]
    )
    # What the user gave is all there, token included; only what can be fetched again is gone.
    assert rebuilt.subscriptions() == [hub] and rebuilt.subscriptions()[0].token == HUB.token
    assert rebuilt.feeds() == {} and rebuilt.last_refresh() is None
    rebuilt.subscribe([FEED], NOW)  # and it works
    rebuilt.close()
    again = ScheduleCache.open(path)
    assert again.notices == () and [s.name for s in again.subscriptions()] == ["Hepatitis C", "pain.ics"]
    again.close()


@pytest.mark.parametrize(
    "damage",
    [b"{not json", b'{"version": 1, "subscriptions": [{"id": "one"}]}', b"[]", b"\xff\xfe", b""],
)
def test_a_damaged_subscriptions_file_is_moved_aside_and_the_notice_says_what_and_where(
    tmp_path: Path, damage: bytes
) -> None:
    path = tmp_path / "schedule.db"
    cache = ScheduleCache.open(path)
    [hub] = cache.subscribe([HUB], NOW)
    cache.record_refresh([FeedUpdate(hub.id, b"hub feed", fetched_at=NOW)], NOW, True)
    cache.close()
    (tmp_path / "schedule.subscriptions.json").write_bytes(damage)

    reopened = ScheduleCache.open(path, now=lambda: NOW)
    aside = tmp_path / "schedule.subscriptions.json.damaged-20261020T080000Z"
    assert aside.read_bytes() == damage and not (tmp_path / "schedule.subscriptions.json").exists()
    [notice] = reopened.notices
    assert "hubs you signed in to with a token, and the calendar feeds" in notice
    assert str(aside) in notice
    # The feed cached for the lost subscription is dropped, so a new subscription given the same
    # id never shows another program's sessions.
    assert reopened.subscriptions() == [] and reopened.feeds() == {}
    [feed] = reopened.subscribe([FEED], NOW)
    assert reopened.feeds() == {} and feed.id == hub.id
    reopened.close()
    assert ScheduleCache.open(path).notices == ()


def test_the_subscriptions_file_is_private_json_under_xdg_config_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    cache = ScheduleCache.open()
    cache.subscribe([HUB, FEED], NOW)
    cache.close()
    file = tmp_path / "config" / "echo-desktop" / "subscriptions.json"
    assert subscriptions_file.default_path() == file and stat.S_IMODE(file.stat().st_mode) == 0o600
    assert [s.feed for s in subscriptions_file.parse(file.read_bytes())] == [HUB.feed, FEED.feed]
    # The cache holds nothing the user gave: no token, no subscription.
    assert HUB.token is not None
    data = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert data and not [p for p in data if HUB.token.encode() in p.read_bytes()]


def test_an_older_cache_hands_its_subscriptions_to_the_file_once(tmp_path: Path) -> None:
    path = tmp_path / "schedule.db"
    with sqlite3.connect(path) as db:  # the schema the first release wrote (version 1)
        for statement in _VERSION_1:
            db.execute(statement)
        db.execute(
            "INSERT INTO subscriptions (id, kind, feed, name, service, token, program_id, time_zone,"
            " added_at) VALUES (4, 'hub', ?, 'Hepatitis C', ?, ?, 3, 'America/Denver', ?)",
            (HUB.feed, HUB.service, HUB.token, NOW.isoformat()),
        )
        db.execute("INSERT INTO feeds (subscription_id, body, etag) VALUES (4, x'4869', '\"e1\"')")
        db.execute("PRAGMA user_version = 1")
    db.close()

    cache = ScheduleCache.open(path)
    assert cache.notices == ()
    [hub] = cache.subscriptions()
    assert (hub.id, hub.feed, hub.token, hub.time_zone, hub.added_at) == (
        4,
        HUB.feed,
        HUB.token,
        "America/Denver",
        NOW,
    )
    assert cache.feeds()[4].body == b"Hi" and cache.feeds()[4].etag == '"e1"'
    cache.close()
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert "subscriptions" not in tables  # the token is no longer in the cache
    assert ScheduleCache.open(path).subscriptions() == [hub]


_VERSION_1 = (
    """CREATE TABLE subscriptions (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,
        feed TEXT NOT NULL UNIQUE, name TEXT NOT NULL, service TEXT, token TEXT,
        program_id INTEGER, time_zone TEXT, added_at TEXT NOT NULL)""",
    """CREATE TABLE feeds (
        subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
        body BLOB, etag TEXT, last_modified TEXT, fetched_at TEXT, error TEXT, error_at TEXT)""",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def test_a_folder_that_cannot_hold_the_cache_keeps_it_in_memory_with_a_notice(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    cache = ScheduleCache.open(blocker / "schedule.db", subscriptions_path=tmp_path / "subscriptions.json")
    assert len(cache.notices) == 1 and "kept only until the app closes" in cache.notices[0]
    [feed] = cache.subscribe([FEED], NOW)
    cache.record_refresh([FeedUpdate(feed.id, b"pain", fetched_at=NOW)], NOW, True)
    assert [s.feed for s in cache.subscriptions()] == [FEED.feed] and cache.feeds()[feed.id].body == b"pain"
    cache.close()
    # Subscriptions that cannot be saved are refused, not kept for this run only: nothing changes.
    nowhere = ScheduleCache.open(tmp_path / "schedule.db", subscriptions_path=blocker / "subscriptions.json")
    assert nowhere.notices == ()
    with pytest.raises(OSError):
        nowhere.subscribe([FEED], NOW)
    assert nowhere.subscriptions() == []
    nowhere.close()


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
        printed = killed_after_a_few(_WRITER, str(path), str(committed))
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


_SUBSCRIBER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from echo_desktop.storage.schedule_cache import ScheduleCache, Subscription, SubscriptionKind

    cache = ScheduleCache.open(Path(sys.argv[1]))
    n = len(cache.subscriptions())
    while True:
        n += 1
        one = Subscription(0, SubscriptionKind.FEED, f"/feeds/{n}.ics", f"feed {n}")
        cache.subscribe([one], datetime.now(UTC))
        print(n, flush=True)
    """
)


def test_a_subscriber_killed_mid_write_leaves_a_readable_subscriptions_file(tmp_path: Path) -> None:
    path = tmp_path / "schedule.db"
    for _round in range(10):
        opened = ScheduleCache.open(path)
        before = len(opened.subscriptions())
        opened.close()
        printed = killed_after_a_few(_SUBSCRIBER, str(path))

        cache = ScheduleCache.open(path)
        assert cache.notices == ()  # never half a file
        feeds = [s.feed for s in cache.subscriptions()]
        # Everything it said it saved is there, in order; at most the one after it too.
        assert printed[-1] <= len(feeds) <= printed[-1] + 1 and printed[0] == before + 1
        assert feeds == [f"/feeds/{n}.ics" for n in range(1, len(feeds) + 1)]
        cache.close()


def test_a_hubs_approved_cases_are_kept_replaced_whole_and_dropped_with_their_subscription(
    tmp_path: Path,
) -> None:
    path = tmp_path / "schedule.db"
    cache = ScheduleCache.open(path)
    hub, feed = cache.subscribe([HUB, FEED], NOW)
    start = datetime(2026, 10, 22, 15, tzinfo=UTC)
    first = ApprovedCase("series-1@hub", start, "case-1", "HCV in pregnancy?")
    second = ApprovedCase("series-1@hub", start, "case-2", "When to refer?")
    cache.record_refresh([FeedUpdate(hub.id, b"BEGIN:VCALENDAR", cases=[first, second])], NOW, True)
    cache.close()
    again = ScheduleCache.open(path)
    assert again.approved_cases() == {hub.id: [first, second]}
    again.record_refresh([FeedUpdate(hub.id, fetched_at=NOW)], NOW, True)  # not fetched: kept
    assert again.approved_cases() == {hub.id: [first, second]}
    again.record_refresh([FeedUpdate(hub.id, fetched_at=NOW, cases=[second])], NOW, True)  # replaced whole
    assert again.approved_cases() == {hub.id: [second]}
    again.unsubscribe(hub.id)
    assert again.approved_cases() == {} and [s.id for s in again.subscriptions()] == [feed.id]
    again.close()
