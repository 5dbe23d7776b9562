"""The case form's free-text editors: one line or paragraphs, with the guard's findings marked.

Both say how many characters one edit added (`edited`), so the form scans a paste (or a drop)
at once and debounces ordinary typing. A finding is underlined with a wavy red line on a pale
red ground; hovering it names the kind and the suggested replacement.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtGui import QColor, QHelpEvent, QInputMethodEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit, QToolTip, QWidget

from echo_desktop.cases.findings import Finding
from echo_desktop.ui.cases.guard_state import kind_words
from echo_desktop.ui.style import DANGER, ERROR_BG

LONG_TEXT_LINES = 6


def finding_tip(finding: Finding) -> str:
    """The hover text of a mark: what the guard thinks it is and what to write instead."""
    return f"This looks like {kind_words(finding.kind)}. Suggested: “{finding.suggestion}”."


def _mark_format() -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    fmt.setUnderlineColor(QColor(DANGER))
    fmt.setBackground(QColor(ERROR_BG))
    return fmt


class LongTextEditor(QPlainTextEdit):
    """Paragraphs of plain text (never rich text: pasted formatting could hide what it says)."""

    edited = Signal(int)  # how many characters the edit added

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)  # Tab leaves the field, as in every other form field
        self.document().contentsChange.connect(lambda _pos, _removed, added: self.edited.emit(added))
        # A fixed height keeps every field of the form in reach by scrolling the form; a long
        # history scrolls inside its own box.
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(line * LONG_TEXT_LINES + 16)
        self._marks: list[Finding] = []

    def plain_text(self) -> str:
        return self.toPlainText()

    def set_marks(self, findings: list[Finding]) -> None:
        """Underline these findings (offsets into the current text)."""
        self._marks = list(findings)
        selections = []
        length = len(self.toPlainText())
        for finding in findings:
            if finding.end > length:
                continue
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(finding.start)
            cursor.setPosition(finding.end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format = _mark_format()
            selections.append(selection)
        self.setExtraSelections(selections)

    @property
    def marks(self) -> list[Finding]:
        return list(self._marks)

    def replace_range(self, start: int, end: int, text: str) -> None:
        """Replace characters, as one undoable edit."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)

    def show_range(self, start: int, end: int) -> None:
        """Select a range and put the focus on it (to look at a finding)."""
        cursor = self.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.setFocus()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            position = self.cursorForPosition(event.pos()).position()
            hit = next((f for f in self._marks if f.start <= position < f.end), None)
            if hit is not None:
                QToolTip.showText(event.globalPos(), finding_tip(hit), self)
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)


class LineEditor(QLineEdit):
    """One line of text. QLineEdit has no extra selections: the marks are drawn as input-method
    formats (which change no text), and the field's tooltip lists them."""

    edited = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._previous = ""
        self._marks: list[Finding] = []
        self.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self, text: str) -> None:
        added = max(len(text) - len(self._previous), 0)
        self._previous = text
        self.edited.emit(added if added else 1)

    def plain_text(self) -> str:
        return self.text()

    def set_marks(self, findings: list[Finding]) -> None:
        self._marks = [f for f in findings if f.end <= len(self.text())]
        cursor = self.cursorPosition()
        attributes = [
            QInputMethodEvent.Attribute(
                QInputMethodEvent.AttributeType.TextFormat, f.start - cursor, f.end - f.start, _mark_format()
            )
            for f in self._marks
        ]
        QCoreApplication.sendEvent(self, QInputMethodEvent("", attributes))
        self.setToolTip("\n".join(finding_tip(f) for f in self._marks))

    @property
    def marks(self) -> list[Finding]:
        return list(self._marks)

    def replace_range(self, start: int, end: int, text: str) -> None:
        self.setSelection(start, end - start)
        self.insert(text)

    def show_range(self, start: int, end: int) -> None:
        self.setSelection(start, end - start)
        self.setFocus()


FreeTextEditor = LongTextEditor | LineEditor
