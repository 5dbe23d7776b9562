"""The program service's client against the real service on loopback (tests/program_hubs.py):
feeds and their 304s, tokens, join details and every refusal; and against small stand-ins for what
no hub would answer: size limits, TLS, timeouts, a malformed answer; local files. No message ever
holds a secret."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.net.feed_urls import is_loopback, local_path, redact_url, web_url
from echo_desktop.net.program_client import Failure, ProgramClient, ProgramServiceError
from echo_desktop.schedule.lobby import JoinDetails, JoinRef
from echo_desktop.schedule.occurrences import MAX_FEED_BYTES
from echo_desktop.session.models import Role
from tests.program_hubs import JANUS_URL, running_hub, self_signed, serving
from tests.waiting import wait_for

FEEDS = Path(__file__).parent / "data" / "feeds"
DENVER = ZoneInfo("America/Denver")
FIRST = dt.datetime(2026, 10, 22, 15, 0, tzinfo=dt.UTC)  # the hub's first clinic: 9:00 in Denver


async def _refused(call: object) -> ProgramServiceError:
    assert asyncio.iscoroutine(call)
    with pytest.raises(ProgramServiceError) as caught:
        await call
    return caught.value


async def test_a_feed_is_fetched_then_answered_304_by_etag_or_date(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "hub.db") as hub, ProgramClient() as client:
        first = await client.fetch_feed(hub.feed_url(), "Hepatitis C")
        assert first.body is not None and b"Hepatitis C teleECHO" in first.body
        assert first.etag and first.last_modified == "Thu, 01 Oct 2026 12:00:00 GMT"
        by_tag = await client.fetch_feed(hub.feed_url(), "Hepatitis C", etag=first.etag)
        assert by_tag.not_modified and by_tag.etag == first.etag
        by_date = await client.fetch_feed(hub.feed_url(), "Hepatitis C", last_modified=first.last_modified)
        assert by_date.not_modified
        stale = await client.fetch_feed(hub.feed_url(), "Hepatitis C", etag='"something-else"')
        assert stale.body == first.body


async def test_the_api_with_a_token_and_refused_tokens_named_without_the_token(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "hub.db") as hub, ProgramClient() as client:
        token = hub.dana.api_token
        me = await client.me(hub.url, token)
        assert (me.name, me.site, me.role) == ("Dana Whitehorse, NP", "Taos Clinic", "spoke")
        [program] = await client.programs(hub.url, token)
        assert (program.id, program.name, program.time_zone) == (
            hub.program.id,
            "Hepatitis C",
            "America/Denver",
        )
        feed = await client.fetch_feed(
            f"{hub.url}/api/programs/{program.id}/feed.ics", "Hepatitis C", token=token
        )
        assert feed.body is not None and b"BEGIN:VCALENDAR" in feed.body

        wrong = await _refused(client.programs(hub.url, "wrong-token-abcdef"))
        assert wrong.failure is Failure.UNAUTHORIZED and "token" in str(wrong)
        assert "wrong-token-abcdef" not in str(wrong)
        hub.store.revoke(hub.dana.person.id, TokenKind.API)
        revoked = await _refused(client.me(hub.url, token))
        assert revoked.failure is Failure.UNAUTHORIZED and token not in str(revoked)
        assert str(revoked).startswith("The hub at http://127.0.0.1:")


async def test_a_revoked_feed_url_is_refused_and_the_message_hides_its_secret(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "hub.db") as hub, ProgramClient() as client:
        old = hub.feed_url()
        hub.store.reissue_feed(hub.dana.person.id)
        error = await _refused(client.fetch_feed(old, "Hepatitis C"))
        assert error.failure is Failure.UNAUTHORIZED
        assert str(error).startswith("Hepatitis C: the feed link was refused")
        assert hub.dana.feed_token not in str(error) and error.__cause__ is None
        missing = await _refused(client.fetch_feed(old.replace(f"/{hub.program.id}.ics", "/999.ics"), "X"))
        assert missing.failure in (Failure.UNAUTHORIZED, Failure.NOT_FOUND)


async def test_an_unreachable_hub_is_named_without_the_secret_in_its_feed_url() -> None:
    async with serving(web.Application()) as url:
        pass  # the port is free again: nothing listens there now
    secret = "feedsecret-0123456789abcdef0123"
    async with ProgramClient() as client:
        error = await _refused(client.fetch_feed(f"{url}/feed/{secret}/3.ics", "Pain ECHO"))
    assert error.failure is Failure.UNREACHABLE
    # People read the server's name; the feed's path (where its secret is) is left out.
    assert str(error).startswith(f"Pain ECHO: {url.removeprefix('http://')} cannot be reached")
    assert secret not in str(error) and error.__cause__ is None and error.__suppress_context__


async def test_a_feed_over_5_mb_stops_being_read_at_the_limit() -> None:
    written = [0]
    finished = asyncio.Event()

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/calendar"})
        await response.prepare(request)  # chunked: no Content-Length to refuse it by
        try:
            chunk = b"X-FILLER:" + b"x" * (64 * 1024) + b"\r\n"
            while written[0] < 20 * MAX_FEED_BYTES:
                await response.write(chunk)
                written[0] += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client hung up, as it should
        finally:
            finished.set()
        return response

    async def declared(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * (MAX_FEED_BYTES + 1))

    app = web.Application()
    app.router.add_get("/endless.ics", endless)
    app.router.add_get("/declared.ics", declared)
    async with serving(app) as url, ProgramClient() as client:
        error = await _refused(client.fetch_feed(f"{url}/endless.ics", "Big ECHO"))
        assert error.failure is Failure.TOO_LARGE and "larger than 5 MB" in str(error)
        await wait_for(finished.is_set, what="the server to see the client hang up")
        assert written[0] < 20 * MAX_FEED_BYTES  # the client did not read on to the end
        declared_error = await _refused(client.fetch_feed(f"{url}/declared.ics", "Big ECHO"))
        assert declared_error.failure is Failure.TOO_LARGE


async def test_join_details_and_every_refusal_the_document_lists(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[ProgramServiceError] = []
    async with running_hub(tmp_path / "hub.db") as hub, ProgramClient() as client:
        token = hub.dana.api_token

        async def refused(ref: JoinRef, with_token: str = token) -> ProgramServiceError:
            errors.append(await _refused(client.join_details(ref, with_token, "HCV")))
            return errors[-1]

        # The lobby's start is in the program's zone; the hub is asked in UTC.
        ref = JoinRef(hub.url, hub.series_uid, FIRST.astimezone(DENVER))
        hub.clock[0] = FIRST - dt.timedelta(minutes=20, seconds=1)
        early = await refused(ref)
        assert early.failure is Failure.NOT_OPEN_YET and early.opens == FIRST - dt.timedelta(minutes=20)
        assert str(early) == "HCV: the room is not open yet (it opens at 2026-10-22T14:40+00:00)"
        assert hub.janus.log == []  # no room before it opens

        hub.clock[0] = FIRST - dt.timedelta(minutes=20)  # the room opens
        details = await client.join_details(ref, token, "Hepatitis C")
        room = hub.store.session_room(hub.series_uid, FIRST)
        assert details == JoinDetails(JANUS_URL, room.room, room.pin, "Dana Whitehorse, NP", "spoke")
        assert hub.janus.rooms == {room.room: (room.pin, room.secret)}
        assert await client.join_details(ref, token, "Hepatitis C") == details  # asked again: the same
        asked = [r.getMessage().split()[1] for r in caplog.records if r.name == "aiohttp.access"]
        assert asked[-1] == f"/api/join/{hub.series_uid}/20261022T150000Z"

        assert (await refused(ref, "bad-token-xyz")).failure is Failure.UNAUTHORIZED
        kim = hub.store.add_person("Dr. Kim", "UNM", Role.HUB)  # a person, not a member
        assert (await refused(ref, kim.api_token)).failure is Failure.FORBIDDEN
        unknown = JoinRef(hub.url, "nobody@echo-hub", ref.start)
        assert (await refused(unknown)).failure is Failure.NOT_FOUND
        hub.store.cancel(hub.series_uid, dt.date(2026, 10, 29))
        cancelled = FIRST + dt.timedelta(weeks=1)
        hub.clock[0] = cancelled - dt.timedelta(minutes=5)
        gone = await refused(JoinRef(hub.url, hub.series_uid, cancelled))
        assert gone.failure is Failure.NOT_FOUND and "does not know this session" in str(gone)
        hub.clock[0] = FIRST + dt.timedelta(hours=1)
        assert (await refused(ref)).failure is Failure.ENDED

        # Janus is away when the next session opens: the hub says so, and a retry later works.
        third = dt.datetime(2026, 11, 5, 9, 0, tzinfo=DENVER)  # after the change to winter time
        hub.clock[0] = third - dt.timedelta(minutes=10)
        hub.janus.down = True
        unavailable = await refused(JoinRef(hub.url, hub.series_uid, third))
        assert unavailable.failure is Failure.ROOMS_UNAVAILABLE
        assert str(unavailable) == "HCV: the hub cannot open the room just now; try again in a minute"
        hub.janus.down = False
        later = await client.join_details(JoinRef(hub.url, hub.series_uid, third), token, "HCV")
        assert later.room == room.room and later.pin == hub.store.session_room(hub.series_uid, third).pin
        asked = [r.getMessage().split()[1] for r in caplog.records if r.name == "aiohttp.access"]
        assert asked[-1] == f"/api/join/{hub.series_uid}/20261105T160000Z"
        pins = {room.pin, later.pin}
        tokens = {token, kim.api_token, "bad-token-xyz"}

    assert len(errors) == 7 and all(str(e).startswith("HCV: ") for e in errors)
    everything = [str(e) for e in errors] + [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert not [text for text in everything for secret in pins | tokens if secret in text]


def _malformed_join_answers() -> web.Application:
    """A stand-in for answers the real service never gives: a 200 whose room is not a number, whose
    Janus is not a ws:// address, or that is not JSON. Only for the client's malformed-answer case."""
    bodies = {
        "bad-room": {"janus": "ws://x", "room": "not a number", "pin": "1234", "display_name": "D",
                     "role": "spoke"},
        "bad-janus": {"janus": "http://x", "room": 5, "pin": "1234", "display_name": "D", "role": "spoke"},
    }  # fmt: skip

    async def join(request: web.Request) -> web.Response:
        body = bodies.get(request.match_info["uid"])
        return web.json_response(body) if body else web.Response(text="<html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/api/join/{uid}/{start}", join)
    return app


