"""Remote audio decoded on the engine loop (aiortc_patches/inline_audio_decode.py), with a fake decoder.

The worker runs in a real thread against a real asyncio loop, as aiortc's receiver runs it; the
decoder records which thread decoded each frame.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Iterator
from typing import Any

import aiortc
import aiortc.rtcrtpreceiver
import av
import pytest
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from echo_desktop.aiortc_patches import inline_audio_decode, rebind
from echo_desktop.aiortc_patches.inline_audio_decode import decoder_worker

AUDIO = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)
VIDEO = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
BAD = -1  # "encoded frames" with this value fail like corrupt data
BROKEN = -2  # and these fail with an unexpected error


class Gate:
    """Holds the decoding of one frame until `set()`; `reached` tells that decoding got there."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self._open = threading.Event()

    def set(self) -> None:
        """Let the held frame through."""
        self._open.set()

    def hold(self) -> None:
        """Called by the decoder: say that it got here, then wait (at most 5 s) to be let through."""
        self.reached.set()
        self._open.wait(5)


class _FakeDecoder:
    """Decodes the int n to the frame (n, name of the decoding thread); blocks where told to."""

    def __init__(self, hold: dict[int, Gate]) -> None:
        self._hold = hold

    def decode(self, encoded: int) -> list[tuple[int, str]]:
        if encoded in self._hold:
            self._hold[encoded].hold()
        if encoded == BAD:
            raise av.error.InvalidDataError(1094995529, "Invalid data")
        if encoded == BROKEN:
            raise ValueError("a decoder bug")
        return [(encoded, threading.current_thread().name)]


