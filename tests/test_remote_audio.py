"""Remote audio through the real Janus into one output stream on a PulseAudio null sink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from echo_desktop.media.remote_audio import RemoteAudioOutput
from echo_desktop.session.models import JoinRequest
from testkit.virtual_audio import pulse_null_sink
from tests.conftest import Room
from tests.peers import Peer, wait_for
from tests.test_audio_mixer import level_at

pytestmark = pytest.mark.integration


@pytest.fixture
def pulse() -> Iterator[Path]:
    with pulse_null_sink() as socket:
        yield socket


def _levels(window: np.ndarray, hz: float) -> list[float]:
    """A tone's level in each tenth of the window. Measured per tenth, not over the whole second:
    where the mixer trims its buffer it skips ahead, and the tone's phase jumps; over a second,
    the parts before and after the jump would cancel out."""
    return [level_at(chunk, hz) for chunk in np.array_split(window, 10)]


def _level(window: np.ndarray, hz: float) -> float:
    return float(np.median(_levels(window, hz)))


def _steady(window: np.ndarray, hz: float) -> bool:
    """Whether a tone is present and holds its level through the window: every tenth of it within
    20 % of their median (a concealed or faded stretch is not)."""
    levels = _levels(window, hz)
    middle = float(np.median(levels))
    return middle > 0.02 and all(abs(level - middle) <= 0.2 * middle for level in levels)


async def test_two_remote_voices_are_mixed_at_their_volumes(room: Room, pulse: Path) -> None:
    played: list[np.ndarray] = []
    outputs: list[RemoteAudioOutput] = []

    def speakers(request: JoinRequest) -> RemoteAudioOutput:
        output = RemoteAudioOutput()
        output.add_reference_listener(played.append)
        outputs.append(output)
        return output

    listener = Peer("Listener", audio_out=speakers)
    low, high = Peer("Low", tone_hz=300), Peer("High", tone_hz=1200)
    try:
        for peer in (listener, low, high):
            await peer.join(room.server_url, room.room, room.pin)
        await wait_for(lambda: len(listener.session.participants) == 2, what="both voices")
        high_id = listener.feed_id_of("High")
        assert high_id is not None
        listener.session.set_participant_volume(high_id, 0.5)
        # The sound server takes a while to start pulling; then buffers prime and fades finish,
        # over two more seconds of playback.
        await wait_for(
            lambda: (
                bool(outputs) and outputs[0].speaker is not None and outputs[0].speaker.blocks_played > 100
            ),
            timeout=20,
            what="the speakers to play a second",
        )
        primed = sum(len(b) for b in played)
        await wait_for(lambda: sum(len(b) for b in played) >= primed + 2 * 48_000, what="two more seconds")
        mixer = outputs[0].mixer
        sources = mixer.source_ids
        assert len(sources) == 2

        async def steady_second(voices: tuple[float, ...]) -> np.ndarray:
            """One second of what the speakers played in which no voice ran dry.

            On a loaded machine a late packet makes a buffer underrun and fade, which is the
            jitter buffer's job; and lost packets are concealed by the decoder, a voice fading
            and coming back without an underrun. The mix's levels are judged on a stretch with
            neither: no underrun, and each voice's tone steady through the second.
            """
            for _ in range(15):
                before = [mixer.underruns(s) for s in mixer.source_ids]
                start = sum(len(b) for b in played)
                await wait_for(lambda: sum(len(b) for b in played) >= start + 48_000, what="a second played")
                window = np.concatenate(played)[start:][:48_000]
                if [mixer.underruns(s) for s in mixer.source_ids] != before:
                    continue  # a voice ran dry in this second
                if all(_steady(window, hz) for hz in voices):
                    return window
            raise AssertionError("no second without an underrun or a concealed voice in 15 tries")

        recent = await steady_second((300, 1200))
        # The tone tracks send at 0.1 of full scale, as mono Opus (aiortc_patches/call_codecs.py): it plays
        # at that level. (aiortc's own stereo encoder lost 3 dB, an equal-power pan.)
        sent = 0.1
        assert _level(recent, 300) == pytest.approx(sent, rel=0.15)
        assert _level(recent, 1200) == pytest.approx(sent * 0.5, rel=0.15)
        assert _level(recent, 700) < 0.01
        # A leaver fades out of the mix.
        await high.leave()
        await wait_for(lambda: listener.feed_id_of("High") is None, what="High to leave")
        await wait_for(lambda: len(mixer.source_ids) == 1, what="High's voice to fade out of the mix")
        recent = await steady_second((300,))
        assert _level(recent, 1200) < 0.005
        assert _level(recent, 300) == pytest.approx(sent, rel=0.15)
    finally:
        for peer in (listener, low, high):
            await peer.leave()
            peer.close()
