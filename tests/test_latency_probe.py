"""The clock code that bench/latency.py measures with: drawn, encoded, sent and read back.

The unit tests need nothing; the last test runs our engine and a Chromium peer (tests/web/peer.js in
source=canvas-clock and measure=clock modes) in one room and checks that each reads the other's
clock: the Python and JavaScript code strips agree.
"""

from __future__ import annotations

import asyncio
import fractions
import threading
import time

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from echo_desktop.composition import conference, engine_loop
from echo_desktop.media import frame_code, synthetic
from echo_desktop.media.local_media import LocalMedia
from echo_desktop.session.models import JoinRequest, Rgb32Array, Role
from testkit.chromium_peer import ChromiumPeer
from tests.conftest import Room


@given(
    st.integers(0, 0xFFFF),
    st.integers(0, 2**45),
    st.sampled_from([(320, 240), (640, 480), (1280, 720)]),
)
def test_counter_and_clock_rows_round_trip_independently(
    counter: int, wall_ms: int, size: tuple[int, int]
) -> None:
    rng = np.random.default_rng(counter)
    image = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    frame_code.stamp(image, counter)
    frame_code.stamp_clock(image, wall_ms)
    assert frame_code.read(image) == counter
    assert frame_code.read_clock(image) == wall_ms % 65536


def test_clock_age_wraps_with_the_code() -> None:
    assert frame_code.clock_age_ms(1_000_050.7, 1_000_000 % 65536) == 50
    stamped = (65536 * 7 - 20) % 65536  # stamped just before the code wrapped
    assert frame_code.clock_age_ms(65536 * 7 + 30, stamped) == 50


def test_a_picture_without_a_clock_row_has_no_clock() -> None:
    image = np.full((480, 640, 3), 128, dtype=np.uint8)
    frame_code.stamp(image, 1234)
    assert frame_code.read(image) == 1234
    assert frame_code.read_clock(image) is None


async def test_the_test_card_stamps_the_wall_clock_as_a_frame_leaves() -> None:
    track = synthetic.TestPatternTrack("clock", 640, 480, 30.0, stamp_time=True)
    try:
        for expected in range(3):
            before = int(time.time() * 1000)
            frame = await track.recv()
            after = int(time.time() * 1000)
            rgb = frame.to_ndarray(format="rgb24")
            assert frame_code.read(rgb) == expected
            stamped = frame_code.read_clock(rgb)
            assert stamped is not None
            assert frame_code.clock_age_ms(after, stamped) <= after - before
    finally:
        track.stop()


def test_the_clock_code_survives_vp8_at_a_low_bit_rate() -> None:
    track = synthetic.TestPatternTrack("vp8", 640, 480, stamp_time=False)
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 640, 480, "yuv420p"
    encoder.bit_rate = 250_000
    encoder.time_base = fractions.Fraction(1, 15)
    decoder = av.CodecContext.create("vp8", "r")
    read: list[tuple[int | None, int | None]] = []
    sent: list[tuple[int, int]] = []
    for n in range(30):
        image = track.render(n)
        wall = 1_700_000_000_000 + n * 67
        frame_code.stamp_clock(image, wall)
        sent.append((n, wall % 65536))
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
        frame.pts = n
        for packet in encoder.encode(frame):
            for decoded in decoder.decode(packet):
                rgb = decoded.to_ndarray(format="rgb24")
                read.append((frame_code.read(rgb), frame_code.read_clock(rgb)))
    for packet in encoder.encode(None):
        for decoded in decoder.decode(packet):
            rgb = decoded.to_ndarray(format="rgb24")
            read.append((frame_code.read(rgb), frame_code.read_clock(rgb)))
    assert read == sent


@pytest.mark.integration
@pytest.mark.browser
async def test_our_engine_and_chromium_read_each_others_clock(room: Room) -> None:
    lock = threading.Lock()
    ours: list[tuple[int | None, int]] = []  # (counter, age) of each frame from Chromium

    def observe(_feed: int, rgb: Rgb32Array) -> None:
        now = time.time() * 1000
        stamped = frame_code.read_clock(rgb)
        if stamped is not None:
            with lock:
                ours.append((frame_code.read(rgb), frame_code.clock_age_ms(now, stamped)))

    def media(_request: JoinRequest) -> LocalMedia:
        return LocalMedia(
            audio=synthetic.ToneTrack(), video=synthetic.TestPatternTrack("Dr. Clock", stamp_time=True)
        )

    worker = engine_loop("clock-test")
    engine = conference(media, frame_observer=observe)
    browser = ChromiumPeer()
    started_ms = time.time() * 1000  # before either side stamps a frame
    try:
        await worker.run(
            engine.join(JoinRequest(room.server_url, room.room, room.pin, "Dr. Clock", Role.SPOKE))
        )
        options = {"source": "canvas-clock", "measure": "clock"}
        browser.start(room.server_url, room.room, room.pin, "Nurse Clock", publish=True, options=options)
        browser.wait_joined()
        theirs: list[list[float]] = []
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline and (len(theirs) < 30 or len(ours) < 30):
            await asyncio.sleep(0.2)
            for feed in browser.take_clock_samples():
                assert feed["display"].startswith("Dr. Clock"), feed["display"]
                theirs.extend(feed["samples"])
        assert len(ours) >= 30, f"we read {len(ours)} clocks from Chromium; {browser.page_log()[-8:]}"
        assert len(theirs) >= 30, f"Chromium read {len(theirs)} clocks from us; {browser.snapshot()}"
        # Same machine, same clock: each side read a time the other stamped after this test
        # started and before the frame was read. (A misread code is any of 65,536 values.)
        since_start = time.time() * 1000 - started_ms
        assert all(0 <= age <= since_start for _, age in ours), (since_start, ours)
        assert all(0 <= age <= since_start for _, age in theirs), (since_start, theirs)
        # Chromium's counter strip advances one per frame drawn, like ours.
        counters = [c for c, _ in ours if c is not None]
        assert len(counters) >= 25 and counters == sorted(counters)
        # The page's wall clock is ours: read between our readings before and after it.
        before = time.time() * 1000
        offset = browser.clock_offset_ms()
        after = time.time() * 1000
        assert abs(offset) <= (after - before) / 2 + 1, (offset, after - before)
    finally:
        browser.stop()
        await worker.run(engine.leave())
        worker.stop()
