"""The session bridge forwards the session's callbacks as Qt signals, and stops when destroyed."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from echo_desktop.session import events as ev
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.models import JoinRequest, Role
from echo_desktop.ui.session_bridge import SessionBridge
from tests.fakes import FakeEngine


def test_a_destroyed_bridge_is_unsubscribed(qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    engine = FakeEngine()
    session = ClinicSession(engine)
    owner = QObject()
    bridge = SessionBridge(session, owner)
    forwarded: list[str] = []
    bridge.notice_received.connect(forwarded.append)
    others: list[str] = []
    session.subscribe(notice=others.append)
    joining = asyncio.ensure_future(session.join(JoinRequest("ws://hub:8188", 1, "1", "Dr. A", Role.HUB)))
    qtbot.waitUntil(joining.done, timeout=3000)

    engine.emit(ev.Notice("while the window lives"))
    qtbot.waitUntil(lambda: others == ["while the window lives"], timeout=3000)
    assert forwarded == ["while the window lives"]

    owner.deleteLater()  # the window closes: its bridge goes with it
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    engine.emit(ev.Notice("after the window closed"))
    qtbot.waitUntil(lambda: len(others) == 2, timeout=3000)  # proof the session handled it
    assert forwarded == ["while the window lives"]
    assert len(session._notice_listeners) == 1  # only the other listener is left
