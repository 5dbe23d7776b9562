"""VideoTile: placeholder, repaint only on new frames, pixels, letterboxing and mirroring."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from echo_desktop.media.convert import display_pixels
from echo_desktop.session.models import Role, VideoFrame
from echo_desktop.ui import style
from echo_desktop.ui.video_tile import VideoTile, initials_of, letterbox


class ScriptedSource:
    """A frame source that returns whatever the test put in `frame`, counting calls."""

    def __init__(self) -> None:
        self.frame: VideoFrame | None = None
        self.calls = 0

    def __call__(self) -> VideoFrame | None:
        self.calls += 1
        return self.frame


def solid(color: tuple[int, int, int], seq: int, size: tuple[int, int] = (160, 120)) -> VideoFrame:
    width, height = size
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    pixels[:, :] = color
    return VideoFrame(display_pixels(pixels, "rgb"), seq)


def make_tile(
    qtbot: QtBot, source: ScriptedSource, *, mirrored: bool = False, size: tuple[int, int] = (400, 200)
) -> VideoTile:
    tile = VideoTile(7, "Dr. Ana Ruiz", Role.HUB, source, mirrored=mirrored)
    qtbot.addWidget(tile)
    tile.resize(*size)
    tile.show()
    qtbot.waitExposed(tile)
    return tile


def test_initials_and_letterbox_helpers() -> None:
    assert initials_of("Dr. Ana Ruiz") == "AR"
    assert initials_of("Bea") == "B"
    assert initials_of("  ") == "?"
    box = letterbox(QSize(4, 3), QRectF(0, 0, 400, 200))
    assert (box.x(), box.y(), box.width(), box.height()) == pytest.approx((200 / 3, 0, 800 / 3, 200))
    assert letterbox(QSize(0, 3), QRectF(0, 0, 10, 10)).isEmpty()


def test_placeholder_until_the_first_frame(qtbot: QtBot) -> None:
    source = ScriptedSource()
    tile = make_tile(qtbot, source)
    assert not tile.refresh()
    assert not tile.has_frame
    assert tile.accessibleDescription() == "Waiting for video…"
    image = tile.grab().toImage()
    # 400x200 tile: a 4:3 card 267 px wide, centred; its inside corner area is the card colour.
    assert image.pixelColor(90, 20) == QColor(style.TILE_BG)
    assert image.pixelColor(20, 100) != QColor(style.TILE_BG), "outside the card: letterbox"
    # The initials circle sits above the centre, in the role's colour.
    circle_pixel = image.pixelColor(image.width() // 2 - 20, image.height() // 2 - 20)
    assert circle_pixel == style.role_color(Role.HUB)


def test_refresh_repaints_only_for_a_new_seq(qtbot: QtBot) -> None:
    source = ScriptedSource()
    tile = make_tile(qtbot, source)
    source.frame = solid((200, 30, 40), seq=1)
    assert tile.refresh()
    assert not tile.refresh(), "same seq: no repaint"
    source.frame = solid((200, 30, 40), seq=2)
    assert tile.refresh()
    assert tile.last_seq == 2
    assert tile.accessibleDescription() == "Live video"


def test_frame_is_letterboxed_with_its_pixels(qtbot: QtBot) -> None:
    source = ScriptedSource()
    tile = make_tile(qtbot, source, size=(400, 200))
    source.frame = solid((200, 30, 40), seq=1, size=(160, 120))
    tile.refresh()
    image = tile.grab().toImage()
    assert image.pixelColor(200, 80) == QColor(200, 30, 40)
    # 4:3 in a 2:1 tile: the frame spans the full height, with bars left and right.
    assert image.pixelColor(200, 2) == QColor(200, 30, 40)
    assert image.pixelColor(20, 100) != QColor(200, 30, 40)
    assert image.pixelColor(380, 100) != QColor(200, 30, 40)


def test_mirrored_self_view_flips_horizontally(qtbot: QtBot) -> None:
    source = ScriptedSource()
    tile = make_tile(qtbot, source, mirrored=True, size=(320, 240))
    pixels = np.zeros((120, 160, 3), dtype=np.uint8)
    pixels[:, :80] = (255, 0, 0)  # left half red, right half blue
    pixels[:, 80:] = (0, 0, 255)
    source.frame = VideoFrame(display_pixels(pixels, "rgb"), 1)
    tile.refresh()
    image = tile.grab().toImage()
    assert image.pixelColor(60, 60) == QColor(0, 0, 255)
    assert image.pixelColor(260, 60) == QColor(255, 0, 0)


def test_non_contiguous_and_bad_frames(qtbot: QtBot) -> None:
    source = ScriptedSource()
    tile = make_tile(qtbot, source)
    wide = np.zeros((120, 320, 3), dtype=np.uint8)
    wide[:, ::2] = (10, 200, 10)
    source.frame = VideoFrame(display_pixels(wide, "rgb")[:, ::2], 1)  # a strided view
    assert tile.refresh()
    assert tile.grab().toImage().pixelColor(200, 100) == QColor(10, 200, 10)
    source.frame = VideoFrame(np.zeros((4, 4), dtype=np.uint8), 2)
    assert not tile.refresh()
    source.frame = VideoFrame(np.zeros((4, 4, 3), dtype=np.uint8), 3)  # packed RGB: not ours
    assert not tile.refresh()


def test_a_failing_source_does_not_raise(qtbot: QtBot) -> None:
    def broken() -> VideoFrame | None:
        raise OSError("decoder gone")

    tile = VideoTile(1, "Bea", Role.SPOKE, broken)
    qtbot.addWidget(tile)
    assert not tile.refresh()
    assert not tile.refresh()


def test_a_frame_scaled_by_the_engine_is_drawn_one_to_one_with_rounded_corners(qtbot: QtBot) -> None:
    source = ScriptedSource()
    tile = make_tile(qtbot, source, size=(400, 200))
    source.frame = solid((30, 200, 60), seq=1, size=(266, 200))  # what the engine sends this tile
    tile.refresh()
    image = tile.grab().toImage()
    left = (400 - 266) // 2
    background = QColor(style.VIDEO_BG)
    assert image.pixelColor(left - 5, 100) == background  # the bars are painted
    assert image.pixelColor(left + 266 + 5, 100) == background
    assert image.pixelColor(left + 1, 1) == background  # the corner is rounded off
    assert image.pixelColor(left + 265, 198) == background
    assert image.pixelColor(left + 12, 12) == QColor(30, 200, 60)  # inside: the frame itself
    assert image.pixelColor(left + 133, 100) == QColor(30, 200, 60)
    # Resized, the same frame is laid out anew (now scaled to the new height).
    tile.resize(500, 300)
    source.frame = solid((30, 200, 60), seq=2, size=(266, 200))
    tile.refresh()
    image = tile.grab().toImage()
    assert image.pixelColor(250, 290) == QColor(30, 200, 60)  # 400x300, centred
    assert image.pixelColor(40, 150) == background
    assert image.pixelColor(60, 150) == QColor(30, 200, 60)
