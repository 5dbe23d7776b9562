"""Domain models shared by the UI, the engine and the probe."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # numpy costs the lobby's start ~0.15 s; only a call's frames need it
    import numpy as np
    import numpy.typing as npt


class Role(StrEnum):
    """A participant's part in a teleECHO clinic."""

    HUB = "hub"
    FACILITATOR = "facilitator"
    SPOKE = "spoke"

    @property
    def label(self) -> str:
        """A human-readable label for the role."""
        return {"hub": "Hub specialist", "facilitator": "Facilitator", "spoke": "Spoke"}[self.value]


MAX_NAME_LENGTH = 64


def clean_name(name: str) -> str:
    """A display name on one line: control characters dropped, whitespace runs collapsed."""
    printable = "".join(ch if ch.isprintable() else " " for ch in name)
    return " ".join(printable.split())[:MAX_NAME_LENGTH]


@dataclass(frozen=True)
class MediaPreferences:
    """Which devices to use, and how to start. None means the system default device."""

    camera: str | None = None
    microphone: str | None = None
    speaker: str | None = None
    camera_enabled: bool = True
    microphone_muted: bool = False


@dataclass(frozen=True)
class JoinRequest:
    """Everything needed to join one clinic room."""

    server_url: str
    room: int
    pin: str
    display_name: str
    role: Role
    verify_tls: bool = True
    token: str | None = None
    media: MediaPreferences = field(default_factory=MediaPreferences)

    def __post_init__(self) -> None:
        if not self.display_name.strip():
            raise ValueError("A display name is required")
        if self.room <= 0:
            raise ValueError("The room number must be positive")
        if not self.server_url.startswith(("ws://", "wss://")):
            raise ValueError("The server address must start with ws:// or wss://")


@dataclass(frozen=True)
class Participant:
    """Someone in the clinic, as seen by this client."""

    feed_id: int
    display_name: str
    role: Role
    is_self: bool = False
    camera_on: bool = True
    muted: bool = False


Rgb32Array: TypeAlias = "npt.NDArray[np.uint8]"
"""HxWx4 pixels in QImage.Format_RGB32 layout: 0xffRRGGBB native-endian words."""


@dataclass(frozen=True)
class VideoFrame:
    """One decoded video frame, already converted and scaled for drawing."""

    pixels: Rgb32Array
    seq: int


class DeviceKind(StrEnum):
    CAMERA = "camera"
    MICROPHONE = "microphone"
    SPEAKER = "speaker"


@dataclass(frozen=True)
class DeviceInfo:
    """A camera, microphone or speaker the user can pick."""

    kind: DeviceKind
    device_id: str
    name: str
    is_default: bool = False


@dataclass(frozen=True)
class LocalMediaState:
    """What we are sending, and which devices we have."""

    camera_on: bool = False
    muted: bool = False
    has_camera: bool = False
    has_microphone: bool = False
    has_speaker: bool = False
    camera: str | None = None
    microphone: str | None = None


@dataclass
class FeedStats:
    """Receive statistics of one remote feed."""

    feed_id: int
    display: str
    codec: str = ""
    frames_decoded: int = 0
    first_frame_s: float | None = None
    audio_frames_decoded: int = 0
    fps: float = 0.0
