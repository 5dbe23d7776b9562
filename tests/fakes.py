"""Test doubles for the session layer's ports: a scripted conference engine and in-memory settings."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable

import numpy as np

from echo_desktop.session import events as ev
from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import (
    FeedStats,
    JoinRequest,
    LocalMediaState,
    Participant,
    Role,
    VideoFrame,
)
from echo_desktop.session.ports import SELF_VIEW, EventListener

# Calm, clearly distinct colours; feed ids pick from this list in order (see FakeEngine.color_of).
PALETTE: tuple[tuple[int, int, int], ...] = (
    (46, 125, 154),
    (142, 98, 60),
    (92, 128, 82),
    (120, 92, 150),
    (170, 84, 84),
    (70, 110, 170),
)
SELF_COLOR = (88, 96, 104)


class FakeEngine:
    """A deterministic ConferenceEngine: no network, no media, everything scripted by the test.

    - `join()` returns this client's Participant, or raises `fail_with` if it is set;
    - `add_remote()` / `remove_remote()` emit ParticipantJoined / ParticipantLeft to the listener;
    - `latest_frame()` returns a solid-colour frame per active feed, with a seq that increases on
      every call (feeds in `paused` return None, as before a first frame).
    """

    def __init__(self, self_feed_id: int = 9000, frame_size: tuple[int, int] = (160, 120)) -> None:
        self.self_feed_id = self_feed_id
        self.frame_width, self.frame_height = frame_size
        self.fail_with: EchoError | type[EchoError] | None = None
        self.joined: JoinRequest | None = None
        self.join_calls = 0
        self.leave_calls = 0
        self.paused: set[int] = set()
        self.remotes: dict[int, Participant] = {}
        self._listener: EventListener | None = None
        self._next_feed_id = itertools.count(1001)
        self._seq = itertools.count(1)
        self._pixels: dict[int, np.ndarray] = {}
        self.volumes: dict[int, float] = {}
        self.media = LocalMediaState(
            camera_on=True, has_camera=True, has_microphone=True, has_speaker=True, camera="0", microphone=""
        )

    # --- ConferenceEngine ------------------------------------------------------------------------

    def set_listener(self, listener: EventListener) -> None:
        self._listener = listener

    async def join(self, request: JoinRequest) -> Participant:
        self.join_calls += 1
        if self.fail_with is not None:
            raise self.fail_with() if isinstance(self.fail_with, type) else self.fail_with
        self.joined = request
        self.media = dataclasses.replace(
            self.media, camera_on=request.media.camera_enabled, muted=request.media.microphone_muted
        )
        self.emit(ev.LocalMediaChanged(self.media))
        return Participant(self.self_feed_id, request.display_name, request.role, is_self=True)

    async def leave(self) -> None:
        self.leave_calls += 1
        self.joined = None
        self.remotes.clear()

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        if self.joined is None or feed_id in self.paused:
            return None
        if feed_id != SELF_VIEW and feed_id not in self.remotes:
            return None
        return VideoFrame(rgb=self._solid(feed_id), seq=next(self._seq))

    def stats(self) -> list[FeedStats]:
        return [FeedStats(feed_id=p.feed_id, display=p.display_name) for p in self.remotes.values()]

    async def set_microphone_muted(self, muted: bool) -> None:
        self._set_media(muted=muted)

    async def set_camera_enabled(self, enabled: bool) -> None:
        self._set_media(camera_on=enabled)

    async def switch_camera(self, device: str) -> None:
        self._set_media(camera=device)

    async def switch_microphone(self, device: str) -> None:
        self._set_media(microphone=device)

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        self.volumes[feed_id] = gain

    def _set_media(self, **changes: object) -> None:
        self.media = dataclasses.replace(self.media, **changes)  # type: ignore[arg-type]
        self.emit(ev.LocalMediaChanged(self.media))

    # --- scripting -------------------------------------------------------------------------------

    def emit(self, event: ev.EngineEvent) -> None:
        """Deliver an engine event to the session, as the real engine would."""
        assert self._listener is not None, "no listener: was the engine given to a ClinicSession?"
        self._listener(event)

    def add_remote(
        self, display_name: str, role: Role = Role.SPOKE, feed_id: int | None = None
    ) -> Participant:
        """A remote participant joins the room."""
        participant = Participant(feed_id or next(self._next_feed_id), display_name, role)
        self.remotes[participant.feed_id] = participant
        self.emit(ev.ParticipantJoined(participant))
        return participant

    def add_remotes(self, people: Iterable[tuple[str, Role]]) -> list[Participant]:
        return [self.add_remote(name, role) for name, role in people]

    def remove_remote(self, feed_id: int) -> None:
        """A remote participant leaves the room."""
        self.remotes.pop(feed_id, None)
        self.emit(ev.ParticipantLeft(feed_id))

    @staticmethod
    def color_of(feed_id: int) -> tuple[int, int, int]:
        """The solid colour of a feed's frames (RGB)."""
        if feed_id == SELF_VIEW:
            return SELF_COLOR
        return PALETTE[feed_id % len(PALETTE)]

    def _solid(self, feed_id: int) -> np.ndarray:
        pixels = self._pixels.get(feed_id)
        if pixels is None:
            pixels = np.empty((self.frame_height, self.frame_width, 3), dtype=np.uint8)
            pixels[:, :] = self.color_of(feed_id)
            pixels.flags.writeable = False
            self._pixels[feed_id] = pixels
        return pixels


class MemorySettingsStore:
    """A SettingsStore in memory; `saves` counts how often it was written."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})
        self.saves = 0

    def load(self) -> dict[str, str]:
        return dict(self.values)

    def save(self, values: dict[str, str]) -> None:
        self.values = dict(values)
        self.saves += 1
