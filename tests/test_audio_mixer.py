"""Mixing correctness, click-free joins and leaves, and the adaptive jitter buffer."""

from __future__ import annotations

import numpy as np

from echo_desktop.media.audio_mixer import MS, SAMPLE_RATE, AudioMixer

BLOCK = 10 * MS  # the output callback's block
PACKET = 20 * MS  # one decoded Opus frame


def tone(freq: float, amplitude: float, seconds: float, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return (np.sin(2 * np.pi * freq * t + phase) * amplitude * 32767).astype(np.int16)


def level_at(signal: np.ndarray, freq: float) -> float:
    """Amplitude (full scale = 1) of one frequency component, by projection on sin/cos."""
    x = signal.astype(np.float64) / 32767
    t = np.arange(len(x)) / SAMPLE_RATE
    s, c = np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t)
    return float(2 * np.hypot(x @ s, x @ c) / len(x))


def run_realtime(mixer: AudioMixer, feeds: dict[int, np.ndarray], seconds: float) -> np.ndarray:
    """Push one 20 ms packet per source, render two 10 ms blocks, repeat (a steady network)."""
    out = []
    for i in range(int(seconds * 1000 / 20)):
        for source, pcm in feeds.items():
            packet = pcm[i * PACKET : (i + 1) * PACKET]
            if len(packet):
                mixer.push(source, packet)
        out.append(mixer.render(BLOCK))
        out.append(mixer.render(BLOCK))
    return np.concatenate(out)


def test_two_tones_in_right_levels_out() -> None:
    mixer = AudioMixer()
    mixer.set_volume(2, 0.5)
    out = run_realtime(mixer, {1: tone(440, 0.3, 3), 2: tone(1000, 0.3, 3)}, 3)
    steady = out[SAMPLE_RATE : 2 * SAMPLE_RATE]  # after priming and fade-in
    assert abs(level_at(steady, 440) - 0.3) < 0.01
    assert abs(level_at(steady, 1000) - 0.15) < 0.01
    assert level_at(steady, 700) < 0.005  # nothing else appears


def test_render_listener_gets_exactly_what_is_played() -> None:
    mixer = AudioMixer()
    heard: list[np.ndarray] = []
    mixer.add_render_listener(heard.append)
    out = run_realtime(mixer, {1: tone(300, 0.2, 1)}, 1)
    assert np.array_equal(np.concatenate(heard), out)


def _max_step(signal: np.ndarray) -> float:
    return float(np.abs(np.diff(signal.astype(np.float64) / 32767)).max())


def test_join_and_leave_do_not_click() -> None:
    # A low tone at high level: an abrupt start or stop would be a step of up to 0.5 FS.
    amplitude, freq = 0.5, 200
    natural_step = amplitude * 2 * np.pi * freq / SAMPLE_RATE  # largest step of the tone itself
    mixer = AudioMixer()
    joined = run_realtime(mixer, {7: tone(freq, amplitude, 1)}, 0.5)
    assert _max_step(joined) < 2 * natural_step
    mixer.remove(7)
    tail = np.concatenate([mixer.render(BLOCK) for _ in range(5)])
    assert _max_step(np.concatenate([joined[-BLOCK:], tail])) < 2 * natural_step
    assert mixer.source_ids == []  # gone after the fade
    assert np.all(tail[BLOCK:] == 0)


def test_volume_change_ramps() -> None:
    amplitude, freq = 0.5, 200
    natural_step = amplitude * 2 * np.pi * freq / SAMPLE_RATE
    mixer = AudioMixer()
    pcm = tone(freq, amplitude, 2)
    first = run_realtime(mixer, {1: pcm[:SAMPLE_RATE]}, 1)
    mixer.set_volume(1, 0.0)
    second = run_realtime(mixer, {1: pcm[SAMPLE_RATE:]}, 1)
    assert _max_step(np.concatenate([first[-BLOCK:], second[:BLOCK]])) < 2 * natural_step
    assert np.abs(second[BLOCK:].astype(int)).max() == 0


def test_underrun_deepens_the_buffer_and_fades() -> None:
    mixer = AudioMixer()
    start_target = None
    pcm = tone(300, 0.3, 4)
    out = []
    position = 0
    # Steady for 1 s, then a 200 ms network stall, then steady again.
    for i in range(200):
        stalled = 50 <= i < 60
        if not stalled:
            # After a stall the late packets arrive in a burst.
            burst = 11 if i == 60 else 1
            for _ in range(burst):
                mixer.push(1, pcm[position : position + PACKET])
                position += PACKET
        if i == 10:
            start_target = mixer.target_ms(1)
        out.append(mixer.render(BLOCK))
        out.append(mixer.render(BLOCK))
    assert mixer.underruns(1) >= 1
    assert start_target is not None and mixer.target_ms(1) > start_target
    assert _max_step(np.concatenate(out)) < 2 * 0.3 * 2 * np.pi * 300 / SAMPLE_RATE + 0.01


def test_overfull_buffer_trims_back_towards_target() -> None:
    mixer = AudioMixer()
    mixer.push(1, tone(300, 0.3, 1))  # a one-second burst, far beyond the target
    before = mixer.depth_ms(1)
    for _ in range(50):
        mixer.render(BLOCK)
    # Played 500 ms, and trimmed on top of that.
    assert mixer.depth_ms(1) < before - 500


def test_decoded_stereo_becomes_mono_without_overflow() -> None:
    import av

    from echo_desktop.media.remote_audio import to_mono_48k

    stereo = np.empty((1, 2 * 960), dtype=np.int16)
    stereo[0, 0::2], stereo[0, 1::2] = 1000, 3000
    stereo[0, :4] = -32768  # two full-scale negative samples, both channels
    frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
    frame.sample_rate = 48000
    mono = to_mono_48k(frame)
    assert mono.dtype == np.int16 and mono.shape == (960,)
    assert mono[0] == mono[1] == -32768
    assert np.all(mono[2:] == 2000)
    slow = av.AudioFrame.from_ndarray(np.full((1, 441), 500, dtype=np.int16), format="s16", layout="mono")
    slow.sample_rate = 44100
    resampled = to_mono_48k(slow, av.AudioResampler(format="s16", layout="mono", rate=48000))
    assert resampled.dtype == np.int16 and 0 < len(resampled) <= 480
