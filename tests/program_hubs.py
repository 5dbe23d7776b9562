"""Hubs for the schedule's client tests: the real program service on loopback over a temporary
store, and, for endpoints the service does not serve yet, answers shaped as docs/hub-api.md says.

`running_hub` serves the real `make_app(store)`. Where that app has no `/api/me` or
`/api/programs/{id}/feed.ics` yet, it adds them as the document describes them, over the same
store and the same bearer check; once the service has its own, those are used instead.
`join_app` answers `/api/join/{uid}/{start}` per the document (the real one needs rooms in Janus).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from echo_desktop.hub.program_service.app import RedactingAccessLogger, make_app
from echo_desktop.hub.program_service.store import IssuedPerson, Program, ProgramStore
from echo_desktop.schedule.series import Agenda, Frequency
from echo_desktop.session.models import Role

JOIN_TOKEN = "join-token-0123456789abcdef"
ROOM_PIN = "pin-4827-secret"


@dataclass
class Hub:
    """A running program service with one program, one weekly series and one person."""

    url: str
    store: ProgramStore
    program: Program
    series_uid: str
    dana: IssuedPerson
    clock: list[datetime]
    runner: web.AppRunner = field(repr=False)

    def feed_url(self, token: str | None = None) -> str:
        """The secret feed URL (the person's feed token in its path)."""
        return f"{self.url}/feed/{token or self.dana.feed_token}/{self.program.id}.ics"

    async def stop(self) -> None:
        await self.runner.cleanup()


def add_weekly_clinic(store: ProgramStore, first: datetime, weeks: int) -> tuple[Program, str]:
    """A program in Denver with a weekly 9:00 clinic from `first` (naive, Denver wall clock)."""
    program = store.add_program("Hepatitis C", "America/Denver")
    series = store.add_series(
        program.id,
        "Hepatitis C teleECHO",
        first,
        timedelta(hours=1),
        Frequency.WEEKLY,
        until=(first + timedelta(weeks=weeks - 1)).date(),
        agenda=Agenda("Treating HCV in pregnancy", "Dr. Ana Ruiz", 2),
    )
    return program, series.uid


@asynccontextmanager
async def running_hub(
    path: Path, first: datetime = datetime(2026, 10, 22, 9, 0), weeks: int = 9, port: int = 0
) -> AsyncIterator[Hub]:
    """The real service on 127.0.0.1 (`port`, 0: any free one) over a new store at `path`."""
    clock = [datetime(2026, 10, 1, 12, 0, tzinfo=UTC)]
    store = ProgramStore.open(path, now=lambda: clock[0])
    program, uid = add_weekly_clinic(store, first, weeks)
    dana = store.add_person("Dana Whitehorse, NP", "Taos Clinic", Role.SPOKE)
    store.add_member(dana.person.id, program.id)
    app = make_app(store)
    runner = web.AppRunner(app, access_log_class=RedactingAccessLogger)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    port = runner.addresses[0][1]
    try:
        yield Hub(f"http://127.0.0.1:{port}", store, program, uid, dana, clock, runner)
    finally:
        await runner.cleanup()
        store.close()


_START = re.compile(r"^\d{8}T\d{6}Z$")
OPENS = datetime(2026, 10, 22, 14, 40, tzinfo=UTC)


def join_app(seen: list[str]) -> web.Application:
    """`GET /api/join/{uid}/{start}` as documented: the uid picks the answer; `seen` collects the
    paths asked (to check the client's encoding of uid and start)."""

    async def join(request: web.Request) -> web.Response:
        seen.append(request.raw_path)
        if request.headers.get("Authorization") != f"Bearer {JOIN_TOKEN}":
            return web.json_response({"error": "unauthorized"}, status=401)
        if not _START.match(request.match_info["start"]):
            return web.json_response({"error": "bad_start"}, status=400)
        answers: dict[str, tuple[int, dict[str, object]]] = {
            "open@hub": (
                200,
                {
                    "janus": "ws://127.0.0.1:8188",
                    "room": 4321,
                    "pin": ROOM_PIN,
                    "display_name": "Dana Whitehorse, NP",
                    "role": "spoke",
                    "opens": "2026-10-22T14:40:00+00:00",
                    "start": "2026-10-22T15:00:00+00:00",
                    "end": "2026-10-22T16:00:00+00:00",
                },
            ),
            "early@hub": (409, {"error": "not_open_yet", "opens": OPENS.isoformat()}),
            "over@hub": (410, {"error": "ended"}),
            "stranger@hub": (403, {"error": "not_a_member"}),
            "broken@hub": (200, {"janus": "ws://x", "room": "not a number"}),
        }
        status, body = answers.get(request.match_info["uid"], (404, {"error": "no_such_session"}))
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_get("/api/join/{uid}/{start}", join)
    return app


@asynccontextmanager
async def serving(app: web.Application, port: int = 0) -> AsyncIterator[str]:
    """Serve an app on 127.0.0.1 (`port`, 0: any free one); yields its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
