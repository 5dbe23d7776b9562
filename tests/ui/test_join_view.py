"""JoinView on its own: keyboard access, settings round trip and the busy state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from echo_desktop.session.models import JoinRequest, Role
from echo_desktop.ui.join_view import DEFAULT_SERVER_URL, JoinView


def make_view(qtbot: QtBot) -> JoinView:
    view = JoinView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_every_field_has_a_label_with_a_mnemonic(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    buddies = {label.buddy(): label.text() for label in view.findChildren(QLabel) if label.buddy()}
    for editor in (view.server_edit, view.room_edit, view.pin_edit, view.name_edit, view.role_combo):
        assert "&" in buddies[editor], f"{editor.accessibleName()} has no mnemonic"
        assert editor.accessibleName()
    assert "&" in view.join_button.text()
    mnemonics = [text[text.index("&") + 1].lower() for text in buddies.values()]
    assert len(mnemonics) == len(set(mnemonics)), "duplicate mnemonics"


def test_tab_order_follows_the_form(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    expected = [
        view.server_edit,
        view.room_edit,
        view.pin_edit,
        view.show_pin_check,
        view.remember_pin_check,
        view.name_edit,
        view.role_combo,
        view.start_muted_check,
        view.start_camera_off_check,
        view.check_devices_button,
        view.join_button,
    ]
    order: list[QWidget] = [view.server_edit]
    widget: QWidget | None = view.server_edit
    for _ in expected[1:]:
        assert widget is not None
        widget = widget.nextInFocusChain()
        tab = Qt.FocusPolicy.TabFocus
        while widget is not None and widget.focusPolicy() & tab != tab:
            widget = widget.nextInFocusChain()
        assert widget is not None
        order.append(widget)
    assert order == expected


def test_pin_is_hidden_unless_shown(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    assert view.pin_edit.echoMode() is QLineEdit.EchoMode.Password
    view.show_pin_check.setChecked(True)
    assert view.pin_edit.echoMode() is QLineEdit.EchoMode.Normal


def test_load_values_ignores_bad_data(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.load_values({"room": "12a", "role": "surgeon", "name": "Bea"})
    assert view.server_edit.text() == DEFAULT_SERVER_URL
    assert view.room_edit.text() == ""
    assert view.selected_role() is Role.SPOKE
    assert view.name_edit.text() == "Bea"


def test_valid_form_emits_a_request(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.load_values({"server": "wss://echo.example.org/janus", "room": "9", "name": " Bea ", "role": "hub"})
    view.pin_edit.setText("p")
    with qtbot.waitSignal(view.join_requested, timeout=1000) as blocker:
        qtbot.keyClick(view.role_combo, Qt.Key.Key_Return)
    assert blocker.args == [JoinRequest("wss://echo.example.org/janus", 9, "p", "Bea", Role.HUB)]


def test_busy_state_disables_the_form_and_ignores_submit(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.load_values({"room": "9", "name": "Bea"})
    view.set_busy(True)
    assert not view.name_edit.isEnabled() and not view.join_button.isEnabled()
    assert view.busy_bar.isVisible() and view.busy_label.isVisible()
    emitted: list[JoinRequest] = []
    view.join_requested.connect(emitted.append)
    view.submit()
    assert emitted == []
    view.set_busy(False)
    assert view.join_button.isEnabled() and not view.busy_bar.isVisible()


def test_media_options_have_unique_mnemonics_and_round_trip(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    texts = [label.text() for label in view.findChildren(QLabel) if label.buddy()]
    texts += [w.text() for w in (view.show_pin_check, view.remember_pin_check, view.start_muted_check)]
    texts += [view.start_camera_off_check.text(), view.check_devices_button.text(), view.join_button.text()]
    mnemonics = [text[text.index("&") + 1].lower() for text in texts]
    assert len(mnemonics) == len(set(mnemonics)), f"duplicate mnemonics in {texts}"

    view.load_values({"start_muted": "1", "start_camera_off": "yes", "camera": "2", "speaker": " "})
    assert view.start_muted_check.isChecked()
    assert not view.start_camera_off_check.isChecked(), "malformed flags mean off"
    prefs = view.media_preferences()
    assert (prefs.camera, prefs.microphone, prefs.speaker) == ("2", None, None)
    assert prefs.microphone_muted and prefs.camera_enabled
    view.start_camera_off_check.setChecked(True)
    saved = view.values_to_save()
    assert (saved["start_muted"], saved["start_camera_off"], saved["camera"]) == ("1", "1", "2")
    assert "speaker" not in saved and "microphone" not in saved
