"""The frame of a full-window page: a column of content, centred at a readable width, that
scrolls; and the Ctrl+R shortcut of pages that can be refreshed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget


def install_scrolling_page(page: QWidget, column: QLayout, name: str, max_width: int) -> QScrollArea:
    """Fill `page` with `column`, centred at most `max_width` wide, in a frameless scroll area.

    The inner widgets are named `{name}Content`, `{name}Canvas` and `{name}Scroll` for the
    stylesheet."""
    content = QWidget()
    content.setObjectName(f"{name}Content")
    content.setMaximumWidth(max_width)
    content.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    content.setLayout(column)
    canvas = QWidget()
    canvas.setObjectName(f"{name}Canvas")
    canvas_layout = QHBoxLayout(canvas)
    canvas_layout.setContentsMargins(32, 24, 32, 32)
    canvas_layout.addStretch(0)
    canvas_layout.addWidget(content, 1)
    canvas_layout.addStretch(0)
    scroll = QScrollArea()
    scroll.setObjectName(f"{name}Scroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(canvas)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    return scroll


def add_refresh_shortcut(page: QWidget, refresh: Callable[[], object]) -> QShortcut:
    """Ctrl+R anywhere in `page` calls `refresh`."""
    shortcut = QShortcut(QKeySequence("Ctrl+R"), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(refresh)
    return shortcut
