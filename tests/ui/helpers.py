"""Shared steps for the UI tests: fill the join form, join, and look at pixels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from echo_desktop.session.models import Role
from echo_desktop.ui.join_view import JoinView
from tests.ui.conftest import Harness

SERVER = "ws://127.0.0.1:8188"


def fill_form(
    view: JoinView, *, name: str = "Dr. Ana Ruiz", room: str = "1234", role: Role = Role.HUB
) -> None:
    view.server_edit.setText(SERVER)
    view.room_edit.setText(room)
    view.pin_edit.setText("4321")
    view.name_edit.setText(name)
    view.role_combo.setCurrentIndex(view.role_combo.findData(role.value))


def join(h: Harness, qtbot: QtBot, **form: object) -> None:
    """Fill the form, press Join, and wait for the call screen and our media state."""
    fill_form(h.window.join_view, **form)  # type: ignore[arg-type]
    qtbot.mouseClick(h.window.join_view.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: h.window.showing_call, timeout=3000)
    # The engine reports our media state as an event, which may land just after the call shows.
    qtbot.waitUntil(lambda: h.window.call_view.local_media == h.engine.media, timeout=3000)


def center_color(widget: QWidget) -> QColor:
    image = widget.grab().toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def pixels(image: QImage) -> np.ndarray:
    """An image as an (height, width, 3) RGB array."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def count_color(widget: QWidget, color: QColor | str) -> int:
    """How many pixels of a widget are exactly this colour."""
    wanted = QColor(color)
    rgb = pixels(widget.grab().toImage())
    target = np.array([wanted.red(), wanted.green(), wanted.blue()], dtype=np.uint8)
    return int(np.all(rgb == target, axis=2).sum())


def activate(h: Harness, qtbot: QtBot) -> None:
    """Make the window active, so window shortcuts reach it."""
    h.window.activateWindow()
    qtbot.waitUntil(lambda: h.window.isActiveWindow(), timeout=3000)
