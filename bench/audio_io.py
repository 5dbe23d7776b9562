"""The CPU floor of audio I/O through PortAudio: an output stream whose callback does nothing.

Part of the device app's CPU in bench.cpu_mem is the sound stack itself (PortAudio, ALSA's pulse
plugin, the PulseAudio client threads, the cffi callback into Python) rather than our mixing or
echo cancellation. This measures that floor for a few block sizes and latency settings, on a
private PulseAudio server with a null sink (no sound card needed).

    .venv/bin/python -m bench.audio_io --seconds 5
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from testkit.virtual_audio import pulse_null_sink

RATE = 48_000
CASES: tuple[tuple[str | float, int], ...] = (("low", 480), ("low", 960), ("high", 480))
WARM_UP_S = 3.0
"""The null sink pulls only a trickle for the first two seconds or so (measured: 11 callbacks a
second instead of 100), so measuring earlier would flatter every case."""


class _Silence:
    """An output callback that writes silence and counts the samples it was asked for."""

    def __init__(self) -> None:
        self.samples = 0

    def __call__(self, out: Any, frames: int, time_info: Any, status: Any) -> None:
        out[:] = 0
        self.samples += frames


def _measure(latency: str | float, blocksize: int, seconds: float) -> tuple[float, float, float]:
    """(% of one core used by this process, samples played per second, the stream's latency in ms).

    The played rate shows that the stream ran at full speed while it was measured.
    """
    import sounddevice

    callback = _Silence()
    stream = sounddevice.OutputStream(
        samplerate=RATE, channels=1, dtype="int16", blocksize=blocksize, latency=latency, callback=callback
    )
    try:
        stream.start()
        time.sleep(WARM_UP_S)
        start, played = time.process_time(), callback.samples
        time.sleep(seconds)
        used = time.process_time() - start
        rate = (callback.samples - played) / seconds
        return 100.0 * used / seconds, rate, 1000.0 * float(stream.latency)
    finally:
        stream.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with pulse_null_sink():
        rows = [(latency, size, *_measure(latency, size, args.seconds)) for latency, size in CASES]
    print(f"Output stream with an empty callback, 48 kHz mono int16, {args.seconds:.0f} s each")
    print(f"{'latency':<9}{'block':>7}{'block ms':>10}{'CPU %':>8}{'played Hz':>11}{'stream latency ms':>19}")
    for latency, size, cpu, rate, stream_latency in rows:
        block_ms = 1000 * size / RATE
        print(f"{latency!s:<9}{size:>7}{block_ms:>10.0f}{cpu:>8.2f}{rate:>11.0f}{stream_latency:>19.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
