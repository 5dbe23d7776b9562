"""Ports: what the session needs from the outside world.

The composition root (echo_desktop.app) plugs real adapters in; tests plug fakes in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from echo_desktop.session.events import EngineEvent
from echo_desktop.session.models import (
    DeviceInfo,
    DeviceKind,
    FeedStats,
    JoinRequest,
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

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        """Playback volume of one participant, 0.0 to 2.0. Thread-safe."""
        ...

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        """The size a feed is shown at; frames are scaled to fit it off the GUI thread.

        0 x 0 means full size. Thread-safe.
        """
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
