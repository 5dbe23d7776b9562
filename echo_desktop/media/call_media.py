"""The media side of a call on aiortc: what the signaling side drives through the CallMedia port.

It owns the sending connection and our tracks (publisher), the receiving connection and the remote
tracks (receiver), the newest frame per feed, receive statistics and the speakers, and it watches
the devices: a camera, microphone or speaker that stops is reported once (DeviceUnavailable); what
to do about it is the session's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

from aiortc import RTCPeerConnection

from echo_desktop.media.frame_store import LatestFrameStore
from echo_desktop.media.local_media import LocalMedia
from echo_desktop.media.peer_connection import RemoteCandidates, from_aiortc, new_peer_connection, to_aiortc
from echo_desktop.media.publisher import PublishedMedia
from echo_desktop.media.receive_stats import ReceiveStats
from echo_desktop.media.receiver import FrameObserver, Receiver
from echo_desktop.media.remote_audio import AudioSink
from echo_desktop.session import errors
from echo_desktop.session import events as ev
from echo_desktop.session.models import (
    DeviceKind,
    FeedStats,
    JoinRequest,
    LocalMediaState,
    VideoFrame,
)
from echo_desktop.session.ports import EventListener, IceCandidate, ReceivedStream, SessionDescription
from echo_desktop.session.task_failures import report_failure

logger = logging.getLogger(__name__)

DEVICE_CHECK_S = 1.0

MediaFactory = Callable[[JoinRequest], LocalMedia]
AudioOutFactory = Callable[[JoinRequest], AudioSink]  # raises OSError when there is no speaker


class AiortcCallMedia:
    """A CallMedia on aiortc: local tracks from `media_factory`, remote sound to `audio_out_factory`."""

    def __init__(
        self,
        media_factory: MediaFactory,
        audio_out_factory: AudioOutFactory | None = None,
        frame_observer: FrameObserver | None = None,
        device_check_s: float = DEVICE_CHECK_S,
    ) -> None:
        """device_check_s: how often the device watcher looks (tests make it short)."""
        self._media_factory = media_factory
        self._device_check_s = device_check_s
        self._audio_out_factory = audio_out_factory
        self._listener: EventListener | None = None
        self._frames = LatestFrameStore()
        self._stats = ReceiveStats()
        # Written by the GUI thread, read here: single dict operations are atomic under the GIL.
        self._view_sizes: dict[int, tuple[int, int]] = {}
        self._receiver = Receiver(self._frames, self._stats, self._view_sizes, frame_observer)
        self._request: JoinRequest | None = None
        self._audio_out: AudioSink | None = None
        self._media: LocalMedia | None = None
        self._published: PublishedMedia | None = None
        self._pub_pc: RTCPeerConnection | None = None
        self._pub_candidates: RemoteCandidates | None = None
        self._early_pub_candidates: list[IceCandidate | None] = []
        self._watch: asyncio.Task[None] | None = None

    def set_listener(self, listener: EventListener) -> None:
        self._listener = listener

    # --- the call ------------------------------------------------------------------------------

    async def prepare(self, request: JoinRequest) -> None:
        self._request = request
        if self._audio_out_factory is not None:
            try:
                self._audio_out = self._audio_out_factory(request)
            except OSError as exc:
                logger.warning("No speaker: %s", exc)
                self._emit(ev.DeviceUnavailable(DeviceKind.SPEAKER, stopped=False))
        self._receiver.audio_out = self._audio_out

    async def publish_offer(self) -> SessionDescription:
        if self._request is None:
            raise errors.MediaError("prepare() comes before publishing")
        media = self._media_factory(self._request)
        self._media = media
        for kind in media.missing:
            self._emit(ev.DeviceUnavailable(kind, stopped=False))
        pc = new_peer_connection()
        self._pub_candidates = RemoteCandidates(pc)
        for candidate in self._early_pub_candidates:
            await self._pub_candidates.add(candidate)
        self._early_pub_candidates.clear()
        self._published = PublishedMedia(pc, media, self._request.media, self._frames, self._view_sizes)
        self._pub_pc = pc
        await pc.setLocalDescription(await pc.createOffer())
        self._watch = asyncio.get_running_loop().create_task(self._watch_devices())
        self._watch.add_done_callback(report_failure("The device watcher"))
        return from_aiortc(pc.localDescription)

    async def publish_answered(self, answer: SessionDescription) -> None:
        if self._pub_pc is None or self._pub_candidates is None:
            raise errors.MediaError("no offer was made")
        await self._pub_pc.setRemoteDescription(to_aiortc(answer))
        await self._pub_candidates.remote_description_set()

    async def add_publish_candidate(self, candidate: IceCandidate | None) -> None:
        if self._request is None:
            return  # no call: a late candidate of the last one
        if self._pub_candidates is None:
            self._early_pub_candidates.append(candidate)
            return
        await self._pub_candidates.add(candidate)

    def map_received_streams(self, streams: list[ReceivedStream]) -> None:
        self._receiver.map_streams(streams)

    async def answer_receive_offer(self, offer: SessionDescription) -> SessionDescription:
        return await self._receiver.answer(offer)

    async def add_receive_candidate(self, candidate: IceCandidate | None) -> None:
        await self._receiver.add_candidate(candidate)

    def feed_added(self, feed_id: int, label: str, since: float) -> None:
        self._stats.add_feed(feed_id, label, since)

    def feed_removed(self, feed_id: int) -> None:
        self._stats.remove_feed(feed_id)
        self._receiver.forget(feed_id)

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        await self._receiver.close()
        pc, self._pub_pc = self._pub_pc, None
        if pc is not None:
            await pc.close()
        self._pub_candidates = None
        self._early_pub_candidates.clear()
        published, self._published = self._published, None
        if published is not None:
            published.stop()
        if self._media is not None:
            self._media.stop()
            self._media = None
        if self._audio_out is not None:
            self._audio_out.close()
            self._audio_out = None
            self._receiver.audio_out = None
        self._frames.clear()
        self._stats.clear()
        self._request = None

    # --- the user's controls -------------------------------------------------------------------

    @property
    def local_state(self) -> LocalMediaState:
        state = self._published.state if self._published is not None else LocalMediaState()
        return dataclasses.replace(state, has_speaker=self._audio_out is not None)

    async def set_microphone_muted(self, muted: bool) -> LocalMediaState:
        await self._require_published().set_muted(muted)
        return self.local_state

    async def set_camera_enabled(self, enabled: bool) -> LocalMediaState:
        await self._require_published().set_camera_enabled(enabled)
        return self.local_state

    async def switch_camera(self, device: str) -> LocalMediaState:
        await self._require_published().switch_camera(device)
        return self.local_state

    async def switch_microphone(self, device: str) -> LocalMediaState:
        await self._require_published().switch_microphone(device)
        return self.local_state

    async def release_device(self, kind: DeviceKind) -> LocalMediaState:
        """Stop using a device that is still failed; a working one (turned on again) is kept."""
        published = self._require_published()
        if kind is DeviceKind.CAMERA:
            await published.camera_lost()
        elif kind is DeviceKind.MICROPHONE:
            await published.microphone_lost()
        elif kind is DeviceKind.SPEAKER and self._audio_out is not None and self._audio_out.stalled:
            audio_out, self._audio_out = self._audio_out, None
            self._receiver.audio_out = None  # remote audio is dropped, no longer mixed for nobody
            await asyncio.to_thread(audio_out.close)  # a dead PortAudio stream may take a while
        return self.local_state

    def _require_published(self) -> PublishedMedia:
        if self._published is None:
            raise errors.MediaError("not in a call")
        return self._published

    # --- thread-safe reads and settings --------------------------------------------------------

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        return self._frames.get(feed_id)

    def stats(self) -> list[FeedStats]:
        return self._stats.snapshot()

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        self._view_sizes[feed_id] = (max(0, width), max(0, height))

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        audio_out = self._audio_out
        if audio_out is not None:
            audio_out.set_volume(feed_id, gain)

    # --- watching the devices ------------------------------------------------------------------

    async def _watch_devices(self) -> None:
        """Report each device that stops working mid-call, once per stop.

        A device stays failed until the session releases it, so each failed track is reported
        once; a replacement that fails in its turn is another track, and is reported again.
        """
        reported: dict[DeviceKind, object] = {}
        while True:
            await asyncio.sleep(self._device_check_s)
            published = self._published
            camera, microphone = published.failed_devices() if published is not None else (None, None)
            audio_out = self._audio_out
            speaker = audio_out if audio_out is not None and audio_out.stalled else None
            for kind, failed in (
                (DeviceKind.CAMERA, camera),
                (DeviceKind.MICROPHONE, microphone),
                (DeviceKind.SPEAKER, speaker),
            ):
                if failed is not None and reported.get(kind) is not failed:
                    self._emit(ev.DeviceUnavailable(kind, stopped=True))
                if failed is not None:
                    reported[kind] = failed

    def _emit(self, event: ev.EngineEvent) -> None:
        if self._listener is not None:
            self._listener(event)
