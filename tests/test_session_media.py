"""The session's media controls and participant updates, with a fake engine at the port."""

from __future__ import annotations

import asyncio

from echo_desktop.session import events as ev
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.models import (
    JoinRequest,
    LocalMediaState,
    MediaPreferences,
    Participant,
    Role,
    encode_display,
    parse_display,
)
from tests.fakes import FakeEngine


def _request(**media: object) -> JoinRequest:
    return JoinRequest("ws://hub:8188", 1, "1", "Dr. A", Role.HUB, media=MediaPreferences(**media))  # type: ignore[arg-type]


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_mute_and_camera_toggles_reach_the_engine_and_come_back_as_state() -> None:
    engine = FakeEngine()
    session = ClinicSession(engine)
    seen: list[LocalMediaState] = []
    session.on_local_media(seen.append)
    await session.join(_request(microphone_muted=True, camera_enabled=False))
    await _settle()
    assert session.local_media.muted and not session.local_media.camera_on
    await session.toggle_muted()
    await session.toggle_camera()
    await _settle()
    assert not session.local_media.muted and session.local_media.camera_on
    await session.switch_camera("2")
    await _settle()
    assert session.local_media.camera == "2"
    assert [s.muted for s in seen][-1] is False and len(seen) >= 4


async def test_controls_do_nothing_outside_a_call() -> None:
    engine = FakeEngine()
    session = ClinicSession(engine)
    await session.set_muted(True)
    assert engine.media.muted is False


async def test_participant_updates_replace_the_participant() -> None:
    engine = FakeEngine()
    session = ClinicSession(engine)
    await session.join(_request())
    remote = engine.add_remote("Nurse B")
    await _settle()
    engine.emit(
        ev.ParticipantUpdated(Participant(remote.feed_id, "Nurse B", Role.SPOKE, camera_on=False, muted=True))
    )
    await _settle()
    (updated,) = session.participants
    assert updated.muted and not updated.camera_on
    session.set_participant_volume(remote.feed_id, 0.5)
    assert engine.volumes[remote.feed_id] == 0.5


def test_media_state_travels_in_the_display_name() -> None:
    display = encode_display("Dr. Ruiz", Role.HUB, camera_off=True, muted=True)
    assert display == "Dr. Ruiz [hub] (camera off, muted)"
    info = parse_display(display)
    assert (info.name, info.role, info.camera_off, info.muted) == ("Dr. Ruiz", Role.HUB, True, True)
    plain = parse_display("Dr. Ruiz [hub]")
    assert not plain.camera_off and not plain.muted
    assert parse_display("Browser user (camera off)").name == "Browser user (camera off)"
