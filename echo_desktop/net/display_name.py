"""The Janus display name: how a participant's name, role and media state travel through Janus.

Janus only carries a free-text display name. The role and the media state travel inside it as
readable suffixes ("Dr. Ana Ruiz [hub] (camera off, muted)"), so browser participants still see a
sensible name, and Janus tells everyone at once when it changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from echo_desktop.session.models import Role, clean_name

_DISPLAY_RE = re.compile(
    r"^(?P<name>.*?)\s*\[(?P<role>hub|facilitator|spoke)\](?:\s*\((?P<flags>[a-z ,]*)\))?\s*$"
)
CAMERA_OFF = "camera off"
MUTED = "muted"


def encode_display(name: str, role: Role, camera_off: bool = False, muted: bool = False) -> str:
    """Return the Janus display string that carries a name, a role and the media state."""
    flags = [flag for flag, on in ((CAMERA_OFF, camera_off), (MUTED, muted)) if on]
    suffix = f" ({', '.join(flags)})" if flags else ""
    return f"{clean_name(name)} [{role.value}]{suffix}"


@dataclass(frozen=True)
class DisplayInfo:
    """What a Janus display string says about a participant."""

    name: str
    role: Role
    camera_off: bool = False
    muted: bool = False


def parse_display(display: str | None) -> DisplayInfo:
    """Read name, role and media state; anything unrecognised is a spoke's plain name."""
    text = clean_name(display or "")
    match = _DISPLAY_RE.match(text)
    if not match:
        return DisplayInfo(text or "Guest", Role.SPOKE)
    flags = {f.strip() for f in (match.group("flags") or "").split(",")}
    return DisplayInfo(
        match.group("name") or "Guest", Role(match.group("role")), CAMERA_OFF in flags, MUTED in flags
    )
