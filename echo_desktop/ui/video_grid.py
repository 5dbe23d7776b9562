"""The video grid: one tile per remote participant plus the self-view, in a near-square layout."""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QWidget

from echo_desktop.session.models import Participant, Role, VideoFrame
from echo_desktop.session.ports import SELF_VIEW
from echo_desktop.ui import style
from echo_desktop.ui.video_tile import VideoTile, ViewSizeSink

logger = logging.getLogger(__name__)

FrameLookup = Callable[[int], VideoFrame | None]
"""Returns the newest frame of a feed id (or SELF_VIEW) without waiting."""

REFRESH_INTERVAL_MS = 33
"""~30 Hz: a bit above twice the 15 fps stream rate, so no frame waits long or is aliased away."""

SELF_LABEL = "You"
SELF_CAMERA_OFF_TEXT = "Your camera is off"
SELF_NO_CAMERA_TEXT = "No camera found"


def grid_shape(count: int) -> tuple[int, int]:
    """(rows, columns) of a near-square grid for `count` tiles, wider rather than taller."""
    if count <= 0:
        return (0, 0)
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    return (rows, columns)


def _inward(index: int, count: int, *, vertical: bool = False) -> Qt.AlignmentFlag:
    """Alignment that pulls a card towards the middle of the grid, so the cards form one block."""
    middle = (count - 1) / 2
    if index < middle:
        return Qt.AlignmentFlag.AlignBottom if vertical else Qt.AlignmentFlag.AlignRight
    if index > middle:
        return Qt.AlignmentFlag.AlignTop if vertical else Qt.AlignmentFlag.AlignLeft
    return Qt.AlignmentFlag.AlignVCenter if vertical else Qt.AlignmentFlag.AlignHCenter


