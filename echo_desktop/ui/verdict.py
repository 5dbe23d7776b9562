"""A one-line verdict about a device: a coloured sign and plain words ("Camera working")."""

from __future__ import annotations

import logging
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

logger = logging.getLogger(__name__)


class VerdictKind(Enum):
    """How good the news is; it picks the sign and the colours."""

    PENDING = "pending"
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    QUESTION = "question"


_SIGNS = {
    VerdictKind.PENDING: "\u2022",  # •
    VerdictKind.OK: "\u2713",  # ✓
    VerdictKind.WARNING: "!",
    VerdictKind.ERROR: "\u2715",  # ✕
    VerdictKind.QUESTION: "?",
}


class Verdict(QFrame):
    """Shows one verdict; screen readers hear each new one (good news and bad)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Verdict")
        self._kind = VerdictKind.PENDING
        self.sign_label = QLabel()
        self.sign_label.setObjectName("VerdictSign")
        self.sign_label.setFixedSize(20, 20)
        self.sign_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sign_label.setAccessibleName("")
        self.text_label = QLabel()
        self.text_label.setObjectName("VerdictText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.sign_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text_label, 1)
        self.set_verdict(VerdictKind.PENDING, "")

    @property
    def kind(self) -> VerdictKind:
        return self._kind

    @property
    def text(self) -> str:
        return self.text_label.text()

    def set_verdict(self, kind: VerdictKind, text: str) -> None:
        """Show a verdict; nothing happens when it is already shown."""
        if kind is self._kind and text == self.text_label.text():
            return
        self._kind = kind
        self.sign_label.setText(_SIGNS[kind])
        self.text_label.setText(text)
        self.setAccessibleName(text)
        for widget in (self, self.sign_label, self.text_label):
            widget.setProperty("kind", kind.value)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if text and kind is not VerdictKind.PENDING:
            logger.info("Device check: %s", text)
            try:
                event = QAccessibleEvent(self.text_label, QAccessible.Event.NameChanged)
                QAccessible.updateAccessibility(event)
            except Exception:
                logger.debug("Could not announce a verdict", exc_info=True)
