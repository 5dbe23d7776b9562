"""Session rooms on the real Janus, kept by the real program service under an injected clock.

The room appears when it opens, is made again with the same PIN after Janus restarts (the PIN
still lets people in), and is gone after the end. Run under flock: it uses the network namespace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.program_service.server import JanusAccess, ProgramServer
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.hub.rooms import JanusVideoRooms
from echo_desktop.session.errors import WrongPinError
from echo_desktop.session.models import Role
from testkit.netns import NetNamespace
from tests.janus_joins import join_room
from tests.waiting import wait_for, wait_for_async

pytestmark = pytest.mark.integration

START = datetime(2030, 1, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
async def janus_rooms(netns: NetNamespace) -> AsyncIterator[tuple[JanusHub, JanusVideoRooms]]:
    """A Janus of this test's own (it restarts it), and a client to ask it about rooms."""
    hub = JanusHub(HubConfig(bind_ip=netns.hub_ip, ws_port=8788, http_port=8789)).start()
    rooms = JanusVideoRooms(hub.config.ws_url, hub.config.admin_key)
    try:
        yield hub, rooms
    finally:
        await rooms.close()
        hub.stop()


async def test_a_session_room_opens_survives_a_janus_restart_and_closes(
    tmp_path: Path, janus_rooms: tuple[JanusHub, JanusVideoRooms], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hub, rooms = janus_rooms
    clock = [START - timedelta(hours=1)]
    store = ProgramStore.open(tmp_path / "programs.db", now=lambda: clock[0])
    program = store.add_program("Hepatitis C", "UTC")
    series = store.add_series(program.id, "HCV", START.replace(tzinfo=None), timedelta(hours=1))
    dana = store.add_person("Dana Whitehorse, NP", "Taos Clinic", Role.SPOKE)
    store.add_member(dana.person.id, program.id)
    assert series.room is not None
    room = series.room
    server = ProgramServer(
        tmp_path / "programs.db", "127.0.0.1", 0,
        janus=JanusAccess(hub.config.ws_url, hub.config.admin_key), now=lambda: clock[0], check_every=0.1,
    ).start()  # fmt: skip
    keeper = server.keeper
    assert keeper is not None
    join = f"{server.url}/api/join/{series.uid}/20300110T150000Z"
    bearer = {"Authorization": f"Bearer {dana.api_token}"}
    try:
        async with aiohttp.ClientSession() as http:
            early = await http.get(join, headers=bearer)
            assert early.status == 409 and (await early.json())["opens"] == "2030-01-10T14:40:00+00:00"
            passes = keeper.passes
            await wait_for(lambda: keeper.passes >= passes + 2, what="two checks before the room opens")
            assert not await rooms.exists(room)

            clock[0] = START - timedelta(minutes=19)
            await wait_for_async(lambda: rooms.exists(room), what="the room to open on Janus")
            answer = await http.get(join, headers=bearer)
            assert answer.status == 200
            details = await answer.json()
            pin = details.pop("pin")
            assert details == {
                "janus": hub.config.ws_url, "room": room, "display_name": "Dana Whitehorse, NP",
                "role": "spoke", "opens": "2030-01-10T14:40:00+00:00",
                "start": "2030-01-10T15:00:00+00:00", "end": "2030-01-10T16:00:00+00:00",
            }  # fmt: skip
            assert len(pin) == 6 and pin.isdigit()
            assert await join_room(hub.config.ws_url, room, pin) == "joined"
            with pytest.raises(WrongPinError):
                await join_room(hub.config.ws_url, room, "x" + pin)

            hub.stop()  # Janus restarts, and forgets every room
            hub.start()
            await wait_for_async(lambda: rooms.exists(room), what="the room to be made again")
            assert await join_room(hub.config.ws_url, room, pin) == "joined"  # the same PIN
            again = await http.get(join, headers=bearer)
            assert again.status == 200 and (await again.json())["pin"] == pin

            clock[0] = START + timedelta(hours=1)
            await wait_for_async(lambda: _gone(rooms, room), what="the room to be destroyed after the end")
            ended = await http.get(join, headers=bearer)
            assert ended.status == 410
            assert store.open_rooms() == []
    finally:
        server.stop()
        store.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"room {room}" in logged.lower()  # the keeper did log its work...
    assert pin not in logged and dana.api_token not in logged  # ...and never a PIN or token


async def _gone(rooms: JanusVideoRooms, room: int) -> bool:
    return not await rooms.exists(room)
