"""The call's control bar: Mute, camera on/off, and a menu to switch camera or microphone.

The bar only shows state and asks: the buttons reflect the session's LocalMediaState, and
clicks come out as signals the main window turns into session commands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMenu, QPushButton, QWidget

from echo_desktop.session.models import DeviceInfo, LocalMediaState
from echo_desktop.ui import icons, style

logger = logging.getLogger(__name__)

MUTE_SHORTCUT = "Ctrl+D"
CAMERA_SHORTCUT = "Ctrl+E"
LOADING_TEXT = "Loading devices…"

DeviceList = Sequence[DeviceInfo] | str | None
"""Devices to offer; a string is why they could not be listed; None while loading."""


def shortcut_text(shortcut: str) -> str:
    """A shortcut as this platform writes it (Ctrl+D, or ⌘D on a Mac)."""
    return QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class CallControls(QFrame):
    """Mute and camera toggles and the device menu, in a bar under the video."""

    mute_clicked = Signal()
    camera_clicked = Signal()
    camera_chosen = Signal(str)
    microphone_chosen = Signal(str)
    devices_menu_opening = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ControlBar")
        self.setAccessibleName("Call controls")
        self._state = LocalMediaState()
        self._enabled = False
        self._cameras: DeviceList = None
        self._microphones: DeviceList = None

        self.mute_button = QPushButton()
        self.mute_button.setObjectName("MediaToggle")
        self.mute_button.clicked.connect(self.mute_clicked)
        self.camera_button = QPushButton()
        self.camera_button.setObjectName("MediaToggle")
        self.camera_button.clicked.connect(self.camera_clicked)
        for button in (self.mute_button, self.camera_button):
            button.setMinimumWidth(150)

        self.devices_menu = QMenu(self)
        self.devices_menu.setObjectName("DevicesMenu")
        self.devices_menu.setAccessibleName("Switch camera or microphone")
        self.devices_menu.aboutToShow.connect(self.devices_menu_opening)
        self.devices_button = QPushButton("Devices")
        self.devices_button.setObjectName("MediaToggle")
        self.devices_button.setIcon(icons.icon("devices", style.TEXT, style.TEXT_MUTED))
        self.devices_button.setMenu(self.devices_menu)
        self.devices_button.setToolTip("Switch to another camera or microphone")
        self.devices_button.setAccessibleName("Devices")
        self.devices_button.setAccessibleDescription("Opens a menu to switch camera or microphone")
        self._camera_group = QActionGroup(self)
        self._microphone_group = QActionGroup(self)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(10)
        layout.addStretch(1)
        layout.addWidget(self.mute_button)
        layout.addWidget(self.camera_button)
        layout.addWidget(self.devices_button)
        layout.addStretch(1)

        self.set_local_media(self._state)
        self._rebuild_menu()

    # --- state ---------------------------------------------------------------------------------

    @property
    def local_media(self) -> LocalMediaState:
        return self._state

    def set_controls_enabled(self, enabled: bool) -> None:
        """Allow the controls only while in a call."""
        self._enabled = enabled
        self.set_local_media(self._state)

    def set_local_media(self, state: LocalMediaState) -> None:
        """Make both toggles show our microphone and camera state."""
        self._state = state
        self._show_microphone(state)
        self._show_camera(state)
        self._sync_checks()

    def set_device_switching_available(self, available: bool) -> None:
        """Hide the device menu when the app has no way to list devices."""
        self.devices_button.setVisible(available)

    def _show_microphone(self, state: LocalMediaState) -> None:
        button = self.mute_button
        keys = shortcut_text(MUTE_SHORTCUT)
        if not state.has_microphone:
            off = True
            button.setText("No microphone")
            why = (
                "No microphone was found, so the others cannot hear you. "
                "Connect one, then choose it under Devices."
            )
            button.setToolTip(why)
            button.setAccessibleDescription(why)
        elif state.muted:
            off = True
            button.setText("Unmute")
            button.setToolTip(f"You are muted: the others cannot hear you. Unmute ({keys})")
            button.setAccessibleDescription(f"You are muted. Shortcut: {keys}")
        else:
            off = False
            button.setText("Mute")
            button.setToolTip(f"Mute your microphone ({keys})")
            button.setAccessibleDescription(f"Your microphone is on. Shortcut: {keys}")
        button.setAccessibleName(button.text())
        button.setIcon(self._toggle_icon("mic-off" if off else "mic", off))
        button.setEnabled(self._enabled and state.has_microphone)
        button.setProperty("off", off)
        _repolish(button)

    def _show_camera(self, state: LocalMediaState) -> None:
        button = self.camera_button
        keys = shortcut_text(CAMERA_SHORTCUT)
        if not state.has_camera:
            off = True
            button.setText("No camera")
            why = (
                "No camera was found: the others see your initials. "
                "Connect one, then choose it under Devices."
            )
            button.setToolTip(why)
            button.setAccessibleDescription(why)
        elif not state.camera_on:
            off = True
            button.setText("Start camera")
            button.setToolTip(f"Your camera is off: the others see your initials. Start it ({keys})")
            button.setAccessibleDescription(f"Your camera is off. Shortcut: {keys}")
        else:
            off = False
            button.setText("Stop camera")
            button.setToolTip(f"Turn your camera off; this also saves bandwidth ({keys})")
            button.setAccessibleDescription(f"Your camera is on. Shortcut: {keys}")
        button.setAccessibleName(button.text())
        button.setIcon(self._toggle_icon("camera-off" if off else "camera", off))
        button.setEnabled(self._enabled and state.has_camera)
        button.setProperty("off", off)
        _repolish(button)

    @staticmethod
    def _toggle_icon(name: str, off: bool) -> QIcon:
        return icons.icon(name, style.ERROR_TEXT if off else style.TEXT, style.TEXT_MUTED)

    # --- device menu ---------------------------------------------------------------------------

    def set_device_lists(self, cameras: DeviceList, microphones: DeviceList) -> None:
        """Offer these devices in the menu (None: still loading; a string: why not listed)."""
        cameras = list(cameras) if isinstance(cameras, Sequence) and not isinstance(cameras, str) else cameras
        microphones = (
            list(microphones)
            if isinstance(microphones, Sequence) and not isinstance(microphones, str)
            else microphones
        )
        if (cameras, microphones) == (self._cameras, self._microphones):
            return  # unchanged: leave an open menu (and its highlighted entry) alone
        self._cameras, self._microphones = cameras, microphones
        self._rebuild_menu()

    @property
    def devices_loaded(self) -> bool:
        return self._cameras is not None and self._microphones is not None

    def device_actions(self, kind: str) -> list[QAction]:
        """The menu's choices for "camera" or "microphone" (for tests and automation)."""
        group = self._camera_group if kind == "camera" else self._microphone_group
        return list(group.actions())

    def _rebuild_menu(self) -> None:
        menu = self.devices_menu
        for group in (self._camera_group, self._microphone_group):
            for action in group.actions():
                group.removeAction(action)
        menu.clear()
        self._add_section(menu, "Camera", self._cameras, self._camera_group, "camera")
        menu.addSeparator()
        self._add_section(menu, "Microphone", self._microphones, self._microphone_group, "microphone")
        self._sync_checks()

    def _add_section(
        self,
        menu: QMenu,
        title: str,
        devices: DeviceList,
        group: QActionGroup,
        kind: str,
    ) -> None:
        header = menu.addAction(title)
        header.setEnabled(False)
        font = header.font()
        font.setBold(True)
        header.setFont(font)
        if devices is None:
            menu.addAction(LOADING_TEXT).setEnabled(False)
            return
        if isinstance(devices, str):
            menu.addAction(devices).setEnabled(False)
            return
        if not devices:
            menu.addAction(f"No {kind} found").setEnabled(False)
            return
        group.setExclusive(True)
        for device in devices:
            action = QAction(device.name, menu)
            action.setCheckable(True)
            action.setData(device.device_id)
            action.setToolTip(f"Use {device.name}")
            action.triggered.connect(lambda _checked=False, d=device.device_id: self._on_chosen(kind, d))
            group.addAction(action)
            menu.addAction(action)

    def _on_chosen(self, kind: str, device_id: str) -> None:
        current = self._state.camera if kind == "camera" else self._state.microphone
        self._sync_checks()  # until the session confirms, the tick stays on the device in use
        if device_id == current:
            return
        logger.info("User chose %s %s", kind, device_id)
        (self.camera_chosen if kind == "camera" else self.microphone_chosen).emit(device_id)

    def _sync_checks(self) -> None:
        for group, devices, current in (
            (self._camera_group, self._cameras, self._state.camera),
            (self._microphone_group, self._microphones, self._state.microphone),
        ):
            default = None
            if isinstance(devices, Sequence) and not isinstance(devices, str):
                default = next((d.device_id for d in devices if d.is_default), None)
            wanted = current if current else default
            for action in group.actions():
                action.setChecked(action.data() == wanted)
            group.setEnabled(self._enabled)

    def reset(self) -> None:
        """Back to the state before a call: nothing known, controls off."""
        self._cameras = self._microphones = None
        self._enabled = False
        self.set_local_media(LocalMediaState())
        self._rebuild_menu()