@pytest.fixture
def hold(monkeypatch: pytest.MonkeyPatch) -> dict[int, Gate]:
    """Frames whose decoding waits at their gate (set it to let them through)."""
    gates: dict[int, Gate] = {}
    monkeypatch.setattr(inline_audio_decode, "decoder_for", lambda codec: _FakeDecoder(gates))
    return gates


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The switch's steps on the loop, in order: "install" (the loop takes `put` over) and
    "finish" (the thread's frames are delivered; audio is decoded inline from then on)."""
    seen: list[str] = []
    router = inline_audio_decode._Router
    install, finish = router.install, router.finish_switch

    def installing(self: inline_audio_decode._Router) -> None:
        install(self)
        seen.append("install")

    def finishing(self: inline_audio_decode._Router) -> None:
        finish(self)
        seen.append("finish")

    monkeypatch.setattr(router, "install", installing)
    monkeypatch.setattr(router, "finish_switch", finishing)
    return seen


class _Receiver:
    """What RTCRtpReceiver does with its decoder thread: put from the loop, then None and join."""

    def __init__(self) -> None:
        self.input_q: queue.Queue[object] = queue.Queue()
        self.output_q: asyncio.Queue[Any] = asyncio.Queue()
        self.decode_error = threading.Event()
        self.thread = threading.Thread(
            target=decoder_worker,
            name="decoder",
            args=(asyncio.get_running_loop(), self.input_q, self.output_q, self.decode_error),
        )

    def put(self, codec: RTCRtpCodecParameters, *values: int) -> None:
        for value in values:
            self.input_q.put((codec, value))

    async def finish(self) -> list[tuple[int, str]]:
        """Stop like aiortc does, and return every frame the track got, in order."""
        self.input_q.put(None)
        self.thread.join(5)
        assert not self.thread.is_alive()
        frames = []
        while (frame := await asyncio.wait_for(self.output_q.get(), 5)) is not None:
            frames.append(frame)
        return frames


async def _until(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_audio_moves_to_the_loop_and_keeps_its_order(hold: dict[int, Gate], steps: list[str]) -> None:
    loop_thread = threading.current_thread().name
    receiver = _Receiver()
    receiver.put(AUDIO, 0, 1)  # queued before the thread even runs
    hold[2] = Gate()  # the thread will still be decoding 2 when the loop takes over
    receiver.thread.start()
    receiver.put(AUDIO, 2, 3)  # the loop has not run the switch yet: these are the thread's
    # The switch starts, the thread delivers 0 and 1 and is stuck on frame 2.
    await _until(lambda: steps == ["install"] and hold[2].reached.is_set() and receiver.output_q.qsize() == 2)
    receiver.put(AUDIO, 4, 5)  # they wait for the thread's frames
    await asyncio.sleep(0)  # a turn of the loop, which would deliver anything decoded meanwhile
    assert receiver.output_q.qsize() == 2  # 0 and 1 only: 4 and 5 did not overtake 2 and 3
    hold[2].set()
    await _until(lambda: receiver.output_q.qsize() == 6)
    receiver.put(AUDIO, 6, 7)  # inline now: decoded during put
    assert receiver.output_q.qsize() == 8
    frames = await receiver.finish()
    assert [n for n, _ in frames] == list(range(8))
    assert {name for n, name in frames if n < 4} == {"decoder"}
    assert {name for n, name in frames if n >= 4} == {loop_thread}


async def test_video_stays_on_the_decoder_thread(hold: dict[int, Gate], steps: list[str]) -> None:
    receiver = _Receiver()
    receiver.thread.start()
    receiver.put(VIDEO, 0, 1)
    await _until(lambda: "install" in steps)  # from now on the loop's put routes every frame
    receiver.put(VIDEO, 2, BROKEN, 3)  # a decoder bug on the thread drops one frame, no more
    frames = await receiver.finish()
    assert frames == [(n, "decoder") for n in range(4)]


async def test_stopping_during_the_switch_loses_nothing(hold: dict[int, Gate], steps: list[str]) -> None:
    receiver = _Receiver()
    hold[0] = Gate()
    receiver.thread.start()
    receiver.put(AUDIO, 0)
    await _until(lambda: steps == ["install"] and hold[0].reached.is_set())
    receiver.put(AUDIO, 1, 2)  # waiting for the thread's frame 0
    hold[0].set()
    frames = await receiver.finish()  # None goes after them all, and ends the track last
    assert [n for n, _ in frames] == [0, 1, 2]


async def test_bad_frames_are_dropped_and_reported_and_decoding_goes_on(
    hold: dict[int, Gate], steps: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    receiver = _Receiver()
    receiver.thread.start()
    await _until(lambda: steps == ["install", "finish"])  # inline from now on
    with caplog.at_level(logging.WARNING, logger=inline_audio_decode.__name__):
        receiver.put(AUDIO, 1, BAD, 2, BROKEN, 3)  # put never raises into aiortc's receive path
    assert receiver.decode_error.is_set()
    assert "Could not decode" in caplog.text and "a decoder bug" in caplog.text
    frames = await receiver.finish()
    assert [n for n, _ in frames] == [1, 2, 3]


def test_install_is_idempotent_and_reversible() -> None:
    assert inline_audio_decode.install()
    try:
        inline_audio_decode.uninstall()
        assert aiortc.rtcrtpreceiver.decoder_worker is not decoder_worker
        assert inline_audio_decode.install() and inline_audio_decode.install()
        assert aiortc.rtcrtpreceiver.decoder_worker is decoder_worker
    finally:
        inline_audio_decode.install()


def test_an_unchecked_aiortc_version_is_left_alone(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    inline_audio_decode.uninstall()
    monkeypatch.setattr(rebind, "_refusals_logged", set())
    try:
        monkeypatch.setattr(aiortc, "__version__", "9.0.0")
        assert not inline_audio_decode.install()
        assert not inline_audio_decode.installed()
        assert "aiortc 9.0.0 is not 1.16.x" in caplog.text
        caplog.clear()
        assert not inline_audio_decode.install()
        assert "is not installed" not in caplog.text  # said once, not at every call
    finally:
        monkeypatch.undo()
        inline_audio_decode.install()


@pytest.fixture(autouse=True)
def _decoder_installed() -> Iterator[None]:
    assert inline_audio_decode.install()  # as the composition root does
    yield
