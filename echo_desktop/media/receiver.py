"""What we receive: the receiving connection, and every remote track read to its end.

Janus sends every other publisher on one connection and says which feed each m-line (mid) carries;
it may hand an m-line to another feed at any renegotiation. Each video frame is converted for the
screen at the size its tile is drawn (swscale, here on the engine thread) and only the newest is
kept per feed; each audio frame goes to the speakers' mixer. Receive statistics count both.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import av
from aiortc import RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media.convert import FrameConverter
from echo_desktop.media.frame_store import LatestFrameStore
from echo_desktop.media.peer_connection import RemoteCandidates, from_aiortc, new_peer_connection, to_aiortc
from echo_desktop.media.receive_stats import ReceiveStats
from echo_desktop.media.remote_audio import AudioSink
from echo_desktop.session.models import Rgb32Array
from echo_desktop.session.ports import IceCandidate, ReceivedStream, SessionDescription
from echo_desktop.session.task_failures import report_failure

logger = logging.getLogger(__name__)

# Called on the engine thread with (feed id, display pixels) for every decoded remote video frame,
# right after conversion: the probe reads the test card's counters with it, the latency bench its
# clock. It must be quick and must not keep the pixels.
FrameObserver = Callable[[int, Rgb32Array], None]


class Receiver:
    """The receiving connection, created at the first offer, and one consumer per active mid."""

    def __init__(
        self,
        frames: LatestFrameStore,
        stats: ReceiveStats,
        view_sizes: dict[int, tuple[int, int]],
        frame_observer: FrameObserver | None = None,
    ) -> None:
        self._frames = frames
        self._stats = stats
        self._view_sizes = view_sizes
        self._observer = frame_observer
        self._frame_observer = frame_observer  # None after it fails, until the call ends
        self.audio_out: AudioSink | None = None
        self._pc: RTCPeerConnection | None = None
        self._candidates: RemoteCandidates | None = None
        self._early_candidates: list[IceCandidate | None] = []
        self._mid_to_stream: dict[str, ReceivedStream] = {}
        self._consumers: dict[str, asyncio.Task[None]] = {}
        self._consumed_tracks: dict[str, MediaStreamTrack] = {}
        self._converters: dict[int, FrameConverter] = {}  # per feed; used on the engine thread

    def map_streams(self, streams: list[ReceivedStream]) -> None:
        """The current mid to feed mapping; frames are attributed by it from now on."""
        self._mid_to_stream = {stream.mid: stream for stream in streams}
        for stream in streams:
            if stream.kind == "video" and stream.codec:
                self._stats.set_codec(stream.feed_id, stream.codec)

    async def answer(self, offer: SessionDescription) -> SessionDescription:
        """Apply an offer (the first creates the connection), answer it, and bind consumers."""
        if self._pc is None:
            self._pc = new_peer_connection()
            self._candidates = RemoteCandidates(self._pc)
            for candidate in self._early_candidates:
                await self._candidates.add(candidate)
            self._early_candidates.clear()
        assert self._candidates is not None
        pc = self._pc
        await pc.setRemoteDescription(to_aiortc(offer))
        await self._candidates.remote_description_set()
        await pc.setLocalDescription(await pc.createAnswer())
        self._rebind_consumers()
        return from_aiortc(pc.localDescription)

    async def add_candidate(self, candidate: IceCandidate | None) -> None:
        if self._candidates is None:
            self._early_candidates.append(candidate)  # before the first offer: kept for it
            return
        await self._candidates.add(candidate)

    def forget(self, feed_id: int) -> None:
        """Drop what is kept of a feed that left; its frames still in flight are not kept."""
        self._mid_to_stream = {
            mid: stream for mid, stream in self._mid_to_stream.items() if stream.feed_id != feed_id
        }
        if self.audio_out is not None:
            self.audio_out.remove(feed_id)
        self._frames.discard(feed_id)
        self._converters.pop(feed_id, None)

    async def close(self) -> None:
        for task in self._consumers.values():
            task.cancel()
        self._consumers.clear()
        self._consumed_tracks.clear()
        pc, self._pc = self._pc, None
        self._candidates = None
        self._early_candidates.clear()
        if pc is not None:
            await pc.close()
        self._converters.clear()
        self._mid_to_stream = {}
        self._frame_observer = self._observer

    def _rebind_consumers(self) -> None:
        """Make sure each active mid has one consumer reading its receiver's track."""
        assert self._pc is not None
        tracks: dict[str, MediaStreamTrack] = {}
        for transceiver in self._pc.getTransceivers():
            if transceiver.mid is not None and transceiver.receiver.track is not None:
                tracks[transceiver.mid] = transceiver.receiver.track
        for mid, task in list(self._consumers.items()):
            stale = self._consumed_tracks.get(mid) is not tracks.get(mid)
            if mid not in self._mid_to_stream or stale:
                task.cancel()
                del self._consumers[mid]
                self._consumed_tracks.pop(mid, None)
        for mid, stream in self._mid_to_stream.items():
            if mid in self._consumers or mid not in tracks:
                continue
            track = tracks[mid]
            consume = self.consume_video if stream.kind == "video" else self.consume_audio
            task = asyncio.get_running_loop().create_task(consume(mid, track))
            task.add_done_callback(report_failure(f"The consumer of remote {stream.kind} track {mid}"))
            self._consumers[mid] = task
            self._consumed_tracks[mid] = track

    async def _feed_frames(self, mid: str, track: MediaStreamTrack) -> AsyncIterator[tuple[int, Any]]:
        """(feed, frame) for each frame of a receiver's track, while the track lives.

        The feed is looked up per frame: Janus may hand the m-line to another feed meanwhile.
        """
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            stream = self._mid_to_stream.get(mid)
            if stream is not None:
                yield stream.feed_id, frame

    async def consume_video(self, mid: str, track: MediaStreamTrack) -> None:
        """Convert each frame of a video track for the screen and keep the newest per feed."""
        async for feed, frame in self._feed_frames(mid, track):
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
            self._frames.put(feed, pixels)
            self._stats.on_video_frame(feed)

    async def consume_audio(self, mid: str, track: MediaStreamTrack) -> None:
        """Hand each frame of an audio track to the speakers."""
        async for feed, frame in self._feed_frames(mid, track):
            if self.audio_out is not None and isinstance(frame, av.AudioFrame):
                self.audio_out.push(feed, frame)
            self._stats.on_audio_frame(feed)
