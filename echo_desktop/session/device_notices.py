"""What the user is told when a camera, microphone or speaker is missing or stops mid-call."""

from __future__ import annotations

from echo_desktop.session.events import DeviceUnavailable
from echo_desktop.session.models import DeviceKind

_MISSING = {
    DeviceKind.CAMERA: "No camera was found. You joined with audio only.",
    DeviceKind.MICROPHONE: "No microphone was found. You joined listen-only: others cannot hear you.",
    DeviceKind.SPEAKER: "No speaker or headset was found. You will not hear the clinic.",
}
_STOPPED = {
    DeviceKind.CAMERA: "Your camera stopped working. The call goes on with audio.",
    DeviceKind.MICROPHONE: "Your microphone stopped working. Others cannot hear you.",
    DeviceKind.SPEAKER: "Your speaker or headset stopped working. You cannot hear the clinic.",
}


def device_notice(event: DeviceUnavailable) -> str:
    """The plain-language notice for a missing or failed device."""
    return (_STOPPED if event.stopped else _MISSING)[event.kind]
