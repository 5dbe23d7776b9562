"""Mixes every remote participant's audio into one output signal.

Each participant has a small adaptive jitter buffer: it waits for a target depth before playing,
grows the target after an underrun, and trims slowly when it runs too full. Gains ramp across a
block, so joins, leaves, underruns and volume changes never click.

Pushes come from the engine thread and renders from the audio output thread: a short lock
protects the buffers, and nothing in it blocks.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 48_000
MS = SAMPLE_RATE // 1000

FADE = 5 * MS  # the shortest fade-out on an underrun

Samples = npt.NDArray[np.float32]
Pcm16 = npt.NDArray[np.int16]


@dataclass
class JitterSettings:
    """Depths in samples at 48 kHz."""

    initial_target: int = 60 * MS
    min_target: int = 40 * MS
    max_target: int = 200 * MS
    grow_step: int = 20 * MS
    # Above target + slack the buffer trims 0.25 ms per 10 ms block (a 2.5 % speed-up, below
    # what ears notice) until back at the target. A backlog beyond jump_excess (the speakers
    # started late, or a burst after a long stall) is skipped at once, with a cross-fade.
    trim_slack: int = 60 * MS
    trim_per_block: int = MS // 4
    jump_excess: int = 300 * MS
    # After this much underrun-free playback the target shrinks a step.
    shrink_after: int = 10 * SAMPLE_RATE


@dataclass
class _Source:
    gain: float = 1.0
    current_gain: float = 0.0  # ramps towards gain (starts silent: fade in)
    chunks: deque[Samples] = field(default_factory=deque)
    depth: int = 0
    target: int = 0
    playing: bool = False
    leaving: bool = False
    stable_samples: int = 0
    underruns: int = 0

    def push(self, samples: Samples) -> None:
        self.chunks.append(samples)
        self.depth += len(samples)

    def take(self, count: int) -> Samples:
        out = np.zeros(count, dtype=np.float32)
        filled = 0
        while filled < count and self.chunks:
            chunk = self.chunks[0]
            used = min(count - filled, len(chunk))
            out[filled : filled + used] = chunk[:used]
            filled += used
            if used == len(chunk):
                self.chunks.popleft()
            else:
                self.chunks[0] = chunk[used:]
        self.depth -= filled
        return out


def _trimmed(samples: Samples, count: int) -> Samples:
    """Shorten `samples` to `count` by cross-fading the early and late alignments (no click).

    The block starts where the previous one ended and ends where the next one starts, so both
    seams are continuous, whatever was skipped in between.
    """
    skip = len(samples) - count
    weight = np.linspace(0.0, 1.0, count, dtype=np.float32)
    return samples[:count] * (1 - weight) + samples[skip:] * weight


class AudioMixer:
    """Sums per-participant streams into one mono 48 kHz output."""

    def __init__(self, settings: JitterSettings | None = None) -> None:
        self._settings = settings or JitterSettings()
        self._sources: dict[int, _Source] = {}
        self._lock = threading.Lock()
        self._render_listeners: list[Callable[[Pcm16], None]] = []

    def add_render_listener(self, listener: Callable[[Pcm16], None]) -> None:
        """Called with every rendered block (the echo canceller's far-end reference)."""
        self._render_listeners.append(listener)

    def push(self, source_id: int, pcm: Pcm16) -> None:
        """Queue decoded mono 48 kHz int16 samples from one participant."""
        samples = pcm.astype(np.float32) / 32768.0
        with self._lock:
            source = self._sources.get(source_id)
            if source is None:
                source = _Source(target=self._settings.initial_target)
                self._sources[source_id] = source
            if source.leaving:
                return
            source.push(samples)

    def set_volume(self, source_id: int, gain: float) -> None:
        """Per-participant volume, 0.0 (muted) to 2.0; it ramps in over one block."""
        with self._lock:
            source = self._sources.setdefault(source_id, _Source(target=self._settings.initial_target))
            source.gain = min(2.0, max(0.0, gain))

    def volume(self, source_id: int) -> float:
        with self._lock:
            source = self._sources.get(source_id)
            return source.gain if source else 1.0

    def remove(self, source_id: int) -> None:
        """Fade a participant out over the next block, then forget them."""
        with self._lock:
            source = self._sources.get(source_id)
            if source is not None:
                source.leaving = True

    def depth_ms(self, source_id: int) -> float:
        with self._lock:
            source = self._sources.get(source_id)
            return source.depth / MS if source else 0.0

    def target_ms(self, source_id: int) -> float:
        with self._lock:
            source = self._sources.get(source_id)
            return source.target / MS if source else 0.0

    def underruns(self, source_id: int) -> int:
        with self._lock:
            source = self._sources.get(source_id)
            return source.underruns if source else 0

    @property
    def source_ids(self) -> list[int]:
        with self._lock:
            return list(self._sources)

    def render(self, count: int) -> Pcm16:
        """Mix the next `count` samples (called by the audio output thread)."""
        mix = np.zeros(count, dtype=np.float32)
        with self._lock:
            for source_id, source in list(self._sources.items()):
                block, end_gain = self._render_source(source, count)
                mix += block
                source.current_gain = end_gain
                if source.leaving and end_gain == 0.0:
                    del self._sources[source_id]
        out = (np.clip(mix, -1.0, 1.0) * 32767.0).astype(np.int16)
        for listener in self._render_listeners:
            listener(out)
        return out

    def _render_source(self, source: _Source, count: int) -> tuple[Samples, float]:
        settings = self._settings
        if not source.playing:
            if source.depth >= source.target and not source.leaving:
                source.playing = True
            else:
                # Priming (or leaving with nothing queued): silence, fading out what was playing.
                return np.zeros(count, dtype=np.float32), 0.0
        if source.depth < count + FADE and not source.leaving:
            # Underrun ahead: a reserve of at least FADE samples is always left, so the fade-out
            # to silence is never shorter than that. Then re-prime with a deeper target.
            source.underruns += 1
            source.playing = False
            source.stable_samples = 0
            source.target = min(settings.max_target, source.target + settings.grow_step)
            available = min(source.depth, count)
            block = np.zeros(count, dtype=np.float32)
            block[:available] = source.take(available) * np.linspace(
                source.current_gain, 0.0, available, dtype=np.float32
            )
            return block, 0.0
        excess = source.depth - count - source.target
        if excess > settings.jump_excess:
            block = _trimmed(source.take(count + excess), count)
        elif excess > settings.trim_slack + settings.trim_per_block:
            block = _trimmed(source.take(count + settings.trim_per_block), count)
        else:
            block = source.take(count)
        source.stable_samples += count
        if source.stable_samples >= settings.shrink_after and source.target > settings.min_target:
            source.target = max(settings.min_target, source.target - settings.grow_step // 2)
            source.stable_samples = 0
        end_gain = 0.0 if source.leaving else source.gain
        ramp = np.linspace(source.current_gain, end_gain, count, dtype=np.float32)
        return block * ramp, end_gain
