"""The call screen: video grid, media controls, participant list with volumes, status and Leave."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from echo_desktop.session.models import JoinRequest, LocalMediaState, Participant
from echo_desktop.session.phases import CallPhase, CallState
from echo_desktop.ui import style
from echo_desktop.ui.banner import Banner, BannerKind
from echo_desktop.ui.call_controls import CAMERA_SHORTCUT, MUTE_SHORTCUT, CallControls
from echo_desktop.ui.participant_list import ParticipantList
from echo_desktop.ui.participant_volume import NORMAL_VOLUME, VolumePanel
from echo_desktop.ui.video_grid import FrameLookup, VideoGrid
from echo_desktop.ui.video_tile import ViewSizeSink

logger = logging.getLogger(__name__)

LEAVE_SHORTCUT = "Ctrl+L"
BACK_TO_JOIN_TEXT = "&Back to join screen"
CALL_ENDED_TEXT = "The call has ended."
MAX_NOTICES_SHOWN = 3

_STATUS_COLORS = {
    CallPhase.IDLE: style.TEXT_MUTED,
    CallPhase.JOINING: style.WARN_AMBER,
    CallPhase.IN_CALL: style.OK_GREEN,
    CallPhase.LEAVING: style.WARN_AMBER,
    CallPhase.FAILED: style.DANGER,
}
_REFRESHING_PHASES = {CallPhase.JOINING, CallPhase.IN_CALL}
_CONTROL_PHASES = {CallPhase.IN_CALL}


class CallView(QWidget):
    """Everything shown while in a clinic.

    It is passive: the main window feeds it the session's state, participants, local media and
    notices, and listens to `leave_requested`, `back_to_join_requested`, the control bar's
    signals (`controls`) and `volume_changed(feed_id, gain)`.
    """

    leave_requested = Signal()
    back_to_join_requested = Signal()
    volume_changed = Signal(int, float)

    def __init__(
        self,
        frame_lookup: FrameLookup,
        parent: QWidget | None = None,
        view_size_sink: ViewSizeSink | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CallView")
        self._state = CallState()
        self._notices: list[str] = []
        self._me: Participant | None = None
        self._others: list[Participant] = []
        self._local_media = LocalMediaState()
        self._volumes: dict[int, int] = {}

        self.title_label = QLabel("Clinic")
        style.set_heading(self.title_label, 1.3)
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("Muted")
        self.status_dot = QFrame()  # a coloured dot; the words beside it carry the meaning
        self.status_dot.setFixedSize(10, 10)
        self.status_label = QLabel(self._state.status_text)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.leave_button = QPushButton("&Leave clinic")
        self.leave_button.setObjectName("Danger")
        self.leave_button.setToolTip(f"Leave the clinic ({LEAVE_SHORTCUT})")
        self.leave_button.setAccessibleDescription(f"Shortcut: {LEAVE_SHORTCUT}")
        self.leave_button.clicked.connect(self.leave_requested)
        self.leave_shortcut = QShortcut(QKeySequence(LEAVE_SHORTCUT), self)
        self.leave_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.leave_shortcut.activated.connect(self._on_leave_shortcut)

        self.controls = CallControls()
        self.mute_shortcut = self._shortcut(MUTE_SHORTCUT, self._on_mute_shortcut)
        self.camera_shortcut = self._shortcut(CAMERA_SHORTCUT, self._on_camera_shortcut)

        self.failure_banner = Banner(BannerKind.ERROR, dismissible=False)
        self.failure_banner.action_triggered.connect(self.back_to_join_requested)
        self.notice_banner = Banner(BannerKind.INFO)
        self.notice_banner.dismissed.connect(self._notices.clear)
        self.control_banner = Banner(BannerKind.WARNING)

        self.grid = VideoGrid(frame_lookup, view_size_sink=view_size_sink)
        self.participant_list = ParticipantList()
        self.participants_heading = QLabel("Participants")
        style.set_heading(self.participants_heading, 1.05)
        self.participants_heading.setBuddy(self.participant_list)
        self.volume_panel = VolumePanel()
        self.participant_list.selected_participant_changed.connect(self._on_selection_changed)
        self.volume_panel.volume_changed.connect(self._on_volume_changed)

        self._build_layout()
        self.notice_banner.dismissed.connect(self._update_banner_host)
        self.control_banner.dismissed.connect(self._update_banner_host)
        self.set_state(self._state)

    def _shortcut(self, keys: str, slot: Callable[[], None]) -> QShortcut:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    def _build_layout(self) -> None:
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.title_label)
        titles.addWidget(self.subtitle_label)

        status = QHBoxLayout()
        status.setSpacing(6)
        status.addWidget(self.status_dot)
        status.addWidget(self.status_label)

        header = QFrame()
        header.setObjectName("CallHeader")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(20, 12, 16, 12)
        header_layout.setSpacing(20)
        header_layout.addLayout(titles)
        header_layout.addStretch(1)
        header_layout.addLayout(status)
        header_layout.addSpacing(8)
        header_layout.addWidget(self.leave_button)

        banners = QVBoxLayout()
        banners.setContentsMargins(16, 10, 16, 0)
        banners.setSpacing(8)
        for banner in self._banners:
            banners.addWidget(banner)
        self._banner_host = QWidget()
        self._banner_host.setLayout(banners)

        side = QFrame()
        side.setObjectName("SidePanel")
        side.setFixedWidth(260)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(12, 16, 12, 12)
        side_layout.setSpacing(8)
        self.participants_heading.setContentsMargins(4, 0, 0, 0)
        side_layout.addWidget(self.participants_heading)
        side_layout.addWidget(self.participant_list, 1)
        divider = QFrame()
        divider.setObjectName("Divider")
        divider.setFixedHeight(1)
        side_layout.addWidget(divider)
        side_layout.addWidget(self.volume_panel)

        video_column = QVBoxLayout()
        video_column.setContentsMargins(0, 0, 0, 0)
        video_column.setSpacing(0)
        video_column.addWidget(self.grid, 1)
        video_column.addWidget(self.controls)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addLayout(video_column, 1)
        body.addWidget(side)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(header)
        outer.addWidget(self._banner_host)
        outer.addLayout(body, 1)
        self._update_banner_host()

    # --- inputs from the session ---------------------------------------------------------------

    def set_clinic(self, request: JoinRequest, title: str | None = None) -> None:
        """Show which clinic this is: its title (a scheduled session's), else its room number."""
        self.title_label.setText(title or f"Clinic room {request.room}")
        self.subtitle_label.setText(f"{request.display_name} · {request.role.label} · {request.server_url}")

    def set_state(self, state: CallState) -> None:
        """Reflect the call phase: status line, banners, and whether video is refreshed."""
        self._state = state
        self.status_label.setText(state.status_text)
        self.status_dot.setStyleSheet(f"background: {_STATUS_COLORS[state.phase]}; border-radius: 5px;")
        phase = state.phase
        if phase is CallPhase.FAILED:
            self.failure_banner.show_message(
                state.reason or "The call ended because of a problem.",
                "The call has ended. Go back to the join screen to try again.",
                action_text=BACK_TO_JOIN_TEXT,
            )
            self.failure_banner.action_button.setFocus(Qt.FocusReason.OtherFocusReason)
            # The media is gone with the call: no frozen self-view, no stale list.
            self.set_participants(None, [])
            self.grid.set_empty_text(CALL_ENDED_TEXT)
        else:
            self.failure_banner.clear()
            self.grid.set_empty_text("")
        self.controls.set_controls_enabled(phase in _CONTROL_PHASES)
        self.leave_button.setEnabled(phase is not CallPhase.LEAVING)
        # When failed, the banner's "Back to join screen" is the one way on (Ctrl+L still works).
        self.leave_button.setVisible(phase is not CallPhase.FAILED)
        if phase in _REFRESHING_PHASES:
            self.grid.start()
        else:
            self.grid.stop()
        self._update_banner_host()

    @property
    def state(self) -> CallState:
        return self._state

    def set_participants(self, me: Participant | None, others: Iterable[Participant]) -> None:
        """Show the self-view and a tile per remote participant, and list everyone."""
        self._me = me
        self._others = list(others)
        present = {p.feed_id for p in self._others}
        self._volumes = {feed: volume for feed, volume in self._volumes.items() if feed in present}
        self.grid.set_self_view(me.role if me is not None else None)
        self.grid.set_participants(self._others)
        self._list_participants()
        total = len(self._others) + (1 if me is not None else 0)
        self.participants_heading.setText(f"Participants ({total})")
        self._on_selection_changed(self.participant_list.selected_feed)

    def set_local_media(self, state: LocalMediaState) -> None:
        """Reflect our own microphone and camera: control bar, self-view and our list row."""
        self._local_media = state
        self.controls.set_local_media(state)
        self.grid.set_self_media(state.camera_on, state.muted, state.has_camera)
        self._list_participants()

    @property
    def local_media(self) -> LocalMediaState:
        return self._local_media

    def volume_of(self, feed_id: int) -> int:
        """The volume set for a participant on this computer, in percent."""
        return self._volumes.get(feed_id, NORMAL_VOLUME)

    def show_control_error(self, message: str, details: str | None = None) -> None:
        """Show why a control (mute, camera, device switch) did not work."""
        logger.info("Control failed: %s", message)
        self.control_banner.show_message(message, details)
        self._update_banner_host()

    def _list_participants(self) -> None:
        me = self._me
        if me is not None:
            me = replace(me, muted=self._local_media.muted, camera_on=self._local_media.camera_on)
        self.participant_list.set_participants(me, self._others, self._volumes)

    def _on_selection_changed(self, feed_id: int | None) -> None:
        participant = next((p for p in self._others if p.feed_id == feed_id), None)
        if participant is None:
            if self.volume_panel.feed_id is not None:
                self.volume_panel.set_participant(None)
            return
        if self.volume_panel.feed_id != participant.feed_id:
            self.volume_panel.set_participant(
                participant.feed_id, participant.display_name, self.volume_of(participant.feed_id)
            )

    def _on_volume_changed(self, feed_id: int, gain: float) -> None:
        self._volumes[feed_id] = round(gain * NORMAL_VOLUME)
        if self._volumes[feed_id] == NORMAL_VOLUME:
            del self._volumes[feed_id]
        self._list_participants()
        self.volume_changed.emit(feed_id, gain)

    def show_notice(self, message: str) -> None:
        """Show something the user should know that does not end the call."""
        logger.info("Notice: %s", message)
        self._notices.append(message)
        recent = self._notices[-MAX_NOTICES_SHOWN:]
        earlier = list(reversed(recent[:-1]))
        self.notice_banner.show_message(recent[-1], "\n".join(f"Earlier: {text}" for text in earlier) or None)
        self._update_banner_host()

    def reset(self) -> None:
        """Forget the last call: tiles, list, volumes, controls, banners and notices."""
        self.grid.clear()
        self._me, self._others = None, []
        self._volumes.clear()
        self.participant_list.clear()
        self.volume_panel.set_participant(None)
        self.participants_heading.setText("Participants")
        self._notices.clear()
        for banner in self._banners:
            banner.clear()
        self._local_media = LocalMediaState()
        self.controls.reset()
        self.grid.set_self_media(True, False)
        self.set_state(CallState())

    @property
    def _banners(self) -> tuple[Banner, ...]:
        return (self.failure_banner, self.control_banner, self.notice_banner)

    def _update_banner_host(self) -> None:
        any_shown = any(not b.isHidden() for b in self._banners)
        self._banner_host.setVisible(any_shown)

    def _on_leave_shortcut(self) -> None:
        if self._state.phase is not CallPhase.LEAVING:
            self.leave_requested.emit()

    def _on_mute_shortcut(self) -> None:
        if self.controls.mute_button.isEnabled():
            self.controls.mute_clicked.emit()

    def _on_camera_shortcut(self) -> None:
        if self.controls.camera_button.isEnabled():
            self.controls.camera_clicked.emit()
