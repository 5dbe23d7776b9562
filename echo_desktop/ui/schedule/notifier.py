"""Desktop notifications through the system tray, where there is one."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from echo_desktop.ui.icons import icon
from echo_desktop.ui.style import PRIMARY

logger = logging.getLogger(__name__)

Notify = Callable[[str, str], bool]
"""Show a desktop notification (title, body); False when there is nowhere to show it."""

REMINDER_SHOWN_MS = 15_000


class TrayNotifier:
    """Shows notifications from a tray icon, created the first time one is needed.

    Without a system tray (a bare window manager, the offscreen platform) `notify` returns
    False, and the caller shows the message in the window instead.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        self._parent = parent
        self._tray: QSystemTrayIcon | None = None

    def notify(self, title: str, body: str) -> bool:
        """Show the notification; False when the system has no tray to show it from."""
        if not QSystemTrayIcon.isSystemTrayAvailable() or not QSystemTrayIcon.supportsMessages():
            return False
        if self._tray is None:
            app_icon = QApplication.windowIcon()
            self._tray = QSystemTrayIcon(
                app_icon if not app_icon.isNull() else icon("calendar", PRIMARY), self._parent
            )
            self._tray.setToolTip("ECHO Desktop")
            self._tray.show()
        self._tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, REMINDER_SHOWN_MS)
        return True

    def close(self) -> None:
        """Remove the tray icon (it would otherwise outlive the window on some desktops)."""
        if self._tray is not None:
            self._tray.hide()
            self._tray.deleteLater()
            self._tray = None
