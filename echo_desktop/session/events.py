"""Events the conference engine reports to the session (from any thread)."""

from __future__ import annotations

from dataclasses import dataclass

from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import DeviceKind, LocalMediaState, Participant


@dataclass(frozen=True)
class ParticipantJoined:
    participant: Participant


@dataclass(frozen=True)
class ParticipantUpdated:
    """A participant's name, role or media state (camera, mute) changed."""

    participant: Participant


@dataclass(frozen=True)
class LocalMediaChanged:
    """Our own camera, microphone or devices changed (by the user, or because a device failed)."""

    state: LocalMediaState


@dataclass(frozen=True)
class ParticipantLeft:
    feed_id: int


@dataclass(frozen=True)
class DeviceUnavailable:
    """A camera, microphone or speaker is missing at join (`stopped` False) or stopped mid-call.

    The engine reports each of these once; what to do about it and what to tell the user is the
    session's (see ClinicSession and device_notices).
    """

    kind: DeviceKind
    stopped: bool


@dataclass(frozen=True)
class EngineFailed:
    """The call cannot continue."""

    error: EchoError


@dataclass(frozen=True)
class Notice:
    """Something the user should know that does not end the call (for example, no camera)."""

    message: str


EngineEvent = (
    ParticipantJoined
    | ParticipantUpdated
    | LocalMediaChanged
    | ParticipantLeft
    | DeviceUnavailable
    | EngineFailed
    | Notice
)
