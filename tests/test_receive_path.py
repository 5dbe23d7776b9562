"""The engine's receive path for one video track, fed by a fake track (no network)."""

from __future__ import annotations

import fractions

import av
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from echo_desktop.media import frame_code
from echo_desktop.media.local_media import synthetic_media
from echo_desktop.net.conference import JanusConference, _Subscriber


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


@pytest.mark.parametrize(("read_codes", "expected"), [(True, 9), (False, None)])
async def test_test_card_codes_are_read_only_when_asked(read_codes: bool, expected: int | None) -> None:
    engine = JanusConference(lambda _: synthetic_media("x"), read_test_codes=read_codes)
    subscriber = _Subscriber(handle=None, pc=None)  # type: ignore[arg-type]
    subscriber.mid_to_feed["v0"] = (42, "video", "vp8")
    await engine._consume_video(subscriber, "v0", _StampedTrack())
    frame = engine.latest_frame(42)
    assert frame is not None and frame.seq == 3  # every frame still reaches the screen
    assert frame.pattern_counter == expected
