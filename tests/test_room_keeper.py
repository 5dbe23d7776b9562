"""The room keeper's decisions, against a fake Janus: when rooms are made, made again, destroyed.

The real Janus (a restart included) is in tests/test_session_rooms.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from echo_desktop.hub.program_service.room_keeper import RoomKeeper
from echo_desktop.hub.program_service.sessions import find_session
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.schedule.series import Frequency
from echo_desktop.session.errors import ServerUnreachableError
from tests.fake_janus_rooms import FakeJanusRooms

START = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # Thursday 9:00 in Denver


@dataclass
class World:
    store: ProgramStore
    janus: FakeJanusRooms
    keeper: RoomKeeper
    clock: list[datetime]
    uid: str
    room: int


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = [START - timedelta(hours=1)]
    rooms = itertools.count(700_001)
    store = ProgramStore.open(tmp_path / "programs.db", now=lambda: clock[0], new_room=lambda: next(rooms))
    program = store.add_program("Hepatitis C", "America/Denver")
    series = store.add_series(
        program.id, "HCV", datetime(2026, 12, 3, 9, 0), timedelta(hours=1), Frequency.WEEKLY,
        until=date(2026, 12, 31),
    )  # fmt: skip
    janus = FakeJanusRooms()
    assert series.room is not None
    try:
        yield World(store, janus, RoomKeeper(store, janus, lambda: clock[0]), clock, series.uid, series.room)
    finally:
        store.close()


async def test_a_room_is_made_when_it_opens_and_destroyed_after_the_end(world: World) -> None:
    world.clock[0] = START - timedelta(minutes=20, seconds=1)
    await world.keeper.check()
    assert world.janus.rooms == {}
    world.clock[0] = START - timedelta(minutes=20)
    await world.keeper.check()
    record = world.store.session_room(world.uid, START)
    assert world.janus.rooms == {world.room: (record.pin, record.secret)}
    await world.keeper.check()  # still there: nothing to do
    assert world.janus.log == [f"create {world.room}"]
    world.clock[0] = START + timedelta(minutes=59)
    await world.keeper.check()
    assert world.room in world.janus.rooms
    world.clock[0] = START + timedelta(hours=1)
    await world.keeper.check()
    assert world.janus.rooms == {} and world.store.open_rooms() == []
    assert world.janus.log == [f"create {world.room}", f"destroy {world.room}"]

    # Next week: the same room number, a PIN of its own.
    world.clock[0] = START + timedelta(days=7, minutes=-5)
    await world.keeper.check()
    next_week = world.store.session_room(world.uid, START + timedelta(days=7))
    assert world.janus.rooms == {world.room: (next_week.pin, next_week.secret)}
    assert next_week.secret != record.secret


async def test_a_lost_room_is_made_again_with_the_same_pin(world: World) -> None:
    world.clock[0] = START - timedelta(minutes=10)
    await world.keeper.check()
    first = dict(world.janus.rooms)
    world.janus.down = True  # Janus restarts: it is away, then back with no rooms
    with pytest.raises(ServerUnreachableError):
        await world.keeper.check()
    world.janus.down = False
    world.janus.rooms.clear()
    await world.keeper.check()
    assert world.janus.rooms == first
    assert world.janus.log == [f"create {world.room}", f"create {world.room}"]


async def test_a_cancelled_or_moved_session_loses_its_room(world: World) -> None:
    world.clock[0] = START - timedelta(minutes=10)
    await world.keeper.check()
    assert world.room in world.janus.rooms
    world.store.move(world.uid, date(2026, 12, 3), datetime(2026, 12, 3, 15, 0))  # 15:00 in Denver
    await world.keeper.check()
    assert world.janus.rooms == {} and world.store.open_rooms() == []
    moved = find_session(world.store, world.uid, datetime(2026, 12, 3, 22, 0, tzinfo=UTC))
    assert moved is not None
    world.clock[0] = moved.opens
    await world.keeper.check()
    kept = world.store.session_room(world.uid, moved.start)
    assert world.janus.rooms == {world.room: (kept.pin, kept.secret)}
    world.store.cancel(world.uid, date(2026, 12, 3))
    await world.keeper.check()
    assert world.janus.rooms == {}


async def test_ensure_open_makes_the_room_at_once_and_returns_its_pin(world: World) -> None:
    session = find_session(world.store, world.uid, START)
    assert session is not None
    record = await world.keeper.ensure_open(session)
    assert world.janus.rooms == {world.room: (record.pin, record.secret)}
    assert (await world.keeper.ensure_open(session)).pin == record.pin
    assert world.janus.log == [f"create {world.room}"]
    (opened,) = world.store.open_rooms()
    assert opened.pin == record.pin
