"""What we send: the local audio and video tracks, and the self-view tap."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import av
from aiortc.mediastreams import MediaStreamTrack

from echo_desktop.media.convert import to_rgb
from echo_desktop.media.frame_store import LatestFrameStore
from echo_desktop.media.synthetic import TestPatternTrack, ToneTrack
from echo_desktop.session.ports import SELF_VIEW

logger = logging.getLogger(__name__)


class SelfViewTap(MediaStreamTrack):
    """Passes video through to the encoder and keeps the newest frame for the self-view."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack, store: LatestFrameStore) -> None:
        super().__init__()
        self._source = source
        self._store = store

    async def recv(self) -> av.VideoFrame:
        frame = await self._source.recv()
        if not isinstance(frame, av.VideoFrame):
            raise TypeError("a video track produced something that is not a video frame")
        self._store.put(SELF_VIEW, to_rgb(frame))
        return frame

    def stop(self) -> None:
        super().stop()
        self._source.stop()


@dataclass
class LocalMedia:
    """The tracks a participant publishes, plus notices for the user (e.g. 'no camera')."""

    audio: MediaStreamTrack | None
    video: MediaStreamTrack | None
    notices: list[str] = field(default_factory=list)

    def stop(self) -> None:
        for track in (self.audio, self.video):
            if track is not None:
                track.stop()


def synthetic_media(label: str, width: int = 640, height: int = 480, fps: float = 15.0) -> LocalMedia:
    """A moving test card with a frame counter, and a tone."""
    return LocalMedia(audio=ToneTrack(), video=TestPatternTrack(label, width, height, fps))
