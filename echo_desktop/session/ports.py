"""Ports: what the session needs from the outside world.

The composition root (echo_desktop.app) plugs real adapters in; tests plug fakes in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from echo_desktop.session.events import EngineEvent
from echo_desktop.session.models import FeedStats, JoinRequest, Participant, VideoFrame

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


class SettingsStore(Protocol):
    """Persisted user settings (join form and preferences)."""

    def load(self) -> dict[str, str]: ...

    def save(self, values: dict[str, str]) -> None: ...
