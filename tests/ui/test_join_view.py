"""JoinView on its own: keyboard access, settings round trip and the busy state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
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
        view.join_button,
    ]
    order = [view.server_edit]
    widget = view.server_edit
    for _ in expected[1:]:
        widget = widget.nextInFocusChain()
        while widget.focusPolicy() & Qt.FocusPolicy.TabFocus != Qt.FocusPolicy.TabFocus:
            widget = widget.nextInFocusChain()
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
