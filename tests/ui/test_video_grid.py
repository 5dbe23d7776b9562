"""VideoGrid: near-square layout, tiles following the participant list, coalesced refresh."""

from __future__ import annotations

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from echo_desktop.session.models import Participant, Role, VideoFrame
from echo_desktop.session.ports import SELF_VIEW
from echo_desktop.ui.video_grid import REFRESH_INTERVAL_MS, VideoGrid, grid_shape


@pytest.mark.parametrize(
    ("count", "shape"),
    [
        (0, (0, 0)),
        (1, (1, 1)),
        (2, (1, 2)),
        (3, (2, 2)),
        (4, (2, 2)),
        (5, (2, 3)),
        (6, (2, 3)),
        (7, (3, 3)),
        (9, (3, 3)),
        (10, (3, 4)),
    ],
)
def test_grid_shape_is_near_square(count: int, shape: tuple[int, int]) -> None:
    assert grid_shape(count) == shape


def test_refresh_rate_is_above_twice_the_stream_rate() -> None:
    assert 1000 / REFRESH_INTERVAL_MS > 2 * 15 - 1


class CountingFrames:
    """Frames per feed with a seq the test advances; counts lookups."""

    def __init__(self) -> None:
        self.seq: dict[int, int] = {}
        self.lookups = 0
        self._pixels = np.zeros((90, 120, 4), dtype=np.uint8)

    def __call__(self, feed_id: int) -> VideoFrame | None:
        self.lookups += 1
        seq = self.seq.get(feed_id)
        return None if seq is None else VideoFrame(self._pixels, seq)


def people(*ids: int) -> list[Participant]:
    return [Participant(i, f"Person {i}", Role.SPOKE) for i in ids]


def test_tiles_follow_the_participant_list(qtbot: QtBot) -> None:
    grid = VideoGrid(CountingFrames())
    qtbot.addWidget(grid)
    grid.set_self_view(Role.HUB)
    grid.set_participants(people(1, 2, 3))
    assert [t.feed_id for t in grid.tiles()] == [1, 2, 3, SELF_VIEW]
    assert grid.shape == (2, 2)

    grid.set_participants([*people(1, 3), Participant(3, "Renamed", Role.FACILITATOR)])
    assert [t.feed_id for t in grid.tiles()] == [1, 3, SELF_VIEW]
    tile = grid.tile_for(3)
    assert tile is not None and tile.display_name == "Renamed" and tile.role is Role.FACILITATOR
    assert grid.shape == (2, 2)

    grid.set_participants([])
    grid.set_self_view(None)
    assert grid.tiles() == [] and grid.shape == (0, 0)


def test_self_participant_is_not_given_a_remote_tile(qtbot: QtBot) -> None:
    grid = VideoGrid(CountingFrames())
    qtbot.addWidget(grid)
    grid.set_participants([Participant(50, "Me", Role.HUB, is_self=True), *people(2)])
    assert [t.feed_id for t in grid.tiles()] == [2]


def test_timer_repaints_only_changed_tiles(qtbot: QtBot) -> None:
    frames = CountingFrames()
    grid = VideoGrid(frames)
    qtbot.addWidget(grid)
    grid.resize(640, 480)
    grid.show()
    qtbot.waitExposed(grid)
    grid.set_participants(people(1, 2))
    frames.seq = {1: 1}
    assert grid.refresh_tiles() == 1
    assert grid.refresh_tiles() == 0
    frames.seq = {1: 2, 2: 1}
    assert grid.refresh_tiles() == 2

    grid.start()
    assert grid.is_refreshing
    before = frames.lookups
    qtbot.waitUntil(lambda: frames.lookups >= before + 6, timeout=2000)
    grid.stop()
    assert not grid.is_refreshing


def test_hidden_grid_does_not_poll(qtbot: QtBot) -> None:
    frames = CountingFrames()
    grid = VideoGrid(frames)
    qtbot.addWidget(grid)
    grid.set_participants(people(1))
    assert grid.refresh_tiles() == 0
    assert frames.lookups == 0
