"""Adding a program: from the user's hub (address and token), or from any calendar link or file."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.schedule.lobby import ScheduleSnapshot
from echo_desktop.schedule.ports import ScheduleError
from echo_desktop.ui.banner import Banner, BannerKind
from echo_desktop.ui.style import set_heading
from echo_desktop.ui.tasks import TaskSet

logger = logging.getLogger(__name__)

SubscribeHub = Callable[[str, str], Awaitable[ScheduleSnapshot]]
SubscribeFeed = Callable[[str], Awaitable[ScheduleSnapshot]]

HUB_PLACEHOLDER = "For example https://hub.example.org:8090"
FEED_PLACEHOLDER = "https://…/clinic.ics, or a file on this computer"
UNEXPECTED_TEXT = "Subscribing failed for an unexpected reason. Please try again."


def _field_error() -> QLabel:
    label = QLabel()
    label.setObjectName("FieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def _set_field_error(editor: QLineEdit, label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))
    editor.setProperty("invalid", bool(message))
    editor.setAccessibleDescription(message)
    editor.style().unpolish(editor)
    editor.style().polish(editor)


class SubscribeDialog(QDialog):
    """Subscribes through the given coroutines; shows their ScheduleError messages; closes on success.

    The token is typed into a password field and never logged, nor shown in an error.
    """

    subscribed = Signal(object)  # the ScheduleSnapshot after subscribing

    def __init__(
        self, subscribe_hub: SubscribeHub, subscribe_feed: SubscribeFeed, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Subscribe")
        self.setWindowTitle("Add a program")
        self.setMinimumWidth(560)
        self._subscribe_hub = subscribe_hub
        self._subscribe_feed = subscribe_feed
        self._busy = False
        self._tasks = TaskSet(self._on_task_failed)

        self.hub_radio = QRadioButton("From my &hub: its address and my token")
        self.feed_radio = QRadioButton("From a &calendar link or file (.ics)")
        self.hub_radio.setChecked(True)
        self._kinds = QButtonGroup(self)
        self._kinds.addButton(self.hub_radio)
        self._kinds.addButton(self.feed_radio)
        self.hub_radio.toggled.connect(self._on_kind_changed)

        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText(HUB_PLACEHOLDER)
        self.address_edit.setAccessibleName("Hub address")
        self.address_edit.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("From your hub team's invitation")
        self.token_edit.setAccessibleName("Token")
        self.feed_edit = QLineEdit()
        self.feed_edit.setPlaceholderText(FEED_PLACEHOLDER)
        self.feed_edit.setAccessibleName("Calendar link or file")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setToolTip("Choose an .ics file on this computer")
        self.browse_button.clicked.connect(self.browse)
        self.address_error, self.token_error, self.feed_error = (
            _field_error(),
            _field_error(),
            _field_error(),
        )

        self.error_banner = Banner(BannerKind.ERROR)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Subscribing")
        self.busy_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.subscribe_button = QPushButton("&Subscribe")
        self.subscribe_button.setObjectName("Primary")
        self.subscribe_button.setDefault(True)
        self.subscribe_button.clicked.connect(self.submit)

        self._pages = QStackedWidget()
        self._pages.addWidget(self._hub_page())
        self._pages.addWidget(self._feed_page())
        self._build_layout()
        self._on_kind_changed()

    # --- layout --------------------------------------------------------------------------------

    def _hub_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        for row, (text, editor, error) in enumerate(
            (
                ("Hub &address", self.address_edit, self.address_error),
                ("&Token", self.token_edit, self.token_error),
            )
        ):
            label = QLabel(text)
            label.setBuddy(editor)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, row * 2, 0)
            grid.addWidget(editor, row * 2, 1)
            grid.addWidget(error, row * 2 + 1, 1)
            grid.setRowMinimumHeight(row * 2 + 1, 8)
        return page

    def _feed_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        label = QLabel("Calendar &link or file")
        label.setBuddy(self.feed_edit)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.feed_edit, 1)
        row.addWidget(self.browse_button)
        hint = QLabel("Works with feeds from Outlook, Google Calendar and other hubs.")
        hint.setObjectName("Muted")
        hint.setWordWrap(True)
        column.addWidget(label)
        column.addLayout(row)
        column.addWidget(self.feed_error)
        column.addWidget(hint)
        column.addStretch(1)
        return page

    def _build_layout(self) -> None:
        title = QLabel("Add a program")
        set_heading(title, 1.4)
        intro = QLabel(
            "Your hub team sends each person an address and a token. A program on another calendar "
            "works too: paste its link or choose its file."
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.subscribe_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.hub_radio)
        layout.addWidget(self.feed_radio)
        layout.addSpacing(4)
        layout.addWidget(self._pages)
        layout.addWidget(self.busy_bar)
        layout.addLayout(buttons)

    def _on_kind_changed(self) -> None:
        hub = self.hub_radio.isChecked()
        self._pages.setCurrentIndex(0 if hub else 1)
        (self.address_edit if hub else self.feed_edit).setFocus(Qt.FocusReason.OtherFocusReason)

    # --- input -----------------------------------------------------------------------------------

    def browse(self) -> None:
        """Pick an .ics file with the system's file dialog."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Choose a calendar file", str(Path.home()), "Calendar files (*.ics);;All files (*)"
        )
        if chosen:
            self.feed_radio.setChecked(True)
            self.feed_edit.setText(chosen)

    def submit(self) -> None:
        """Check the fields and, when they are right, subscribe (in a task)."""
        if self._busy:
            return
        self.error_banner.clear()
        if self.hub_radio.isChecked():
            address, token = self.address_edit.text().strip(), self.token_edit.text().strip()
            address_error = (
                "Enter the hub's address." if not address
                else "" if address.startswith(("https://", "http://"))
                else "The hub's address starts with https:// (or http:// on this computer)."
            )  # fmt: skip
            token_error = "" if token else "Enter the token your hub team sent you."
            _set_field_error(self.address_edit, self.address_error, address_error)
            _set_field_error(self.token_edit, self.token_error, token_error)
            if address_error or token_error:
                (self.address_edit if address_error else self.token_edit).setFocus()
                return
            self._tasks.spawn(self._run(self._subscribe_hub(address.rstrip("/"), token)))
        else:
            source = self.feed_edit.text().strip()
            if source.lower().startswith("webcal://"):  # calendar sites' links for the same feed
                source = "https://" + source[len("webcal://") :]
            _set_field_error(
                self.feed_edit, self.feed_error, "" if source else "Enter a link or choose a file."
            )
            if not source:
                self.feed_edit.setFocus()
                return
            self._tasks.spawn(self._run(self._subscribe_feed(source)))

    async def _run(self, subscribing: Awaitable[ScheduleSnapshot]) -> None:
        self._set_busy(True)
        try:
            snapshot = await subscribing
        except ScheduleError as exc:
            logger.info("Subscribing failed")  # the message may name a feed; it is shown, not logged
            self._set_busy(False)
            self.error_banner.show_message(str(exc) or UNEXPECTED_TEXT)
            return
        except Exception as exc:  # noqa: BLE001 - not to the TaskSet, which logs the traceback
            # Only the type: an unexpected error's text might carry a secret feed URL or a token.
            logger.warning("Subscribing failed unexpectedly: %s", type(exc).__name__)
            self._set_busy(False)
            self.error_banner.show_message(UNEXPECTED_TEXT)
            return
        self._set_busy(False)
        self.subscribed.emit(snapshot)
        self.accept()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (
            self.hub_radio, self.feed_radio, self.address_edit, self.token_edit, self.feed_edit,
            self.browse_button, self.subscribe_button,
        ):  # fmt: skip
            widget.setEnabled(not busy)
        self.subscribe_button.setText("Subscribing…" if busy else "&Subscribe")
        self.busy_bar.setVisible(busy)

    @property
    def is_busy(self) -> bool:
        return self._busy

    def _on_task_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.error_banner.show_message(UNEXPECTED_TEXT)

    def reject(self) -> None:
        if self._busy:  # a subscribe in flight finishes first; closing now would hide its error
            return
        super().reject()
