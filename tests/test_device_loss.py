"""A device that dies mid-call: the user is told, the others are told, and the call goes on."""

from __future__ import annotations

import av
import pytest
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.composition import conference, engine_loop
from echo_desktop.media.local_media import LocalMedia
from echo_desktop.media.track_sources import SyntheticSource
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.models import JoinRequest, Role
from echo_desktop.session.phases import CallPhase
from tests.conftest import Room
from tests.peers import Peer, wait_for

pytestmark = pytest.mark.integration


class DyingTrack(MediaStreamTrack):
    """Relays a real source for a while, then fails like an unplugged device."""

    def __init__(self, inner: MediaStreamTrack, frames: int) -> None:
        super().__init__()
        self.kind = inner.kind
        self._inner = inner
        self._left = frames

    async def recv(self) -> av.VideoFrame | av.AudioFrame:
        if self._left <= 0:
            self.stop()
            raise MediaStreamError
        self._left -= 1
        frame = await self._inner.recv()
        assert isinstance(frame, av.VideoFrame | av.AudioFrame)
        return frame


async def test_camera_and_microphone_unplugged_mid_call(room: Room) -> None:
    source = SyntheticSource("Dee", 320, 240)

    def dying_media(request: JoinRequest) -> LocalMedia:
        video = DyingTrack(source.open_video(None), frames=30)  # about 2 s
        audio = DyingTrack(source.open_audio(None), frames=150)  # about 3 s
        return LocalMedia(audio=audio, video=video, source=source)

    worker = engine_loop("dee")
    dee = ClinicSession(conference(dying_media), worker.run)
    notices: list[str] = []
    dee.subscribe(notice=notices.append)
    watcher = Peer("Watcher")
    try:
        await dee.join(JoinRequest(room.server_url, room.room, room.pin, "Dee", Role.SPOKE))
        await watcher.join(room.server_url, room.room, room.pin)
        await wait_for(lambda: any("camera stopped working" in n for n in notices), what="the camera notice")
        await wait_for(lambda: any("microphone stopped working" in n for n in notices), what="the mic notice")
        assert dee.state.phase is CallPhase.IN_CALL  # the call goes on
        assert not dee.local_media.camera_on
        assert dee.local_media.muted  # nothing to send from
        seen = next(p for p in watcher.session.participants if p.display_name == "Dee")
        await wait_for(
            lambda: not next(p for p in watcher.session.participants if p.display_name == "Dee").camera_on,
            what="the others to see Dee's camera off",
        )
        assert seen.feed_id == watcher.feed_id_of("Dee")
        # Plugging a camera back in works without rejoining.
        await dee.set_camera_enabled(True)
        assert dee.local_media.camera_on
        before = watcher.feeds_by_name()["Dee"].frames_decoded
        await wait_for(lambda: watcher.feeds_by_name()["Dee"].frames_decoded > before + 10, what="video back")
    finally:
        await dee.leave()
        worker.stop()
        await watcher.leave()
        watcher.close()
