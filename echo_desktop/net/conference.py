"""The conference engine: publish our media to a Janus VideoRoom and receive everyone else's.

One publisher handle sends our tracks. One multistream subscriber handle receives every other
publisher; joins and leaves during the call renegotiate that one handle. All coroutines here run
on the engine's own loop (see session.worker_loop), never on the GUI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import av
from aiortc import RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media import frame_code
from echo_desktop.media.convert import FrameConverter
from echo_desktop.media.frame_store import LatestFrameStore
from echo_desktop.media.local_media import LocalMedia
from echo_desktop.media.receive_stats import ReceiveStats
from echo_desktop.media.remote_audio import AudioSink
from echo_desktop.net import call_codecs, inline_audio_decode, inline_audio_encode, low_latency_jitter
from echo_desktop.net.janus_client import JanusClient, PluginHandle
from echo_desktop.net.janus_messages import JanusMessage
from echo_desktop.net.published_media import PublishedMedia
from echo_desktop.net.webrtc import (
    RemoteCandidates,
    from_jsep,
    new_peer_connection,
    parse_trickle,
    to_jsep,
)
from echo_desktop.session import errors
from echo_desktop.session import events as ev
from echo_desktop.session.models import (
    FeedStats,
    JoinRequest,
    LocalMediaState,
    Participant,
    Rgb32Array,
    VideoFrame,
    encode_display,
    parse_display,
)
from echo_desktop.session.ports import EventListener

logger = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
LEAVE_STEP_TIMEOUT_S = 3.0
DEVICE_CHECK_S = 1.0

MediaFactory = Callable[[JoinRequest], LocalMedia]
AudioOutFactory = Callable[[JoinRequest], AudioSink]  # raises OSError when there is no speaker
# Called on the engine thread with (feed id, display pixels) for every decoded remote video frame,
# right after conversion; for measurements (bench/latency.py). It must be quick and must not keep
# the pixels.
FrameObserver = Callable[[int, Rgb32Array], None]

# Release each video frame at its RTP marker bit instead of at the next frame's first packet: one
# frame interval less latency (67 ms at 15 fps). Process-wide, idempotent, and skipped (with a
# warning) on aiortc versions it was not checked against; see net/low_latency_jitter.py.
low_latency_jitter.install()
# Decode remote audio on this loop rather than round-tripping every 20 ms frame through a decoder
# thread (two wake-ups each); same conditions, see net/inline_audio_decode.py.
inline_audio_decode.install()
# Voice-grade mono Opus, and VP8 that leaves room in the hub's bitrate cap for it; same
# conditions, see net/call_codecs.py.
call_codecs.install()


class _Subscriber:
    """The single multistream subscriber handle and its peer connection."""

    def __init__(self, handle: PluginHandle, pc: RTCPeerConnection) -> None:
        self.handle = handle
        self.pc = pc
        self.candidates = RemoteCandidates(pc)
        self.feeds: set[int] = set()
        self.mid_to_feed: dict[str, tuple[int, str, str]] = {}  # mid -> (feed, kind, codec)
        self.consumers: dict[str, asyncio.Task[None]] = {}
        self.consumed_tracks: dict[str, MediaStreamTrack] = {}


class JanusConference:
    """A ConferenceEngine on a Janus VideoRoom, through aiortc."""

    def __init__(
        self,
        media_factory: MediaFactory,
        frame_observer: FrameObserver | None = None,
        audio_out_factory: AudioOutFactory | None = None,
        read_test_codes: bool = True,
    ) -> None:
        """read_test_codes: scan every received frame for the test card's frame counter (frame_code),
        for the probe, the tests and the benches. A clinic call carries camera pictures, where the
        scan finds nothing and costs most of a percent of a core per feed, so the app turns it off.
        """
        self._media_factory = media_factory
        self._read_test_codes = read_test_codes
        self._audio_out_factory = audio_out_factory
        self._audio_out: AudioSink | None = None
        self._published: PublishedMedia | None = None
        # Written by the GUI thread, read here: single dict operations are atomic under the GIL.
        self._view_sizes: dict[int, tuple[int, int]] = {}
        self._converters: dict[int, FrameConverter] = {}  # per feed; used on the engine thread
        self._frame_observer = frame_observer
        self._listener: EventListener | None = None
        self._frames = LatestFrameStore()
        self._stats = ReceiveStats()
        self._client: JanusClient | None = None
        self._publisher: PluginHandle | None = None
        self._pub_pc: RTCPeerConnection | None = None
        self._pub_candidates: RemoteCandidates | None = None
        self._media: LocalMedia | None = None
        self._subscriber: _Subscriber | None = None
        self._sub_lock = asyncio.Lock()
        self._request: JoinRequest | None = None
        self._my_id: int | None = None
        self._private_id: int | None = None
        self._participants: dict[int, Participant] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._leaving = False

    # --- ConferenceEngine port -----------------------------------------------------------------

    def set_listener(self, listener: EventListener) -> None:
        self._listener = listener

    @property
    def server_session_id(self) -> int | None:
        """The Janus session id while connected (for diagnostics)."""
        return self._client.session_id if self._client is not None else None

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        return self._frames.get(feed_id)

    def stats(self) -> list[FeedStats]:
        return self._stats.snapshot()

    async def set_microphone_muted(self, muted: bool) -> None:
        await self._require_published().set_muted(muted)

    async def set_camera_enabled(self, enabled: bool) -> None:
        await self._require_published().set_camera_enabled(enabled)

    async def switch_camera(self, device: str) -> None:
        await self._require_published().switch_camera(device)

    async def switch_microphone(self, device: str) -> None:
        await self._require_published().switch_microphone(device)

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        self._view_sizes[feed_id] = (max(0, width), max(0, height))

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        if self._audio_out is not None:
            self._audio_out.set_volume(feed_id, gain)

    def _require_published(self) -> PublishedMedia:
        if self._published is None:
            raise errors.MediaError("not in a call")
        return self._published

    async def join(self, request: JoinRequest) -> Participant:
        """Connect, join as publisher, publish our media and subscribe to everyone present."""
        inline_audio_encode.install(asyncio.get_running_loop())  # before aiortc first encodes
        self._leaving = False
        self._request = request
        started = time.monotonic()
        client = JanusClient()
        self._client = client
        await client.connect(request.server_url, request.verify_tls, token=request.token)
        client.on_closed(self._on_connection_lost)

        self._publisher = await client.attach(VIDEOROOM)
        self._publisher.set_listener(self._on_publisher_event)
        reply = await self._publisher.request(
            {
                "request": "join",
                "ptype": "publisher",
                "room": request.room,
                "pin": request.pin,
                "display": encode_display(
                    request.display_name,
                    request.role,
                    camera_off=not request.media.camera_enabled,
                    muted=request.media.microphone_muted,
                ),
            }
        )
        if reply.data.get("videoroom") != "joined" or not isinstance(reply.data.get("id"), int):
            raise errors.ProtocolError("the room did not confirm the join")
        self._my_id = int(reply.data["id"])
        private_id = reply.data.get("private_id")
        self._private_id = private_id if isinstance(private_id, int) else None
        me = Participant(self._my_id, request.display_name, request.role, is_self=True)

        self._open_audio_out(request)
        present = self._announce_publishers(reply.data.get("publishers"), since=started)
        # Receiving does not wait for our own publish: the clinic appears as soon as possible.
        receiving = self._spawn(self._update_subscription(add=present)) if present else None
        await self._publish(request)
        if receiving is not None:
            await receiving
        self._spawn(self._watch_devices())
        return me

    async def leave(self) -> None:
        """Unpublish, hang up, detach and destroy the session; safe to call at any point."""
        self._leaving = True
        for task in list(self._tasks):
            task.cancel()
        subscriber, self._subscriber = self._subscriber, None
        publisher, self._publisher = self._publisher, None
        client, self._client = self._client, None
        if publisher is not None:
            await _quietly(publisher.request({"request": "unpublish"}, timeout=LEAVE_STEP_TIMEOUT_S))
            await _quietly(publisher.request({"request": "leave"}, timeout=LEAVE_STEP_TIMEOUT_S))
            await _quietly(publisher.hangup())
            await _quietly(publisher.detach())
        if subscriber is not None:
            for task in subscriber.consumers.values():
                task.cancel()
            await _quietly(subscriber.handle.hangup())
            await _quietly(subscriber.handle.detach())
            await subscriber.pc.close()
        if self._pub_pc is not None:
            await self._pub_pc.close()
            self._pub_pc = None
        if self._published is not None:
            self._published.stop()
            self._published = None
        if self._media is not None:
            self._media.stop()
            self._media = None
        if self._audio_out is not None:
            self._audio_out.close()
            self._audio_out = None
        if client is not None:
            await client.close()
        self._participants.clear()
        self._frames.clear()
        self._converters.clear()

    # --- publishing ----------------------------------------------------------------------------

    async def _publish(self, request: JoinRequest) -> None:
        assert self._publisher is not None
        media = self._media_factory(request)
        self._media = media
        for notice in media.notices:
            self._emit(ev.Notice(notice))
        pc = new_peer_connection()
        self._pub_pc = pc
        self._pub_candidates = RemoteCandidates(pc)
        published = PublishedMedia(
            pc, media, request.media, self._frames, self._announce_media, self._view_sizes
        )
        self._published = published
        self._emit(ev.LocalMediaChanged(self._local_state()))
        await pc.setLocalDescription(await pc.createOffer())
        reply = await self._publisher.request(
            {"request": "publish"},
            jsep=to_jsep(pc.localDescription),
        )
        if reply.jsep is None or reply.jsep.get("type") != "answer":
            raise errors.ProtocolError("the hub did not answer our media offer")
        await pc.setRemoteDescription(from_jsep(reply.jsep))
        await self._pub_candidates.remote_description_set()

    def _local_state(self) -> LocalMediaState:
        state = self._published.state if self._published else LocalMediaState()
        return dataclasses.replace(state, has_speaker=self._audio_out is not None)

    async def _announce_media(self, state: LocalMediaState) -> None:
        """Tell the room our camera and mute state (in our display name), and tell our user."""
        self._emit(ev.LocalMediaChanged(self._local_state()))
        if self._publisher is None or self._request is None:
            return
        display = encode_display(
            self._request.display_name, self._request.role, camera_off=not state.camera_on, muted=state.muted
        )
        await self._publisher.request({"request": "configure", "display": display})

    def _open_audio_out(self, request: JoinRequest) -> None:
        if self._audio_out_factory is None:
            return
        try:
            self._audio_out = self._audio_out_factory(request)
        except OSError as exc:
            logger.warning("No speaker: %s", exc)
            self._emit(ev.Notice("No speaker or headset was found. You will not hear the clinic."))

    async def _watch_devices(self) -> None:
        """Notice devices that stop working mid-call; say so once, and keep the call going."""
        speaker_reported = False
        while True:
            await asyncio.sleep(DEVICE_CHECK_S)
            published = self._published
            if published is not None:
                camera_failed, mic_failed = published.devices_failed()
                if camera_failed:
                    await published.camera_lost()
                    self._emit(ev.Notice("Your camera stopped working. The call goes on with audio."))
                if mic_failed:
                    await published.microphone_lost()
                    self._emit(ev.Notice("Your microphone stopped working. Others cannot hear you."))
            if self._audio_out is not None and self._audio_out.stalled and not speaker_reported:
                speaker_reported = True
                self._emit(ev.Notice("Your speaker or headset stopped working. You cannot hear the clinic."))

    # --- events from Janus ---------------------------------------------------------------------

    def _on_publisher_event(self, msg: JanusMessage) -> None:
        if msg.kind == "trickle":
            self._spawn(self._add_candidate(self._pub_candidates, msg.raw.get("candidate")))
            return
        if msg.kind == "hangup":
            if not self._leaving:
                logger.warning("The hub hung up our published media")
            return
        data = msg.plugin_data
        if msg.kind != "event" or data is None:
            return
        started = time.monotonic()
        self._update_display(data.get("id"), data.get("display"))
        joined = self._announce_publishers(data.get("publishers"), since=started)
        if joined:
            self._spawn(self._update_subscription(add=joined))
        gone: list[int] = []
        for key in ("unpublished", "leaving"):
            feed = data.get(key)
            if isinstance(feed, int) and not isinstance(feed, bool) and feed in self._participants:
                gone.append(feed)
        if gone:
            for feed in gone:
                self._drop_participant(feed)
            self._spawn(self._update_subscription(remove=gone))

    def _on_subscriber_event(self, msg: JanusMessage) -> None:
        subscriber = self._subscriber
        if subscriber is None:
            return
        if msg.kind == "trickle":
            self._spawn(self._add_candidate(subscriber.candidates, msg.raw.get("candidate")))
            return
        data = msg.plugin_data
        if msg.kind == "event" and data is not None and msg.jsep is not None:
            # Janus re-offers on its own when a publisher we watch goes away.
            self._spawn(self._renegotiate_unprompted(data, msg.jsep))

    async def _renegotiate_unprompted(self, data: dict[str, Any], jsep: dict[str, Any]) -> None:
        async with self._sub_lock:
            if self._subscriber is not None:
                await self._answer_offer(self._subscriber, data, jsep)

    def _announce_publishers(self, publishers: object, since: float) -> list[int]:
        """Record new publishers from a Janus list; return the feeds that are new to us."""
        if not isinstance(publishers, list):
            return []
        new: list[int] = []
        for entry in publishers:
            if not isinstance(entry, dict):
                continue
            feed = entry.get("id")
            if not isinstance(feed, int) or isinstance(feed, bool) or feed == self._my_id:
                continue
            display = entry.get("display")
            if feed in self._participants:
                self._update_display(feed, display)
                continue
            info = parse_display(display if isinstance(display, str) else None)
            participant = Participant(
                feed, info.name, info.role, camera_on=not info.camera_off, muted=info.muted
            )
            self._participants[feed] = participant
            self._stats.add_feed(feed, display if isinstance(display, str) else info.name, since)
            new.append(feed)
            self._emit(ev.ParticipantJoined(participant))
        return new

    def _update_display(self, feed: object, display: object) -> None:
        """A publisher changed its display: its name, role, camera or mute state."""
        if not isinstance(feed, int) or not isinstance(display, str) or feed not in self._participants:
            return
        info = parse_display(display)
        participant = Participant(feed, info.name, info.role, camera_on=not info.camera_off, muted=info.muted)
        if participant != self._participants[feed]:
            self._participants[feed] = participant
            self._emit(ev.ParticipantUpdated(participant))

    def _drop_participant(self, feed: int) -> None:
        if self._audio_out is not None:
            self._audio_out.remove(feed)
        if self._participants.pop(feed, None) is None:
            return
        self._stats.remove_feed(feed)
        self._frames.discard(feed)
        self._converters.pop(feed, None)
        self._emit(ev.ParticipantLeft(feed))

    def _on_connection_lost(self, error: errors.EchoError) -> None:
        if not self._leaving:
            self._emit(ev.EngineFailed(error))

    # --- subscribing ---------------------------------------------------------------------------

    async def _update_subscription(self, add: list[int] = (), remove: list[int] = ()) -> None:  # type: ignore[assignment]
        """Add or remove feeds on the one subscriber handle, renegotiating it."""
        async with self._sub_lock:
            try:
                await self._update_subscription_locked(list(add), list(remove))
            except errors.EchoError as exc:
                if not self._leaving:
                    logger.warning("Subscription update failed: %s", exc)
                    self._emit(ev.Notice(f"Could not update the received streams: {exc}"))

    async def _update_subscription_locked(self, add: list[int], remove: list[int]) -> None:
        assert self._client is not None and self._request is not None
        subscriber = self._subscriber
        add = [
            f for f in add if f in self._participants and (subscriber is None or f not in subscriber.feeds)
        ]
        if subscriber is None:
            if not add:
                return
            handle = await self._client.attach(VIDEOROOM)
            subscriber = _Subscriber(handle, new_peer_connection())
            subscriber.pc.on("track", lambda track: self._on_remote_track(subscriber, track))
            self._subscriber = subscriber
            handle.set_listener(self._on_subscriber_event)
            body: dict[str, Any] = {
                "request": "join",
                "ptype": "subscriber",
                "room": self._request.room,
                "pin": self._request.pin,
                "streams": [{"feed": f} for f in add],
            }
            if self._private_id is not None:
                body["private_id"] = self._private_id
            reply = await handle.request(body)
            subscriber.feeds.update(add)
            await self._answer_offer(subscriber, reply.data, reply.jsep)
            return
        remove = [f for f in remove if f in subscriber.feeds]
        if remove:
            subscriber.feeds.difference_update(remove)
            reply = await subscriber.handle.request(
                {"request": "unsubscribe", "streams": [{"feed": f} for f in remove]}
            )
            await self._answer_offer(subscriber, reply.data, reply.jsep)
        if add:
            subscriber.feeds.update(add)
            reply = await subscriber.handle.request(
                {"request": "subscribe", "streams": [{"feed": f} for f in add]}
            )
            await self._answer_offer(subscriber, reply.data, reply.jsep)

    async def _answer_offer(
        self, subscriber: _Subscriber, data: dict[str, Any], jsep: dict[str, Any] | None
    ) -> None:
        """Apply Janus's (re)offer for the subscriber and answer it with `start`."""
        self._map_streams(subscriber, data.get("streams"))
        if jsep is None:
            return  # nothing changed on the wire
        if jsep.get("type") != "offer":
            raise errors.ProtocolError("the hub sent a subscriber description that is not an offer")
        pc = subscriber.pc
        await pc.setRemoteDescription(from_jsep(jsep))
        await subscriber.candidates.remote_description_set()
        await pc.setLocalDescription(await pc.createAnswer())
        await subscriber.handle.request({"request": "start"}, jsep=to_jsep(pc.localDescription))
        self._rebind_consumers(subscriber)

    def _map_streams(self, subscriber: _Subscriber, streams: object) -> None:
        if not isinstance(streams, list):
            return
        mapping: dict[str, tuple[int, str, str]] = {}
        for stream in streams:
            if not isinstance(stream, dict) or stream.get("active") is False:
                continue
            mid, feed, kind = stream.get("mid"), stream.get("feed_id"), stream.get("type")
            if isinstance(mid, str) and isinstance(feed, int) and kind in ("audio", "video"):
                codec = stream.get("codec")
                mapping[mid] = (feed, str(kind), codec if isinstance(codec, str) else "")
                if kind == "video" and isinstance(codec, str):
                    self._stats.set_codec(feed, codec)
        subscriber.mid_to_feed = mapping

    def _on_remote_track(self, subscriber: _Subscriber, track: MediaStreamTrack) -> None:
        # Consumers are (re)bound after each answer, when every mid is known.
        logger.debug("Remote %s track arrived", track.kind)

    def _rebind_consumers(self, subscriber: _Subscriber) -> None:
        """Make sure each active mid has one consumer reading its receiver's track."""
        tracks: dict[str, MediaStreamTrack] = {}
        for transceiver in subscriber.pc.getTransceivers():
            if transceiver.mid is not None and transceiver.receiver.track is not None:
                tracks[transceiver.mid] = transceiver.receiver.track
        for mid, task in list(subscriber.consumers.items()):
            stale = subscriber.consumed_tracks.get(mid) is not tracks.get(mid)
            if mid not in subscriber.mid_to_feed or stale:
                task.cancel()
                del subscriber.consumers[mid]
                subscriber.consumed_tracks.pop(mid, None)
        for mid, (_feed, kind, _codec) in subscriber.mid_to_feed.items():
            if mid in subscriber.consumers or mid not in tracks:
                continue
            track = tracks[mid]
            consume = self._consume_video if kind == "video" else self._consume_audio
            subscriber.consumers[mid] = self._spawn(consume(subscriber, mid, track))
            subscriber.consumed_tracks[mid] = track

    @staticmethod
    async def _feed_frames(
        subscriber: _Subscriber, mid: str, track: MediaStreamTrack
    ) -> AsyncIterator[tuple[int, Any]]:
        """(feed, frame) for each frame of a receiver's track, while the track lives.

        The feed is looked up per frame: Janus may hand the m-line to another feed meanwhile.
        """
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            mapped = subscriber.mid_to_feed.get(mid)
            if mapped is not None:
                yield mapped[0], frame

    async def _consume_video(self, subscriber: _Subscriber, mid: str, track: MediaStreamTrack) -> None:
        async for feed, frame in self._feed_frames(subscriber, mid, track):
            if not isinstance(frame, av.VideoFrame):
                continue
            converter = self._converters.get(feed)
            if converter is None:
                converter = self._converters[feed] = FrameConverter()
            pixels = converter.convert(frame, self._view_sizes.get(feed, (0, 0)))
            if self._frame_observer is not None:
                try:
                    self._frame_observer(feed, pixels)
                except Exception:
                    logger.exception("The frame observer failed; it is detached")
                    self._frame_observer = None
            counter = frame_code.read(pixels) if self._read_test_codes else None
            self._frames.put(feed, pixels, counter)
            if self._stats.on_video_frame(feed, counter):
                self._emit(ev.FeedMediaStarted(feed, "video"))

    async def _consume_audio(self, subscriber: _Subscriber, mid: str, track: MediaStreamTrack) -> None:
        async for feed, frame in self._feed_frames(subscriber, mid, track):
            if self._audio_out is not None and isinstance(frame, av.AudioFrame):
                self._audio_out.push(feed, frame)
            if self._stats.on_audio_frame(feed):
                self._emit(ev.FeedMediaStarted(feed, "audio"))

    # --- plumbing ------------------------------------------------------------------------------

    async def _add_candidate(self, target: RemoteCandidates | None, raw: object) -> None:
        if target is None:
            return
        try:
            candidate = parse_trickle(raw)
        except ValueError as exc:
            logger.warning("Dropped a malformed ICE candidate from the hub: %s", exc)
            return
        await target.add(candidate)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Engine task failed", exc_info=task.exception())

    def _emit(self, event: ev.EngineEvent) -> None:
        if self._listener is not None:
            self._listener(event)


async def _quietly(awaitable: Any) -> None:
    """Await a best-effort leave step; a gone server must not stop the rest of the leave."""
    with contextlib.suppress(errors.EchoError, asyncio.TimeoutError, ConnectionError):
        await awaitable
