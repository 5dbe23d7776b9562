"""The side list of everyone in the clinic: name on one line, role beneath it."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
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
from echo_desktop.ui import style

logger = logging.getLogger(__name__)

ROLE_DATA = Qt.ItemDataRole.UserRole + 1
NAME_DATA = Qt.ItemDataRole.UserRole + 2
SELF_SUFFIX = " (you)"

ModelIndex = QModelIndex | QPersistentModelIndex


def _role_from(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        return Role.SPOKE


class _ParticipantDelegate(QStyledItemDelegate):
    """Draws a role-coloured dot, the name in bold and the role in a muted colour below."""

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
            role = _role_from(index.data(ROLE_DATA))
            name = str(index.data(NAME_DATA) or "")
            name_font = QFont(option.font)
            name_font.setBold(True)
            name_metrics = QFontMetrics(name_font)
            role_metrics = QFontMetrics(option.font)
            top = rect.top() + self._PAD_Y
            dot_center = QPointF(rect.left() + self._PAD_X + self._DOT / 2, top + name_metrics.height() / 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(style.role_color(role))
            painter.drawEllipse(dot_center, self._DOT / 2, self._DOT / 2)
            text_left = rect.left() + self._PAD_X + self._DOT + self._GAP
            width = rect.right() - text_left - self._PAD_X
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
                QRectF(text_left, top + name_metrics.height(), width, role_metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                role.label,
            )
        finally:
            painter.restore()


class ParticipantList(QListWidget):
    """Everyone in the clinic, this user first, then the others in the order they joined."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ParticipantList")
        self.setAccessibleName("Participants")
        self.setItemDelegate(_ParticipantDelegate(self))
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(True)

    def set_participants(self, me: Participant | None, others: Iterable[Participant]) -> None:
        """Replace the list's content."""
        self.clear()
        if me is not None:
            self._add(me.display_name + SELF_SUFFIX, me.role)
        for participant in others:
            self._add(participant.display_name, participant.role)

    def entries(self) -> list[tuple[str, Role]]:
        """(name, role) of every row, top to bottom."""
        result = []
        for row in range(self.count()):
            item = self.item(row)
            result.append((str(item.data(NAME_DATA)), _role_from(item.data(ROLE_DATA))))
        return result

    def _add(self, name: str, role: Role) -> None:
        item = QListWidgetItem(f"{name}, {role.label}")
        item.setData(NAME_DATA, name)
        item.setData(ROLE_DATA, role.value)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name}, {role.label}")
        item.setToolTip(f"{name} — {role.label}")
        self.addItem(item)
