"""From the lobby into a scheduled session, against the real hub, with no typing: the program
service (with its room keeper) on loopback, the real Janus in the test's namespace, the real
schedule sync and cache, the real window and engine. The only input is one click on Join."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from echo_desktop.composition import conference, engine_loop
from echo_desktop.deferred_engine import DeferredEngine
from echo_desktop.hub.demo_seed import DemoSeed, seed_demo
from echo_desktop.hub.launcher import JanusHub
from echo_desktop.hub.program_service.server import JanusAccess, ProgramServer
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.media.local_media import synthetic_media
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.phases import CallPhase
from echo_desktop.session.ports import ConferenceEngine
from echo_desktop.session.worker_loop import WorkerLoop
from echo_desktop.sync.schedule_sync import ScheduleSync
from echo_desktop.ui.main_window import MainWindow
from tests.fakes import MemorySettingsStore
from tests.peers import Peer

pytestmark = pytest.mark.integration
T = TypeVar("T")


@pytest.fixture
def hub_service(janus: JanusHub, tmp_path: Path) -> Iterator[tuple[ProgramServer, ProgramStore, DemoSeed]]:
    """The program service over a store seeded with a session whose room opens now."""
    store = ProgramStore.open(tmp_path / "programs.db")
    seed = seed_demo(store, datetime.now(UTC))
    service = ProgramServer(
        tmp_path / "programs.db",
        "127.0.0.1",
        0,
        janus=JanusAccess(janus.config.ws_url, janus.config.admin_key),
    ).start()
    try:
        yield service, store, seed
    finally:
        service.stop()
        store.close()


def _run(coro: Awaitable[T], qtbot: QtBot, timeout: int = 15_000) -> T:
    future = asyncio.ensure_future(coro)
    qtbot.waitUntil(future.done, timeout=timeout)
    return future.result()


def test_one_click_on_join_enters_the_scheduled_session_on_the_real_hub(
    janus: JanusHub,
    hub_service: tuple[ProgramServer, ProgramStore, DemoSeed],
    tmp_path: Path,
    qasync_loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    service, store, seed = hub_service
    schedule = _run(ScheduleSync.open(tmp_path / "schedule.db"), qtbot)
    _run(schedule.subscribe_hub(service.url, seed.api_token), qtbot)

    workers: list[WorkerLoop] = []

    def build() -> tuple[ConferenceEngine, WorkerLoop]:
        workers.append(engine_loop("lobby-engine"))
        return conference(lambda request: synthetic_media(request.display_name, 320, 240)), workers[-1]

    engine = DeferredEngine(build)
    session = ClinicSession(engine, engine.run)
    window = MainWindow(session, MemorySettingsStore(), schedule=schedule)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    guest: Peer | None = None
    try:
        lobby = window.lobby_view
        assert lobby is not None and window.showing_lobby
        card = next(c for c in lobby.cards if c.session.uid == seed.session_uid)
        assert card.session.start == seed.session_start
        qtbot.waitUntil(card.join_button.isEnabled, timeout=10_000)  # the room opens now
        assert not engine.built  # nothing of the media engine before the user joins

        # A hub specialist is already in the session's room (the room and PIN the keeper made).
        room = store.session_room(seed.session_uid, seed.session_start)
        guest = Peer("Dr. Hub Specialist")
        _run(guest.join(janus.config.ws_url, room.room, room.pin), qtbot)

        # The card as shown now (a refresh with news would have rebuilt the list meanwhile).
        card = next(c for c in lobby.cards if c.session.uid == seed.session_uid)
        qtbot.mouseClick(card.join_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: window.showing_call and session.state.phase is CallPhase.IN_CALL, timeout=20_000
        )
        assert session.me is not None and session.me.display_name == "Demo Clinician"
        qtbot.waitUntil(
            lambda: any(p.display_name == "Dr. Hub Specialist" for p in session.participants),
            timeout=10_000,
        )

        qtbot.mouseClick(window.call_view.leave_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: session.state.phase is CallPhase.IDLE and window.showing_lobby, timeout=10_000
        )
    finally:
        if session.state.phase is not CallPhase.IDLE:
            _run(session.leave(), qtbot)
        if guest is not None:
            if guest.session.state.phase is not CallPhase.IDLE:
                _run(guest.leave(), qtbot)
            guest.close()
        engine.stop()
        _run(schedule.aclose(), qtbot)
