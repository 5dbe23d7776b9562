"""The microphone's echo canceller, measured on speech through a simulated room.

The far end's speech is made twice: with espeak-ng (Debian package espeak-ng, which
scripts/setup.sh test installs; without it those cases fail and say so), and with a deterministic
speech-like synthetic signal.
The echo path: 80 ms of delay, a 100 ms decaying tail, -10 dB, plus white noise at -60 dBFS.

The measured figures are printed; run with ``-s`` to see them::

    .venv/bin/python -m pytest tests/test_echo_canceller.py -s
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from echo_desktop.media import echo_canceller as ec_module
from echo_desktop.media.echo_canceller import (
    EchoCanceller,
    EchoCancellerUnavailable,
    NullEchoCanceller,
    create_echo_canceller,
)

RATE = 48000
FRAME = RATE // 100  # 10 ms
SECONDS = 20
CONVERGED_S = 5  # ERLE is measured after this; the brief allows 3-5 s for convergence
NEAR_START_S = 8  # double talk starts well after convergence

Float = npt.NDArray[np.float64]
Int16 = npt.NDArray[np.int16]


@pytest.fixture
def aec_library() -> None:
    """pywebrtc-audio is a required dependency: a test that needs it fails, never skips, without it."""
    try:
        import pywebrtc_audio  # noqa: F401
    except ImportError as exc:
        problem = str(exc)
    else:
        return
    pytest.fail(
        f"pywebrtc-audio, a required dependency (pyproject.toml), does not import: {problem}. "
        "Install the project with: .venv/bin/pip install -e .[dev]",
        pytrace=False,
    )


needs_aec = pytest.mark.usefixtures("aec_library")


# --- Test signals -----------------------------------------------------------------------------


def _decode_48k_mono(path: Path) -> Int16:
    """Any audio file as 48 kHz mono int16, resampled with PyAV (a project dependency)."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    chunks: list[Int16] = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            chunks.extend(np.asarray(f.to_ndarray(), np.int16).reshape(-1) for f in resampler.resample(frame))
        chunks.extend(np.asarray(f.to_ndarray(), np.int16).reshape(-1) for f in resampler.resample(None))
    return np.concatenate(chunks).astype(np.int16)


def _espeak(text: str, voice: str, pitch: int, speed: int, path: Path) -> Int16:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return _decode_48k_mono(path)


def _synthetic_speech(seconds: float, f0: tuple[float, float], seed: int) -> Int16:
    """Deterministic speech-like audio: voiced syllables with gliding pitch and formants,
    fricative noise bursts, and pauses between words.

    Pure tones would be a poor stand-in: an echo canceller can 'converge' on a narrowband signal
    without learning the room, so the harmonics, glides and noise keep the spectrum broad.
    """
    rng = np.random.default_rng(seed)
    total = int(seconds * RATE)
    out = np.zeros(total)
    vowels = [(730, 1090, 2440), (270, 2290, 3010), (530, 1840, 2480), (570, 840, 2410), (300, 870, 2240)]
    pos = int(0.2 * RATE)
    while pos < total:
        for _ in range(rng.integers(1, 5)):  # syllables in a word
            if rng.random() < 0.3:  # a fricative before the vowel
                n = int(rng.uniform(0.04, 0.09) * RATE)
                noise = np.diff(rng.standard_normal(n + 1)) * np.hanning(n) * 0.15
                out[pos : pos + n] += noise[: max(0, min(n, total - pos))]
                pos += n
            n = int(rng.uniform(0.12, 0.3) * RATE)
            t = np.arange(n) / RATE
            pitch = np.linspace(rng.uniform(*f0), rng.uniform(*f0), n)
            phase = 2 * np.pi * np.cumsum(pitch) / RATE
            formants = vowels[rng.integers(len(vowels))]
            syllable = np.zeros(n)
            for h in range(1, int(4000 / f0[1]) + 1):
                freq = h * pitch
                gain = sum(np.exp(-(((freq - f) / 120.0) ** 2)) for f in formants) + 0.02
                syllable += gain * np.sin(h * phase)
            envelope = np.clip(np.sin(np.pi * t / t[-1]), 0.0, 1.0) ** 0.6
            end = min(pos + n, total)
            out[pos:end] += (syllable * envelope)[: end - pos]
            pos += n
        pos += int(rng.uniform(0.15, 0.6) * RATE)  # pause between words
    out *= 10 ** (-20 / 20) * 32767 / np.sqrt(np.mean(out[out != 0] ** 2))  # -20 dBFS while talking
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


