"""The Janus side of a call against a scripted VideoRoom, with the media side faked at its port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from echo_desktop.net.conference import JanusConference
from echo_desktop.session import events as ev
from echo_desktop.session.models import DeviceKind, JoinRequest, Participant, Role
from echo_desktop.session.ports import ReceivedStream, SessionDescription
from tests.fake_janus import MY_ID, FakeVideoRoom, fake_videoroom
from tests.fakes import FakeCallMedia
from tests.waiting import wait_for


def _request(url: str, pin: str = "2468") -> JoinRequest:
    return JoinRequest(url, 1234, pin, "Dr. Kim", Role.SPOKE)


@dataclass
class Call:
    """A conference joined to a scripted room, with its fake media and the events it emitted."""

    room: FakeVideoRoom
    media: FakeCallMedia
    conference: JanusConference
    events: list[ev.EngineEvent]
    me: Participant


@asynccontextmanager
async def _in_call(pin: str = "2468") -> AsyncIterator[Call]:
    async with fake_videoroom() as room:
        media = FakeCallMedia()
        conference = JanusConference(media)
        events: list[ev.EngineEvent] = []
        conference.set_listener(events.append)
        me = await conference.join(_request(room.url, pin))
        try:
            yield Call(room, media, conference, events, me)
        finally:
            await conference.leave()  # safe at any point, even after a leave


async def test_join_publishes_and_receives_everyone_present() -> None:
    async with _in_call() as call:
        room, media = call.room, call.media
        assert call.me == Participant(MY_ID, "Dr. Kim", Role.SPOKE, is_self=True)
        # The speakers are ready before anyone is heard; the room's publisher is counted.
        assert media.calls[:2] == ["prepare", "feed_added:77"]
        assert media.calls.index("publish_offer") < media.calls.index("publish_answered:v=0 janus answer")
        assert media.offers == [SessionDescription("offer", "v=0 janus offer")]
        assert media.streams == [
            ReceivedStream("0", 77, "audio", "opus"),
            ReceivedStream("1", 77, "video", "vp8"),
        ]
        assert ev.ParticipantJoined(Participant(77, "Dr. Ruiz", Role.HUB)) in call.events
        assert any(isinstance(e, ev.LocalMediaChanged) for e in call.events)
        # Janus heard our join with the pin and display, our offer, and our answer to its offer.
        assert room.log[:3] == ["create", "attach", "join/publisher"]
        assert room.log.index("join/publisher") < room.log.index("publish")
        publisher_join = room.body("join/publisher")
        assert publisher_join["pin"] == "2468" and publisher_join["display"] == "Dr. Kim [spoke]"
        assert room.jseps["publish"]["sdp"] == "v=0 our offer"
        assert room.jseps["start"]["sdp"] == "v=0 our answer 1"
        subscriber_join = room.body("join/subscriber")
        assert subscriber_join["streams"] == [{"feed": 77}] and subscriber_join["private_id"] == 5


async def test_a_leaving_publisher_is_dropped_everywhere() -> None:
    async with _in_call() as call:
        room, media = call.room, call.media
        await room.push_publisher_event({"leaving": 77})
        await wait_for(lambda: "unsubscribe" in room.log and len(media.offers) == 2, what="the re-offer")
        assert ev.ParticipantLeft(77) in call.events
        assert "feed_removed:77" in media.calls
        assert room.body("unsubscribe")["streams"] == [{"feed": 77}]
        assert media.streams == []  # the inactive m-lines carry nobody now
        assert room.jseps["start"]["sdp"] == "v=0 our answer 2"


async def test_leave_ends_everything_and_a_rejoin_starts_afresh() -> None:
    async with _in_call() as call:
        room, media, conference = call.room, call.media, call.conference
        await conference.leave()
        # Unpublish and leave, hang up and detach both handles, then the session itself.
        assert room.log[-7:] == ["unpublish", "leave", "hangup", "detach", "hangup", "detach", "destroy"]
        assert media.calls[-1] == "close" and conference.server_session_id is None

        call.events.clear()
        await conference.join(_request(room.url))
        # The roster starts empty again: the same publisher is announced anew.
        assert ev.ParticipantJoined(Participant(77, "Dr. Ruiz", Role.HUB)) in call.events
        assert media.calls.count("prepare") == 2


async def test_controls_tell_the_room_in_our_display_name() -> None:
    async with _in_call() as call:
        await call.conference.set_microphone_muted(True)
        await call.conference.release_device(DeviceKind.CAMERA)
        displays = [b["display"] for b in call.room.bodies if b["request"] == "configure"]
        assert displays == ["Dr. Kim [spoke] (muted)", "Dr. Kim [spoke] (camera off, muted)"]
        assert "release_device:camera" in call.media.calls
        states = [e.state for e in call.events if isinstance(e, ev.LocalMediaChanged)]
        assert states[-1].muted and not states[-1].camera_on


async def test_a_room_without_a_pin_is_joined_with_an_empty_one() -> None:
    async with _in_call(pin="") as call:
        joins = [call.room.body("join/publisher"), call.room.body("join/subscriber")]
        assert [b["pin"] for b in joins] == ["", ""]  # Janus checks a pin only where a room has one
