"""Audio encoding on the engine loop (aiortc_patches/inline_audio_encode.py), VP8 still in the pool."""

from __future__ import annotations

import asyncio
import fractions
import threading

import av
import numpy as np
import pytest
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder

from echo_desktop.aiortc_patches import inline_audio_encode


def _audio_frame() -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(np.zeros((1, 960), dtype=np.int16), format="s16", layout="mono")
    frame.sample_rate, frame.pts, frame.time_base = 48000, 0, fractions.Fraction(1, 48000)
    return frame


class _Recording(OpusEncoder):
    """aiortc's Opus encoder, noting the thread it ran on."""

    thread = ""

    def encode(self, frame: av.frame.Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        type(self).thread = threading.current_thread().name
        return super().encode(frame, force_keyframe)


class _Failing(OpusEncoder):
    def encode(self, frame: av.frame.Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        raise ValueError("encoder failure")


async def test_audio_encodes_on_the_loop_and_the_rest_in_the_pool() -> None:
    loop = asyncio.get_running_loop()
    inline_audio_encode.install(loop)
    inline_audio_encode.install(loop)  # once is enough; twice changes nothing
    encoder = _Recording()
    payloads, _ = await loop.run_in_executor(None, encoder.encode, _audio_frame(), False)
    assert payloads and _Recording.thread == threading.current_thread().name
    # What aiortc passes for video, and anything else, still runs in a pool thread.
    assert not inline_audio_encode.runs_inline(Vp8Encoder().encode)
    pool_thread = await loop.run_in_executor(None, lambda: threading.current_thread().name)
    assert pool_thread.startswith("echo-encoder")


async def test_an_inline_encoder_failure_reaches_the_awaiting_sender() -> None:
    loop = asyncio.get_running_loop()
    inline_audio_encode.install(loop)
    with pytest.raises(ValueError, match="encoder failure"):
        await loop.run_in_executor(None, _Failing().encode, _audio_frame(), False)
