"""Turns ClinicSession callbacks into Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from echo_desktop.session.clinic_session import ClinicSession


class SessionBridge(QObject):
    """Re-emits the session's state, participant, notice and local media callbacks as Qt signals.

    The session calls its listeners on its owner loop, which is the Qt thread under qasync, so
    the signals are delivered directly. The bridge unsubscribes when it is destroyed (with the
    window that owns it), so the session never calls into deleted widgets.
    """

    state_changed = Signal(object)  # CallState
    participants_changed = Signal(object)  # list[Participant]
    notice_received = Signal(str)
    local_media_changed = Signal(object)  # LocalMediaState

    def __init__(self, session: ClinicSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        unsubscribe = session.subscribe(
            state=self.state_changed.emit,
            participants=self.participants_changed.emit,
            notice=self.notice_received.emit,
            local_media=self.local_media_changed.emit,
        )
        # A plain function, not a method of this object: it must still run while it is destroyed.
        self.destroyed.connect(unsubscribe)

    @property
    def session(self) -> ClinicSession:
        return self._session
