"""The session's media controls and participant updates, with a fake engine at the port."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from echo_desktop.net.display_name import encode_display, parse_display
from echo_desktop.session import events as ev
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.models import (
    DeviceKind,
    JoinRequest,
    LocalMediaState,
    MediaPreferences,
    Participant,
    Role,
)
from echo_desktop.session.phases import CallPhase
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
    session.subscribe(local_media=seen.append)
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


async def _until(predicate: Callable[[], bool], what: str) -> None:
    """Let the loop run until predicate() holds; fail after a bounded number of turns."""
    for _ in range(200):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never happened: {what}")


async def test_a_device_that_stops_is_released_and_the_user_is_told() -> None:
    engine = FakeEngine()
    session = ClinicSession(engine)
    notices: list[str] = []
    session.subscribe(notice=notices.append)
    await session.join(_request())
    engine.emit(ev.DeviceUnavailable(DeviceKind.CAMERA, stopped=True))
    engine.emit(ev.DeviceUnavailable(DeviceKind.SPEAKER, stopped=True))
    await _until(lambda: len(engine.released) == 2 and not session.local_media.has_speaker, "both released")
    assert sorted(engine.released) == [DeviceKind.CAMERA, DeviceKind.SPEAKER]
    assert not session.local_media.camera_on
    assert notices == [
        "Your camera stopped working. The call goes on with audio.",
        "Your speaker or headset stopped working. You cannot hear the clinic.",
    ]
    assert session.state.phase is CallPhase.IN_CALL  # the call goes on


async def test_a_device_missing_at_join_is_only_reported() -> None:
    engine = FakeEngine()
    session = ClinicSession(engine)
    notices: list[str] = []
    session.subscribe(notice=notices.append)
    await session.join(_request())
    engine.emit(ev.DeviceUnavailable(DeviceKind.MICROPHONE, stopped=False))
    await _until(lambda: bool(notices), "the notice")
    assert notices == ["No microphone was found. You joined listen-only: others cannot hear you."]
    # Proof the session handled later events too, before asserting that nothing was released.
    engine.emit(ev.Notice("later"))
    await _until(lambda: notices[-1] == "later", "a later notice")
    assert engine.released == []


async def test_device_trouble_after_the_call_is_ignored() -> None:
    engine = FakeEngine()
    session = ClinicSession(engine)
    notices: list[str] = []
    session.subscribe(notice=notices.append)
    await session.join(_request())
    await session.leave()
    engine.emit(ev.DeviceUnavailable(DeviceKind.CAMERA, stopped=True))
    engine.emit(ev.Notice("proof the event was handled"))
    await _until(lambda: bool(notices), "the later notice")
    assert notices == ["proof the event was handled"]
    assert engine.released == []


async def test_unsubscribing_stops_exactly_those_listeners() -> None:
    engine = FakeEngine()
    session = ClinicSession(engine)
    first: list[str] = []
    second: list[str] = []
    states: list[CallPhase] = []
    unsubscribe = session.subscribe(notice=first.append, state=lambda s: states.append(s.phase))
    session.subscribe(notice=second.append)
    await session.join(_request())
    engine.emit(ev.Notice("one"))
    await _until(lambda: second == ["one"], "the first notice")
    unsubscribe()
    unsubscribe()  # twice is harmless
    engine.emit(ev.Notice("two"))
    await _until(lambda: second == ["one", "two"], "the second notice")
    await session.leave()
    assert first == ["one"]
    assert states == [CallPhase.JOINING, CallPhase.IN_CALL]  # nothing after unsubscribing
