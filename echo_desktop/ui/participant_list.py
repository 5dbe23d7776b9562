"""The side list of everyone in the clinic: name on one line, role beneath it, mute and camera signs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from echo_desktop.session.models import Participant, Role
from echo_desktop.ui import icons, style
from echo_desktop.ui.video_tile import paint_muted_badge

logger = logging.getLogger(__name__)

ROLE_DATA = Qt.ItemDataRole.UserRole + 1
NAME_DATA = Qt.ItemDataRole.UserRole + 2
FEED_DATA = Qt.ItemDataRole.UserRole + 3
MUTED_DATA = Qt.ItemDataRole.UserRole + 4
CAMERA_ON_DATA = Qt.ItemDataRole.UserRole + 5
DETAIL_DATA = Qt.ItemDataRole.UserRole + 6
SELF_DATA = Qt.ItemDataRole.UserRole + 7
SELF_SUFFIX = " (you)"
NORMAL_VOLUME = 100

ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Entry:
    """One row of the list, as the user reads it."""

    name: str
    role: Role
    muted: bool = False
    camera_on: bool = True


def _role_from(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        return Role.SPOKE


def describe(participant: Participant, volume: int = NORMAL_VOLUME) -> str:
    """The second line of a row: role, then what is unusual (muted, camera off, volume)."""
    parts = [participant.role.label]
    if participant.muted:
        parts.append("muted")
    if not participant.camera_on:
        parts.append("camera off")
    if volume != NORMAL_VOLUME and not participant.is_self:
        parts.append(f"volume {volume} %")
    return " · ".join(parts)


class _ParticipantDelegate(QStyledItemDelegate):
    """Draws a role-coloured dot, the name in bold, the details below, and the media signs."""

    _PAD_X, _PAD_Y, _DOT, _GAP = 12, 8, 10, 10

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, 2 * metrics.height() + 2 * self._PAD_Y + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            rect = QRectF(option.rect).adjusted(4, 2, -4, -2)
            if option.state & QStyle.StateFlag.State_Selected:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(style.INFO_BG))
                painter.drawRoundedRect(rect, 6, 6)
            if option.state & QStyle.StateFlag.State_HasFocus:
                painter.setPen(QColor(style.FOCUS_RING))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
            role = _role_from(index.data(ROLE_DATA))
            name = str(index.data(NAME_DATA) or "")
            detail = str(index.data(DETAIL_DATA) or role.label)
            muted = bool(index.data(MUTED_DATA))
            camera_on = index.data(CAMERA_ON_DATA) is not False
            name_font = QFont(option.font)
            name_font.setBold(True)
            name_metrics = QFontMetrics(name_font)
            detail_metrics = QFontMetrics(option.font)
            top = rect.top() + self._PAD_Y
            dot_center = QPointF(rect.left() + self._PAD_X + self._DOT / 2, top + name_metrics.height() / 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(style.role_color(role))
            painter.drawEllipse(dot_center, self._DOT / 2, self._DOT / 2)

            # Media signs at the right, vertically centred: camera off (grey), muted (red).
            sign = float(name_metrics.height()) + 2
            right = rect.right() - self._PAD_X + 4
            middle = rect.center().y()
            if muted:
                paint_muted_badge(painter, QRectF(right - sign, middle - sign / 2, sign, sign))
                right -= sign + 6
            if not camera_on:
                box = QRectF(right - sign, middle - sign / 2, sign, sign)
                icons.paint_icon(painter, box.adjusted(1, 1, -1, -1), "camera-off", style.TEXT_MUTED)
                right -= sign + 6

            text_left = rect.left() + self._PAD_X + self._DOT + self._GAP
            width = max(0.0, right - text_left - 4)
            painter.setFont(name_font)
            painter.setPen(QColor(style.TEXT))
            painter.drawText(
                QRectF(text_left, top, width, name_metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                name_metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(width)),
            )
            painter.setFont(option.font)
            painter.setPen(QColor(style.TEXT_MUTED))
            painter.drawText(
                QRectF(text_left, top + name_metrics.height(), width, detail_metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                detail_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, int(width)),
            )
        finally:
            painter.restore()


class ParticipantList(QListWidget):
    """Everyone in the clinic, this user first, then the others in the order they joined.

    Rows keep their selection across updates (someone muting does not move the selection), and
    `selected_participant_changed` says whose row is selected (feed id, or None).
    """

    selected_participant_changed = Signal(object)  # int | None: a remote feed id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ParticipantList")
        self.setAccessibleName("Participants")
        self.setItemDelegate(_ParticipantDelegate(self))
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(True)
        self._selected: int | None = None
        self._updating = False
        self.currentItemChanged.connect(self._on_current_changed)

    def set_participants(
        self,
        me: Participant | None,
        others: Iterable[Participant],
        volumes: dict[int, int] | None = None,
    ) -> None:
        """Replace the list's content, keeping the selected participant selected."""
        volumes = volumes or {}
        keep = self._selected
        row: int | None = None
        self._updating = True
        try:
            self.clear()
            if me is not None:
                self._add(me, me.display_name + SELF_SUFFIX, NORMAL_VOLUME)
            for participant in others:
                self._add(
                    participant, participant.display_name, volumes.get(participant.feed_id, NORMAL_VOLUME)
                )
            if keep is not None:
                row = self._row_of(keep)
            if row is not None:
                self.setCurrentRow(row)
        finally:
            self._updating = False
        if row is None and keep is not None:
            self._selected = None
            self.selected_participant_changed.emit(None)

    @property
    def selected_feed(self) -> int | None:
        """The feed id of the selected remote participant, or None."""
        return self._selected

    def select_feed(self, feed_id: int) -> bool:
        """Select a participant's row; False if they are not listed."""
        row = self._row_of(feed_id)
        if row is None:
            return False
        self.setCurrentRow(row)
        return True

    def entries(self) -> list[tuple[str, Role]]:
        """(name, role) of every row, top to bottom."""
        return [(entry.name, entry.role) for entry in self.rich_entries()]

    def rich_entries(self) -> list[Entry]:
        """Every row with its media state, top to bottom."""
        result = []
        for row in range(self.count()):
            item = self.item(row)
            result.append(
                Entry(
                    str(item.data(NAME_DATA)),
                    _role_from(item.data(ROLE_DATA)),
                    bool(item.data(MUTED_DATA)),
                    item.data(CAMERA_ON_DATA) is not False,
                )
            )
        return result

    def _row_of(self, feed_id: int) -> int | None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(FEED_DATA) == feed_id and not item.data(SELF_DATA):
                return row
        return None

    def _add(self, participant: Participant, name: str, volume: int) -> None:
        detail = describe(participant, volume)
        spoken = f"{name}, {detail.replace(' · ', ', ')}"
        item = QListWidgetItem(spoken)
        item.setData(NAME_DATA, name)
        item.setData(ROLE_DATA, participant.role.value)
        item.setData(FEED_DATA, participant.feed_id)
        item.setData(SELF_DATA, participant.is_self)
        item.setData(MUTED_DATA, participant.muted)
        item.setData(CAMERA_ON_DATA, participant.camera_on)
        item.setData(DETAIL_DATA, detail)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
        item.setToolTip(f"{name} — {detail}")
        self.addItem(item)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if self._updating:
            return
        feed: int | None = None
        if current is not None and not current.data(SELF_DATA):
            value = current.data(FEED_DATA)
            feed = int(value) if value is not None else None
        if feed != self._selected:
            self._selected = feed
            self.selected_participant_changed.emit(feed)
