"""Interop with the browsers other clinic members run: headless Chromium (janus.js) and us."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from testkit.chromium_peer import ChromiumPeer, FeedStats
from testkit.virtual_audio import pulse_null_sink
from testkit.virtual_camera import write_test_card_y4m
from tests.conftest import Room
from tests.peers import Peer, counters_advance, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@asynccontextmanager
async def _in_a_call(room: Room, browser: ChromiumPeer, publish: bool = True) -> AsyncIterator[Peer]:
    """Our peer "Dr. Desktop" and `browser` ("Nurse Browser") joined to `room`; both leave after."""
    ours = Peer("Dr. Desktop", size=(640, 480))
    try:
        await ours.join(room.server_url, room.room, room.pin)
        browser.start(room.server_url, room.room, room.pin, "Nurse Browser", publish=publish)
        browser.wait_joined()
        yield ours
    finally:
        browser.stop()
        await ours.leave()
        ours.close()


async def test_chromium_and_echo_desktop_decode_each_other(room: Room) -> None:
    browser = ChromiumPeer()
    async with _in_a_call(room, browser) as ours:
        # We decode Chromium's fake camera (its picture has no counter: judge by decoded frames).
        await wait_for(
            lambda: (
                ours.feeds_by_name().get("Nurse Browser") is not None
                and ours.feeds_by_name()["Nurse Browser"].frames_decoded >= 30
            ),
            timeout=20,
            what="ECHO Desktop decodes Chromium",
        )
        theirs = ours.feeds_by_name()["Nurse Browser"]
        assert theirs.codec == "vp8"
        assert theirs.audio_frames_decoded > 0
        # And keeps decoding: the video flows on, not a burst that stopped.
        await wait_for(
            lambda: ours.feeds_by_name()["Nurse Browser"].frames_decoded >= theirs.frames_decoded + 15,
            timeout=20,
            what="ECHO Desktop to go on decoding Chromium",
        )

        # Chromium decodes ours, and keeps decoding.
        def ours_in_chromium() -> FeedStats | None:
            feeds = [f for f in browser.feeds() if f["display"].startswith("Dr. Desktop")]
            return feeds[0] if feeds else None

        await wait_for(
            lambda: (feed := ours_in_chromium()) is not None and feed["framesDecoded"] > 0,
            timeout=20,
            what=lambda: f"Chromium to decode us; its state: {browser.state()}",
        )
        first = ours_in_chromium()
        assert first is not None
        await wait_for(
            lambda: (
                (feed := ours_in_chromium()) is not None
                and feed["framesDecoded"] > first["framesDecoded"] + 10
                and feed["audioPacketsReceived"] > 50
            ),
            timeout=20,
            what="Chromium to go on decoding our video and audio",
        )
        assert browser.outbound()["framesEncoded"] > 0


async def test_chromium_camera_can_play_our_test_card(room: Room, tmp_path: Path) -> None:
    # The CPU bench feeds Chromium our moving test card, so both clients encode the same picture.
    # Its frame counters, read back after Chromium encoded them, prove that the file was used.
    card = write_test_card_y4m(tmp_path / "card.y4m", seconds=2)
    browser = ChromiumPeer(camera_file=card)
    async with _in_a_call(room, browser) as ours:
        await wait_for(counters_advance(ours, "Nurse Browser", 20), timeout=20,
                       what="the test card's counters from Chromium")  # fmt: skip


async def test_chromium_plays_our_voice_at_its_level(room: Room) -> None:
    # We send mono Opus (aiortc_patches/call_codecs.py). Chromium, playing to a sound server as a clinician's
    # browser does, must hear our tone (0.1 of full scale) at that level: not silent, and not
    # 3 dB down as aiortc's stereo encoder sent it (0.071).
    with pulse_null_sink():
        browser = ChromiumPeer(play_audio=True)
        async with _in_a_call(room, browser, publish=False):

            def level() -> float | None:
                feeds = [f for f in browser.feeds() if f["display"].startswith("Dr. Desktop")]
                return feeds[0]["audioLevel"] if feeds else None

            def packets() -> int:
                feeds = [f for f in browser.feeds() if f["display"].startswith("Dr. Desktop")]
                return int(feeds[0]["audioPacketsReceived"]) if feeds else 0

            await wait_for(lambda: (level() or 0) > 0.03, timeout=20, what="Chromium to hear us")
            # The level settles over the next second of our voice (50 packets of 20 ms).
            heard = packets()
            await wait_for(lambda: packets() >= heard + 50, timeout=20, what="another second of our voice")
            assert 0.085 < (level() or 0) < 0.12, level()
