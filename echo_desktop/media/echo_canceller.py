"""Acoustic echo cancellation for the microphone path (WebRTC AEC3 through ``pywebrtc-audio``).

The far end's voice comes out of our speakers, reaches our microphone, and would be sent back to
them as an echo. :class:`EchoCanceller` removes it: the audio OUTPUT callback hands it every frame
it plays (:meth:`EchoCanceller.render`), the audio INPUT callback hands it every microphone frame
(:meth:`EchoCanceller.capture`) and sends on what comes back.

Why the far-end queue exists and why it is managed the way it is:

* ``pywebrtc_audio.AudioProcessor.process(near, far)`` takes a capture frame and a reference
  frame *of the same length* in one call, and the instance is not thread-safe. So the two
  PortAudio threads cannot each feed it; render() only queues reference frames (a short lock, no
  DSP), and capture() pairs every 10 ms microphone chunk with one queued reference chunk.
* AEC3 estimates the echo delay itself, but only within roughly 0-500 ms, and only if the
  reference reaches it *before* its echo shows up in the microphone. Every frame that waits in the
  queue makes the reference later by 10 ms, so the queue must stay short. And every time the
  pairing shifts (a reference frame dropped, or silence substituted for a missing one) AEC3 has to
  re-converge, which lets some echo through for up to a second or two. The pairing is therefore
  kept stable: silence stands in for a reference frame only when none is queued, and if the
  missing frames turn up shortly after (the output callback was merely late) they are skipped,
  which restores the old pairing; surplus frames are dropped only once the backlog has stayed
  above a small cushion for a whole second (or at once when it is far too long, e.g. when the
  speaker stream started long before the microphone). Dropping at every burst instead was
  measured to cost about 10 dB of echo suppression, or more, when callbacks stall now and then.

Nothing here imports Qt; the module only needs numpy. When ``pywebrtc-audio`` is not installed,
:func:`create_echo_canceller` logs one warning and returns a :class:`NullEchoCanceller`.
"""

from __future__ import annotations

import collections
import importlib
import logging
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Int16Array = npt.NDArray[np.int16]

FRAME_MS = 10
"""The APM works on 10 ms frames; longer frames are split into 10 ms chunks."""

_QUEUE_LIMIT_MS = 500
"""Hard bound on queued reference audio. Beyond ~500 ms AEC3 cannot cancel anyway, and the bound
keeps memory flat when the microphone side stops while the speaker side keeps playing."""

_TRIM_WINDOW_MS = 1000
"""How long the backlog must stay above the cushion before surplus reference frames are dropped:
long enough that scheduling jitter alone never triggers a drop (each drop costs re-convergence)."""

_CUSHION_FRAMES = 1
"""Reference frames allowed to wait between two capture calls without being considered surplus;
one frame absorbs the usual callback jitter so that it does not cause underruns."""


_DEBT_EXPIRY_FRAMES = 10
"""How long (100 ms) reference frames that missed their capture call may still turn up and be
skipped; longer than a typical callback stall, short enough that a real phase change is accepted
before the next jitter burst would be misread as late frames."""


class _AudioProcessing(Protocol):
    """The part of ``pywebrtc_audio.AudioProcessor`` that we use.

    Declared here, and the module imported by name, so that this file type-checks (and the app
    still runs, with :class:`NullEchoCanceller`) where the optional library is not installed.
    """

    stream_delay_ms: int

    def process(self, near: Int16Array, far: Int16Array) -> Int16Array: ...

    def reset(self) -> None: ...


class EchoCancellerUnavailable(RuntimeError):
    """``pywebrtc-audio`` is not installed, or its native module failed to load."""


@dataclass(frozen=True)
class EchoCancellerStats:
    """Counters for diagnostics; all counts are in 10 ms frames."""

    render_frames: int
    """Reference frames received from the output side."""
    capture_frames: int
    """Microphone frames processed."""
    render_underruns: int
    """Microphone frames that found no reference frame queued and were paired with silence."""
    render_dropped: int
    """Reference frames discarded: surplus backlog, or the queue's hard bound."""
    render_backlog: int
    """Reference frames waiting right now."""


