"""The lobby's schedule source against the real program service on loopback: subscribe, fetch, go
offline, come back; 304s; refused and revoked tokens and feed links; bad feeds; join details."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from echo_desktop.cases.model import SessionSlot
from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.schedule.lobby import JoinRef, ScheduleSnapshot
from echo_desktop.schedule.occurrences import MAX_FEED_BYTES
from echo_desktop.schedule.ports import ScheduleError, ScheduleSource
from echo_desktop.session.models import Role
from echo_desktop.storage.schedule_cache import ScheduleCache
from echo_desktop.sync.local_zone import system_zone
from echo_desktop.sync.schedule_sync import ScheduleSync
from tests.case_clinic import CLEAN, case_sync, clinic, draft
from tests.program_hubs import JANUS_URL, running_hub, self_signed, server_tls, serving
from tests.waiting import wait_for

FEEDS = Path(__file__).parent / "data" / "feeds"
NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)  # two days before the first clinic


@pytest.fixture
async def open_syncs(tmp_path: Path) -> AsyncIterator[list[ScheduleSync]]:
    """Every ScheduleSync a test opens, closed at its end."""
    syncs: list[ScheduleSync] = []
    yield syncs
    for sync in syncs:
        await sync.aclose()


async def _sync(path: Path, syncs: list[ScheduleSync], clock: list[datetime] | None = None) -> ScheduleSync:
    times = clock or [NOW]
    sync = await ScheduleSync.open(path, now=lambda: times[0])
    syncs.append(sync)
    return sync


def _starts(snapshot: ScheduleSnapshot) -> list[str]:
    return [s.start.isoformat() for s in snapshot.sessions]


async def test_a_hub_schedule_survives_the_hub_going_away(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    cache = tmp_path / "cache" / "schedule.db"
    async with running_hub(tmp_path / "hub.db") as hub:
        sync = await _sync(cache, open_syncs)
        source: ScheduleSource = sync  # the port the lobby reads
        seen: list[ScheduleSnapshot] = []
        source.set_listener(seen.append)
        snapshot = await source.subscribe_hub(hub.url + "/", hub.dana.api_token)
        assert snapshot.online and snapshot.updated == NOW and snapshot.problems == ()
        assert _starts(snapshot) == ["2026-10-22T09:00:00-06:00", "2026-10-29T09:00:00-06:00"]
        first = snapshot.sessions[0]
        assert (first.program, first.program_time_zone, first.title) == (
            "Hepatitis C",
            "America/Denver",
            "Hepatitis C teleECHO",
        )
        assert first.join == JoinRef(hub.url, hub.series_uid, first.start)
        assert snapshot.subscriptions == ("Hepatitis C",) and seen[-1] == snapshot
    # The hub is gone. The same app, restarted, shows the same schedule from its cache, offline.
    await sync.aclose()
    open_syncs.remove(sync)
    later = [NOW + timedelta(hours=1)]
    restarted = await _sync(cache, open_syncs, later)
    offline = restarted.snapshot()
    assert offline.sessions == snapshot.sessions
    assert not offline.online and offline.updated == NOW
    after = await restarted.refresh()
    assert not after.online and after.updated == NOW and after.sessions == snapshot.sessions
    [problem] = after.problems
    assert problem.startswith("Hepatitis C: ") and "cannot be reached" in problem
    assert hub.dana.api_token not in problem
    assert restarted.policy.failures == 1 and restarted.policy.delay() > 0


async def test_a_304_changes_nothing_but_the_fetched_time(
    tmp_path: Path, open_syncs: list[ScheduleSync], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    clock = [NOW]
    async with running_hub(tmp_path / "hub.db") as hub:
        sync = await _sync(tmp_path / "schedule.db", open_syncs, clock)
        first = await sync.subscribe_feed(hub.feed_url())
        cache = ScheduleCache.open(tmp_path / "schedule.db")
        before = next(iter(cache.feeds().values()))
        clock[0] = NOW + timedelta(minutes=15)
        second = await sync.refresh()
        after = next(iter(cache.feeds().values()))
        cache.close()
    assert [r.getMessage().split()[2] for r in caplog.records if r.name == "aiohttp.access"] == ["200", "304"]
    assert second.sessions == first.sessions and second.problems == ()
    assert (after.body, after.etag, after.last_modified) == (before.body, before.etag, before.last_modified)
    assert after.fetched_at == clock[0] != before.fetched_at
    assert second.updated == clock[0]
    # The secret feed URL is subscribed, but its name is the program's, never the address.
    assert second.subscriptions == ("Hepatitis C",)


async def test_refused_and_revoked_tokens_and_feed_links_keep_the_cached_schedule(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    async with running_hub(tmp_path / "hub.db") as hub:
        sync = await _sync(tmp_path / "schedule.db", open_syncs)
        with pytest.raises(ScheduleError) as refused:
            await sync.subscribe_hub(hub.url, "not-a-real-token-123")
        assert "refused the sign-in token" in str(refused.value) and "not-a-real-token" not in str(
            refused.value
        )

        good = await sync.subscribe_hub(hub.url, hub.dana.api_token)
        await sync.subscribe_feed(hub.feed_url())
        hub.store.revoke(hub.dana.person.id, TokenKind.API)
        hub.store.reissue_feed(hub.dana.person.id)  # the old feed link is revoked
        after = await sync.refresh()
    assert after.online  # the hub answered; it refused
    assert len(after.problems) == 2
    assert any("refused the sign-in token" in p for p in after.problems)
    assert any("feed link was refused" in p for p in after.problems)
    kept = "showing the schedule saved earlier"
    assert all(p.startswith("Hepatitis C: ") and kept in p for p in after.problems)
    assert all(hub.dana.api_token not in p and hub.dana.feed_token not in p for p in after.problems)
    # Both subscriptions still show their cached sessions (the same clinics twice: hub and feed).
    assert len(after.sessions) == 2 * len(good.sessions)
    assert after.updated == NOW  # from the first, complete refresh


async def test_a_malformed_or_oversized_feed_keeps_the_last_good_schedule(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    feed = tmp_path / "dementia.ics"
    shutil.copy(FEEDS / "outlook.ics", feed)
    sync = await _sync(tmp_path / "schedule.db", open_syncs, [datetime(2026, 10, 14, tzinfo=UTC)])
    good = await sync.subscribe_feed(feed.as_uri())
    assert good.subscriptions == ("Dementia ECHO",)
    assert [s.start.isoformat() for s in good.sessions] == [
        "2026-10-15T09:00:00-06:00",
        "2026-10-22T09:00:00-06:00",
    ]
    assert good.sessions[0].join is None and good.sessions[0].program_time_zone == "America/Denver"

    feed.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n")
    broken = await sync.refresh()
    assert broken.sessions == good.sessions
    [problem] = broken.problems
    assert problem.startswith("Dementia ECHO: the feed is not a valid iCalendar file")

    # A calendar that parses but whose dates do not: still refused, the last good copy kept.
    feed.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    dates = await sync.refresh()
    assert dates.sessions == good.sessions
    assert dates.problems[0].startswith("Dementia ECHO: the feed's dates or recurrence rules cannot be read")

    feed.write_bytes(b"BEGIN:VCALENDAR\r\n" + b"X-FILLER:" + b"x" * MAX_FEED_BYTES)
    huge = await sync.refresh()
    assert huge.sessions == good.sessions
    assert huge.problems == (
        "Dementia ECHO: it is larger than 5 MB, so it was not read; showing the schedule saved earlier",
    )

    shutil.copy(FEEDS / "outlook.ics", feed)
    assert (await sync.refresh()).problems == ()

    with pytest.raises(ScheduleError, match="not a valid iCalendar"):
        await sync.subscribe_feed(str(FEEDS.parent.parent / "test_schedule_sync.py"))
    with pytest.raises(ScheduleError, match="does not exist"):
        await sync.subscribe_feed(str(tmp_path / "missing.ics"))


async def test_join_details_are_asked_with_the_subscriptions_token(
    tmp_path: Path, open_syncs: list[ScheduleSync], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_hub(tmp_path / "hub.db") as hub:
        sync = await _sync(tmp_path / "dana.db", open_syncs)
        first, second = (await sync.subscribe_hub(hub.url, hub.dana.api_token)).sessions
        assert first.join is not None and second.join is not None
        hub.clock[0] = first.start - timedelta(minutes=20)  # its room opens
        details = await sync.join_details(first.join)
        room = hub.store.session_room(hub.series_uid, first.start)
        assert (details.server_url, details.room, details.pin, details.display_name, details.role) == (
            JANUS_URL,
            room.room,
            room.pin,
            "Dana Whitehorse, NP",
            "spoke",
        )

        async def refused(ref: JoinRef, by: ScheduleSync = sync) -> str:
            with pytest.raises(ScheduleError) as error:
                await by.join_details(ref)
            return str(error.value)

        messages = {"early": await refused(second.join)}
        hub.clock[0] = second.start - timedelta(minutes=5)
        hub.janus.down = True
        messages["unavailable"] = await refused(second.join)
        hub.janus.down = False
        hub.store.cancel(hub.series_uid, date(2026, 10, 29))
        messages["cancelled"] = await refused(second.join)
        hub.clock[0] = first.end
        messages["over"] = await refused(first.join)
        messages["elsewhere"] = await refused(
            JoinRef("https://elsewhere.example", hub.series_uid, first.start)
        )
        # Kim belongs to another program on the same hub: her subscription's token is refused.
        kim = hub.store.add_person("Dr. Kim", "UNM", Role.HUB)
        hub.store.add_member(kim.person.id, hub.store.add_program("Pain ECHO", "America/Denver").id)
        kims = await _sync(tmp_path / "kim.db", open_syncs)
        await kims.subscribe_hub(hub.url, kim.api_token)
        hub.clock[0] = first.start
        messages["stranger"] = await refused(first.join, kims)
        hub.store.revoke(hub.dana.person.id, TokenKind.API)
        messages["revoked"] = await refused(first.join)
        pins = {room.pin, hub.store.session_room(hub.series_uid, second.start).pin}
    secrets = pins | {hub.dana.api_token, kim.api_token}
    opens = (second.start - timedelta(minutes=20)).astimezone()  # in the user's zone, as the lobby
    assert messages["early"] == f"Hepatitis C: the room opens at {opens:%H:%M}; try again then"
    assert (
        messages["unavailable"] == "Hepatitis C: the hub cannot open the room just now; try again in a minute"
    )
    assert (
        messages["cancelled"]
        == "Hepatitis C: the hub does not know this session (it may have been cancelled)"
    )
    assert messages["over"] == "Hepatitis C: this session has ended"
    assert messages["elsewhere"] == "This session is not on a hub you are subscribed to, so it has no Join"
    assert messages["stranger"] == "Pain ECHO: you are not a member of this program on the hub"
    assert messages["revoked"] == "Hepatitis C: the hub no longer accepts your token; ask your facilitator"
    everything = list(messages.values()) + [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert not [text for text in everything for secret in secrets if secret in text]


async def test_the_background_refresh_backs_off_then_comes_back_with_the_network(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    calendar = (FEEDS / "google.ics").read_bytes()

    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=calendar, content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/pain.ics", feed)
    async with serving(app) as url:
        sync = await _sync(tmp_path / "schedule.db", open_syncs, [datetime(2026, 10, 20, tzinfo=UTC)])
        await sync.subscribe_feed(f"{url}/pain.ics")
    port = urlsplit(url).port or 0
    task = asyncio.create_task(sync.run())
    try:
        await wait_for(lambda: sync.policy.failures >= 1, what="a refresh to find the feed gone")
        assert not sync.snapshot().online and "cannot be reached" in sync.snapshot().problems[0]
        assert len(sync.snapshot().sessions) == 2  # Oct 21 and 28, from the cache
        app = web.Application()
        app.router.add_get("/pain.ics", feed)
        async with serving(app, port):
            sync.network_changed(True)
            await wait_for(lambda: sync.snapshot().online, what="the refresh the network's return asked for")
        assert sync.snapshot().problems == () and sync.policy.failures == 0
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_floating_and_all_day_times_are_read_in_the_systems_zone(
    tmp_path: Path, open_syncs: list[ScheduleSync], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = tmp_path / "huddle.ics"
    feed.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Huddles\r\n"
        b"BEGIN:VEVENT\r\nUID:f\r\nSUMMARY:Huddle\r\nDTSTART:20261021T090000\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:Retreat\r\nDTSTART;VALUE=DATE:20261022\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    monkeypatch.setenv("TZ", "Pacific/Auckland")  # what the app reads when nothing is injected
    sync = await _sync(tmp_path / "schedule.db", open_syncs)
    snapshot = await sync.subscribe_feed(str(feed))
    assert _starts(snapshot) == ["2026-10-21T09:00:00+13:00", "2026-10-22T00:00:00+13:00"]


def test_the_system_zone_comes_from_tz_then_the_localtime_link_then_an_offset(tmp_path: Path) -> None:
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/America/Denver")
    missing = tmp_path / "no-such-file"
    assert system_zone({"TZ": ":Europe/Paris"}, link, missing) == ZoneInfo("Europe/Paris")
    assert system_zone({}, link, missing) == ZoneInfo("America/Denver")
    assert system_zone({"TZ": "Not/AZone"}, link, missing) == ZoneInfo("America/Denver")
    named = tmp_path / "timezone"
    named.write_text("Asia/Kolkata\n")
    assert system_zone({}, missing, named) == ZoneInfo("Asia/Kolkata")
    fixed = system_zone({"TZ": "../../etc/passwd"}, missing, missing)
    assert not isinstance(fixed, ZoneInfo)
    assert fixed.utcoffset(NOW) == datetime.now().astimezone().utcoffset()


_UNEXPANDABLE = (
    b"BEGIN:VCALENDAR\r\nX-WR-CALNAME:Broken ECHO\r\nBEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Clinic\r\n"
    b"DTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


async def test_a_feed_that_parses_but_cannot_be_expanded_is_refused_and_nothing_stored(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    feed = tmp_path / "broken.ics"
    feed.write_bytes(_UNEXPANDABLE)
    sync = await _sync(tmp_path / "schedule.db", open_syncs)
    with pytest.raises(ScheduleError) as refused:
        await sync.subscribe_feed(str(feed))
    assert str(refused.value).startswith("broken.ics: the feed's dates or recurrence rules cannot be read")
    assert sync.snapshot().subscriptions == () and (await sync.refresh()).problems == ()

    # The same check for a hub's programs: the first fetch of each feed must read as the lobby will.
    async def me(request: web.Request) -> web.Response:
        return web.json_response({"id": 1, "name": "Dana", "site": "Taos", "role": "spoke"})

    async def programs(request: web.Request) -> web.Response:
        return web.json_response({"programs": [{"id": 7, "name": "Broken ECHO", "time_zone": "UTC"}]})

    async def program_feed(request: web.Request) -> web.Response:
        return web.Response(body=_UNEXPANDABLE, content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/api/me", me)
    app.router.add_get("/api/programs", programs)
    app.router.add_get("/api/programs/7/feed.ics", program_feed)
    async with serving(app) as url:
        with pytest.raises(ScheduleError) as hub_refused:
            await sync.subscribe_hub(url, "a-token-for-the-test")
    assert str(hub_refused.value).startswith(
        "Broken ECHO: the feed's dates or recurrence rules cannot be read"
    )
    assert "a-token-for-the-test" not in str(hub_refused.value)
    assert sync.snapshot().subscriptions == () and (await sync.refresh()).subscriptions == ()


async def test_a_refresh_that_cannot_save_backs_off_says_so_and_the_background_keeps_going(
    tmp_path: Path,
    open_syncs: list[ScheduleSync],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_hub(tmp_path / "hub.db") as hub:
        sync = await _sync(tmp_path / "schedule.db", open_syncs)
        good = await sync.subscribe_feed(hub.feed_url())
        cache: ScheduleCache = sync._cache  # the one the sync writes; its writes fail below
        record = cache.record_refresh
        failed: list[int] = []

        def disk_full(*args: object, **kwargs: object) -> None:
            failed.append(1)
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(cache, "record_refresh", disk_full)  # every write fails: the disk is full
        task = asyncio.create_task(sync.run())
        try:
            await wait_for(lambda: sync.policy.failures >= 2, what="two rounds to fail and back off")
            snapshot = sync.snapshot()
            assert snapshot.problems == ("Could not save the schedule: database or disk is full",)
            assert snapshot.sessions == good.sessions and snapshot.checked
            assert not task.done()  # the background refresh is still alive
            monkeypatch.setattr(cache, "record_refresh", record)  # the disk has room again
            sync.network_changed(True)
            await wait_for(lambda: sync.snapshot().problems == (), what="a refresh after the disk is fixed")
            assert sync.snapshot().online and sync.policy.failures == 0
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await sync.aclose()  # ends a refresh still under way before the hub stops
            open_syncs.remove(sync)
    assert len(failed) >= 2
    logged = [r.getMessage() for r in caplog.records]
    assert any("database or disk is full" in line for line in logged)
    assert not [line for line in logged if hub.dana.feed_token in line]


async def test_a_refresh_asked_while_one_is_under_way_shares_it(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    calendar = (FEEDS / "google.ics").read_bytes()
    requests: list[str] = []
    release = asyncio.Event()

    async def counting_feed(request: web.Request) -> web.Response:
        requests.append(request.path)
        if len(requests) > 1:  # the subscription's own fetch goes through; refreshes wait
            await release.wait()
        return web.Response(body=calendar, content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/pain.ics", counting_feed)
    async with serving(app) as url:
        sync = await _sync(tmp_path / "schedule.db", open_syncs, [datetime(2026, 10, 20, tzinfo=UTC)])
        subscribed = await sync.subscribe_feed(f"{url}/pain.ics")
        assert not subscribed.checked  # subscribing is not a refresh
        at_start = asyncio.create_task(sync.refresh())  # the window's
        background = asyncio.create_task(sync.refresh())  # run()'s, a moment later
        checked = asyncio.create_task(sync.wait_checked())  # what the app's later work waits on
        await wait_for(lambda: len(requests) == 2, what="the first refresh to reach the feed")
        assert not checked.done()  # the refresh is still under way
        release.set()
        first, second = await asyncio.gather(at_start, background)
        assert second is first and len(requests) == 2  # one fetch for both
        await checked  # done with the refresh (a hang here fails the test by its timeout)
        await sync.wait_checked()  # and at once from then on
        assert first.checked and len(first.sessions) == 2
        await sync.refresh()  # once it is over, a refresh fetches again
        assert len(requests) == 3


async def test_checked_says_whether_a_refresh_finished_since_the_start(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    feed = tmp_path / "pain.ics"
    shutil.copy(FEEDS / "google.ics", feed)
    clock = [datetime(2026, 10, 20, tzinfo=UTC)]
    sync = await _sync(tmp_path / "schedule.db", open_syncs, clock)
    assert not sync.snapshot().checked
    await sync.subscribe_feed(str(feed))
    assert not sync.snapshot().checked
    refreshed = await sync.refresh()
    assert refreshed.checked and refreshed.online
    feed.unlink()  # a refresh that fails has still finished
    assert (await sync.refresh()).checked
    await sync.aclose()
    open_syncs.remove(sync)
    restarted = await _sync(tmp_path / "schedule.db", open_syncs, clock)
    assert not restarted.snapshot().checked and len(restarted.snapshot().sessions) == 2


async def test_a_hub_on_plain_http_off_this_computer_is_refused_before_the_token_is_sent(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    sync = await _sync(tmp_path / "schedule.db", open_syncs)
    for address in ("http://hub.example.org:8090", "HTTP://10.1.2.3/", "http://127.0.0.1.example.org"):
        with pytest.raises(ScheduleError) as refused:
            await sync.subscribe_hub(address, "secret-token-abc")
        message = str(refused.value)
        assert "use its https:// address" in message and "secret-token-abc" not in message
    assert sync.snapshot().subscriptions == ()
    # A lab may allow it: then the hub is asked (and here, does not exist).
    with pytest.raises(ScheduleError, match="cannot be reached"):
        await sync.subscribe_hub("http://hub.invalid:8090", "secret-token-abc", allow_insecure_http=True)
    # On this computer, http:// is fine: every other test's hub is at http://127.0.0.1.
    async with running_hub(tmp_path / "hub.db") as hub:
        port = urlsplit(hub.url).port
        snapshot = await sync.subscribe_hub(f"http://localhost:{port}", hub.dana.api_token)
    assert snapshot.subscriptions == ("Hepatitis C",) and len(snapshot.sessions) == 2


async def test_a_hub_with_its_own_ca_is_trusted_only_with_that_ca_file(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    cert, key = self_signed(tmp_path)
    async with running_hub(tmp_path / "hub.db", tls=server_tls(cert, key)) as hub:
        assert hub.url.startswith("https://")
        untrusting = await _sync(tmp_path / "plain.db", open_syncs)
        with pytest.raises(ScheduleError, match="is not trusted"):
            await untrusting.subscribe_hub(hub.url, hub.dana.api_token)
        trusting = await ScheduleSync.open(tmp_path / "ca.db", now=lambda: NOW, ca_file=cert)
        open_syncs.append(trusting)
        snapshot = await trusting.subscribe_hub(hub.url, hub.dana.api_token)
        assert snapshot.online and len(snapshot.sessions) == 2
        assert (await trusting.refresh()).problems == ()
    with pytest.raises(ScheduleError, match=r"The CA file .*key.* cannot be used \(not a PEM certificate\)"):
        await ScheduleSync.open(tmp_path / "other.db", ca_file=key)
    with pytest.raises(ScheduleError, match="cannot be used"):
        await ScheduleSync.open(tmp_path / "other.db", ca_file=tmp_path / "missing.pem")
    assert not (tmp_path / "other.db").exists()  # refused before anything was opened


async def test_a_damaged_cache_is_fetched_again_for_the_same_subscriptions(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    async with running_hub(tmp_path / "hub.db") as hub:
        sync = await _sync(tmp_path / "schedule.db", open_syncs)
        subscribed = await sync.subscribe_hub(hub.url, hub.dana.api_token)
        await sync.aclose()
        open_syncs.remove(sync)
        (tmp_path / "schedule.db").write_bytes(b"scrambled by a failing disk" * 1000)
        for suffix in ("-wal", "-shm"):
            Path(f"{tmp_path / 'schedule.db'}{suffix}").unlink(missing_ok=True)

        reopened = await _sync(tmp_path / "schedule.db", open_syncs)
        at_start = reopened.snapshot()
        assert at_start.notices == (
            "The saved schedule was damaged; it was set aside and is being fetched again.",
        )
        assert at_start.subscriptions == ("Hepatitis C",) and at_start.sessions == ()
        again = await reopened.refresh()  # no need to subscribe again: the token was kept
    assert again.online and again.problems == () and again.sessions == subscribed.sessions


async def test_the_lobby_names_each_sessions_approved_cases_and_keeps_them_offline(
    tmp_path: Path, open_syncs: list[ScheduleSync]
) -> None:
    first = datetime(2026, 10, 22, 15, tzinfo=UTC)  # the first clinic (two case slots)
    slots = ("Case presentation 1", "Case presentation 2")
    cache = tmp_path / "schedule.db"
    async with (
        clinic(tmp_path / "hub.db") as hub,
        case_sync(tmp_path / "dana.db", hub.hubs(hub.hub.dana)) as dana,
        case_sync(tmp_path / "fran.db", hub.hubs(hub.fran)) as fran,
    ):

        async def approve(question: str) -> None:
            case = await draft(dana, hub.program(), **{**CLEAN, "question": question})
            await dana.submit(case)
            await dana.refresh()
            item = next(
                i for i in await fran.review_queue(hub.program()) if i.case.client_id == case.client_id
            )
            await fran.approve(hub.program(), item.case, SessionSlot(hub.hub.series_uid, first))

        await approve("HCV treatment in pregnancy?")
        sync = await _sync(cache, open_syncs)
        snapshot = await sync.subscribe_hub(hub.service, hub.hub.dana.api_token)
        cases = {s.start.astimezone(UTC): s.cases for s in snapshot.sessions}
        assert cases[first] == ("HCV treatment in pregnancy?", "Case presentation 2")
        assert cases[first + timedelta(weeks=1)] == slots  # nothing approved there: its slots
        # One more approved: the feed is unchanged (a 304), the cases are fetched all the same.
        await approve("When to refer for elastography?")
        snapshot = await sync.refresh()
        cases = {s.start.astimezone(UTC): s.cases for s in snapshot.sessions}
        assert cases[first] == ("HCV treatment in pregnancy?", "When to refer for elastography?")
        asked = hub.link.request_bodies(f"GET /api/programs/{hub.hub.program.id}/approved-cases?".encode())
        assert len(asked) == 2  # one request per program and refresh, not one per session
        await hub.link.stop()
    # The hub is gone: the lobby still names the cases, from the cache.
    await sync.aclose()
    open_syncs.remove(sync)
    offline = await _sync(cache, open_syncs)
    snapshot = await offline.refresh()
    assert not snapshot.online
    cases = {s.start.astimezone(UTC): s.cases for s in snapshot.sessions}
    assert cases[first] == ("HCV treatment in pregnancy?", "When to refer for elastography?")
    assert cases[first + timedelta(weeks=1)] == slots
