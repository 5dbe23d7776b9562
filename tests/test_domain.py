"""Plain-Python domain logic: phases, display names, frame codes, stats and settings."""

from __future__ import annotations

import json
import stat

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from echo_desktop.media import frame_code
from echo_desktop.media.frame_store import LatestFrameStore
from echo_desktop.media.receive_stats import ReceiveStats
from echo_desktop.net.display_name import DisplayInfo, encode_display, parse_display
from echo_desktop.probe.card_reader import CardProgress, TestCardReader
from echo_desktop.session.models import JoinRequest, Role, clean_name
from echo_desktop.session.phases import CallPhase, CallState, InvalidTransition
from echo_desktop.storage.settings_file import JsonSettingsStore


def test_call_lifecycle_phases() -> None:
    state = CallState()
    for phase in (CallPhase.JOINING, CallPhase.IN_CALL, CallPhase.LEAVING, CallPhase.IDLE):
        state = state.to(phase)
    assert state.phase is CallPhase.IDLE
    failed = CallState().to(CallPhase.JOINING).to(CallPhase.FAILED, "The room PIN is wrong.")
    assert failed.status_text == "Call failed: The room PIN is wrong."


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (CallPhase.IDLE, CallPhase.IN_CALL),
        (CallPhase.IDLE, CallPhase.LEAVING),
        (CallPhase.LEAVING, CallPhase.IN_CALL),
    ],
)
def test_impossible_transitions_are_refused(start: CallPhase, target: CallPhase) -> None:
    with pytest.raises(InvalidTransition):
        CallState(start).to(target)


@given(
    st.text(min_size=1, max_size=80).filter(lambda s: clean_name(s) and "[" not in s),
    st.sampled_from(list(Role)),
)
def test_display_round_trip(name: str, role: Role) -> None:
    decoded = parse_display(encode_display(name, role))
    assert decoded.role is role
    assert decoded.name == clean_name(name)
    assert "\n" not in decoded.name and len(decoded.name) <= 64


def test_browser_display_without_role_is_a_spoke() -> None:
    assert parse_display("Nurse Kim") == DisplayInfo("Nurse Kim", Role.SPOKE)
    assert parse_display(None) == DisplayInfo("Guest", Role.SPOKE)
    assert parse_display("Dr. Ruiz [hub]") == DisplayInfo("Dr. Ruiz", Role.HUB)


@pytest.mark.parametrize(
    "kwargs",
    [{"display_name": " "}, {"room": 0}, {"server_url": "http://hub"}],
)
def test_join_request_rejects_bad_input(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "server_url": "ws://h:8188",
        "room": 1,
        "pin": "1",
        "display_name": "A",
        "role": Role.SPOKE,
    }
    base.update(kwargs)
    with pytest.raises(ValueError):
        JoinRequest(**base)  # type: ignore[arg-type]


@given(st.integers(0, 0xFFFF), st.sampled_from([(320, 240), (640, 480), (1280, 720)]))
def test_frame_code_round_trip(counter: int, size: tuple[int, int]) -> None:
    rng = np.random.default_rng(counter)
    image = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    frame_code.stamp(image, counter)
    assert frame_code.read(image) == counter


def test_frame_code_rejects_pictures_without_a_strip() -> None:
    assert frame_code.read(np.full((480, 640, 3), 128, dtype=np.uint8)) is None
    assert frame_code.read(np.zeros((480, 640, 3), dtype=np.uint8)) is None  # check bits fail


def test_latest_frame_store_keeps_only_the_newest() -> None:
    store = LatestFrameStore()
    for value in range(5):
        store.put(7, np.full((2, 2, 4), value, dtype=np.uint8))
    frame = store.get(7)
    assert frame is not None and frame.seq == 5 and int(frame.pixels[0, 0, 0]) == 4
    store.discard(7)
    assert store.get(7) is None


def test_receive_stats_count_frames_per_feed() -> None:
    stats = ReceiveStats()
    stats.add_feed(1, "A [hub]", since=0.0)
    assert stats.on_video_frame(1) is True
    for _ in range(3):
        assert stats.on_video_frame(1) is False
    assert stats.on_audio_frame(1) is True and stats.on_audio_frame(1) is False
    (feed,) = stats.snapshot()
    assert (feed.display, feed.frames_decoded, feed.audio_frames_decoded) == ("A [hub]", 4, 2)
    assert feed.first_frame_s is not None and feed.first_frame_s > 0
    assert stats.on_video_frame(99) is False  # unknown feeds are ignored
    stats.remove_feed(1)
    assert stats.snapshot() == []


