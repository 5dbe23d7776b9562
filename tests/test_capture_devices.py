"""The real capture classes: opencv reading a video file, sounddevice on a PulseAudio null sink."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from echo_desktop.media import frame_code
from echo_desktop.media.audio_mixer import AudioMixer
from echo_desktop.media.camera import CameraError, CameraMode, CameraTrack
from echo_desktop.media.media_clock import MediaClock
from echo_desktop.media.microphone import FRAME, MicrophoneTrack
from echo_desktop.media.speaker import SpeakerOutput
from testkit.virtual_audio import pulse_null_sink
from tests.test_audio_mixer import level_at, tone
from tests.waiting import wait_for, wait_until


@pytest.fixture(scope="module")
def video_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three seconds of 640x480 at 15 fps, each frame carrying its number."""
    path = tmp_path_factory.mktemp("video") / "clinic.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15, (640, 480))
    for n in range(45):
        image = np.full((480, 640, 3), 90, dtype=np.uint8)
        frame_code.stamp(image, n)
        writer.write(image)
    writer.release()
    return path


async def test_camera_class_reads_a_video_file_paced_with_monotonic_timestamps(video_file: Path) -> None:
    track = CameraTrack(str(video_file), CameraMode(fps=15))
    counters: list[int | None] = []
    pts: list[int] = []
    try:
        for _ in range(20):
            frame = await track.recv()
            rgb = frame.to_ndarray(format="rgb24")
            counters.append(frame_code.read(rgb))
            assert frame.pts is not None
            pts.append(frame.pts)
    finally:
        track.stop()
    numbers = [c for c in counters if c is not None]
    assert len(numbers) == len(counters)  # every frame carried its number
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert all(b > a for a, b in itertools.pairwise(pts))
    # Paced like a camera: a file reads in an instant, yet after 20 frames handed on one by one
    # the reader is still inside the 45-frame file (read at once, it would have ended the track).
    assert track.frames_read < 45 and not track.failed


async def test_camera_latest_frame_wins_when_the_consumer_is_slow(video_file: Path) -> None:
    track = CameraTrack(str(video_file), CameraMode(fps=15))
    try:
        first = frame_code.read((await track.recv()).to_ndarray(format="rgb24"))
        assert first is not None
        # A stalled encoder: the camera delivers 9 more frames meanwhile.
        await wait_for(lambda: track.frames_read >= first + 10, what="9 more frames from the camera")
        second = frame_code.read((await track.recv()).to_ndarray(format="rgb24"))
    finally:
        track.stop()
    assert first is not None and second is not None
    assert second - first >= 5  # it skipped ahead to the newest frame
    assert track.frames_dropped >= 4  # and dropped the stale ones instead of queueing them


async def test_camera_end_of_stream_ends_the_track(video_file: Path) -> None:
    from aiortc.mediastreams import MediaStreamError

    track = CameraTrack(str(video_file), CameraMode(fps=60))
    with pytest.raises(MediaStreamError):
        for _ in range(200):
            await track.recv()
    assert track.failed


def test_missing_camera_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CameraError):
        CameraTrack(str(tmp_path / "no-such-camera.avi"))


@pytest.fixture(scope="module")
def pulse() -> Iterator[Path]:
    with pulse_null_sink() as socket:
        yield socket


async def test_speaker_to_microphone_loopback_through_pulseaudio(pulse: Path) -> None:
    mixer = AudioMixer()
    speaker = SpeakerOutput(mixer)
    clock = MediaClock()
    mic = MicrophoneTrack(clock=clock)
    captured: list[np.ndarray] = []
    pts: list[int] = []
    try:
        # PulseAudio takes a moment to start pulling a new stream.
        await wait_for(lambda: speaker.blocks_played > 10 and mic.blocks_captured > 10, what="both streams")
        mic._frames.clear()
        feed = tone(1000, 0.4, 4)
        for i in range(100):  # 2 s of 20 ms packets, each pushed as the speakers play the last
            mixer.push(1, feed[i * 960 : (i + 1) * 960])
            # Paced by the speakers, like a steady network: the buffer stays near its 60 ms target.
            await wait_for(lambda: mixer.depth_ms(1) <= 60, poll=0.005, what="the speakers to play on")
            while mic._frames:
                frame = await mic.recv()
                captured.append(frame.to_ndarray().reshape(-1))
                assert frame.pts is not None
                pts.append(frame.pts)
    finally:
        mic.stop()
        speaker.close()
    assert speaker.blocks_played > 50
    audio = np.concatenate(captured)
    assert len(audio) > 48_000  # over a second came back
    # The tone we played is what the microphone (the sink's monitor) heard.
    assert level_at(audio[-24_000:], 1000) > 0.2
    # One 20 ms frame each, and timestamps monotonic, exactly one frame apart.
    assert {len(frame) for frame in captured} == {FRAME}
    assert all(b - a == FRAME for a, b in itertools.pairwise(pts))


async def test_microphone_and_speaker_report_a_vanished_server(tmp_path: Path) -> None:
    """Device loss: the sound server goes away mid-stream; both sides notice, nothing hangs."""
    with pulse_null_sink():
        mixer = AudioMixer()
        speaker = SpeakerOutput(mixer)
        mic = MicrophoneTrack()
        await wait_for(lambda: speaker.blocks_played > 10 and mic.blocks_captured > 10, what="both streams")
        assert not speaker.stalled and not mic.stalled
    # The server is gone now.
    try:
        await wait_for(lambda: speaker.stalled, what="the speakers to notice the server is gone")
        await wait_for(lambda: mic.stalled, what="the microphone to notice the server is gone")
    finally:
        mic.stop()
        speaker.close()


def test_device_check_lists_audio_devices_and_hears_the_test_tone(pulse: Path) -> None:
    import threading
    import time

    from echo_desktop.media.device_check import MediaDevices
    from echo_desktop.session.models import DeviceKind

    devices = MediaDevices()
    microphones = devices.list_devices(DeviceKind.MICROPHONE)
    speakers = devices.list_devices(DeviceKind.SPEAKER)
    assert microphones and speakers
    assert speakers[0].is_default  # the default comes first
    meter = devices.open_level_meter(None)
    try:
        wait_until(lambda: meter.blocks >= 10, what="the level meter to hear ten blocks")
        quiet = meter.level()
        heard: list[float] = []
        player = threading.Thread(target=devices.play_test_tone, args=(None, 1.5))
        player.start()
        while player.is_alive():
            heard.append(meter.level())
            time.sleep(0.05)
        player.join()
    finally:
        meter.close()
    # The null sink's monitor is the default source: the meter hears the tone it played.
    assert quiet < 0.01
    assert max(heard) > 0.2


def test_device_check_previews_a_camera(video_file: Path) -> None:

    from echo_desktop.media.device_check import MediaDevices

    preview = MediaDevices().open_camera_preview(str(video_file))
    try:
        wait_until(lambda: preview.latest_frame() is not None, what="a preview frame")
        frame = preview.latest_frame()
    finally:
        preview.close()
    assert frame is not None and frame.pixels.shape == (480, 640, 4)
    assert frame_code.read(frame.pixels) is not None


def test_device_check_reports_a_missing_camera(tmp_path: Path) -> None:
    from echo_desktop.media.device_check import MediaDevices

    with pytest.raises(CameraError, match="could not be opened"):
        MediaDevices().open_camera_preview(str(tmp_path / "none.avi"))
