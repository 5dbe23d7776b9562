"""The real window, driven like a user would, through a join against the real Janus."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from echo_desktop.composition import conference, engine_loop
from echo_desktop.media.local_media import synthetic_media
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.phases import CallPhase
from echo_desktop.ui.main_window import MainWindow
from tests.conftest import Room
from tests.fakes import MemorySettingsStore
from tests.peers import Peer

pytestmark = pytest.mark.integration


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def test_join_through_the_window_and_see_remote_video(
    room: Room, qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    remote = Peer("Dr. Remote")
    joining = asyncio.ensure_future(remote.join(room.server_url, room.room, room.pin))
    qtbot.waitUntil(joining.done, timeout=15_000)
    joining.result()

    worker = engine_loop("ui-engine")
    engine = conference(lambda req: synthetic_media("Me", 320, 240))
    session = ClinicSession(engine, worker.run)
    settings = MemorySettingsStore({"server": room.server_url, "room": str(room.room), "name": "Dr. Window"})
    window = MainWindow(session, settings)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    try:
        view = window.join_view
        qtbot.keyClicks(view.pin_edit, room.pin)
        qtbot.mouseClick(view.join_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: window.showing_call and session.state.phase is CallPhase.IN_CALL, timeout=15_000
        )

        grid = window.call_view.grid
        qtbot.waitUntil(
            lambda: any(p.display_name == "Dr. Remote" for p in session.participants), timeout=10_000
        )
        remote_id = next(p.feed_id for p in session.participants if p.display_name == "Dr. Remote")
        qtbot.waitUntil(lambda: (t := grid.tile_for(remote_id)) is not None and t.has_frame, timeout=15_000)
        tile = grid.tile_for(remote_id)
        assert tile is not None and tile.display_name == "Dr. Remote"
        first_seq = tile.last_seq
        assert first_seq is not None
        before = _pixels(tile.grab().toImage())
        qtbot.waitUntil(lambda: tile.last_seq is not None and tile.last_seq > first_seq + 3, timeout=10_000)
        after = _pixels(tile.grab().toImage())
        # The test card is colourful and moves: real pixels, not a placeholder.
        assert before.std() > 30
        assert np.abs(before.astype(int) - after.astype(int)).mean() > 2
        self_tile = grid.self_tile
        assert self_tile is not None
        qtbot.waitUntil(lambda: self_tile.has_frame, timeout=10_000)

        # The remote leaves: the tile goes away.
        leaving = asyncio.ensure_future(remote.leave())
        qtbot.waitUntil(leaving.done, timeout=10_000)
        qtbot.waitUntil(lambda: grid.tile_for(remote_id) is None, timeout=10_000)

        qtbot.mouseClick(window.call_view.leave_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: session.state.phase is CallPhase.IDLE and not window.showing_call, timeout=10_000
        )
    finally:
        if session.state.phase is not CallPhase.IDLE:
            done = asyncio.ensure_future(session.leave())
            qtbot.waitUntil(done.done, timeout=10_000)
        worker.stop()
        if remote.session.state.phase is not CallPhase.IDLE:
            done = asyncio.ensure_future(remote.leave())
            qtbot.waitUntil(done.done, timeout=10_000)
        remote.close()
