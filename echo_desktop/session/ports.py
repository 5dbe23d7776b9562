"""Ports: what the session needs from the outside world.

The composition root (echo_desktop.app) plugs real adapters in; tests plug fakes in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from echo_desktop.session.events import EngineEvent
from echo_desktop.session.models import (
    DeviceInfo,
    DeviceKind,
    FeedStats,
    JoinRequest,
    LocalMediaState,
    Participant,
    VideoFrame,
)

EventListener = Callable[[EngineEvent], None]

SELF_VIEW = 0
"""The feed id under which an engine exposes the local self-view."""


class ConferenceEngine(Protocol):
    """A multi-point conference: publish local media, receive everyone else's.

    Coroutines run on the engine's own loop. The listener may be called from that loop's thread;
    the session marshals events to its owner.
    """

    def set_listener(self, listener: EventListener) -> None: ...

    async def join(self, request: JoinRequest) -> Participant: ...

    async def leave(self) -> None: ...

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        """The newest decoded frame of a feed (or SELF_VIEW), without waiting. Thread-safe."""
        ...

    def stats(self) -> list[FeedStats]:
        """Receive statistics per remote feed. Thread-safe."""
        ...

    async def set_microphone_muted(self, muted: bool) -> None:
        """Stop or resume sending our voice, and tell the others."""
        ...

    async def set_camera_enabled(self, enabled: bool) -> None:
        """Stop or resume sending video (the camera is released when off), and tell the others."""
        ...

    async def switch_camera(self, device: str) -> None:
        """Use another camera mid-call, without rejoining."""
        ...

    async def switch_microphone(self, device: str) -> None:
        """Use another microphone mid-call, without rejoining."""
        ...

    async def release_device(self, kind: DeviceKind) -> None:
        """Stop using a device that stopped working, keep the call going, and tell the others."""
        ...

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        """Playback volume of one participant, 0.0 to 2.0. Thread-safe."""
        ...

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        """The size a feed is shown at; frames are scaled to fit it off the GUI thread.

        0 x 0 means full size. Thread-safe.
        """
        ...


@dataclass(frozen=True)
class SessionDescription:
    """An SDP offer or answer, as the signaling carries it."""

    type: str
    sdp: str


@dataclass(frozen=True)
class IceCandidate:
    """A remote ICE candidate as signaled: one `candidate:` line and the m-line it belongs to."""

    line: str
    sdp_mid: str | None = None
    sdp_mline_index: int | None = None


@dataclass(frozen=True)
class ReceivedStream:
    """One m-line of the receiving connection: which feed's audio or video it carries now."""

    mid: str
    feed_id: int
    kind: str  # "audio" or "video"
    codec: str = ""


class CallMedia(Protocol):
    """The media side of a conference: peer connections, local devices, decoded frames, sound.

    The signaling side (net.conference) drives it with descriptions and candidates, and tells it
    who is in the room; it never sees a track or a frame. Everything runs on the engine loop,
    except the methods marked thread-safe. Events (first frames, device trouble) go to the
    listener.
    """

    def set_listener(self, listener: EventListener) -> None: ...

    async def prepare(self, request: JoinRequest) -> None:
        """Get ready for a call: open the speakers (a missing one is reported, the call goes on)."""
        ...

    async def publish_offer(self) -> SessionDescription:
        """Open the camera and microphone (missing ones are reported), create the sending
        connection (audio and video, sendonly) and return its offer."""
        ...

    async def publish_answered(self, answer: SessionDescription) -> None: ...

    async def add_publish_candidate(self, candidate: IceCandidate | None) -> None:
        """A remote candidate for the sending connection; None means no more will come."""
        ...

    def map_received_streams(self, streams: list[ReceivedStream]) -> None:
        """The current m-line to feed mapping of the receiving connection."""
        ...

    async def answer_receive_offer(self, offer: SessionDescription) -> SessionDescription:
        """Apply an offer for the receiving connection (created on the first) and answer it."""
        ...

    async def add_receive_candidate(self, candidate: IceCandidate | None) -> None: ...

    def feed_added(self, feed_id: int, label: str, since: float) -> None:
        """Start counting a remote feed (receive statistics); `since` (monotonic) is when we
        started waiting for its media."""
        ...

    def feed_removed(self, feed_id: int) -> None:
        """Forget a remote feed: its frames, statistics and sound."""
        ...

    @property
    def local_state(self) -> LocalMediaState: ...

    async def set_microphone_muted(self, muted: bool) -> LocalMediaState: ...

    async def set_camera_enabled(self, enabled: bool) -> LocalMediaState: ...

    async def switch_camera(self, device: str) -> LocalMediaState: ...

    async def switch_microphone(self, device: str) -> LocalMediaState: ...

    async def release_device(self, kind: DeviceKind) -> LocalMediaState: ...

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        """Thread-safe."""
        ...

    def stats(self) -> list[FeedStats]:
        """Thread-safe."""
        ...

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        """Thread-safe."""
        ...

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        """Thread-safe."""
        ...

    async def close(self) -> None:
        """Close both connections and release every device; safe to call at any point."""
        ...


class CameraPreview(Protocol):
    """A running camera preview for the device check."""

    def latest_frame(self) -> VideoFrame | None: ...

    def close(self) -> None: ...


class LevelMeter(Protocol):
    """A running microphone level meter for the device check."""

    def level(self) -> float:
        """Peak level of the last 100 ms, 0.0 to 1.0."""
        ...

    def close(self) -> None: ...


class DevicePort(Protocol):
    """Lists devices and runs the pre-join device check. Calls may block: run them off the GUI."""

    def list_devices(self, kind: DeviceKind) -> list[DeviceInfo]: ...

    def open_camera_preview(self, device: str | None) -> CameraPreview: ...

    def open_level_meter(self, device: str | None) -> LevelMeter: ...

    def play_test_tone(self, device: str | None, seconds: float = 1.0) -> None: ...


class SettingsStore(Protocol):
    """Persisted user settings (join form and preferences)."""

    def load(self) -> dict[str, str]: ...

    def save(self, values: dict[str, str]) -> None: ...
