"""The real program service on loopback, over a temporary store: tokens, feeds, 304s, and logs."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from echo_desktop.hub.program_service.app import RedactingAccessLogger, make_app
from echo_desktop.hub.program_service.server import ProgramServer
from echo_desktop.hub.program_service.store import IssuedPerson, Program, ProgramStore
from echo_desktop.schedule.occurrences import occurrences
from echo_desktop.schedule.series import Agenda, Frequency
from echo_desktop.session.errors import HubLaunchError
from echo_desktop.session.models import Role


@dataclass
class Service:
    url: str
    store: ProgramStore
    program: Program
    series_uid: str
    dana: IssuedPerson
    clock: list[datetime]

    def feed_url(self, token: str | None = None) -> str:
        return f"{self.url}/feed/{token or self.dana.feed_token}/{self.program.id}.ics"


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    clock = [datetime(2026, 10, 1, 12, 0, tzinfo=UTC)]
    store = ProgramStore.open(tmp_path / "programs.db", now=lambda: clock[0])
    program = store.add_program("Hepatitis C", "America/Denver")
    series = store.add_series(
        program.id,
        "Hepatitis C teleECHO",
        datetime(2026, 10, 22, 9, 0),
        timedelta(hours=1),
        Frequency.WEEKLY,
        until=date(2026, 12, 17),
        agenda=Agenda("Treating HCV in pregnancy", "Dr. Ana Ruiz", 2),
    )
    dana = store.add_person("Dana Whitehorse, NP", "Taos Clinic", Role.SPOKE)
    store.add_member(dana.person.id, program.id)
    runner = web.AppRunner(make_app(store), access_log_class=RedactingAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Service(f"http://127.0.0.1:{port}", store, program, series.uid, dana, clock)
    finally:
        await runner.cleanup()
        store.close()


async def test_the_api_needs_a_live_token_and_says_nothing_without_one(service: Service) -> None:
    async with aiohttp.ClientSession() as http:
        ok = await http.get(f"{service.url}/api/programs", headers=_bearer(service.dana.api_token))
        assert ok.status == 200
        assert (await ok.json())["programs"] == [{"id": service.program.id, "name": "Hepatitis C",
                                                  "time_zone": "America/Denver"}]  # fmt: skip
        refused = [
            await http.get(f"{service.url}/api/programs"),
            await http.get(f"{service.url}/api/programs", headers=_bearer("wrong")),
            await http.get(f"{service.url}/api/programs", headers={"Authorization": service.dana.api_token}),
            await http.get(f"{service.url}/api/programs", headers=_bearer(service.dana.feed_token)),
        ]
        service.store.revoke(service.dana.person.id)
        refused.append(await http.get(f"{service.url}/api/programs", headers=_bearer(service.dana.api_token)))
        for response in refused:
            assert response.status == 401
            body = await response.text()
            assert "Hepatitis" not in body and body == '{"error": "unauthorized"}'


async def test_the_feed_serves_the_schedule_and_answers_a_conditional_get_with_304(service: Service) -> None:
    async with aiohttp.ClientSession() as http:
        first = await http.get(service.feed_url())
        assert first.status == 200 and first.content_type == "text/calendar"
        feed = await first.read()
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert modified == "Thu, 01 Oct 2026 12:00:00 GMT"
        found = occurrences(feed, datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
        assert len(found) == 9 and found[0].start.isoformat() == "2026-10-22T09:00:00-06:00"

        same = await http.get(service.feed_url(), headers={"If-None-Match": etag})
        assert same.status == 304 and await same.read() == b""
        same_date = await http.get(service.feed_url(), headers={"If-Modified-Since": modified})
        assert same_date.status == 304

        service.clock[0] += timedelta(days=1)
        service.store.cancel(service.series_uid, date(2026, 11, 26))
        changed = await http.get(service.feed_url(), headers={"If-None-Match": etag})
        assert changed.status == 200 and changed.headers["ETag"] != etag
        assert changed.headers["Last-Modified"] == "Fri, 02 Oct 2026 12:00:00 GMT"
        found = occurrences(
            await changed.read(), datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
        assert len(found) == 8


async def test_a_revoked_or_wrong_feed_url_is_refused(service: Service) -> None:
    async with aiohttp.ClientSession() as http:
        assert (await http.get(service.feed_url("not-a-token"))).status == 401
        assert (
            await http.get(service.feed_url(service.dana.api_token))
        ).status == 401  # an API key is no feed URL
        new = service.store.reissue_feed(service.dana.person.id)
        old = await http.get(service.feed_url())
        assert old.status == 401 and "Hepatitis" not in await old.text()
        assert (await http.get(service.feed_url(new))).status == 200
        missing = await http.get(f"{service.url}/feed/{new}/999.ics")
        assert missing.status == 404


async def test_no_token_reaches_a_log(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with aiohttp.ClientSession() as http:
        await http.get(service.feed_url())
        await http.get(f"{service.url}/api/programs", headers=_bearer(service.dana.api_token))
        await http.get(service.feed_url("guessed-token"))
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any(line.startswith("GET /feed/…/") for line in access), access  # the path is logged, blanked
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (service.dana.feed_token, service.dana.api_token, "guessed-token"):
        assert secret not in everything


async def test_a_person_sees_only_their_own_programs(service: Service) -> None:
    other = service.store.add_program("Pain", "America/New_York")
    kim = service.store.add_person("Dr. Kim", "UNM", Role.HUB)
    service.store.add_member(kim.person.id, other.id)
    async with aiohttp.ClientSession() as http:
        me = await http.get(f"{service.url}/api/me", headers=_bearer(service.dana.api_token))
        assert await me.json() == {"id": service.dana.person.id, "name": "Dana Whitehorse, NP",
                                   "site": "Taos Clinic", "role": "spoke"}  # fmt: skip
        assert (await http.get(f"{service.url}/api/me")).status == 401
        listed = await http.get(f"{service.url}/api/programs", headers=_bearer(kim.api_token))
        assert (await listed.json())["programs"] == [{"id": other.id, "name": "Pain",
                                                      "time_zone": "America/New_York"}]  # fmt: skip

        own = f"{service.url}/api/programs/{service.program.id}/feed.ics"
        mine = await http.get(own, headers=_bearer(service.dana.api_token))
        assert mine.status == 200 and mine.content_type == "text/calendar"
        assert b"X-ECHO-ROOM:" in await mine.read()
        again = await http.get(
            own, headers={**_bearer(service.dana.api_token), "If-None-Match": mine.headers["ETag"]}
        )
        assert again.status == 304
        assert (await http.get(own)).status == 401
        refused = await http.get(own, headers=_bearer(kim.api_token))
        assert refused.status == 403 and await refused.json() == {"error": "not_a_member"}
        assert "Hepatitis" not in await refused.text()
        secret = await http.get(service.feed_url(kim.feed_token))  # Kim's feed URL, Dana's program
        assert secret.status == 403 and "Hepatitis" not in await secret.text()
        assert (await http.get(f"{service.url}/feed/{kim.feed_token}/{other.id}.ics")).status == 200
        missing = await http.get(f"{service.url}/api/programs/999/feed.ics", headers=_bearer(kim.api_token))
        assert missing.status == 404 and await missing.json() == {"error": "no_such_program"}


async def test_join_details_are_refused_until_the_room_opens_and_after_the_end(service: Service) -> None:
    # The first session: Thursday 22 October 2026, 9:00 in Denver (15:00 UTC), one hour long.
    kim = service.store.add_person("Dr. Kim", "UNM", Role.HUB)
    join = f"{service.url}/api/join/{service.series_uid}/20261022T150000Z"
    async with aiohttp.ClientSession() as http:
        dana = _bearer(service.dana.api_token)
        assert (await http.get(join)).status == 401
        assert (await http.get(join, headers=_bearer("wrong"))).status == 401
        refused = await http.get(join, headers=_bearer(kim.api_token))
        assert refused.status == 403 and await refused.json() == {"error": "not_a_member"}
        for wrong in (f"{service.series_uid}/20261022T150100Z", f"{service.series_uid}/20261022T1500",
                      "nope@hub/20261022T150000Z", f"{service.series_uid}/20261029T150000"):  # fmt: skip
            missing = await http.get(f"{service.url}/api/join/{wrong}", headers=dana)
            assert missing.status == 404 and (await missing.json())["error"] == "no_such_session", wrong

        service.clock[0] = datetime(2026, 10, 22, 14, 39, 59, tzinfo=UTC)
        early = await http.get(join, headers=dana)
        assert early.status == 409
        assert await early.json() == {"error": "not_open_yet", "opens": "2026-10-22T14:40:00+00:00",
                                      "message": "the room opens 20 minutes before the start"}  # fmt: skip
        service.clock[0] = datetime(2026, 10, 22, 14, 40, tzinfo=UTC)
        no_janus = await http.get(join, headers=dana)  # open, but this service has no Janus
        assert no_janus.status == 503 and (await no_janus.json())["error"] == "rooms_unavailable"
        service.clock[0] = datetime(2026, 10, 22, 16, 0, tzinfo=UTC)
        ended = await http.get(join, headers=dana)
        assert ended.status == 410 and await ended.json() == {"error": "ended"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_hub_runs_the_service_on_its_own_thread_and_stops_it(tmp_path: Path) -> None:
    server = ProgramServer(tmp_path / "data" / "programs.db", "127.0.0.1", 0).start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}/api/programs", timeout=10)
        assert refused.value.code == 401
        # A second service on the same port cannot start, and says why.
        port = int(server.url.rsplit(":", 1)[1])
        with pytest.raises(HubLaunchError, match="could not start"):
            ProgramServer(tmp_path / "other" / "programs.db", "127.0.0.1", port).start()
    finally:
        server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{server.url}/api/programs", timeout=10)


async def test_hostile_feed_requests_get_clear_answers_and_leak_no_secret(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = service.dana.feed_token
    async with aiohttp.ClientSession() as http:
        huge_id = await http.get(f"{service.url}/feed/{token}/{'9' * 30}.ics")
        assert huge_id.status == 404  # nobody's program, not a server error
        too_long = await http.get(f"{service.url}/feed/{token}/{'a' * 9000}/1.ics")
        assert too_long.status == 400  # aiohttp refuses the request line
    everything = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "/feed/…" in everything  # aiohttp did log the bad request line, blanked
    assert token not in everything
