"""How loud one participant is for this user: a 0–200 % slider under the participant list."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from echo_desktop.ui import icons, style

logger = logging.getLogger(__name__)

MIN_VOLUME, MAX_VOLUME, NORMAL_VOLUME = 0, 200, 100
HINT_TEXT = "Select someone in the list to change how loud they are for you."


class VolumePanel(QWidget):
    """A volume slider for the selected remote participant; changes affect this computer only.

    `volume_changed(feed_id, gain)` carries the gain as a factor (1.0 is normal, 2.0 is double).
    """

    volume_changed = Signal(int, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VolumePanel")
        self._feed_id: int | None = None
        self._name = ""

        self.icon_label = QLabel()
        self.icon_label.setPixmap(icons.pixmap("speaker", style.TEXT_MUTED, 18))
        self.title_label = QLabel("Volume")
        self.title_label.setObjectName("VolumeTitle")
        self.value_label = QLabel(f"{NORMAL_VOLUME} %")
        self.value_label.setObjectName("Muted")
        self.value_label.setMinimumWidth(self.value_label.fontMetrics().horizontalAdvance("200 %") + 4)
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(MIN_VOLUME, MAX_VOLUME)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(25)
        self.slider.setValue(NORMAL_VOLUME)
        self.slider.setTickInterval(NORMAL_VOLUME)
        self.slider.setTickPosition(QSlider.TickPosition.NoTicks)
        self.slider.valueChanged.connect(self._on_value_changed)
        self.title_label.setBuddy(self.slider)

        self.reset_button = QPushButton("&Reset")
        self.reset_button.setObjectName("Small")
        self.reset_button.setToolTip(f"Back to normal volume ({NORMAL_VOLUME} %)")
        self.reset_button.setAccessibleName(f"Reset volume to {NORMAL_VOLUME} percent")
        self.reset_button.clicked.connect(lambda: self.slider.setValue(NORMAL_VOLUME))

        self.hint_label = QLabel(HINT_TEXT)
        self.hint_label.setObjectName("Muted")
        self.hint_label.setWordWrap(True)

        self.title_label.setWordWrap(True)
        title_row = QHBoxLayout()
        title_row.setSpacing(6)
        title_row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        title_row.addWidget(self.title_label, 1)

        slider_row = QHBoxLayout()
        slider_row.setSpacing(8)
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.value_label)
        slider_row.addWidget(self.reset_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 0)
        layout.setSpacing(6)
        layout.addLayout(title_row)
        layout.addLayout(slider_row)
        layout.addWidget(self.hint_label)
        self.set_participant(None)

    @property
    def feed_id(self) -> int | None:
        return self._feed_id

    def set_participant(self, feed_id: int | None, name: str = "", volume: int = NORMAL_VOLUME) -> None:
        """Control a participant's volume, or (None) show how to pick one."""
        self._feed_id, self._name = feed_id, name
        active = feed_id is not None
        self.slider.blockSignals(True)
        try:
            self.slider.setValue(volume if active else NORMAL_VOLUME)
        finally:
            self.slider.blockSignals(False)
        for widget in (self.slider, self.reset_button, self.value_label):
            widget.setVisible(active)
        self.hint_label.setVisible(not active)
        # A name may contain "&"; doubled, it is shown as written rather than as a mnemonic.
        shown = name.replace("&", "&&")
        self.title_label.setText(f"&Volume of {shown}" if active else "Volume")
        self.title_label.setToolTip(f"How loud {name} is on this computer only" if active else "")
        self.slider.setAccessibleName(f"Volume of {name}" if active else "Volume")
        self.slider.setAccessibleDescription(
            "Changes how loud this person is for you only. 100 percent is normal." if active else ""
        )
        self._show_value(self.slider.value())

    def _on_value_changed(self, value: int) -> None:
        self._show_value(value)
        if self._feed_id is not None:
            self.volume_changed.emit(self._feed_id, value / NORMAL_VOLUME)

    def _show_value(self, value: int) -> None:
        self.value_label.setText(f"{value} %")
        self.reset_button.setEnabled(value != NORMAL_VOLUME)
