"""Test doubles for the session layer's ports: a scripted engine, devices, and in-memory settings."""

from __future__ import annotations

import collections
import dataclasses
import itertools
import threading
from collections.abc import Iterable

import numpy as np

from echo_desktop.media.convert import display_pixels
from echo_desktop.session import events as ev
from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import (
    DeviceInfo,
    DeviceKind,
    FeedStats,
    JoinRequest,
    LocalMediaState,
    Participant,
    Role,
    VideoFrame,
)
from echo_desktop.session.ports import (
    SELF_VIEW,
    CallMedia,
    ConferenceEngine,
    EventListener,
    IceCandidate,
    ReceivedStream,
    SessionDescription,
)

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
      every call (feeds in `paused` return None, as before a first frame); `frame_requests`
      counts the calls per feed, so a test can wait until the window has polled again.
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
        self.frame_requests: collections.Counter[int] = collections.Counter()
        self._pixels: dict[int, np.ndarray] = {}
        self.volumes: dict[int, float] = {}
        self.view_sizes: dict[int, tuple[int, int]] = {}
        self.released: list[DeviceKind] = []
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
        self.frame_requests[feed_id] += 1
        if self.joined is None or feed_id in self.paused:
            return None
        if feed_id != SELF_VIEW and feed_id not in self.remotes:
            return None
        return VideoFrame(pixels=self._solid(feed_id), seq=next(self._seq))

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

    async def release_device(self, kind: DeviceKind) -> None:
        self.released.append(kind)
        if kind is DeviceKind.CAMERA:
            self._set_media(camera_on=False)
        elif kind is DeviceKind.MICROPHONE:
            self._set_media(muted=True, has_microphone=False)
        else:
            self._set_media(has_speaker=False)

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        self.volumes[feed_id] = gain

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        self.view_sizes[feed_id] = (width, height)

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
            rgb = np.empty((self.frame_height, self.frame_width, 3), dtype=np.uint8)
            rgb[:, :] = self.color_of(feed_id)
            pixels = display_pixels(rgb, "rgb")
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


def default_devices() -> dict[DeviceKind, list[DeviceInfo]]:
    """Two cameras, two microphones and two speakers; the first of each is the system default."""
    return {
        DeviceKind.CAMERA: [
            DeviceInfo(DeviceKind.CAMERA, "0", "Integrated Webcam", is_default=True),
            DeviceInfo(DeviceKind.CAMERA, "2", "USB Document Camera"),
        ],
        DeviceKind.MICROPHONE: [
            DeviceInfo(DeviceKind.MICROPHONE, "4", "Built-in Microphone", is_default=True),
            DeviceInfo(DeviceKind.MICROPHONE, "7", "Headset Microphone"),
        ],
        DeviceKind.SPEAKER: [
            DeviceInfo(DeviceKind.SPEAKER, "5", "Built-in Speakers", is_default=True),
            DeviceInfo(DeviceKind.SPEAKER, "8", "Headset Earphones"),
        ],
    }


class FakePreview:
    """A CameraPreview that returns solid frames of its colour, with a new seq on every call."""

    def __init__(self, device: str | None, color: tuple[int, int, int], size: tuple[int, int]) -> None:
        self.device = device
        self.color = color
        self.closed = False
        self.frames_shown = True
        width, height = size
        rgb = np.empty((height, width, 3), dtype=np.uint8)
        rgb[:, :] = color
        self._pixels = display_pixels(rgb, "rgb")
        self._pixels.flags.writeable = False
        self._seq = itertools.count(1)

    def latest_frame(self) -> VideoFrame | None:
        if self.closed or not self.frames_shown:
            return None
        return VideoFrame(pixels=self._pixels, seq=next(self._seq))

    def close(self) -> None:
        self.closed = True


class FakeMeter:
    """A LevelMeter whose level is whatever its FakeDevices says (`FakeDevices.level`)."""

    def __init__(self, devices: FakeDevices, device: str | None) -> None:
        self._devices = devices
        self.device = device
        self.closed = False

    def level(self) -> float:
        return 0.0 if self.closed else self._devices.level

    def close(self) -> None:
        self.closed = True


