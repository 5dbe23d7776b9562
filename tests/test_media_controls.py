"""Mute, camera off and on, and device switching mid-call, through the real Janus."""

from __future__ import annotations

import pytest

from echo_desktop.session.models import Participant
from echo_desktop.session.phases import CallPhase
from tests.conftest import Room
from tests.peers import Peer, counters_advance, wait_for

pytestmark = pytest.mark.integration


async def test_camera_off_and_mute_stop_sending_and_tell_the_others(room: Room) -> None:
    # Cal is a witness: while Ben keeps decoding Cal, Ben's receive path is running, so Ann's
    # counts standing still mean that nothing came from her.
    ann, ben, cal = Peer("Ann"), Peer("Ben"), Peer("Cal")
    try:
        await ann.join(room.server_url, room.room, room.pin)
        await ben.join(room.server_url, room.room, room.pin)
        await cal.join(room.server_url, room.room, room.pin)
        await wait_for(counters_advance(ben, "Ann", 5), what="Ben sees Ann")
        await wait_for(counters_advance(ben, "Cal", 5), what="Ben sees Cal")
        assert ann.session.local_media.camera_on and not ann.session.local_media.muted

        await ann.session.set_camera_enabled(False)
        await ann.session.set_muted(True)
        await wait_for(lambda: not ann.session.local_media.camera_on and ann.session.local_media.muted)

        def ann_as_ben_sees_her() -> Participant:
            return next(p for p in ben.session.participants if p.display_name == "Ann")

        await wait_for(lambda: not ann_as_ben_sees_her().camera_on and ann_as_ben_sees_her().muted,
                       what="Ben is told Ann's camera is off and she is muted")  # fmt: skip
        # Nothing flows any more: the counts stand still while Ben decodes a second and more of
        # Cal's video and audio.
        stats = ben.feeds_by_name()["Ann"]
        frames, audio = stats.frames_decoded, stats.audio_frames_decoded
        witness = ben.feeds_by_name()["Cal"]
        await wait_for(
            lambda: (
                ben.feeds_by_name()["Cal"].frames_decoded >= witness.frames_decoded + 20
                and ben.feeds_by_name()["Cal"].audio_frames_decoded >= witness.audio_frames_decoded + 60
            ),
            what="Ben to go on decoding Cal",
        )
        later = ben.feeds_by_name()["Ann"]
        assert later.frames_decoded - frames <= 2
        assert later.audio_frames_decoded - audio <= 3
        assert ann.session.latest_frame(0) is None  # no self-view while the camera is off

        await ann.session.set_camera_enabled(True)
        await ann.session.set_muted(False)
        await wait_for(lambda: ann_as_ben_sees_her().camera_on and not ann_as_ben_sees_her().muted,
                       what="Ben is told Ann is back")  # fmt: skip
        await wait_for(
            lambda: ben.feeds_by_name()["Ann"].frames_decoded > later.frames_decoded + 10,
            what="Ann's video to flow again",
        )
        await wait_for(
            lambda: ben.feeds_by_name()["Ann"].audio_frames_decoded > later.audio_frames_decoded + 20,
            what="Ann's audio to flow again",
        )
    finally:
        for peer in (ann, ben, cal):
            await peer.leave()
            peer.close()


async def test_switching_camera_mid_call_keeps_the_picture_flowing(room: Room) -> None:
    ann, ben = Peer("Ann"), Peer("Ben")
    try:
        await ann.join(room.server_url, room.room, room.pin)
        await ben.join(room.server_url, room.room, room.pin)
        await wait_for(counters_advance(ben, "Ann", 5), what="Ben sees Ann")
        before = ben.feeds_by_name()["Ann"].frames_decoded
        await ann.session.switch_camera("second")
        await wait_for(lambda: ann.session.local_media.camera == "second")
        await ann.session.switch_microphone("second")
        await wait_for(
            lambda: ben.feeds_by_name()["Ann"].frames_decoded > before + 30,
            what="frames from the new camera",
        )
        assert ann.session.state.phase is CallPhase.IN_CALL
    finally:
        for peer in (ann, ben):
            await peer.leave()
            peer.close()
