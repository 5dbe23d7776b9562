"""Composition of the real parts without Qt: the engine and its media, for the app and the probe."""

from __future__ import annotations

import logging

from echo_desktop.media.local_media import LocalMedia, synthetic_media
from echo_desktop.net.conference import JanusConference
from echo_desktop.session.models import JoinRequest, clean_name
from echo_desktop.session.ports import ConferenceEngine

logger = logging.getLogger(__name__)


def build_engine(devices: bool = False) -> ConferenceEngine:
    """The real conference engine; synthetic media unless `devices` asks for camera and mic."""

    def media_for(request: JoinRequest) -> LocalMedia:
        label = clean_name(request.display_name)
        if devices:
            from echo_desktop.media.devices import device_media

            return device_media()
        return synthetic_media(label)

    return JanusConference(media_for)
