"""Turns ClinicSession callbacks into Qt signals.

ClinicSession has no way to unsubscribe a listener, so the callbacks it keeps hold only a weak
reference to the bridge: once the window that owns the bridge is gone they do nothing, instead of
calling into deleted widgets.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

from echo_desktop.session.clinic_session import ClinicSession

logger = logging.getLogger(__name__)


class SessionBridge(QObject):
    """Re-emits the session's state, participant, notice and local media callbacks as Qt signals.

    The session calls its listeners on its owner loop, which is the Qt thread under qasync, so
    the signals are delivered directly.
    """

    state_changed = Signal(object)  # CallState
    participants_changed = Signal(object)  # list[Participant]
    notice_received = Signal(str)
    local_media_changed = Signal(object)  # LocalMediaState

    def __init__(self, session: ClinicSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        session.on_state(self._forwarder(lambda bridge: bridge.state_changed))
        session.on_participants(self._forwarder(lambda bridge: bridge.participants_changed))
        session.on_notice(self._forwarder(lambda bridge: bridge.notice_received))
        session.on_local_media(self._forwarder(lambda bridge: bridge.local_media_changed))

    @property
    def session(self) -> ClinicSession:
        return self._session

    def _forwarder(self, signal_of: Callable[[SessionBridge], SignalInstance]) -> Callable[[Any], None]:
        bridge_ref = weakref.ref(self)

        def forward(value: Any) -> None:
            bridge = bridge_ref()
            if bridge is None:
                return
            try:
                signal_of(bridge).emit(value)
            except RuntimeError:  # the C++ side is already deleted
                logger.debug("Dropped a session callback for a deleted window")

        return forward
