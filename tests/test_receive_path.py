"""The media side's receive path for one video track, fed by a fake track (no network)."""

from __future__ import annotations

import fractions
import time

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media import frame_code
from echo_desktop.media.frame_store import LatestFrameStore
from echo_desktop.media.receive_stats import ReceiveStats
from echo_desktop.media.receiver import Receiver
from echo_desktop.probe.card_reader import CardProgress, TestCardReader
from echo_desktop.session.ports import ReceivedStream


class _StampedTrack(MediaStreamTrack):
    """Three 320x240 frames stamped with test-card counters 7, 8 and 9, then the end."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._next = 7

    async def recv(self) -> av.VideoFrame:
        if self._next > 9:
            raise MediaStreamError
        image = np.full((240, 320, 3), 90, dtype=np.uint8)
        frame_code.stamp(image, self._next)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = self._next, fractions.Fraction(1, 15)
        self._next += 1
        return frame


async def test_each_frame_is_drawn_observed_and_counted_under_its_feed() -> None:
    frames, stats, cards = LatestFrameStore(), ReceiveStats(), TestCardReader()
    view_sizes = {42: (160, 120)}
    receiver = Receiver(frames, stats, view_sizes, cards)
    stats.add_feed(42, "Dr. Card [hub]", since=time.monotonic())
    receiver.map_streams([ReceivedStream("v0", 42, "video", "vp8")])
    await receiver.consume_video("v0", _StampedTrack())
    frame = frames.get(42)
    assert frame is not None and frame.seq == 3  # every frame reaches the screen
    assert frame.pixels.shape == (120, 160, 4)  # scaled to the tile it is drawn in
    assert cards.progress(42) == CardProgress(first=7, last=9, advances=2)  # the observer saw each
    (feed,) = stats.snapshot()
    assert (feed.frames_decoded, feed.codec) == (3, "vp8")


async def test_frames_of_an_unmapped_mid_are_dropped() -> None:
    frames, stats, cards = LatestFrameStore(), ReceiveStats(), TestCardReader()
    receiver = Receiver(frames, stats, {}, cards)
    receiver.map_streams([ReceivedStream("v1", 42, "video", "vp8")])
    track = _StampedTrack()
    await receiver.consume_video("v0", track)
    assert track._next == 10  # the whole track was read, to its end
    assert frames.get(42) is None and cards.progress(42) == CardProgress()
