"""The program service's client against the real service on loopback, and against answers shaped as
docs/hub-api.md says where the service does not serve them yet: feeds and their 304s, tokens,
join details, size limits, TLS, timeouts, local files; and no message ever holds a secret."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.net.feed_urls import local_path, redact_url, web_url
from echo_desktop.net.program_client import Failure, ProgramClient, ProgramServiceError
from echo_desktop.schedule.lobby import JoinRef
from echo_desktop.schedule.occurrences import MAX_FEED_BYTES
from tests.program_hubs import JOIN_TOKEN, OPENS, ROOM_PIN, join_app, running_hub, serving
from tests.waiting import wait_for

FEEDS = Path(__file__).parent / "data" / "feeds"


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
    assert str(error).startswith(f"Pain ECHO: {url}/…/3.ics cannot be reached")
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


async def test_join_details_and_every_refusal_the_document_lists() -> None:
    seen: list[str] = []
    async with serving(join_app(seen)) as url, ProgramClient() as client:
        start = dt.datetime(2026, 10, 22, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
        details = await client.join_details(JoinRef(url, "open@hub", start), JOIN_TOKEN, "Hepatitis C")
        assert (details.server_url, details.room, details.pin, details.role) == (
            "ws://127.0.0.1:8188",
            4321,
            ROOM_PIN,
            "spoke",
        )
        assert seen[-1] == "/api/join/open@hub/20261022T150000Z"  # the start in UTC
        early = await _refused(client.join_details(JoinRef(url, "early@hub", start), JOIN_TOKEN, "HCV"))
        assert early.failure is Failure.NOT_OPEN_YET and early.opens == OPENS
        cases = {
            "over@hub": Failure.ENDED,
            "stranger@hub": Failure.FORBIDDEN,
            "gone@hub": Failure.NOT_FOUND,
            "broken@hub": Failure.BAD_ANSWER,
        }
        for uid, failure in cases.items():
            error = await _refused(client.join_details(JoinRef(url, uid, start), JOIN_TOKEN, "HCV"))
            assert error.failure is failure and str(error).startswith("HCV: ")
        refused = await _refused(client.join_details(JoinRef(url, "open@hub", start), "bad-token-xyz", "HCV"))
        assert refused.failure is Failure.UNAUTHORIZED and "bad-token-xyz" not in str(refused)
        assert all(ROOM_PIN not in str(e) for e in (early, refused))


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


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "echo test hub")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "hub.pem", folder / "hub.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


async def test_tls_is_verified_unless_a_ca_is_trusted_or_insecure_is_asked(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
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
