"""Audio encoded on the engine loop, instead of a round trip through the loop's thread pool.

aiortc's sender encodes every frame with `loop.run_in_executor(None, encoder.encode, ...)`. That is
right for video (a VP8 frame takes milliseconds), but an Opus frame takes about 0.15 ms, less
than the hand-off itself: a pool thread wakes, then wakes the loop, 50 times a second. On this
2-core virtual machine a hand-off from a thread to the loop was measured at 0.15-0.3 ms of CPU.

`install(loop)` gives the engine loop a default executor that runs aiortc's audio encoders in the
caller (the loop itself) and everything else (video encoding, `asyncio.to_thread`, DNS) in its
thread pool as usual. It uses only public asyncio API; if aiortc ever stops passing the bound
`encode` method, audio simply goes to the pool again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from aiortc.codecs.g711 import PcmaEncoder, PcmuEncoder
from aiortc.codecs.g722 import G722Encoder
from aiortc.codecs.opus import OpusEncoder

from echo_desktop.aiortc_patches import usage
from echo_desktop.aiortc_patches.rebind import aiortc_is_checked, aiortc_version, log_refusal_once

logger = logging.getLogger(__name__)

T = TypeVar("T")

_CHEAP_ENCODERS = (OpusEncoder, G722Encoder, PcmaEncoder, PcmuEncoder)
_installed: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def runs_inline(fn: Callable[..., Any]) -> bool:
    """Whether `fn` is an audio encoder's method, cheap enough to run on the loop."""
    return isinstance(getattr(fn, "__self__", None), _CHEAP_ENCODERS)


class InlineAudioExecutor(concurrent.futures.ThreadPoolExecutor):
    """A thread pool that runs audio encoding in the submitting thread instead."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[T]:
        if not runs_inline(fn):
            return super().submit(fn, *args, **kwargs)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        usage.count(usage.ENCODED_AUDIO_ON_LOOP)
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 -- handed to the awaiting sender, as the pool does
            future.set_exception(exc)
        return future


def install(loop: asyncio.AbstractEventLoop) -> bool:
    """Give `loop` an `InlineAudioExecutor` as its default executor; once per loop.

    Call it before the loop first uses its default executor, or that executor's threads linger
    unused until exit. Returns whether it is in place; on an aiortc version it was not read against
    it logs a warning once and leaves the loop alone (see rebind).
    """
    if loop in _installed:
        return True
    if not aiortc_is_checked():
        log_refusal_once(
            "inline_audio_encode", f"aiortc {aiortc_version()} is not the version it was read against"
        )
        return False
    loop.set_default_executor(InlineAudioExecutor(thread_name_prefix="echo-encoder"))
    _installed.add(loop)
    logger.debug("Audio is encoded on the engine loop")
    return True


def installed(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether `loop` encodes audio inline."""
    return loop in _installed