class VideoGrid(QWidget):
    """Lays out video tiles and repaints them when their feeds have new frames.

    A single GUI-thread timer polls every tile's frame source about 30 times a second; a tile
    repaints only when its frame's sequence number changed, so older frames are simply skipped
    and nothing here ever waits on the media engine.
    """

    def __init__(
        self,
        frame_lookup: FrameLookup,
        parent: QWidget | None = None,
        view_size_sink: ViewSizeSink | None = None,
    ) -> None:
        super().__init__(parent)
        self._view_size_sink = view_size_sink
        self.setObjectName("VideoArea")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName("Video of the clinic participants")
        self._frame_lookup = frame_lookup
        self._remote_tiles: dict[int, VideoTile] = {}
        self._self_tile: VideoTile | None = None
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(10)
        self._shape = (0, 0)
        self._empty_text = ""
        self._self_media = (True, False)
        self._self_camera_off_text = SELF_CAMERA_OFF_TEXT
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_INTERVAL_MS)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.refresh_tiles)

    # --- tiles ---------------------------------------------------------------------------------

    def tiles(self) -> list[VideoTile]:
        """All tiles in display order: remote participants first, the self-view last."""
        ordered = list(self._remote_tiles.values())
        if self._self_tile is not None:
            ordered.append(self._self_tile)
        return ordered

    def tile_for(self, feed_id: int) -> VideoTile | None:
        """The tile of a remote feed, or of SELF_VIEW."""
        if feed_id == SELF_VIEW:
            return self._self_tile
        return self._remote_tiles.get(feed_id)

    @property
    def self_tile(self) -> VideoTile | None:
        return self._self_tile

    def set_self_view(self, role: Role | None) -> None:
        """Show the self-view tile (labelled "You") for a role, or remove it with None."""
        if role is None:
            if self._self_tile is not None:
                self._discard(self._self_tile)
                self._self_tile = None
                self._relayout()
            return
        if self._self_tile is None:
            self._self_tile = self._make_tile(SELF_VIEW, SELF_LABEL, role, mirrored=True)
            self._self_tile.set_camera_off_text(self._self_camera_off_text)
            self._self_tile.set_media_state(*self._self_media)
            self._relayout()
        else:
            self._self_tile.set_identity(SELF_LABEL, role)

    def set_self_media(self, camera_on: bool, muted: bool, has_camera: bool = True) -> None:
        """Reflect our own camera and microphone on the self-view (kept for a later self-view too)."""
        self._self_media = (camera_on, muted)
        self._self_camera_off_text = SELF_CAMERA_OFF_TEXT if has_camera else SELF_NO_CAMERA_TEXT
        if self._self_tile is not None:
            self._self_tile.set_camera_off_text(self._self_camera_off_text)
            self._self_tile.set_media_state(camera_on, muted)

    def set_participants(self, participants: Iterable[Participant]) -> None:
        """Make the remote tiles match the full list of remote participants."""
        wanted = {p.feed_id: p for p in participants if not p.is_self and p.feed_id != SELF_VIEW}
        changed = False
        for feed_id in [f for f in self._remote_tiles if f not in wanted]:
            self._discard(self._remote_tiles.pop(feed_id))
            changed = True
        for feed_id, participant in wanted.items():
            tile = self._remote_tiles.get(feed_id)
            if tile is None:
                tile = self._make_tile(feed_id, participant.display_name, participant.role)
                self._remote_tiles[feed_id] = tile
                changed = True
            else:
                tile.set_identity(participant.display_name, participant.role)
            tile.set_media_state(participant.camera_on, participant.muted)
        if changed:
            logger.debug("Video grid now shows feeds %s", list(self._remote_tiles))
            self._relayout()

    def clear(self) -> None:
        """Remove every tile and stop refreshing."""
        self.stop()
        for tile in self.tiles():
            self._discard(tile)
        self._remote_tiles.clear()
        self._self_tile = None
        self._relayout()

    def _make_tile(self, feed_id: int, name: str, role: Role, *, mirrored: bool = False) -> VideoTile:
        source = functools.partial(self._frame_lookup, feed_id)
        return VideoTile(
            feed_id, name, role, source, mirrored=mirrored, view_size_sink=self._view_size_sink, parent=self
        )

    def _discard(self, tile: VideoTile) -> None:
        self._layout.removeWidget(tile)
        tile.hide()
        tile.deleteLater()

    # --- layout --------------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) currently used."""
        return self._shape

    def _relayout(self) -> None:
        tiles = self.tiles()
        for tile in tiles:
            self._layout.removeWidget(tile)
        old_rows, old_columns = self._shape
        for row in range(old_rows):
            self._layout.setRowStretch(row, 0)
        for column in range(old_columns):
            self._layout.setColumnStretch(column, 0)
        rows, columns = grid_shape(len(tiles))
        for index, tile in enumerate(tiles):
            row, column = divmod(index, columns)
            self._layout.addWidget(tile, row, column)
            tile.set_card_alignment(_inward(row, rows, vertical=True) | _inward(column, columns))
            tile.show()
        for row in range(rows):
            self._layout.setRowStretch(row, 1)
        for column in range(columns):
            self._layout.setColumnStretch(column, 1)
        self._shape = (rows, columns)
        self.update()

    # --- empty state ---------------------------------------------------------------------------

    @property
    def empty_text(self) -> str:
        return self._empty_text

    def set_empty_text(self, text: str) -> None:
        """A calm line shown in the middle of the grid while it has no tiles."""
        self._empty_text = text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._empty_text and not self.tiles():
            painter = QPainter(self)
            try:
                painter.setPen(QColor(style.TILE_TEXT_MUTED))
                painter.setFont(style.scaled_font(self.font(), 1.15))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            finally:
                painter.end()

    # --- refreshing ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start polling the tiles' frame sources."""
        if not self._timer.isActive():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def is_refreshing(self) -> bool:
        return self._timer.isActive()

    def refresh_tiles(self) -> int:
        """Poll every visible tile once; returns how many got a new frame."""
        if not self.isVisible():
            return 0
        return sum(1 for tile in self.tiles() if tile.refresh())
