"""Multi-point calls through the real Janus: who sees whom, judged by frame content."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from echo_desktop.aiortc_patches import usage
from echo_desktop.hub.launcher import JanusHub
from echo_desktop.session.models import Role
from echo_desktop.session.phases import CallPhase
from tests.conftest import Room
from tests.peers import Peer, counters_advance, wait_for

pytestmark = pytest.mark.integration


async def _with_peers(names: list[str]) -> list[Peer]:
    return [Peer(name, Role.HUB if i == 0 else Role.SPOKE) for i, name in enumerate(names)]


def _drops(peer: Peer, name: str) -> Callable[[], bool]:
    """True once `peer` no longer lists `name`."""
    return lambda: peer.feed_id_of(name) is None


async def _close(peers: list[Peer]) -> None:
    for peer in peers:
        await peer.leave()
        peer.close()


@pytest.mark.parametrize("count", [2, 4])
async def test_everyone_sees_everyone_by_content(room: Room, count: int) -> None:
    names = [f"P{i}" for i in range(count)]
    peers = await _with_peers(names)
    try:
        # Staggered joins: the first ones learn of later publishers during the call.
        for peer in peers:
            await peer.join(room.server_url, room.room, room.pin)
            assert peer.session.state.phase is CallPhase.IN_CALL
        for peer in peers:
            for other in names:
                if other == peer.name:
                    continue
                await wait_for(counters_advance(peer, other, 10), what=f"{peer.name} sees {other}")
        for peer in peers:
            stats = peer.feeds_by_name()
            assert sorted(stats) == sorted(n for n in names if n != peer.name)
            for s in stats.values():
                assert s.codec == "vp8"
                assert s.audio_frames_decoded > 0
                card = peer.card_of(s.display.split(" [")[0])
                assert card.last is not None and card.first is not None
                assert card.last > card.first  # the picture moves on
            roles = {p.display_name: p.role for p in peer.session.participants}
            if peer.name != "P0":
                assert roles["P0"] is Role.HUB
    finally:
        await _close(peers)


async def test_leaver_loses_tile_and_stream_everywhere(room: Room, janus: JanusHub) -> None:
    peers = await _with_peers(["Ann", "Ben", "Cat"])
    ann, ben, cat = peers
    try:
        for peer in peers:
            await peer.join(room.server_url, room.room, room.pin)
        for peer in (ann, ben):
            await wait_for(counters_advance(peer, "Cat", 5), what=f"{peer.name} sees Cat")
        await wait_for(counters_advance(ann, "Ben", 5), what="Ann sees Ben")
        cat_id = ann.feed_id_of("Cat")
        assert cat_id is not None

        cat_session = cat.engine.server_session_id
        await cat.leave()
        # A clean leave destroys the Janus session: well before its 60 s session timeout.
        assert janus.log_path is not None
        await wait_for(
            lambda: f"Destroying session {cat_session}" in janus.log_path.read_text(),  # type: ignore[union-attr]
            timeout=20,
            what="Janus to destroy the leaver's session",
        )
        assert cat.engine.server_session_id is None
        for peer in (ann, ben):
            await wait_for(_drops(peer, "Cat"), what=f"{peer.name} drops Cat")
            assert "Cat" not in peer.feeds_by_name()
            assert peer.session.latest_frame(cat_id) is None
            assert cat_id in peer.left_events
        # After renegotiation the remaining stream still flows.
        before = ann.card_of("Ben").advances
        await wait_for(
            lambda: ann.card_of("Ben").advances >= before + 10,
            what="Ann still receives Ben after Cat left",
        )
    finally:
        await _close(peers)


async def test_late_joiner_after_a_leave_is_received(room: Room) -> None:
    """Janus recycles m-lines after a leave; a newcomer on a recycled slot must still decode."""
    first = await _with_peers(["Dan", "Eve"])
    dan, eve = first
    fay = Peer("Fay")
    try:
        await dan.join(room.server_url, room.room, room.pin)
        await eve.join(room.server_url, room.room, room.pin)
        await wait_for(counters_advance(dan, "Eve", 5), what="Dan sees Eve")
        await eve.leave()
        await wait_for(lambda: dan.feed_id_of("Eve") is None, what="Dan drops Eve")
        await fay.join(room.server_url, room.room, room.pin)
        await wait_for(counters_advance(dan, "Fay", 10), what="Dan sees Fay")
    finally:
        await _close([dan, eve, fay])
    await asyncio.sleep(0)


async def test_a_real_call_goes_through_every_aiortc_replacement(room: Room) -> None:
    """Installed is not enough: aiortc must really reach each replacement in a call."""
    before = usage.snapshot()
    peers = await _with_peers(["Gil", "Hal"])
    gil, hal = peers
    try:
        for peer in peers:
            await peer.join(room.server_url, room.room, room.pin)
        await wait_for(counters_advance(gil, "Hal", 10), what="Gil sees Hal")
        await wait_for(counters_advance(hal, "Gil", 10), what="Hal sees Gil")
        await wait_for(
            lambda: all(s.audio_frames_decoded > 25 for p in peers for s in p.session.stats()),
            what="half a second of sound each way",
        )
        decoded_video = sum(s.frames_decoded for p in peers for s in p.session.stats())
        decoded_audio = sum(s.audio_frames_decoded for p in peers for s in p.session.stats())
        moved = {key: usage.snapshot().get(key, 0) - before.get(key, 0) for key in _REPLACEMENT_COUNTS}
    finally:
        await _close(peers)
    # Every video frame our receivers decoded left our jitter buffer first.
    assert moved[usage.JITTER_FRAMES] >= decoded_video > 0
    assert moved[usage.DECODED_VIDEO_IN_THREAD] >= decoded_video
    # Audio is decoded on the engine loop from the start of each stream, but for the few frames
    # queued before the switch (at most a handful per stream): nearly every frame went our way.
    assert moved[usage.DECODED_AUDIO_ON_LOOP] >= decoded_audio - 2 * 25 > 0
    assert moved[usage.MONO_OPUS_DECODERS] >= 2  # one per receiving audio stream
    # Every voice frame was encoded by our mono encoder, and every encode ran inline on the loop.
    assert moved[usage.ENCODED_AUDIO_ON_LOOP] >= moved[usage.VOICE_OPUS_FRAMES] > 0
    assert moved[usage.BUDGETED_VP8_ENCODERS] >= 2  # one per sender


_REPLACEMENT_COUNTS = (
    usage.JITTER_FRAMES,
    usage.DECODED_VIDEO_IN_THREAD,
    usage.DECODED_AUDIO_ON_LOOP,
    usage.MONO_OPUS_DECODERS,
    usage.ENCODED_AUDIO_ON_LOOP,
    usage.VOICE_OPUS_FRAMES,
    usage.BUDGETED_VP8_ENCODERS,
)
