"""What we send: the sending connection's two senders, the local tracks behind them, the controls.

Both transceivers (audio and video) are always negotiated, even without a device, so a camera
turned on later, or a microphone plugged in later, needs no renegotiation. Each sender reads one
SwitchableTrack for the whole call; the controls only change its source. Turning the camera off
releases the device (its light goes out) and sends nothing; muting stops sending audio. Either
way each control returns the new state, which the signaling side tells the others.
"""

from __future__ import annotations

import asyncio
import logging

import av
from aiortc import RTCPeerConnection, RTCRtpSender
from aiortc.mediastreams import MediaStreamTrack

from echo_desktop.media.convert import FrameConverter
from echo_desktop.media.frame_store import LatestFrameStore
from echo_desktop.media.local_media import LocalMedia
from echo_desktop.media.switchable_track import Frame, SwitchableTrack
from echo_desktop.media.track_sources import TrackSource
from echo_desktop.session import errors
from echo_desktop.session.models import LocalMediaState, MediaPreferences
from echo_desktop.session.ports import SELF_VIEW

logger = logging.getLogger(__name__)


class PublishedMedia:
    """Owns the publisher's senders and local tracks; each control returns the new state."""

    def __init__(
        self,
        pc: RTCPeerConnection,
        media: LocalMedia,
        preferences: MediaPreferences,
        frames: LatestFrameStore,
        view_sizes: dict[int, tuple[int, int]],
    ) -> None:
        self._media = media
        self._view_sizes = view_sizes
        self._frames = frames
        self._self_view = FrameConverter()
        self._audio = SwitchableTrack("audio")
        self._video = SwitchableTrack("video", on_frame=self._show_self)
        self._audio_sender: RTCRtpSender = pc.addTransceiver(self._audio, direction="sendonly").sender
        pc.addTransceiver(self._video, direction="sendonly")
        self._camera = preferences.camera
        self._microphone = preferences.microphone
        self._muted = preferences.microphone_muted
        self._lock = asyncio.Lock()
        self._audio.set_source(media.audio)
        self._set_audio_sending(not self._muted)
        if media.video is not None and preferences.camera_enabled:
            self._video.set_source(media.video)
        elif media.video is not None:
            media.video.stop()  # joined with the camera off: release it at once

    def _show_self(self, frame: Frame) -> None:
        if isinstance(frame, av.VideoFrame) and self._video.source is not None:
            pixels = self._self_view.convert(frame, self._view_sizes.get(SELF_VIEW, (0, 0)))
            self._frames.put(SELF_VIEW, pixels)

    @property
    def state(self) -> LocalMediaState:
        return LocalMediaState(
            camera_on=self._video.source is not None,
            muted=self._muted or self._audio.source is None,
            has_camera=self._video.source is not None or self._media.source is not None,
            has_microphone=self._audio.source is not None,
            camera=self._camera,
            microphone=self._microphone,
        )

    def _set_audio_sending(self, sending: bool) -> None:
        # aiortc keeps reading the track while disabled (no build-up) but encodes and sends
        # nothing: muted means no bytes on a weak uplink. Checked against aiortc 1.14 to 1.16.
        self._audio_sender._enabled = sending

    async def set_muted(self, muted: bool) -> LocalMediaState:
        async with self._lock:
            self._muted = muted
            self._set_audio_sending(not muted)
            return self.state

    async def set_camera_enabled(self, enabled: bool) -> LocalMediaState:
        async with self._lock:
            if enabled and self._video.source is None:
                self._video.set_source(await self._open_video(self._camera))
            elif not enabled and self._video.source is not None:
                self._stop_video()
            return self.state

    async def switch_camera(self, device: str) -> LocalMediaState:
        async with self._lock:
            new = await self._open_video(device)
            self._camera = device
            _stop(self._video.set_source(new))
            return self.state

    async def switch_microphone(self, device: str) -> LocalMediaState:
        async with self._lock:
            source = self._require_source()
            try:
                new = await asyncio.to_thread(source.open_audio, device)
            except OSError as exc:
                raise errors.MediaError(f"microphone {device!r}: {exc}") from exc
            self._microphone = device
            _stop(self._audio.set_source(new))
            return self.state

    def failed_devices(self) -> tuple[MediaStreamTrack | None, MediaStreamTrack | None]:
        """(the failed camera, the failed microphone): a source that ended, or a stalled microphone.

        Each is the track itself, so a device that fails, is replaced and fails again is told
        apart from the first failure.
        """
        mic = self._audio.source
        stalled_mic = mic if mic is not None and bool(getattr(mic, "stalled", False)) else None
        return self._video.failed_source, self._audio.failed_source or stalled_mic

    async def camera_lost(self) -> LocalMediaState:
        """The camera stopped working: stop sending video, keep the call.

        Only while it is still failed: a camera the user turned on again meanwhile is left alone.
        """
        async with self._lock:
            if self.failed_devices()[0] is not None:
                self._video.failed_source = None
                self._stop_video()
            return self.state

    async def microphone_lost(self) -> LocalMediaState:
        """The microphone stopped working: stop sending audio, keep the call (same condition)."""
        async with self._lock:
            if self.failed_devices()[1] is not None:
                self._audio.failed_source = None
                _stop(self._audio.set_source(None))
            return self.state

    def stop(self) -> None:
        self._audio.stop()
        self._video.stop()
        self._frames.discard(SELF_VIEW)

    def _stop_video(self) -> None:
        _stop(self._video.set_source(None))
        self._frames.discard(SELF_VIEW)

    def _require_source(self) -> TrackSource:
        if self._media.source is None:
            raise errors.MediaError("this call's media cannot be changed")
        return self._media.source

    async def _open_video(self, device: str | None) -> MediaStreamTrack:
        source = self._require_source()
        try:
            # Opening a camera blocks for a while: keep it off the engine loop.
            return await asyncio.to_thread(source.open_video, device)
        except OSError as exc:
            raise errors.MediaError(f"camera {device!r}: {exc}") from exc


def _stop(track: MediaStreamTrack | None) -> None:
    if track is not None:
        track.stop()