async def test_a_malformed_join_answer_is_a_clear_error() -> None:
    async with serving(_malformed_join_answers()) as url, ProgramClient() as client:
        for uid in ("bad-room", "bad-janus", "not-json"):
            error = await _refused(client.join_details(JoinRef(url, uid, FIRST), "token-abc", "HCV"))
            assert error.failure is Failure.BAD_ANSWER, uid
            assert str(error) == "HCV: the hub's answer is not what its API promises"


async def test_a_hub_that_does_not_answer_in_time_is_unreachable() -> None:
    release = asyncio.Event()

    async def stall(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/slow.ics", stall)
    async with serving(app) as url:
        try:
            async with ProgramClient(timeout_s=0.5) as client:
                error = await _refused(client.fetch_feed(f"{url}/slow.ics", "Slow ECHO"))
        finally:
            release.set()
    assert error.failure is Failure.UNREACHABLE and "no answer in time" in str(error)


async def test_tls_is_verified_unless_a_ca_is_trusted_or_insecure_is_asked(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    app = web.Application()
    app.router.add_get("/feed.ics", _ok_feed)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
    url = f"https://127.0.0.1:{runner.addresses[0][1]}/feed.ics"
    try:
        async with ProgramClient() as client:
            error = await _refused(client.fetch_feed(url, "Secure ECHO"))
            assert error.failure is Failure.TLS and "not trusted" in str(error)
        async with ProgramClient(ca_file=cert) as client:
            assert (await client.fetch_feed(url, "Secure ECHO")).body == b"BEGIN:VCALENDAR"
        async with ProgramClient(insecure=True) as client:
            assert (await client.fetch_feed(url, "Secure ECHO")).body == b"BEGIN:VCALENDAR"
    finally:
        await runner.cleanup()


async def _ok_feed(request: web.Request) -> web.Response:
    return web.Response(body=b"BEGIN:VCALENDAR", content_type="text/calendar")


async def test_local_files_by_path_and_file_url_with_the_same_limit(tmp_path: Path) -> None:
    outlook = FEEDS / "outlook.ics"
    async with ProgramClient() as client:
        assert (await client.fetch_feed(str(outlook), "Dementia")).body == outlook.read_bytes()
        assert (await client.fetch_feed(outlook.as_uri(), "Dementia")).body == outlook.read_bytes()
        missing = await _refused(client.fetch_feed(str(tmp_path / "nope.ics"), "Dementia"))
        assert missing.failure is Failure.NOT_FOUND and "does not exist" in str(missing)
        big = tmp_path / "big.ics"
        big.write_bytes(b"x" * (MAX_FEED_BYTES + 1))
        too_big = await _refused(client.fetch_feed(str(big), "Dementia"))
        assert too_big.failure is Failure.TOO_LARGE
        ftp = await _refused(client.fetch_feed("ftp://example.org/a.ics", "Dementia"))
        assert ftp.failure is Failure.BAD_ADDRESS


def test_feed_urls_are_redacted_and_told_apart() -> None:
    assert (
        redact_url("https://hub.example.org:8090/feed/s3cr3t/3.ics?x=1")
        == "https://hub.example.org:8090/…/3.ics"
    )
    assert (
        redact_url("https://calendar.google.com/calendar/ical/a%40b/private-0123456789abcdef0123/basic.ics")
        == "https://calendar.google.com/…/basic.ics"
    )
    assert redact_url("https://user:pw@cal.example/0123456789abcdef0123456789.ics") == "https://cal.example/…"
    assert redact_url("http://[::1") == "a feed URL that cannot be read"
    assert local_path("https://x/a.ics") is None and local_path("webcal://x/a.ics") is None
    assert local_path("file:///tmp/a%20b.ics") == Path("/tmp/a b.ics")
    assert local_path("~/cal.ics") == Path.home() / "cal.ics"
    assert web_url("webcal://x/a.ics") == "https://x/a.ics"
    with pytest.raises(ValueError, match="ftp"):
        local_path("ftp://x/a.ics")


def test_loopback_addresses_are_told_from_the_network() -> None:
    on_this_computer = ["http://127.0.0.1:8090", "http://127.3.4.5/", "http://[::1]:8090", "http://LOCALHOST"]
    on_this_computer.append("http://hub.localhost:8090")
    elsewhere = ["http://10.0.0.2", "http://hub.example.org", "http://127.0.0.1.nip.io", "http://[::1", ""]
    assert [is_loopback(url) for url in on_this_computer] == [True] * len(on_this_computer)
    assert [is_loopback(url) for url in elsewhere] == [False] * len(elsewhere)