class FakeDevices:
    """A scripted DevicePort.

    - `devices` lists what `list_devices` returns per kind (empty: none found);
    - `fail_on` names methods that raise OSError(`fail_message`) ("list_devices",
      "open_camera_preview", "open_level_meter", "play_test_tone", "close"), and
      `fail_kinds` limits list_devices failures to some kinds;
    - previews return solid frames (`PREVIEW_COLOR`, or per device in `colors`), meters report
      `level`, tones are recorded in `tones` (and wait for `tone_gate` when it is set);
    - `calls` records (method, argument, thread name) so a test can check nothing ran on the
      GUI thread.
    """

    PREVIEW_COLOR = (40, 150, 120)

    def __init__(self, devices: dict[DeviceKind, list[DeviceInfo]] | None = None) -> None:
        self.devices = devices if devices is not None else default_devices()
        self.fail_on: set[str] = set()
        self.fail_kinds: set[DeviceKind] | None = None
        self.fail_message = "The device is busy or was unplugged."
        self.colors: dict[str | None, tuple[int, int, int]] = {}
        self.frame_size = (160, 120)
        self.level = 0.0
        self.tones: list[tuple[str | None, float]] = []
        self.tone_gate: threading.Event | None = None
        self.previews: list[FakePreview] = []
        self.meters: list[FakeMeter] = []
        self.calls: list[tuple[str, object, str]] = []
        self._lock = threading.Lock()

    def _record(self, method: str, argument: object) -> None:
        with self._lock:
            self.calls.append((method, argument, threading.current_thread().name))
        if method in self.fail_on:
            raise OSError(self.fail_message)

    @property
    def gui_thread_calls(self) -> list[tuple[str, object, str]]:
        """Calls made on the main (GUI) thread: there should be none."""
        main = threading.main_thread().name
        return [call for call in self.calls if call[2] == main]

    # --- DevicePort ------------------------------------------------------------------------------

    def list_devices(self, kind: DeviceKind) -> list[DeviceInfo]:
        with self._lock:
            self.calls.append(("list_devices", kind, threading.current_thread().name))
        if "list_devices" in self.fail_on and (self.fail_kinds is None or kind in self.fail_kinds):
            raise OSError(self.fail_message)
        return list(self.devices.get(kind, []))

    def open_camera_preview(self, device: str | None) -> FakePreview:
        self._record("open_camera_preview", device)
        preview = _ClosingPreview(self, device, self.colors.get(device, self.PREVIEW_COLOR), self.frame_size)
        self.previews.append(preview)
        return preview

    def open_level_meter(self, device: str | None) -> FakeMeter:
        self._record("open_level_meter", device)
        meter = _ClosingMeter(self, device)
        self.meters.append(meter)
        return meter

    def play_test_tone(self, device: str | None, seconds: float = 1.0) -> None:
        self._record("play_test_tone", device)
        if self.tone_gate is not None:
            self.tone_gate.wait(5.0)
        self.tones.append((device, seconds))

    # --- helpers ---------------------------------------------------------------------------------

    @property
    def open_previews(self) -> list[FakePreview]:
        return [p for p in self.previews if not p.closed]

    @property
    def open_meters(self) -> list[FakeMeter]:
        return [m for m in self.meters if not m.closed]


class _ClosingPreview(FakePreview):
    """A FakePreview whose close() is recorded (and may fail) through its FakeDevices."""

    def __init__(
        self, owner: FakeDevices, device: str | None, color: tuple[int, int, int], size: tuple[int, int]
    ) -> None:
        super().__init__(device, color, size)
        self._owner = owner

    def close(self) -> None:
        self.closed = True
        self._owner._record("close", "preview")


class _ClosingMeter(FakeMeter):
    """A FakeMeter whose close() is recorded (and may fail) through its FakeDevices."""

    def close(self) -> None:
        self.closed = True
        self._devices._record("close", "meter")


class FakeCallMedia:
    """A CallMedia that records what the signaling side asks of it, and answers plausibly."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.offers: list[SessionDescription] = []
        self.streams: list[ReceivedStream] = []
        self.feeds: dict[int, str] = {}
        self.state = LocalMediaState(camera_on=True, has_camera=True, has_microphone=True)
        self._listener: EventListener | None = None

    def set_listener(self, listener: EventListener) -> None:
        self._listener = listener

    async def prepare(self, request: JoinRequest) -> None:
        self.calls.append("prepare")

    async def publish_offer(self) -> SessionDescription:
        self.calls.append("publish_offer")
        return SessionDescription("offer", "v=0 our offer")

    async def publish_answered(self, answer: SessionDescription) -> None:
        self.calls.append(f"publish_answered:{answer.sdp}")

    async def add_publish_candidate(self, candidate: IceCandidate | None) -> None:
        self.calls.append("add_publish_candidate")

    def map_received_streams(self, streams: list[ReceivedStream]) -> None:
        self.calls.append("map_received_streams")
        self.streams = streams

    async def answer_receive_offer(self, offer: SessionDescription) -> SessionDescription:
        self.calls.append("answer_receive_offer")
        self.offers.append(offer)
        return SessionDescription("answer", f"v=0 our answer {len(self.offers)}")

    async def add_receive_candidate(self, candidate: IceCandidate | None) -> None:
        self.calls.append("add_receive_candidate")

    def feed_added(self, feed_id: int, label: str, since: float) -> None:
        self.calls.append(f"feed_added:{feed_id}")
        self.feeds[feed_id] = label

    def feed_removed(self, feed_id: int) -> None:
        self.calls.append(f"feed_removed:{feed_id}")
        self.feeds.pop(feed_id, None)

    @property
    def local_state(self) -> LocalMediaState:
        return self.state

    async def set_microphone_muted(self, muted: bool) -> LocalMediaState:
        self.state = dataclasses.replace(self.state, muted=muted)
        return self.state

    async def set_camera_enabled(self, enabled: bool) -> LocalMediaState:
        self.state = dataclasses.replace(self.state, camera_on=enabled)
        return self.state

    async def switch_camera(self, device: str) -> LocalMediaState:
        self.state = dataclasses.replace(self.state, camera=device)
        return self.state

    async def switch_microphone(self, device: str) -> LocalMediaState:
        self.state = dataclasses.replace(self.state, microphone=device)
        return self.state

    async def release_device(self, kind: DeviceKind) -> LocalMediaState:
        self.calls.append(f"release_device:{kind.value}")
        if kind is DeviceKind.CAMERA:
            self.state = dataclasses.replace(self.state, camera_on=False, has_camera=False)
        return self.state

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        return None

    def stats(self) -> list[FeedStats]:
        return [FeedStats(feed_id, label) for feed_id, label in self.feeds.items()]

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        self.calls.append(f"set_view_size:{feed_id}")

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        self.calls.append(f"set_participant_volume:{feed_id}")

    async def close(self) -> None:
        self.calls.append("close")
        self.feeds.clear()


# mypy holds each fake to its port: a port that changes without its fake fails the type check.
_media_port: type[CallMedia] = FakeCallMedia
_engine_port: type[ConferenceEngine] = FakeEngine