class EchoCancellerLike(Protocol):
    """What the audio pipeline needs; implemented by :class:`EchoCanceller` and the null one."""

    @property
    def sample_rate(self) -> int: ...

    @property
    def channels(self) -> int: ...

    @property
    def active(self) -> bool: ...

    def render(self, far_end: Int16Array) -> None: ...

    def capture(self, near_end: Int16Array) -> Int16Array: ...

    def set_stream_delay_ms(self, delay_ms: int) -> None: ...

    def reset(self) -> None: ...

    def stats(self) -> EchoCancellerStats: ...


AGC_MAX_GAIN_DB = 10.0


def _check_format(sample_rate: int, channels: int) -> None:
    if sample_rate <= 0 or sample_rate % (1000 // FRAME_MS) != 0:
        # A 10 ms frame must be a whole number of samples, or the APM approximates and AEC suffers.
        raise ValueError(f"sample_rate must be a positive multiple of 100 Hz, not {sample_rate}")
    if channels < 1:
        raise ValueError(f"channels must be at least 1, not {channels}")


def _interleaved(frame: Int16Array, channels: int, what: str) -> Int16Array:
    """The frame as one contiguous 1-D int16 array, channels interleaved (the APM's layout).

    Accepts ``(n,)`` (already interleaved, or mono) and sounddevice's ``(n, channels)``.
    """
    if frame.dtype != np.int16:
        raise TypeError(f"{what} must be int16, not {frame.dtype}")
    if frame.ndim not in (1, 2):
        raise ValueError(f"{what} must be 1-D or (samples, channels), not shape {frame.shape}")
    if frame.ndim == 2 and frame.shape[1] != channels:
        raise ValueError(f"{what} has {frame.shape[1]} channels, expected {channels}")
    # C order flattening of (n, channels) is exactly the interleaved layout the APM expects.
    return np.ascontiguousarray(frame.reshape(-1))


def _whole_frames(samples: Int16Array, frame_len: int) -> int:
    """How many 10 ms frames ``samples`` holds; capture() cannot take partial ones."""
    if samples.size == 0 or samples.size % frame_len:
        raise ValueError(
            f"near_end must be a whole number of {FRAME_MS} ms frames "
            f"({frame_len} samples each), got {samples.size} samples"
        )
    return samples.size // frame_len


class _AudioFormat:
    """The format both directions share: checked once, and the 10 ms frame length from it."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        _check_format(sample_rate, channels)
        self._sample_rate = sample_rate
        self._channels = channels
        self._frame_len = sample_rate * FRAME_MS // 1000 * channels

    @property
    def sample_rate(self) -> int:
        """Hz, for both directions."""
        return self._sample_rate

    @property
    def channels(self) -> int:
        """Channels, for both directions."""
        return self._channels


class EchoCanceller(_AudioFormat):
    """WebRTC AEC3 (plus optional noise suppression and automatic gain control) for one mic.

    Thread model: :meth:`render` is called from the audio output thread, :meth:`capture` from
    the audio input thread, any other method from anywhere. :meth:`render` never waits for DSP:
    it only takes a lock that :meth:`capture` holds for a few list operations. The APM itself
    is only touched under a second lock, which :meth:`render` never takes.

    Frames are int16, ``(samples,)`` or ``(samples, channels)``; :meth:`capture` needs a whole
    number of 10 ms frames (it must return as many samples as it got, so it cannot buffer),
    :meth:`render` takes any length and carries the remainder over to the next call.
    """

    def __init__(
        self,
        sample_rate: int = 48000,
        channels: int = 1,
        noise_suppression: bool = True,
        gain_control: bool = True,
        stream_delay_ms: int = 0,
        max_render_backlog_ms: int = 200,
    ) -> None:
        """Create the APM.

        Args:
            sample_rate: Hz, for both directions; a multiple of 100.
            channels: for both directions; frames are interleaved or ``(samples, channels)``.
            noise_suppression: WebRTC NS (level 1, 12 dB) after the echo canceller.
            gain_control: WebRTC AGC2 adaptive digital gain after NS.
            stream_delay_ms: initial delay hint, see :meth:`set_stream_delay_ms`.
            max_render_backlog_ms: reference audio allowed to wait in the queue before surplus is
                dropped at once rather than after a second. Every 10 ms waiting there shortens
                the echo delay AEC3 sees (which must stay positive), but a stalled input callback
                legitimately leaves a burst waiting, and dropping it would break the pairing.

        Raises:
            EchoCancellerUnavailable: ``pywebrtc-audio`` cannot be imported.
            ValueError: an unsupported format or a negative delay.
        """
        super().__init__(sample_rate, channels)
        if stream_delay_ms < 0:
            raise ValueError("stream_delay_ms must be >= 0")
        try:
            # Imported by name (not statically) so that the module type-checks and imports where
            # the optional library is missing; create_echo_canceller() falls back in that case.
            library = importlib.import_module("pywebrtc_audio")
        except ImportError as exc:  # also catches a native module that fails to load
            raise EchoCancellerUnavailable(f"pywebrtc-audio is not available: {exc}") from exc
        self._apm: _AudioProcessing = library.AudioProcessor(
            sample_rate=sample_rate,
            num_channels=channels,
            echo_cancellation=True,
            noise_suppression=noise_suppression,
            auto_gain_control=gain_control,
            # AGC2 otherwise settles up to ~15 dB of gain on whatever echo is left while nobody
            # local speaks, eating into ERLE; a cap still lifts a quiet laptop voice.
            agc_max_gain_db=AGC_MAX_GAIN_DB,
            stream_delay_ms=stream_delay_ms,
        )
        self._silence: Int16Array = np.zeros(self._frame_len, dtype=np.int16)
        self._max_backlog = max(_CUSHION_FRAMES, max_render_backlog_ms // FRAME_MS)
        self._trim_window = _TRIM_WINDOW_MS // FRAME_MS

        # Guards the queue, the render remainder, the trim window and the counters. Held only for
        # O(frames) list operations, never while the APM runs, so render() is never held up by DSP.
        self._queue_lock = threading.Lock()
        self._queue: collections.deque[Int16Array] = collections.deque()
        self._queue_limit = _QUEUE_LIMIT_MS // FRAME_MS
        self._render_rest: Int16Array = np.zeros(0, dtype=np.int16)
        self._min_backlog_in_window = 0
        self._frames_in_window = 0
        self._render_frames = 0
        self._capture_frames = 0
        self._underruns = 0
        self._dropped = 0
        self._debt = 0  # silence frames used for reference frames that may still arrive late
        self._debt_age = 0

        # Serializes every use of the APM: it is not thread-safe, and reset() or a new delay hint
        # may come from another thread while the input thread is processing.
        self._apm_lock = threading.Lock()
        logger.info(
            "Echo canceller: WebRTC AEC3 at %d Hz, %d channel(s), NS %s, AGC %s",
            sample_rate,
            channels,
            "on" if noise_suppression else "off",
            "on" if gain_control else "off",
        )

    @property
    def active(self) -> bool:
        """True: this one really cancels echo (the null one says False)."""
        return True

    def render(self, far_end: Int16Array) -> None:
        """Queue what is being sent to the speakers, as the echo reference. Output thread.

        Must be exactly the samples handed to the device, at the same rate and channel count;
        the array is copied, so the caller may reuse its buffer.
        """
        samples = _interleaved(far_end, self._channels, "far_end")
        with self._queue_lock:
            if self._render_rest.size:
                samples = np.concatenate((self._render_rest, samples))
            whole = samples.size - samples.size % self._frame_len
            # Copies: PortAudio reuses its buffers after the callback returns.
            self._render_rest = samples[whole:].copy()
            for start in range(0, whole, self._frame_len):
                if len(self._queue) >= self._queue_limit:
                    self._queue.popleft()
                    self._dropped += 1
                self._queue.append(samples[start : start + self._frame_len].copy())
                self._render_frames += 1

    def capture(self, near_end: Int16Array) -> Int16Array:
        """Remove the echo from a microphone frame. Input thread.

        Args:
            near_end: int16, a whole number of 10 ms frames, ``(samples,)`` or
                ``(samples, channels)``.

        Returns:
            The cleaned audio: a new int16 array of the same shape. AEC3 delays it by about
            9 ms (15 ms with noise suppression): that is the algorithm, not buffering here.
        """
        near = _interleaved(near_end, self._channels, "near_end")
        chunks = _whole_frames(near, self._frame_len)
        with self._queue_lock:
            self._repay_underruns_locked(chunks)
            far = np.concatenate([self._next_reference_locked() for _ in range(chunks)])
            self._trim_backlog_locked(chunks)
            self._capture_frames += chunks
        with self._apm_lock:
            # One call for all chunks: the library walks them in 10 ms steps in a single loop
            # without the GIL, with output identical to chunk-by-chunk calls (tested).
            cleaned = self._apm.process(near, far)
        return cleaned.reshape(near_end.shape)

    def _next_reference_locked(self) -> Int16Array:
        if self._queue:
            return self._queue.popleft()
        # Nothing was rendered for this frame yet (the output callback is late, or not running):
        # silence is the honest reference for "nothing known to be playing". If the frame turns
        # up late after all, _repay_underruns_locked() skips it so that the pairing stays put.
        self._underruns += 1
        self._debt += 1
        self._debt_age = 0
        return self._silence

    def _repay_underruns_locked(self, chunks: int) -> None:
        if not self._debt:
            return
        surplus = len(self._queue) - chunks
        if surplus > 0:
            # The frames we substituted silence for have arrived after all (the output callback
            # was late, but within its buffer, so they played on time). Skipping them restores
            # the pairing AEC3 had converged on, instead of shifting it by the stall.
            repaid = min(self._debt, surplus)
            self._drop_oldest_locked(repaid)
            self._debt -= repaid
        self._debt_age += chunks
        if self._debt_age > _DEBT_EXPIRY_FRAMES:
            # They never came: the output side started late, stopped, or runs at another phase.
            # Accept the new pairing rather than dropping good frames at some later burst.
            self._debt = 0

    def _trim_backlog_locked(self, chunks: int) -> None:
        backlog = len(self._queue)
        if backlog > self._max_backlog:
            # Far too much waiting (e.g. the speaker stream started long before the microphone):
            # AEC3 would get the reference after its echo, so cut back at once.
            self._drop_oldest_locked(backlog - _CUSHION_FRAMES)
            self._reset_window_locked()
            return
        if self._frames_in_window == 0:
            self._min_backlog_in_window = backlog
        else:
            self._min_backlog_in_window = min(self._min_backlog_in_window, backlog)
        self._frames_in_window += chunks
        if self._frames_in_window >= self._trim_window:
            # The backlog never fell to the cushion for a whole window: the surplus is standing
            # delay (a phase step or clock drift), not jitter, so dropping it will not underrun.
            surplus = self._min_backlog_in_window - _CUSHION_FRAMES
            if surplus > 0:
                self._drop_oldest_locked(surplus)
            self._reset_window_locked()

    def _drop_oldest_locked(self, count: int) -> None:
        for _ in range(min(count, len(self._queue))):
            self._queue.popleft()
            self._dropped += 1

    def _reset_window_locked(self) -> None:
        self._frames_in_window = 0
        self._min_backlog_in_window = 0

    def set_stream_delay_ms(self, delay_ms: int) -> None:
        """Hint the delay from a frame's render() to its echo reaching capture(), in ms.

        Typically the output latency plus the input latency that PortAudio reports. AEC3 finds
        the delay by itself (0 means "no hint"); a good hint only speeds up convergence, a wrong
        one slows it, so pass it only when the devices report it.
        """
        if delay_ms < 0:
            raise ValueError("delay_ms must be >= 0")
        with self._apm_lock:
            self._apm.stream_delay_ms = int(delay_ms)

    @property
    def stream_delay_ms(self) -> int:
        """The current delay hint, in ms."""
        with self._apm_lock:
            return int(self._apm.stream_delay_ms)

    def reset(self) -> None:
        """Forget the learned echo path and queued reference, e.g. after a device change."""
        with self._queue_lock:
            self._queue.clear()
            self._render_rest = np.zeros(0, dtype=np.int16)
            self._reset_window_locked()
            self._debt = 0
            self._debt_age = 0
        with self._apm_lock:
            self._apm.reset()

    def stats(self) -> EchoCancellerStats:
        """A consistent snapshot of the counters."""
        with self._queue_lock:
            return EchoCancellerStats(
                render_frames=self._render_frames,
                capture_frames=self._capture_frames,
                render_underruns=self._underruns,
                render_dropped=self._dropped,
                render_backlog=len(self._queue),
            )


class NullEchoCanceller(_AudioFormat):
    """The same interface, passing the microphone through: for when AEC3 is unavailable or off."""

    def __init__(self, sample_rate: int = 48000, channels: int = 1) -> None:
        """Accepts the same format arguments as :class:`EchoCanceller`, and checks them."""
        super().__init__(sample_rate, channels)
        self._lock = threading.Lock()
        self._render_samples = 0
        self._capture_samples = 0

    @property
    def active(self) -> bool:
        """False: audio passes through untouched."""
        return False

    def render(self, far_end: Int16Array) -> None:
        """Ignore the reference (only counted, for the same stats as the real one)."""
        samples = _interleaved(far_end, self._channels, "far_end")
        with self._lock:
            self._render_samples += samples.size

    def capture(self, near_end: Int16Array) -> Int16Array:
        """Return a copy of the microphone frame, unchanged (a copy, like the real one)."""
        samples = _interleaved(near_end, self._channels, "near_end")
        _whole_frames(samples, self._frame_len)  # the same contract as the real one
        with self._lock:
            self._capture_samples += samples.size
        return near_end.copy()

    def set_stream_delay_ms(self, delay_ms: int) -> None:
        """Nothing to tune."""
        if delay_ms < 0:
            raise ValueError("delay_ms must be >= 0")

    def reset(self) -> None:
        """Nothing to forget."""

    def stats(self) -> EchoCancellerStats:
        """Frame counts only; nothing is queued, dropped or missing."""
        with self._lock:
            return EchoCancellerStats(
                render_frames=self._render_samples // self._frame_len,
                capture_frames=self._capture_samples // self._frame_len,
                render_underruns=0,
                render_dropped=0,
                render_backlog=0,
            )


_warned_unavailable = False
_warn_lock = threading.Lock()


def create_echo_canceller(
    sample_rate: int = 48000,
    channels: int = 1,
    noise_suppression: bool = True,
    gain_control: bool = True,
    stream_delay_ms: int = 0,
) -> EchoCanceller | NullEchoCanceller:
    """An :class:`EchoCanceller`, or a :class:`NullEchoCanceller` if AEC3 is unavailable.

    The fallback is logged as a warning once per process: the call still works, but the far end
    may hear themselves, and that should be visible in the log without flooding it.
    """
    global _warned_unavailable
    try:
        return EchoCanceller(
            sample_rate=sample_rate,
            channels=channels,
            noise_suppression=noise_suppression,
            gain_control=gain_control,
            stream_delay_ms=stream_delay_ms,
        )
    except EchoCancellerUnavailable as exc:
        with _warn_lock:
            first = not _warned_unavailable
            _warned_unavailable = True
        if first:
            logger.warning("No echo cancellation (the microphone passes through unchanged): %s", exc)
        return NullEchoCanceller(sample_rate=sample_rate, channels=channels)