def test_test_card_reader_follows_each_feeds_counter() -> None:
    reader = TestCardReader()
    for feed, counter in [(1, 10), (1, 10), (1, 11), (2, 500), (1, 12)]:
        image = np.full((240, 320, 3), 90, dtype=np.uint8)
        frame_code.stamp(image, counter)
        reader(feed, image)
    reader(1, np.full((240, 320, 3), 90, dtype=np.uint8))  # a picture without a card: ignored
    assert reader.progress(1) == CardProgress(first=10, last=12, advances=2)
    assert reader.progress(2) == CardProgress(first=500, last=500, advances=0)
    assert reader.progress(3) == CardProgress()


def test_settings_are_private_and_survive_a_corrupt_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = JsonSettingsStore(tmp_path / "settings.json")
    assert store.load() == {}
    store.save({"server": "ws://hub:8188", "pin": "123456"})
    assert stat.S_IMODE((tmp_path / "settings.json").stat().st_mode) == 0o600
    assert JsonSettingsStore(tmp_path / "settings.json").load()["pin"] == "123456"
    (tmp_path / "settings.json").write_text("{not json")
    assert store.load() == {}
    assert (tmp_path / "settings.corrupt").read_text() == "{not json"
    store.save({"room": "5"})
    assert json.loads((tmp_path / "settings.json").read_text()) == {"room": "5"}


def test_frames_are_scaled_to_fit_the_view_keeping_their_shape() -> None:
    import av

    from echo_desktop.media.convert import FrameConverter, fit_size

    assert fit_size(640, 480, 0, 0) == (640, 480)  # no box: full size
    assert fit_size(640, 480, 320, 320) == (320, 240)
    assert fit_size(640, 480, 1920, 1080) == (640, 480)  # never upscaled
    image = np.zeros((480, 640, 3), dtype=np.uint8)
    frame_code.stamp(image, 1234)
    frame = av.VideoFrame.from_ndarray(image, format="rgb24")
    converter = FrameConverter()
    scaled = converter.convert(frame, (400, 400))
    assert scaled.shape == (300, 400, 4)
    assert frame_code.read(scaled) == 1234  # content survives the scaling
    # The same converter follows a resized view, frame by frame.
    assert converter.convert(frame, (0, 0)).shape == (480, 640, 4)
    assert converter.convert(frame, (202, 1000)).shape == (150, 202, 4)


def test_display_pixels_are_qimage_rgb32_words_from_i420_input() -> None:
    """Whatever the source (camera BGR, test card RGB), the GUI gets 0xffRRGGBB words."""
    from echo_desktop.media.convert import FrameConverter, encoder_frame

    colours = {(230, 40, 20), (30, 200, 60), (20, 50, 220)}
    for colour in colours:
        rgb = np.empty((48, 64, 3), dtype=np.uint8)
        rgb[:] = colour
        for frame in (encoder_frame(rgb, "rgb"), encoder_frame(np.ascontiguousarray(rgb[..., ::-1]), "bgr")):
            assert frame.format.name == "yuv420p"  # what the VP8 encoder takes without conversion
            pixels = FrameConverter().convert(frame, (32, 32))
            assert pixels.shape == (24, 32, 4) and pixels.flags.c_contiguous
            word = int(pixels.view(np.uint32)[12, 16, 0])
            assert word >> 24 == 0xFF
            got = ((word >> 16) & 0xFF, (word >> 8) & 0xFF, word & 0xFF)
            assert all(abs(g - c) <= 6 for g, c in zip(got, colour, strict=True)), (got, colour)
    odd = encoder_frame(np.zeros((47, 63, 3), dtype=np.uint8), "bgr")
    assert (odd.format.name, odd.width, odd.height) == ("bgr24", 63, 47)  # I420 cannot hold odd sizes


def test_opencv_converts_without_a_spinning_worker_pool() -> None:
    # Importing our media code leaves OpenCV single-threaded (see media/convert.py): its worker
    # pool would spin on sched_yield after each small conversion.
    import subprocess
    import sys

    # In a fresh interpreter, after something else asked OpenCV for a pool of four.
    code = "import cv2; cv2.setNumThreads(4); import echo_desktop.media.synthetic; print(cv2.getNumThreads())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"
