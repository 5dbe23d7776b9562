"""The stored audio and video preferences: chosen devices and how to start a call.

Settings are strings: device ids as given by the DevicePort (absent means the system default),
and "1"/"0" for the two start options.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from echo_desktop.session.models import MediaPreferences

logger = logging.getLogger(__name__)

KEY_CAMERA = "camera"
KEY_MICROPHONE = "microphone"
KEY_SPEAKER = "speaker"
KEY_START_MUTED = "start_muted"
KEY_START_CAMERA_OFF = "start_camera_off"
MEDIA_KEYS = frozenset({KEY_CAMERA, KEY_MICROPHONE, KEY_SPEAKER, KEY_START_MUTED, KEY_START_CAMERA_OFF})
"""The settings these preferences own."""


def _flag(values: Mapping[str, str], key: str) -> bool:
    raw = values.get(key, "0").strip()
    if raw not in ("0", "1", ""):
        logger.info("Ignoring malformed setting %s=%r", key, raw)
    return raw == "1"


def _device(values: Mapping[str, str], key: str) -> str | None:
    raw = values.get(key, "")
    return raw if raw.strip() else None


def load_media_preferences(values: Mapping[str, str]) -> MediaPreferences:
    """Read the preferences from stored settings; anything malformed means the default."""
    return MediaPreferences(
        camera=_device(values, KEY_CAMERA),
        microphone=_device(values, KEY_MICROPHONE),
        speaker=_device(values, KEY_SPEAKER),
        camera_enabled=not _flag(values, KEY_START_CAMERA_OFF),
        microphone_muted=_flag(values, KEY_START_MUTED),
    )


def media_preferences_to_save(preferences: MediaPreferences) -> dict[str, str]:
    """The preferences as settings; a system-default device is stored as no key at all."""
    values = {
        KEY_START_MUTED: "1" if preferences.microphone_muted else "0",
        KEY_START_CAMERA_OFF: "0" if preferences.camera_enabled else "1",
    }
    for key, device in (
        (KEY_CAMERA, preferences.camera),
        (KEY_MICROPHONE, preferences.microphone),
        (KEY_SPEAKER, preferences.speaker),
    ):
        if device is not None:
            values[key] = device
    return values
