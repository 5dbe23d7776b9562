"""What we send: the local audio and video tracks, and where to reopen them from."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiortc.mediastreams import MediaStreamTrack

from echo_desktop.media.track_sources import SyntheticSource, TrackSource
from echo_desktop.session.models import DeviceKind

logger = logging.getLogger(__name__)


@dataclass
class LocalMedia:
    """The tracks a participant publishes, and the devices that could not be opened.

    `source` reopens devices mid-call (camera back on, another microphone); without it the
    tracks cannot be replaced.
    """

    audio: MediaStreamTrack | None
    video: MediaStreamTrack | None
    missing: list[DeviceKind] = field(default_factory=list)
    source: TrackSource | None = None

    def stop(self) -> None:
        for track in (self.audio, self.video):
            if track is not None:
                track.stop()


def synthetic_media(label: str, width: int = 640, height: int = 480, fps: float = 15.0) -> LocalMedia:
    """A moving test card with a frame counter, and a tone."""
    source = SyntheticSource(label, width, height, fps)
    return LocalMedia(audio=source.open_audio(None), video=source.open_video(None), source=source)
