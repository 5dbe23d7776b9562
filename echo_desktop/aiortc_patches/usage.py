"""Counts of the work each replacement did, so a test can prove a real call went through it.

A replacement that installs but is never reached (aiortc stopped looking the name up, or looks it
up elsewhere) would leave every call working on aiortc's own code, silently. The counts make that
visible: the integration tests run a real call and assert each one moved.
"""

from __future__ import annotations

import threading
from collections import Counter

_lock = threading.Lock()
_counts: Counter[str] = Counter()


def count(what: str, n: int = 1) -> None:
    """Record `n` more units of `what` (called from the engine loop and decoder threads)."""
    with _lock:
        _counts[what] += n


def snapshot() -> dict[str, int]:
    """Every count so far."""
    with _lock:
        return dict(_counts)


JITTER_FRAMES = "low_latency_jitter.frames_released"
DECODED_AUDIO_ON_LOOP = "inline_audio_decode.audio_frames_on_loop"
DECODED_VIDEO_IN_THREAD = "inline_audio_decode.video_frames_in_thread"
ENCODED_AUDIO_ON_LOOP = "inline_audio_encode.audio_frames_on_loop"
VOICE_OPUS_FRAMES = "call_codecs.voice_opus_frames"
BUDGETED_VP8_ENCODERS = "call_codecs.budgeted_vp8_encoders"
MONO_OPUS_DECODERS = "call_codecs.mono_opus_decoders"
