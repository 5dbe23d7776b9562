"""The media side reports a device that stops once per stop, and releases only a failed one."""

from __future__ import annotations

import asyncio
import contextlib

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media.call_media import AiortcCallMedia
from echo_desktop.media.local_media import LocalMedia, synthetic_media
from echo_desktop.media.remote_audio import AudioSink
from echo_desktop.media.synthetic import ToneTrack
from echo_desktop.session import events as ev
from echo_desktop.session.models import DeviceKind, JoinRequest, Role
from tests.waiting import wait_for


class _Speaker(AudioSink):
    """A speaker whose stall the test decides."""

    def __init__(self) -> None:
        self.stall = False
        self.closed = False

    def push(self, feed_id: int, frame: av.AudioFrame) -> None: ...

    def remove(self, feed_id: int) -> None: ...

    def set_volume(self, feed_id: int, gain: float) -> None: ...

    @property
    def stalled(self) -> bool:
        return self.stall

    def close(self) -> None:
        self.closed = True


class _Unplugged(MediaStreamTrack):
    """A camera that is unplugged as soon as it is read."""

    kind = "video"

    async def recv(self) -> av.VideoFrame:
        raise MediaStreamError


class _UnpluggingCameras:
    """A TrackSource whose every camera fails at once; the microphone is a tone."""

    def open_video(self, device: str | None) -> MediaStreamTrack:
        return _Unplugged()

    def open_audio(self, device: str | None) -> MediaStreamTrack:
        return ToneTrack()


def _media(request: JoinRequest) -> LocalMedia:
    source = _UnpluggingCameras()
    return LocalMedia(audio=source.open_audio(None), video=source.open_video(None), source=source)


def _kinds(events: list[ev.EngineEvent]) -> list[tuple[DeviceKind, bool]]:
    return [(e.kind, e.stopped) for e in events if isinstance(e, ev.DeviceUnavailable)]


async def _send(track: MediaStreamTrack) -> None:
    """Read the track the way the video sender does, until it stops."""
    with contextlib.suppress(MediaStreamError):
        while True:
            await track.recv()


async def test_each_stop_is_reported_once_and_a_working_device_is_kept() -> None:
    speaker = _Speaker()
    media = AiortcCallMedia(_media, lambda _: speaker, device_check_s=0.01)
    events: list[ev.EngineEvent] = []
    media.set_listener(events.append)
    await media.prepare(JoinRequest("ws://hub:8188", 1, "1", "Dee", Role.SPOKE))
    await media.publish_offer()
    published = media._published
    assert published is not None
    sender = asyncio.create_task(_send(published._video))  # the camera is read: and unplugged
    try:
        await wait_for(lambda: _kinds(events) == [(DeviceKind.CAMERA, True)], what="the camera report")
        speaker.stall = True  # proof the watcher went round again, with the camera still failed
        await wait_for(lambda: len(_kinds(events)) == 2, what="the speaker report")
        assert _kinds(events) == [(DeviceKind.CAMERA, True), (DeviceKind.SPEAKER, True)]

        state = await media.release_device(DeviceKind.CAMERA)
        assert not state.camera_on and media.local_state.has_speaker
        state = await media.release_device(DeviceKind.SPEAKER)
        assert speaker.closed and not state.has_speaker

        # The user turns the camera on again; this one fails in its turn: reported again, once.
        await media.set_camera_enabled(True)
        await wait_for(lambda: len(_kinds(events)) == 3, what="the second camera report")
        assert _kinds(events)[-1] == (DeviceKind.CAMERA, True)
    finally:
        sender.cancel()
        await media.close()


async def test_a_late_release_keeps_a_camera_that_works() -> None:
    media = AiortcCallMedia(lambda _: synthetic_media("Dee", 160, 120), device_check_s=0.01)
    media.set_listener(lambda event: None)
    await media.prepare(JoinRequest("ws://hub:8188", 1, "1", "Dee", Role.SPOKE))
    await media.publish_offer()
    try:
        assert media.local_state.camera_on
        state = await media.release_device(DeviceKind.CAMERA)  # a release that came too late
        assert state.camera_on
    finally:
        await media.close()
