"""Each join failure gets its own clear, typed error, and the call phase says why."""

from __future__ import annotations

import pytest

from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.rooms import create_room
from echo_desktop.session import errors
from echo_desktop.session.phases import CallPhase
from testkit.netns import NetNamespace
from tests.conftest import Room
from tests.peers import Peer, wait_for

pytestmark = pytest.mark.integration


async def _join_expecting(peer: Peer, url: str, room: int, pin: str, error: type[Exception]) -> str:
    try:
        with pytest.raises(error) as caught:
            await peer.join(url, room, pin)
        assert peer.session.state.phase is CallPhase.FAILED
        reason = peer.session.state.reason
        assert reason is not None
        assert reason == caught.value.user_message  # type: ignore[attr-defined]
        return reason
    finally:
        await peer.leave()
        assert peer.session.state.phase is CallPhase.IDLE
        peer.close()


async def test_wrong_pin(room: Room) -> None:
    wrong = "0" if room.pin != "0" else "1"
    reason = await _join_expecting(Peer("Pat"), room.server_url, room.room, wrong, errors.WrongPinError)
    assert "PIN is wrong" in reason


async def test_missing_room(room: Room) -> None:
    reason = await _join_expecting(Peer("Pat"), room.server_url, 999_999, room.pin, errors.RoomNotFoundError)
    assert "does not exist" in reason


async def test_stopped_janus_is_unreachable(netns: NetNamespace) -> None:
    hub = JanusHub(HubConfig(bind_ip=netns.hub_ip, ws_port=8288, http_port=8289)).start()
    url = hub.config.ws_url
    hub.stop()
    reason = await _join_expecting(Peer("Pat"), url, 1234, "1234", errors.ServerUnreachableError)
    assert "Cannot reach" in reason


async def test_janus_dying_mid_call_fails_the_call(netns: NetNamespace) -> None:
    hub = JanusHub(HubConfig(bind_ip=netns.hub_ip, ws_port=8388, http_port=8389)).start()
    peer = Peer("Quin")
    try:
        await create_room(hub.config.ws_url, hub.config.admin_key, 77, "7777")
        await peer.join(hub.config.ws_url, 77, "7777")
        assert peer.session.state.phase is CallPhase.IN_CALL
        hub.stop()
        await wait_for(lambda: peer.session.state.phase is CallPhase.FAILED, what="FAILED phase")
        assert peer.session.state.reason == errors.ServerGoneError.user_message
    finally:
        hub.stop()
        await peer.leave()
        assert peer.session.state.phase is CallPhase.IDLE
        peer.close()


def test_janus_missing_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("echo_desktop.hub.launcher.os.access", lambda *_: False)
    with pytest.raises(errors.JanusNotInstalledError) as caught:
        JanusHub().start()
    assert "apt-get install janus" in str(caught.value)
