""" "Not PHI…": asks why a finding is not an identifier; the facilitator reads the reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.cases.findings import Finding
from echo_desktop.ui.cases.guard_state import kind_words

REASON_HINT = "For example: a disease named after a person, not the patient"


class DismissDialog(QDialog):
    """Asks for a reason; "Mark as not PHI" is enabled once there is one."""

    def __init__(self, field_label: str, finding: Finding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DismissDialog")
        self.setWindowTitle("Not PHI")
        self.finding = finding
        question = QLabel(
            f"The guard thinks “{finding.text}” in {field_label} is {kind_words(finding.kind)}. "
            "Why is it not something that identifies the patient?"
        )
        question.setWordWrap(True)
        note = QLabel("The facilitator sees your reason when reviewing the case.")
        note.setObjectName("Muted")
        note.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(REASON_HINT)
        self.reason_edit.setAccessibleName("Reason it is not PHI")
        question.setBuddy(self.reason_edit)
        buttons = QDialogButtonBox()
        self.ok_button = QPushButton("Mark as not PHI")
        self.ok_button.setObjectName("Primary")
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(False)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(question)
        layout.addWidget(self.reason_edit)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()
