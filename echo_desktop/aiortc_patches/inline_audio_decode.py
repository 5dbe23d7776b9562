"""Remote audio decoded on the engine loop, instead of a round trip through a decoder thread.

aiortc gives every receiver a decoder thread. The loop puts each complete encoded frame on a
`queue.Queue`; the thread decodes it and hands every decoded frame back with
`run_coroutine_threadsafe`, which makes a task per frame. For Opus that round trip costs far more
than decoding (0.03 ms per 20 ms frame, measured): two thread wake-ups and a task, 50 times a second
for each participant. On this 2-core virtual machine a hand-off from a thread to the loop was
measured at 0.15-0.3 ms of CPU.

`install()` rebinds `aiortc.rtcrtpreceiver.decoder_worker`, the thread target that
`RTCRtpReceiver` looks up when it starts receiving, to `decoder_worker` below. Each receiver still
gets its thread; video is decoded there as before (frames go back with the cheaper
`call_soon_threadsafe`). Audio moves to the loop:

1. When the thread starts, it asks the loop to run `_Router.install`, which replaces `put` on that
   receiver's queue (the receiver only ever calls `put` from the loop) and queues a flush marker.
2. The thread decodes whatever was queued before the marker, as aiortc would, then tells the loop.
3. Audio that arrives meanwhile waits in a list; once the loop has delivered the thread's frames
   (its callbacks run in order), the list is decoded, and from then on every audio frame is decoded
   on the spot, in `put`. Frames therefore reach the track in the order they were put.
4. `None` (the receiver stopping) always goes through the thread, after everything before it.

Read against aiortc 1.16 (and found the same in 1.14 and 1.15): the receiver creates the thread
with `(loop, queue, track queue[, decode error event])` and only calls `put` and `join` on it. On
any other version `install()` logs a warning once and leaves aiortc alone (see rebind).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from typing import Any, cast

import aiortc.rtcrtpreceiver
import av
from aiortc.codecs.base import Decoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from echo_desktop.aiortc_patches import usage
from echo_desktop.aiortc_patches.call_codecs import decoder_for
from echo_desktop.aiortc_patches.rebind import Rebinding

logger = logging.getLogger(__name__)

_FLUSH = object()
"""Queued by the loop when it takes audio over: everything before it is the thread's to decode."""


class _Decoding:
    """A receiver's decoder: used by its thread until the switch, by the loop after it, never both."""

    def __init__(self, decode_error: threading.Event | None) -> None:
        self._codec_name: str | None = None
        self._decoder: Decoder | None = None
        self._decode_error = decode_error

    def decode(self, codec: RTCRtpCodecParameters, encoded_frame: Any) -> list[Any]:
        """The decoded frames; none for a frame that fails (logged), so the stream goes on."""
        try:
            if self._decoder is None or codec.name != self._codec_name:
                self._decoder = decoder_for(codec)
                self._codec_name = codec.name
            return list(self._decoder.decode(encoded_frame))
        except av.FFmpegError as exc:
            # Keep the decoder: a fresh one would fail every frame until the next key frame.
            logger.warning("Could not decode a %s frame: %s", codec.mimeType, exc)
            if self._decode_error is not None:
                self._decode_error.set()  # aiortc 1.16 asks the sender for a key frame (video)
        except Exception:
            # A decoder bug must neither kill the thread (the switch would never finish) nor
            # escape into aiortc's receive path on the loop.
            logger.exception("Decoding a %s frame failed; it is dropped", codec.mimeType)
        return []


def _is_audio(task: tuple[RTCRtpCodecParameters, Any]) -> bool:
    return task[0].mimeType.lower().startswith("audio/")


class _Router:
    """Takes over `put` of one receiver's decoder queue; every method runs on the loop."""

    def __init__(
        self, input_q: queue.Queue[object], output_q: asyncio.Queue[Any], decoding: _Decoding
    ) -> None:
        self._input_q = input_q
        self._to_thread = input_q.put  # the queue's own put, bound before it is replaced
        self._output_q = output_q
        self._decoding = decoding
        # Audio put during the switch, decoded once the thread's frames are delivered; None after.
        self._waiting: list[tuple[RTCRtpCodecParameters, Any]] | None = []

    def install(self) -> None:
        self._input_q.put = self.put  # type: ignore[method-assign]  # the point of this module
        self._to_thread(_FLUSH)

    def put(self, item: object, block: bool = True, timeout: float | None = None) -> None:
        if not isinstance(item, tuple) or not _is_audio(item):
            self._to_thread(item)  # video, and None (stop): the thread's, after all before them
        elif self._waiting is not None:
            self._waiting.append(item)
        else:
            self._decode(item)

    def finish_switch(self) -> None:
        """The thread's frames are delivered: decode what waited, and decode inline from now on."""
        waiting, self._waiting = self._waiting or [], None
        for task in waiting:
            self._decode(task)

    def _decode(self, task: tuple[RTCRtpCodecParameters, Any]) -> None:
        for frame in self._decoding.decode(*task):
            usage.count(usage.DECODED_AUDIO_ON_LOOP)
            self._output_q.put_nowait(frame)


def decoder_worker(
    loop: asyncio.AbstractEventLoop,
    input_q: queue.Queue[object],
    output_q: asyncio.Queue[Any],
    decode_error: threading.Event | None = None,
) -> None:
    """The thread target of one receiver: decodes video, and hands audio over to the loop."""
    decoding = _Decoding(decode_error)
    router = _Router(input_q, output_q, decoding)
    try:
        loop.call_soon_threadsafe(router.install)
        while True:
            task = input_q.get()
            if task is None:
                loop.call_soon_threadsafe(output_q.put_nowait, None)  # the track ends
                return
            if task is _FLUSH:
                loop.call_soon_threadsafe(router.finish_switch)
                continue
            codec, encoded_frame = cast(tuple[RTCRtpCodecParameters, Any], task)
            for frame in decoding.decode(codec, encoded_frame):
                if isinstance(frame, av.VideoFrame):
                    usage.count(usage.DECODED_VIDEO_IN_THREAD)
                loop.call_soon_threadsafe(output_q.put_nowait, frame)
    except RuntimeError:  # the loop was closed under us: the call is over
        logger.debug("Decoder thread stopped: its loop is closed")


_REBINDING = Rebinding(
    aiortc.rtcrtpreceiver,
    "decoder_worker",
    decoder_worker,
    keeping="aiortc's decoder threads for audio",
)


def install() -> bool:
    """Make receivers created from now on decode audio on the loop. Idempotent.

    Returns whether it is installed; on an aiortc version this module was not checked against it
    logs a warning and changes nothing.
    """
    return _REBINDING.install()


def uninstall() -> None:
    """Give aiortc its own decoder threads back (for before/after measurements and tests)."""
    _REBINDING.uninstall()


def installed() -> bool:
    """Whether receivers created now decode their audio on the loop."""
    return _REBINDING.installed()
