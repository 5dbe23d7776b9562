"""The join screen: the clinic's address, room, PIN, name and role, and how to start media."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.session.errors import EchoError, RoomNotFoundError, ServerUnreachableError, WrongPinError
from echo_desktop.session.models import MAX_NAME_LENGTH, JoinRequest, MediaPreferences, Role
from echo_desktop.ui.banner import Banner, BannerKind, as_sentence
from echo_desktop.ui.media_settings import MEDIA_KEYS, load_media_preferences, media_preferences_to_save
from echo_desktop.ui.style import set_heading

logger = logging.getLogger(__name__)

DEFAULT_SERVER_URL = "ws://127.0.0.1:8188"

# Keys in the SettingsStore (the same names as the command line options). The PIN is stored only
# when the user ticks "Remember PIN"; otherwise a stored PIN is removed on the next join.
KEY_SERVER_URL = "server"
KEY_ROOM = "room"
KEY_PIN = "pin"
KEY_DISPLAY_NAME = "name"
KEY_ROLE = "role"
_FIELD_TO_FIX: tuple[tuple[type[EchoError], str], ...] = (
    (WrongPinError, KEY_PIN),
    (RoomNotFoundError, KEY_ROOM),
    (ServerUnreachableError, KEY_SERVER_URL),
)
FORM_KEYS = frozenset({KEY_SERVER_URL, KEY_ROOM, KEY_PIN, KEY_DISPLAY_NAME, KEY_ROLE}) | MEDIA_KEYS
"""The settings the join form owns; any other stored keys are left alone."""
DEVICES_DEFAULT_TEXT = "Using the system's default camera, microphone and speaker."
DEVICES_SAVED_TEXT = "Using the devices you chose last time."

# A request every field can be checked against, one field at a time, so each validation
# message from JoinRequest lands next to the field it is about.
_VALID_BASELINE = JoinRequest(
    server_url="ws://localhost",
    room=1,
    pin="",
    display_name="x",
    role=Role.SPOKE,
)


class _Field:
    """One form row: its input widget and the inline message shown under it."""

    def __init__(self, editor: QWidget, error: QLabel) -> None:
        self.editor = editor
        self.error = error

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        self.editor.setAccessibleDescription(message or "")
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)


class JoinView(QWidget):
    """The join form.

    It validates the input through JoinRequest and emits `join_requested` with a valid request;
    it does not join by itself. Enter anywhere in the form presses Join.
    """

    join_requested = Signal(JoinRequest)
    device_check_requested = Signal()
    back_to_schedule_requested = Signal()
    add_program_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("JoinView")
        self._busy = False
        self._media = MediaPreferences()

        self.server_edit = QLineEdit(DEFAULT_SERVER_URL)
        self.server_edit.setPlaceholderText(DEFAULT_SERVER_URL)
        self.server_edit.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)

        self.room_edit = QLineEdit()
        self.room_edit.setPlaceholderText("For example 1234")
        self.room_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,10}"), self.room_edit)
        )
        self.room_edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)

        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText("From your invitation")
        self.show_pin_check = QCheckBox("Sho&w PIN")
        self.show_pin_check.toggled.connect(self._on_show_pin_toggled)
        self.remember_pin_check = QCheckBox("Re&member PIN on this computer")
        self.remember_pin_check.setToolTip(
            "Leave this off on a shared computer: the PIN lets anyone into the clinic room."
        )

        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(MAX_NAME_LENGTH)
        self.name_edit.setPlaceholderText("For example Dr. Ana Ruiz")

        self.role_combo = QComboBox()
        for role in Role:
            self.role_combo.addItem(role.label, role.value)
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.SPOKE.value))

        self.start_muted_check = QCheckBox("Join with microphone m&uted")
        self.start_muted_check.setToolTip("You can unmute in the call with Ctrl+D.")
        self.start_camera_off_check = QCheckBox("Join with camera o&ff")
        self.start_camera_off_check.setToolTip(
            "Saves bandwidth on a slow connection. You can start the camera in the call with Ctrl+E."
        )
        self.devices_label = QLabel(DEVICES_DEFAULT_TEXT)
        self.devices_label.setObjectName("Muted")
        self.devices_label.setWordWrap(True)
        self.check_devices_button = QPushButton("Check &devices…")
        self.check_devices_button.setToolTip("Choose and test your camera, microphone and speaker")
        self.check_devices_button.setAutoDefault(False)
        self.check_devices_button.clicked.connect(self.device_check_requested)

        self.join_button = QPushButton("&Join clinic")
        self.join_button.setObjectName("Primary")
        self.join_button.setDefault(True)
        self.join_button.setAutoDefault(True)
        self.join_button.clicked.connect(self.submit)

        self.busy_label = QLabel("Connecting to the clinic…")
        self.busy_label.setObjectName("Muted")
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Connecting")
        self.busy_label.hide()
        self.busy_bar.hide()

        self.error_banner = Banner(BannerKind.ERROR)
        self.info_banner = Banner(BannerKind.INFO)
        self.notice_banner = Banner(BannerKind.INFO)  # the schedule's notices, until dismissed

        # The schedule's links: shown only when the app has a schedule (see set_schedule_links).
        self.back_button = QPushButton("← &Back to the schedule")
        self.back_button.setObjectName("Small")
        self.back_button.setAccessibleName("Back to the schedule")
        self.back_button.clicked.connect(self.back_to_schedule_requested)
        self.back_button.hide()
        self.add_program_button = QPushButton("&Add a program…")
        self.add_program_button.setObjectName("Small")
        self.add_program_button.setToolTip(
            "Subscribe to your programs' schedules, and join their clinics without typing"
        )
        self.add_program_button.clicked.connect(self.add_program_requested)
        self.add_program_button.hide()

        self._fields: dict[str, _Field] = {}
        self._build_layout()
        self._set_tab_order()

    # --- layout --------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        brand = QLabel("ECHO Desktop")
        brand.setObjectName("Brand")
        set_heading(brand, 1.0)
        title = QLabel("Join a teleECHO clinic")
        set_heading(title, 1.6)
        title.setAccessibleName("Join a teleECHO clinic")
        intro = QLabel(
            "Enter the details from your clinic invitation. The hub team and other clinics will "
            "see your name and role."
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)

        form = QGridLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(4)
        form.setColumnStretch(1, 1)
        rows: list[tuple[str, str, QWidget, QWidget | None]] = [
            (KEY_SERVER_URL, "&Server address", self.server_edit, None),
            (KEY_ROOM, "&Room number", self.room_edit, None),
            (KEY_PIN, "&PIN", self.pin_edit, self.show_pin_check),
            (KEY_DISPLAY_NAME, "Display &name", self.name_edit, None),
            (KEY_ROLE, "R&ole", self.role_combo, None),
        ]
        row = 0
        for key, label_text, editor, extra in rows:
            label = QLabel(label_text)
            label.setBuddy(editor)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            editor.setAccessibleName(label_text.replace("&", ""))
            error = QLabel()
            error.setObjectName("FieldError")
            error.setWordWrap(True)
            error.hide()
            self._fields[key] = _Field(editor, error)
            form.addWidget(label, row, 0)
            if extra is None:
                form.addWidget(editor, row, 1)
            else:
                pair = QHBoxLayout()
                pair.setSpacing(12)
                pair.addWidget(editor, 1)
                pair.addWidget(extra)
                form.addLayout(pair, row, 1)
            form.addWidget(error, row + 1, 1)
            form.setRowMinimumHeight(row + 1, 10)
            row += 2
            if key == KEY_PIN:
                form.addWidget(self.remember_pin_check, row, 1)
                form.setRowMinimumHeight(row + 1, 10)
                row += 2
        media_label = QLabel("Audio and video")
        media_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        media_label.setContentsMargins(0, 2, 0, 0)
        media_column = QVBoxLayout()
        media_column.setSpacing(8)
        media_column.addWidget(self.start_muted_check)
        media_column.addWidget(self.start_camera_off_check)
        media_column.addWidget(self.devices_label)
        form.addWidget(media_label, row, 0)
        form.addLayout(media_column, row, 1)

        busy_row = QVBoxLayout()
        busy_row.setSpacing(6)
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.busy_bar)

        button_row = QHBoxLayout()
        button_row.addWidget(self.check_devices_button)
        button_row.addStretch(1)
        button_row.addWidget(self.join_button)

        card = QFrame()
        card.setObjectName("Card")
        card.setMaximumWidth(620)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(36, 32, 36, 32)
        card_layout.setSpacing(12)
        links = QHBoxLayout()
        links.addWidget(self.back_button)
        links.addStretch(1)
        links.addWidget(self.add_program_button)
        card_layout.addLayout(links)
        card_layout.addWidget(brand)
        card_layout.addWidget(title)
        card_layout.addWidget(intro)
        card_layout.addSpacing(4)
        card_layout.addWidget(self.error_banner)
        card_layout.addWidget(self.info_banner)
        card_layout.addWidget(self.notice_banner)
        card_layout.addSpacing(4)
        card_layout.addLayout(form)
        card_layout.addSpacing(8)
        card_layout.addLayout(busy_row)
        card_layout.addLayout(button_row)

        centering = QHBoxLayout()
        centering.addStretch(1)
        centering.addWidget(card, 4)
        centering.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        outer.addLayout(centering)
        outer.addStretch(2)

    @property
    def _controls(self) -> list[QWidget]:
        """Every control of the form, in tab order."""
        return [
            self.server_edit,
            self.room_edit,
            self.pin_edit,
            self.show_pin_check,
            self.remember_pin_check,
            self.name_edit,
            self.role_combo,
            self.start_muted_check,
            self.start_camera_off_check,
            self.check_devices_button,
            self.join_button,
        ]

    def _set_tab_order(self) -> None:
        for first, second in itertools.pairwise([self.back_button, *self._controls, self.add_program_button]):
            QWidget.setTabOrder(first, second)

    def set_schedule_links(self, *, back: bool, add_program: bool) -> None:
        """Offer the way back to the schedule, and subscribing to a program."""
        self.back_button.setVisible(back)
        self.add_program_button.setVisible(add_program)

    # --- settings ------------------------------------------------------------------------------

    def load_values(self, values: Mapping[str, str]) -> None:
        """Fill the form from stored settings; unknown or malformed values are ignored."""
        self.server_edit.setText(values.get(KEY_SERVER_URL) or DEFAULT_SERVER_URL)
        room = values.get(KEY_ROOM, "")
        self.room_edit.setText(room if room.isdigit() else "")
        pin = values.get(KEY_PIN, "")
        self.pin_edit.setText(pin)
        self.remember_pin_check.setChecked(bool(pin))
        self.name_edit.setText(values.get(KEY_DISPLAY_NAME, ""))
        try:
            role = Role(values.get(KEY_ROLE, Role.SPOKE.value))
        except ValueError:
            logger.info("Ignoring unknown stored role %r", values.get(KEY_ROLE))
            role = Role.SPOKE
        self.role_combo.setCurrentIndex(self.role_combo.findData(role.value))
        media = load_media_preferences(values)
        self.start_muted_check.setChecked(media.microphone_muted)
        self.start_camera_off_check.setChecked(not media.camera_enabled)
        saved_devices = any(d is not None for d in (media.camera, media.microphone, media.speaker))
        self.set_devices(media, DEVICES_SAVED_TEXT if saved_devices else DEVICES_DEFAULT_TEXT)

    def values_to_save(self) -> dict[str, str]:
        """The form's values as settings; the PIN only if "Remember PIN" is ticked."""
        values = {
            KEY_SERVER_URL: self.server_edit.text().strip(),
            KEY_ROOM: self.room_edit.text().strip(),
            KEY_DISPLAY_NAME: self.name_edit.text().strip(),
            KEY_ROLE: self.selected_role().value,
        }
        if self.remember_pin_check.isChecked() and self.pin_edit.text():
            values[KEY_PIN] = self.pin_edit.text()
        values.update(media_preferences_to_save(self.media_preferences()))
        return values

    # --- audio and video -------------------------------------------------------------------------

    def media_preferences(self) -> MediaPreferences:
        """The chosen devices and the two start options, as the join request will carry them."""
        return replace(
            self._media,
            microphone_muted=self.start_muted_check.isChecked(),
            camera_enabled=not self.start_camera_off_check.isChecked(),
        )

    def set_devices(self, preferences: MediaPreferences, summary: str | None = None) -> None:
        """Use these devices (their ids; the start options are the check boxes' business)."""
        self._media = MediaPreferences(preferences.camera, preferences.microphone, preferences.speaker)
        if summary is not None:
            self.devices_label.setText(summary or DEVICES_DEFAULT_TEXT)

    def set_device_check_available(self, available: bool) -> None:
        """Offer "Check devices…" only when the app can list and test devices."""
        self.check_devices_button.setVisible(available)

    def selected_role(self) -> Role:
        try:
            return Role(str(self.role_combo.currentData()))
        except ValueError:
            return Role.SPOKE

    def focus_first_empty_field(self) -> None:
        """Put the keyboard focus where the user most likely has to type next."""
        for editor in (self.server_edit, self.room_edit, self.pin_edit, self.name_edit):
            if not editor.text().strip():
                editor.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        self.join_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- validation and submit -------------------------------------------------------------------

    def build_request(self) -> JoinRequest | None:
        """Validate the form; show inline messages and return None when something is wrong."""
        errors: dict[str, str] = {}
        server_url = self.server_edit.text().strip()
        room_text = self.room_edit.text().strip()
        name = self.name_edit.text().strip()
        room = int(room_text) if room_text.isdigit() else None
        if room is None:
            errors[KEY_ROOM] = "Enter the room number from your clinic invitation."
        checks = {
            KEY_SERVER_URL: {"server_url": server_url},
            KEY_ROOM: {"room": room} if room is not None else None,
            KEY_DISPLAY_NAME: {"display_name": name},
        }
        for key, change in checks.items():
            if change is None:
                continue
            try:
                replace(_VALID_BASELINE, **change)
            except ValueError as exc:
                errors[key] = as_sentence(str(exc))
        request: JoinRequest | None = None
        if not errors and room is not None:
            try:
                request = JoinRequest(
                    server_url=server_url,
                    room=room,
                    pin=self.pin_edit.text(),
                    display_name=name,
                    role=self.selected_role(),
                    media=self.media_preferences(),
                )
            except ValueError as exc:  # a rule that spans fields; show it on the first row
                errors[KEY_SERVER_URL] = as_sentence(str(exc))
        for key, field in self._fields.items():
            field.set_error(errors.get(key))
        if errors:
            first_bad = next(k for k in self._fields if k in errors)
            self._fields[first_bad].editor.setFocus(Qt.FocusReason.OtherFocusReason)
            logger.debug("Join form invalid: %s", errors)
        return request

    def field_error(self, key: str) -> str:
        """The inline message currently shown for a field ('' when none)."""
        return self._fields[key].error.text()

    def submit(self) -> None:
        """Validate and, if the form is valid, emit `join_requested`."""
        if self._busy:
            return
        self.error_banner.clear()
        self.info_banner.clear()
        request = self.build_request()
        if request is not None:
            self.join_requested.emit(request)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- state shown to the user -----------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        """Disable the form and show a progress indicator while joining."""
        self._busy = busy
        for editor in [*self._controls, self.back_button, self.add_program_button]:
            editor.setEnabled(not busy)
        self.join_button.setText("Joining…" if busy else "&Join clinic")
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)

    @property
    def is_busy(self) -> bool:
        return self._busy

    def show_error(self, message: str, details: str | None = None) -> None:
        """Show a join failure in the banner above the form."""
        self.info_banner.clear()
        self.error_banner.show_message(message, details)

    def show_join_failure(self, error: EchoError) -> None:
        """Show why joining failed, and put the cursor in the field the user most likely has to fix."""
        self.show_error(error.user_message, error_details(error))
        for error_type, key in _FIELD_TO_FIX:
            if isinstance(error, error_type):
                editor = self._fields[key].editor
                editor.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(editor, QLineEdit):
                    editor.selectAll()
                break

    def show_info(self, message: str) -> None:
        """Show a calm notice above the form (for example after leaving a clinic)."""
        self.error_banner.clear()
        self.info_banner.show_message(message)

    def show_notice(self, message: str, details: str | None = None) -> None:
        """Show something the user must be told once (a schedule notice), until dismissed.

        It has a banner of its own, so a join failure or "You left the clinic." does not hide it.
        """
        self.notice_banner.show_message(message, details)

    def _on_show_pin_toggled(self, visible: bool) -> None:
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password)


def error_details(error: EchoError) -> str | None:
    """An error's technical detail, as a banner's second line (None when it adds nothing)."""
    detail = error.detail
    if not detail or detail == error.user_message:
        return None
    return f"Details: {detail}"
