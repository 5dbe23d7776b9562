"""One case in "My cases": its title, its status in words, what comes next, and its buttons."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from echo_desktop.cases.model import Case, CaseForm, CaseStatus
from echo_desktop.ui.cases.wording import EDITABLE, EXPORTABLE, status_words
from echo_desktop.ui.style import scaled_font

READ_TEXT = "Read recommendations"
HIDE_TEXT = "Hide recommendations"


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # case text is never markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CaseCard(QFrame):
    """A card for one case; emits `open_clicked` and `export_clicked` with it. `refusal` is the
    hub's reason for sending a submission back to a draft (it names a field, never the text)."""

    open_clicked = Signal(object)
    export_clicked = Signal(object)

    def __init__(
        self, case: Case, form: CaseForm, local: tzinfo, refusal: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CaseCard")
        self.case = case
        words = status_words(case, local)
        title = case.title(form)
        self.title_label = _label(title, "CaseTitle")
        self.title_label.setFont(scaled_font(self.font(), 1.15, bold=True))
        self.status_label = QLabel(words.label)
        self.status_label.setObjectName("CaseStatus")
        self.status_label.setProperty("tone", words.tone)
        self.detail_label = _label(words.detail, "CaseDetail")
        self.comments_label = _label(f"Facilitator's comments: {case.comments.strip()}", "Comments")
        self.comments_label.setVisible(case.status is CaseStatus.RETURNED and bool(case.comments.strip()))
        self.refusal_label = _label(f"The hub sent it back: {refusal.strip()}", "FieldError")
        self.refusal_label.setVisible(case.status is CaseStatus.DRAFT and bool(refusal.strip()))
        self.recommendations_label = _label(case.recommendations.strip(), "Recommendations")
        self.recommendations_label.hide()

        self.open_button = QPushButton(
            "Edit and resubmit" if case.status is CaseStatus.RETURNED else "Open draft"
        )
        self.open_button.setObjectName("Primary" if case.status is CaseStatus.RETURNED else "")
        self.open_button.setAccessibleName(f"{self.open_button.text()}: {title}")
        self.open_button.setVisible(case.status in EDITABLE)
        self.open_button.clicked.connect(lambda: self.open_clicked.emit(self.case))
        self.read_button = QPushButton(READ_TEXT)
        self.read_button.setAccessibleName(f"Read the recommendations for {title}")
        self.read_button.setVisible(bool(case.recommendations.strip()))
        self.read_button.clicked.connect(self.toggle_recommendations)
        self.export_button = QPushButton("Export PDF…")
        self.export_button.setObjectName("Small")
        self.export_button.setAccessibleName(f"Export {title} as a PDF")
        self.export_button.setToolTip("Save the case and its recommendations as a PDF")
        self.export_button.setVisible(case.status in EXPORTABLE)
        self.export_button.clicked.connect(lambda: self.export_clicked.emit(self.case))
        for button in self.buttons:
            button.setAutoDefault(True)

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addLayout(top)
        text.addWidget(self.detail_label)
        text.addWidget(self.comments_label)
        text.addWidget(self.refusal_label)
        text.addWidget(self.recommendations_label)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        for button in self.buttons:
            buttons.addWidget(button)
        text.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 16, 12)
        layout.addLayout(text)
        self.setAccessibleName(f"{title}: {words.label}")

    @property
    def buttons(self) -> list[QPushButton]:
        return [self.open_button, self.read_button, self.export_button]

    @property
    def status(self) -> str:
        return self.status_label.text()

    def toggle_recommendations(self) -> None:
        shown = not self.recommendations_label.isVisible()
        self.recommendations_label.setVisible(shown)
        self.read_button.setText(HIDE_TEXT if shown else READ_TEXT)