@dataclass(frozen=True)
class Voices:
    source: str
    far: Int16  # SECONDS long: the remote participant, played by our speaker
    near: Int16  # SECONDS long: our local talker, silent until NEAR_START_S
    near_active: slice  # where the local talker speaks (both talk there)


def _fit(signal: Int16, seconds: float) -> Int16:
    """Repeat or cut to exactly ``seconds``."""
    n = int(seconds * RATE)
    reps = -(-n // len(signal))
    return np.tile(signal, reps)[:n]


def _place_near(talk: Int16) -> tuple[Int16, slice]:
    near = np.zeros(SECONDS * RATE, dtype=np.int16)
    start = NEAR_START_S * RATE
    length = min(len(talk), len(near) - start - RATE)
    near[start : start + length] = talk[:length]
    return near, slice(start, start + length)


@pytest.fixture(scope="module", params=["espeak-ng", "synthetic"])
def voices(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Voices:
    if request.param == "synthetic":
        far = _synthetic_speech(SECONDS, f0=(95.0, 140.0), seed=1)  # a low voice
        near, active = _place_near(_synthetic_speech(9, f0=(190.0, 260.0), seed=2))  # a higher one
        return Voices("synthetic", far, near, active)
    if shutil.which("espeak-ng") is None:
        pytest.fail(
            "espeak-ng is not installed: the tests need the Debian package espeak-ng "
            "(sudo bash scripts/setup.sh test installs it, or: sudo apt-get install espeak-ng)",
            pytrace=False,
        )
    tmp = tmp_path_factory.mktemp("speech")
    far_talk = np.concatenate(
        [
            _espeak(
                "The patient reports mild chest pain after exercise. Blood pressure was one hundred"
                " forty over ninety this morning.",
                "en-us",
                45,
                150,
                tmp / "far1.wav",
            ),
            np.zeros(RATE // 3, dtype=np.int16),
            _espeak(
                "We recommend a follow up visit next week, and a review of the current medication list.",
                "en-us",
                45,
                150,
                tmp / "far2.wav",
            ),
            np.zeros(RATE // 3, dtype=np.int16),
        ]
    )
    near_talk = _espeak(
        "Can you hear me clearly? I think the lab results came back normal, but the doctor wants to"
        " repeat the test in a month.",
        "en-gb+f3",
        70,
        140,
        tmp / "near.wav",
    )
    near, active = _place_near(near_talk)
    return Voices("espeak-ng", _fit(far_talk, SECONDS), near, active)


# --- The simulated room ------------------------------------------------------------------------


def _echo_path(delay_ms: float = 80, tail_ms: float = 100, gain_db: float = -10, seed: int = 3) -> Float:
    """An impulse response: silence for the delay, then a direct tap and a decaying diffuse tail
    (-60 dB over ``tail_ms``), scaled so that its total energy is ``gain_db``."""
    rng = np.random.default_rng(seed)
    delay = int(RATE * delay_ms / 1000)
    tail = int(RATE * tail_ms / 1000)
    response = rng.standard_normal(tail) * np.exp(-np.arange(tail) / (tail / 6.9))
    response[0] = 3.0  # the direct sound dominates, as from a laptop speaker to its microphone
    h = np.concatenate([np.zeros(delay), response])
    return np.asarray(h * np.sqrt(10 ** (gain_db / 10) / np.sum(h**2)), dtype=np.float64)


def _convolve(x: Float, h: Float) -> Float:
    n = len(x) + len(h) - 1
    size = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[: len(x)]


def _room(far: Int16, near: Int16 | None = None, seed: int = 4) -> tuple[Float, Int16]:
    """(echo alone, microphone signal) for a far-end signal and optional local talk."""
    echo = _convolve(far.astype(np.float64), _echo_path())
    noise = np.random.default_rng(seed).standard_normal(len(far)) * 32768 * 10 ** (-60 / 20)
    mic = echo + noise + (near.astype(np.float64) if near is not None else 0.0)
    return echo, np.clip(np.round(mic), -32768, 32767).astype(np.int16)


def _run(canceller: EchoCanceller | NullEchoCanceller, far: Int16, mic: Int16, frame_ms: int = 10) -> Float:
    """Play ``far`` and record ``mic`` in lockstep, ``frame_ms`` at a time, as a duplex stream."""
    step = RATE * frame_ms // 1000
    out = np.zeros(len(mic))
    for start in range(0, len(mic) - step + 1, step):
        canceller.render(far[start : start + step])
        out[start : start + step] = canceller.capture(mic[start : start + step])
    return out


def _power(x: Float) -> float:
    return float(np.mean(np.square(x)))


def _erle_db(echo: Float, out: Float, start_s: float = CONVERGED_S) -> float:
    """Echo return loss enhancement: echo power in the microphone over power left in the output."""
    s = slice(int(start_s * RATE), None)
    return float(10 * np.log10(_power(echo[s]) / max(_power(out[s]), 1e-12)))


@dataclass(frozen=True)
class NearEndFigures:
    correlation: float  # with the clean local talk, at the best lag
    lag_ms: float  # the processing delay found
    gain_db: float  # local talk's level in the output (projection), relative to the clean talk


def _near_end_figures(near: Int16, out: Float, active: slice) -> NearEndFigures:
    """How well the local talker survives: align the output with the clean talk (AEC3 delays by
    ~9-15 ms), then correlate and project. Whatever does not correlate is residual echo and the
    suppressor's distortion of the voice; the two cannot be told apart here, so only the voice's
    share is measured."""
    x = near[active].astype(np.float64)
    best_lag, best_corr = 0, -1.0
    for lag in range(0, int(0.04 * RATE), 12):  # 0-40 ms in 0.25 ms steps
        y = out[active.start + lag : active.stop + lag]
        corr = float(np.dot(x, y) / np.sqrt(np.dot(x, x) * np.dot(y, y)))
        if corr > best_corr:
            best_lag, best_corr = lag, corr
    y = out[active.start + best_lag : active.stop + best_lag]
    gain = float(np.dot(x, y) / np.dot(x, x))
    return NearEndFigures(
        correlation=best_corr, lag_ms=best_lag * 1000 / RATE, gain_db=float(20 * np.log10(abs(gain)))
    )


# --- Echo only ---------------------------------------------------------------------------------


@needs_aec
@pytest.mark.parametrize("frame_ms", [10, 20])
@pytest.mark.parametrize(
    ("noise_suppression", "gain_control", "minimum_db"),
    [
        # The echo canceller proper, with NS after it: measured 40.8 dB (espeak-ng), 36.7 dB
        # (synthetic); the requirement is 20 dB, the threshold guards most of the margin.
        (True, False, 30.0),
        # AEC3 alone: measured 34.3 dB / 31.8 dB.
        (False, False, 25.0),
        # The app's default, AGC on: AGC2 puts gain on whatever is left while no local talker
        # sets its level; capped at AGC_MAX_GAIN_DB (10 dB) it measured 30.8 dB / 26.7 dB
        # (uncapped, 25.9 / 21.4 dB). The requirement, 20 dB, is the threshold.
        (True, True, 20.0),
    ],
    ids=["aec+ns", "aec", "aec+ns+agc"],
)
def test_echo_alone_is_cancelled(
    voices: Voices, frame_ms: int, noise_suppression: bool, gain_control: bool, minimum_db: float
) -> None:
    canceller = EchoCanceller(RATE, noise_suppression=noise_suppression, gain_control=gain_control)
    echo, mic = _room(voices.far)
    started = time.perf_counter()
    out = _run(canceller, voices.far, mic, frame_ms)
    per_frame_ms = (time.perf_counter() - started) * 1000 / (len(mic) // FRAME)
    erle = _erle_db(echo, out)
    first_second = 10 * np.log10(_power(echo[:RATE]) / max(_power(out[:RATE]), 1e-12))
    print(
        f"\n[{voices.source}, NS={noise_suppression}, AGC={gain_control}, {frame_ms} ms frames] "
        f"ERLE after {CONVERGED_S} s: {erle:.1f} dB (first second: {first_second:.1f} dB); "
        f"{per_frame_ms:.3f} ms per 10 ms frame including the test loop"
    )
    assert erle >= minimum_db
    stats = canceller.stats()
    assert stats.render_underruns == 0
    assert stats.render_dropped == 0
    assert stats.capture_frames == stats.render_frames == len(mic) // FRAME


@needs_aec
def test_frames_of_10_and_20_ms_give_identical_output(voices: Voices) -> None:
    """20 ms frames are split into 10 ms chunks: the same result, sample for sample."""
    _, mic = _room(voices.far[: 4 * RATE])
    ten = _run(EchoCanceller(RATE), voices.far[: 4 * RATE], mic, 10)
    twenty = _run(EchoCanceller(RATE), voices.far[: 4 * RATE], mic, 20)
    np.testing.assert_array_equal(ten, twenty)


# --- Double talk -------------------------------------------------------------------------------


@needs_aec
def test_local_talker_survives_double_talk(voices: Voices) -> None:
    """Both talk at once: the local voice must come through, barely attenuated, and the echo
    canceller must not lose the echo path meanwhile (it is still cancelling once the local talker
    stops).

    Measured without AGC, whose job is to change the level. Measured: correlation 0.86-0.89 and
    the local voice 2.7 dB down; echo still cancelled by 33-40 dB afterwards. The thresholds leave
    margin: 0.75, 6 dB and 20 dB.
    """
    canceller = EchoCanceller(RATE, noise_suppression=True, gain_control=False)
    echo, mic = _room(voices.far, voices.near)
    out = _run(canceller, voices.far, mic, 20)
    figures = _near_end_figures(voices.near, out, voices.near_active)
    after = _erle_db(echo, out, start_s=voices.near_active.stop / RATE + 0.5)
    print(
        f"\n[{voices.source}] double talk: correlation {figures.correlation:.3f} at "
        f"{figures.lag_ms:.2f} ms, local voice {figures.gain_db:+.2f} dB; ERLE after it {after:.1f} dB"
    )
    assert figures.correlation >= 0.75
    assert figures.gain_db >= -6.0
    assert after >= 20.0


@needs_aec
def test_local_talker_survives_double_talk_with_gain_control(voices: Voices) -> None:
    """With the app's defaults (AGC on) the level may change, but the voice must stay intact."""
    canceller = EchoCanceller(RATE)
    _, mic = _room(voices.far, voices.near)
    out = _run(canceller, voices.far, mic, 20)
    figures = _near_end_figures(voices.near, out, voices.near_active)
    print(
        f"\n[{voices.source}] double talk with AGC: correlation {figures.correlation:.3f}, "
        f"local voice {figures.gain_db:+.2f} dB"
    )
    assert figures.correlation >= 0.75


# --- Real-time scheduling ----------------------------------------------------------------------


def _callback_times(
    rng: np.random.Generator, start_ms: float, period_ms: float, count: int, jitter_ms: float, stall_p: float
) -> list[float]:
    """When a PortAudio stream's callbacks run: on time plus jitter, sometimes stalled 20-45 ms
    (e.g. waiting for the GIL), never out of order."""
    times: list[float] = []
    last = -1e9
    for i in range(count):
        due = start_ms + i * period_ms + rng.uniform(0, jitter_ms)
        if rng.random() < stall_p:
            due += rng.uniform(20, 45)
        last = max(last, due)
        times.append(last)
    return times


def _run_scheduled(
    far: Int16,
    *,
    render_start_ms: float,
    capture_start_ms: float,
    jitter_ms: float,
    stall_p: float,
    seed: int,
    out_latency_ms: float = 30,
    in_latency_ms: float = 30,
) -> tuple[float, EchoCanceller]:
    """Separate output and input streams with 20 ms blocks, on one device clock.

    Output block j is handed over at its callback and plays exactly ``out_latency_ms`` after it
    was due; input block j is the microphone over its 20 ms, handed over ``in_latency_ms`` after
    it ended. The room adds the 80 ms echo path on top. Callbacks are interleaved in time order,
    as the two PortAudio threads would run them. Returns (ERLE after convergence, canceller).
    """
    rng = np.random.default_rng(seed)
    ms = RATE // 1000
    block = 2 * FRAME
    base = 1000  # ms; keeps every index positive
    total = (base + SECONDS * 1000 + 2000) * ms
    played = np.zeros(total)
    first = int((base + render_start_ms + out_latency_ms) * ms)
    n = min(len(far), total - first)
    played[first : first + n] = far[:n]
    echo = _convolve(played, _echo_path(delay_ms=20))  # 30 + 30 + 20 = 80 ms round trip
    noise = rng.standard_normal(total) * 32768 * 10 ** (-60 / 20)
    mic = np.clip(np.round(echo + noise), -32768, 32767).astype(np.int16)

    canceller = EchoCanceller(RATE, gain_control=False)
    capture_origin = int((base + capture_start_ms) * ms)
    render_blocks = len(far) // block
    capture_blocks = (SECONDS * RATE) // block
    events = [
        (t, 0, j)
        for j, t in enumerate(
            _callback_times(rng, base + render_start_ms, 20, render_blocks, jitter_ms, stall_p)
        )
    ] + [
        (t, 1, j)
        for j, t in enumerate(
            _callback_times(
                rng, base + capture_start_ms + 20 + in_latency_ms, 20, capture_blocks, jitter_ms, stall_p
            )
        )
    ]
    out = np.zeros(total)
    for _, kind, j in sorted(events):
        if kind == 0:
            canceller.render(far[j * block : (j + 1) * block].reshape(-1, 1))  # sounddevice's shape
        else:
            s = slice(capture_origin + j * block, capture_origin + (j + 1) * block)
            out[s] = canceller.capture(mic[s].reshape(-1, 1)).reshape(-1)
    measured = slice(capture_origin + CONVERGED_S * RATE, capture_origin + (SECONDS - 1) * RATE)
    erle = 10 * np.log10(_power(echo[measured]) / max(_power(out[measured]), 1e-12))
    return erle, canceller


@needs_aec
@pytest.mark.parametrize(
    ("render_start_ms", "capture_start_ms", "jitter_ms", "stall_p", "minimum_db"),
    [
        # Measured ERLE, espeak-ng / synthetic:
        (0, 0, 3, 0.0, 30.0),  # both streams together, a little jitter: 40.5 / 36.8 dB
        (0, -15, 8, 0.0, 30.0),  # the input callback tends to run first: 40.5 / 36.3 dB
        (0, 1000, 3, 0.0, 30.0),  # the speaker ran 1 s before the mic: a backlog to drop; 39.6 / 36.4
        (500, 0, 3, 0.0, 30.0),  # the mic ran 0.5 s before the speaker: underruns; 40.2 / 36.3 dB
        # Each callback stalls 20-45 ms now and then (2 %: about once a second per stream), and
        # each stall costs some re-convergence: 31.5 / 36.7 dB here, 27-40 dB over eight seeds.
        (0, 0, 3, 0.02, 20.0),
    ],
    ids=["together", "input-first", "speaker-early", "mic-early", "stalls"],
)
def test_echo_cancelled_with_real_time_callbacks(
    voices: Voices,
    render_start_ms: float,
    capture_start_ms: float,
    jitter_ms: float,
    stall_p: float,
    minimum_db: float,
) -> None:
    erle, canceller = _run_scheduled(
        voices.far,
        render_start_ms=render_start_ms,
        capture_start_ms=capture_start_ms,
        jitter_ms=jitter_ms,
        stall_p=stall_p,
        seed=5,
    )
    stats = canceller.stats()
    print(
        f"\n[{voices.source}] scheduled callbacks: ERLE {erle:.1f} dB; underruns "
        f"{stats.render_underruns}, dropped {stats.render_dropped}, backlog {stats.render_backlog}"
    )
    assert erle >= minimum_db


# --- The far-end queue -------------------------------------------------------------------------


@needs_aec
def test_render_carries_partial_frames_over() -> None:
    canceller = EchoCanceller(RATE)
    canceller.render(np.zeros(FRAME + FRAME // 2, dtype=np.int16))  # 15 ms
    assert canceller.stats().render_frames == 1
    canceller.render(np.zeros(FRAME // 2, dtype=np.int16))  # 5 ms more
    assert canceller.stats().render_frames == 2


@needs_aec
def test_late_reference_frames_are_skipped_to_keep_the_pairing() -> None:
    canceller = EchoCanceller(RATE)
    silence = np.zeros(FRAME, dtype=np.int16)
    canceller.capture(silence)  # the output callback is late: silence stands in
    assert canceller.stats().render_underruns == 1
    canceller.render(np.ones(2 * FRAME, dtype=np.int16))  # the late frame, then the current one
    canceller.capture(silence)
    stats = canceller.stats()
    assert (stats.render_dropped, stats.render_backlog) == (1, 0)


@needs_aec
def test_a_long_startup_backlog_is_dropped_at_once() -> None:
    canceller = EchoCanceller(RATE)
    canceller.render(np.zeros(RATE, dtype=np.int16))  # 1 s played before the mic opens
    assert canceller.stats().render_backlog == 50  # the queue's hard bound: 500 ms
    canceller.capture(np.zeros(2 * FRAME, dtype=np.int16))
    assert canceller.stats().render_backlog <= 1


@needs_aec
def test_formats_are_checked_and_shapes_kept() -> None:
    canceller = EchoCanceller(RATE)
    column = np.zeros((2 * FRAME, 1), dtype=np.int16)
    out = canceller.capture(column)
    assert out.shape == column.shape and out.dtype == np.int16
    with pytest.raises(ValueError, match="whole number"):
        canceller.capture(np.zeros(FRAME + 1, dtype=np.int16))
    with pytest.raises(TypeError, match="int16"):
        canceller.capture(np.zeros(FRAME, dtype=np.float32))
    with pytest.raises(ValueError, match="channels"):
        canceller.render(np.zeros((FRAME, 2), dtype=np.int16))
    with pytest.raises(ValueError, match="multiple of 100"):
        EchoCanceller(44_123)


@needs_aec
def test_stream_delay_hint() -> None:
    canceller = EchoCanceller(RATE, stream_delay_ms=40)
    assert canceller.stream_delay_ms == 40
    canceller.set_stream_delay_ms(120)
    assert canceller.stream_delay_ms == 120
    with pytest.raises(ValueError):
        canceller.set_stream_delay_ms(-1)


# --- Threads -----------------------------------------------------------------------------------


@needs_aec
def test_render_and_capture_from_different_threads() -> None:
    """The output thread renders, the input thread captures, a third thread pokes the controls;
    for about two seconds, as fast as they can go. No exceptions, and every frame comes back with
    the shape and dtype it went in with."""
    canceller = EchoCanceller(RATE)
    rng = np.random.default_rng(6)
    far_block = (rng.standard_normal((2 * FRAME, 1)) * 3000).astype(np.int16)
    mic_block = (rng.standard_normal((2 * FRAME, 1)) * 1000).astype(np.int16)
    deadline = time.monotonic() + 2.0
    errors: list[BaseException] = []
    bad_frames: list[tuple[tuple[int, ...], np.dtype[np.generic]]] = []
    captured = [0]

    def guarded(body: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                body()
            except BaseException as exc:  # recorded, then re-raised in the test thread
                errors.append(exc)

        return run

    def output_thread() -> None:
        for _ in range(200_000):
            if time.monotonic() > deadline:
                return
            canceller.render(far_block)

    def input_thread() -> None:
        for _ in range(200_000):
            if time.monotonic() > deadline:
                return
            out = canceller.capture(mic_block)
            if out.shape != mic_block.shape or out.dtype != np.int16:
                bad_frames.append((out.shape, out.dtype))
            captured[0] += 1

    def control_thread() -> None:
        for i in range(200_000):
            if time.monotonic() > deadline:
                return
            canceller.set_stream_delay_ms(i % 200)
            canceller.stats()
            if i % 500 == 0:
                canceller.reset()
            time.sleep(0.001)

    threads = [threading.Thread(target=guarded(f)) for f in (output_thread, input_thread, control_thread)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]
    assert not bad_frames
    assert captured[0] > 0
    assert canceller.stats().capture_frames == 2 * captured[0]


@needs_aec
def test_render_does_not_wait_for_the_dsp() -> None:
    """While the input thread is inside the APM, the output thread can still queue its frames."""
    canceller = EchoCanceller(RATE)
    inside = threading.Event()
    release = threading.Event()
    real = canceller._apm

    class Stalled:
        stream_delay_ms = 0

        def process(self, near: Int16, far: Int16) -> Int16:
            inside.set()
            release.wait(30)
            return real.process(near, far)

        def reset(self) -> None:
            real.reset()

    canceller._apm = Stalled()
    capture = threading.Thread(target=canceller.capture, args=(np.zeros(FRAME, dtype=np.int16),))
    capture.start()
    try:
        assert inside.wait(30)
        render = threading.Thread(target=canceller.render, args=(np.zeros(4 * FRAME, dtype=np.int16),))
        render.start()
        render.join(timeout=30)
        assert not render.is_alive(), "render() waited for the DSP"
        assert canceller.stats().render_backlog == 4
    finally:
        release.set()
        capture.join(timeout=30)


# --- Without the library -----------------------------------------------------------------------


def test_null_canceller_passes_audio_through_unchanged() -> None:
    null = NullEchoCanceller(RATE)
    rng = np.random.default_rng(7)
    for shape in [(FRAME,), (2 * FRAME,), (2 * FRAME, 1)]:
        far = (rng.standard_normal(shape) * 8000).astype(np.int16)
        mic = (rng.standard_normal(shape) * 8000).astype(np.int16)
        null.render(far)
        out = null.capture(mic)
        np.testing.assert_array_equal(out, mic)
        assert out.dtype == np.int16 and out.shape == mic.shape
        assert out is not mic
    assert not null.active
    null.set_stream_delay_ms(50)
    null.reset()
    stats = null.stats()
    assert stats.capture_frames == stats.render_frames == 1 + 2 + 2
    with pytest.raises(ValueError, match="whole number"):
        null.capture(np.zeros(FRAME - 1, dtype=np.int16))


def test_missing_library_falls_back_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "pywebrtc_audio", None)  # makes its import fail
    monkeypatch.setattr(ec_module, "_warned_unavailable", False)
    with pytest.raises(EchoCancellerUnavailable):
        EchoCanceller(RATE)
    with caplog.at_level(logging.WARNING, logger=ec_module.__name__):
        first = create_echo_canceller(RATE)
        second = create_echo_canceller(RATE)
    assert isinstance(first, NullEchoCanceller) and isinstance(second, NullEchoCanceller)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "No echo cancellation" in warnings[0].getMessage()


@needs_aec
def test_factory_gives_the_real_canceller_when_available() -> None:
    canceller = create_echo_canceller(RATE)
    assert isinstance(canceller, EchoCanceller) and canceller.active
