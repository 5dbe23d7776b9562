"""Test capture: the test card and tone stand in for camera and microphone, through the canceller."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from echo_desktop.composition import DeviceMedia
from echo_desktop.media import synthetic
from echo_desktop.media.synthetic import ToneTrack
from echo_desktop.session.models import JoinRequest, Role


class _Halver:
    """A capture processor that halves the signal and counts the 10 ms blocks it saw."""

    def __init__(self) -> None:
        self.samples = 0

    def capture(self, near_end: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
        self.samples += near_end.size
        return (near_end // 2).astype(np.int16)


async def test_the_tone_goes_through_the_processor_like_a_microphone() -> None:
    plain, processed = ToneTrack(level=0.5), ToneTrack(level=0.5, processor=(halver := _Halver()))
    a, b = await plain.recv(), await processed.recv()
    raw, out = a.to_ndarray().reshape(-1), b.to_ndarray().reshape(-1)
    assert halver.samples == raw.size == 960  # one 20 ms frame
    assert np.array_equal(out, raw // 2)


class _Broken:
    def capture(self, near_end: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
        raise RuntimeError("canceller failure")


async def test_a_failing_processor_lets_the_raw_tone_through() -> None:
    plain, processed = ToneTrack(level=0.5), ToneTrack(level=0.5, processor=_Broken())
    a, b = await plain.recv(), await processed.recv()
    assert np.array_equal(b.to_ndarray(), a.to_ndarray())  # not silence, and no exception


async def test_test_capture_sends_card_and_tone_through_the_calls_canceller() -> None:
    media = DeviceMedia(test_capture=True)
    local = media.local(JoinRequest("ws://hub:8188", 1, "1", "Dr. A", Role.SPOKE))
    try:
        assert isinstance(local.video, synthetic.TestPatternTrack) and isinstance(local.audio, ToneTrack)
        assert local.missing == []
        await local.audio.recv()
        canceller = media._canceller_for_call()
        assert canceller.stats().capture_frames == 2  # the tone frame, as two 10 ms blocks
    finally:
        local.stop()
