"""An in-window message banner for errors, warnings and notices."""

from __future__ import annotations

import logging
from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

logger = logging.getLogger(__name__)


class BannerKind(Enum):
    """How serious a banner's message is; it selects the banner's colours."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_ICONS = {BannerKind.ERROR: "\u26a0", BannerKind.WARNING: "\u26a0", BannerKind.INFO: "\u2139"}
_SPOKEN_PREFIX = {BannerKind.ERROR: "Error", BannerKind.WARNING: "Warning", BannerKind.INFO: "Notice"}


def as_sentence(text: str) -> str:
    """A message as a sentence, for a banner or a field: trimmed, with a full stop at the end."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


class Banner(QFrame):
    """A coloured strip with a message, optional details, an optional action and a dismiss button.

    It stays hidden until `show_message` is called. Screen readers are told about new messages
    through an accessibility alert event.
    """

    action_triggered = Signal()
    dismissed = Signal()

    def __init__(
        self,
        kind: BannerKind = BannerKind.ERROR,
        *,
        dismissible: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self._kind = kind
        self.setProperty("kind", kind.value)

        self._icon = QLabel(_ICONS[kind])
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        icon_font = self._icon.font()
        icon_font.setPointSizeF(icon_font.pointSizeF() * 1.3)
        self._icon.setFont(icon_font)
        self._icon.setFixedWidth(22)
        self._message = QLabel()
        self._message.setObjectName("BannerMessage")
        self._message.setWordWrap(True)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._message.font()
        font.setBold(True)
        self._message.setFont(font)
        self._details = QLabel()
        self._details.setObjectName("BannerDetails")
        self._details.setWordWrap(True)
        self._details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._details.hide()

        self._action = QPushButton()
        self._action.hide()
        self._action.clicked.connect(self.action_triggered)
        self._dismiss = QPushButton("Dismiss")
        self._dismiss.setAccessibleName("Dismiss message")
        self._dismiss.setVisible(dismissible)
        self._dismiss.clicked.connect(self._on_dismiss)

        text_column = QVBoxLayout()
        text_column.setSpacing(2)
        text_column.addWidget(self._message)
        text_column.addWidget(self._details)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 8, 10)
        layout.setSpacing(10)
        layout.addWidget(self._icon)
        layout.addLayout(text_column, 1)
        layout.addWidget(self._action, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self._dismiss, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    @property
    def kind(self) -> BannerKind:
        return self._kind

    def set_kind(self, kind: BannerKind) -> None:
        """Change the banner's severity (and so its colours)."""
        self._kind = kind
        self._icon.setText(_ICONS[kind])
        self.setProperty("kind", kind.value)
        self.style().unpolish(self)
        self.style().polish(self)
        for child in self.findChildren(QWidget):
            child.style().unpolish(child)
            child.style().polish(child)

    @property
    def message(self) -> str:
        return self._message.text()

    @property
    def details(self) -> str:
        return self._details.text()

    def text(self) -> str:
        """The message and any details, as one string (handy for tests and logs)."""
        return f"{self.message} {self.details}".strip()

    def show_message(
        self,
        message: str,
        details: str | None = None,
        action_text: str | None = None,
    ) -> None:
        """Show a message; `action_text` adds a button that emits `action_triggered`."""
        self._message.setText(message)
        self._details.setText(details or "")
        self._details.setVisible(bool(details))
        if action_text:
            self._action.setText(action_text)
            self._action.show()
        else:
            self._action.hide()
        spoken = f"{_SPOKEN_PREFIX[self._kind]}: {message}"
        self.setAccessibleName(spoken)
        self.setAccessibleDescription(details or "")
        self.show()
        self._announce()

    def clear(self) -> None:
        """Hide the banner and forget its message."""
        self._message.clear()
        self._details.clear()
        self.hide()

    @property
    def action_button(self) -> QPushButton:
        return self._action

    @property
    def dismiss_button(self) -> QPushButton:
        return self._dismiss

    def _on_dismiss(self) -> None:
        self.clear()
        self.dismissed.emit()

    def _announce(self) -> None:
        try:
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))
        except Exception:
            logger.debug("Could not raise an accessibility alert", exc_info=True)
