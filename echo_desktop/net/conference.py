"""The conference on a Janus VideoRoom: signaling and the roster, with the media behind a port.

One publisher handle sends our media. One multistream subscriber handle receives every other
publisher; joins and leaves during the call renegotiate that one handle. This module speaks Janus
and keeps the list of participants; the peer connections, devices, frames and sound are the
`CallMedia` it is given (media.call_media in the app). All coroutines run on the engine's own
loop (see session.worker_loop), never on the GUI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any

from echo_desktop.net.display_name import encode_display
from echo_desktop.net.janus_client import JanusClient, PluginHandle
from echo_desktop.net.janus_messages import JanusMessage
from echo_desktop.net.roster import Roster
from echo_desktop.net.trickle import parse_trickle
from echo_desktop.session import errors
from echo_desktop.session import events as ev
from echo_desktop.session.models import (
    DeviceKind,
    FeedStats,
    JoinRequest,
    LocalMediaState,
    Participant,
    VideoFrame,
)
from echo_desktop.session.ports import (
    CallMedia,
    EventListener,
    ReceivedStream,
    SessionDescription,
)
from echo_desktop.session.task_failures import report_failure

logger = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
LEAVE_STEP_TIMEOUT_S = 3.0


class JanusConference:
    """A ConferenceEngine on a Janus VideoRoom; the media side is the CallMedia it is given."""

    def __init__(self, media: CallMedia) -> None:
        self._media = media
        self._listener: EventListener | None = None
        self._client: JanusClient | None = None
        self._publisher: PluginHandle | None = None
        self._subscriber: PluginHandle | None = None
        self._subscribed: set[int] = set()
        self._sub_lock = asyncio.Lock()
        self._request: JoinRequest | None = None
        self._private_id: int | None = None
        self._roster = Roster()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._leaving = False
        media.set_listener(self._emit)

    # --- ConferenceEngine port -----------------------------------------------------------------

    def set_listener(self, listener: EventListener) -> None:
        self._listener = listener

    @property
    def server_session_id(self) -> int | None:
        """The Janus session id while connected (for diagnostics)."""
        return self._client.session_id if self._client is not None else None

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        return self._media.latest_frame(feed_id)

    def stats(self) -> list[FeedStats]:
        return self._media.stats()

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        self._media.set_view_size(feed_id, width, height)

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        self._media.set_participant_volume(feed_id, gain)

    async def set_microphone_muted(self, muted: bool) -> None:
        self._require_call()
        await self._announce(await self._media.set_microphone_muted(muted))

    async def set_camera_enabled(self, enabled: bool) -> None:
        self._require_call()
        await self._announce(await self._media.set_camera_enabled(enabled))

    async def switch_camera(self, device: str) -> None:
        self._require_call()
        await self._announce(await self._media.switch_camera(device))

    async def switch_microphone(self, device: str) -> None:
        self._require_call()
        await self._announce(await self._media.switch_microphone(device))

    async def release_device(self, kind: DeviceKind) -> None:
        self._require_call()
        await self._announce(await self._media.release_device(kind))

    def _require_call(self) -> None:
        if self._publisher is None:
            raise errors.MediaError("not in a call")

    async def join(self, request: JoinRequest) -> Participant:
        """Connect, join as publisher, publish our media and subscribe to everyone present."""
        self._leaving = False
        self._request = request
        started = time.monotonic()  # a feed's first-frame delay counts from here (bench.join)
        client = JanusClient()
        self._client = client
        await client.connect(request.server_url, request.verify_tls, token=request.token)
        client.on_closed(self._on_connection_lost)

        self._publisher = await client.attach(VIDEOROOM)
        self._publisher.set_listener(self._on_publisher_event)
        display = encode_display(
            request.display_name,
            request.role,
            camera_off=not request.media.camera_enabled,
            muted=request.media.microphone_muted,
        )
        reply = await self._publisher.request(
            _with_pin(
                {"request": "join", "ptype": "publisher", "room": request.room, "display": display}, request
            )
        )
        if reply.data.get("videoroom") != "joined" or not isinstance(reply.data.get("id"), int):
            raise errors.ProtocolError("the room did not confirm the join")
        my_id = int(reply.data["id"])
        self._roster.my_id = my_id
        private_id = reply.data.get("private_id")
        self._private_id = private_id if isinstance(private_id, int) else None
        me = Participant(my_id, request.display_name, request.role, is_self=True)

        await self._media.prepare(request)
        present = self._take_publishers(reply.data.get("publishers"), since=started)
        # Receiving does not wait for our own publish: the clinic appears as soon as possible.
        receiving = self._spawn(self._update_subscription(add=present)) if present else None
        await self._publish()
        if receiving is not None:
            await receiving
        return me

    async def leave(self) -> None:
        """Unpublish, hang up, detach and destroy the session; safe to call at any point."""
        self._leaving = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        subscriber, self._subscriber = self._subscriber, None
        publisher, self._publisher = self._publisher, None
        client, self._client = self._client, None
        try:
            if publisher is not None:
                await _quietly(publisher.request({"request": "unpublish"}, timeout=LEAVE_STEP_TIMEOUT_S))
                await _quietly(publisher.request({"request": "leave"}, timeout=LEAVE_STEP_TIMEOUT_S))
                await _quietly(publisher.hangup())
                await _quietly(publisher.detach())
            if subscriber is not None:
                await _quietly(subscriber.hangup())
                await _quietly(subscriber.detach())
            await self._media.close()
        finally:
            # Whatever failed above, the Janus session (and its keepalive) ends with the call.
            if client is not None:
                await client.close()
            self._subscribed.clear()
            self._roster.clear()

    # --- publishing ----------------------------------------------------------------------------

    async def _publish(self) -> None:
        assert self._publisher is not None
        offer = await self._media.publish_offer()
        self._emit(ev.LocalMediaChanged(self._media.local_state))
        reply = await self._publisher.request({"request": "publish"}, jsep=_to_jsep(offer))
        if reply.jsep is None or reply.jsep.get("type") != "answer":
            raise errors.ProtocolError("the hub did not answer our media offer")
        await self._media.publish_answered(_from_jsep(reply.jsep))

    async def _announce(self, state: LocalMediaState) -> None:
        """Tell our user, and the room (in our display name), our camera and mute state."""
        self._emit(ev.LocalMediaChanged(state))
        if self._publisher is None or self._request is None:
            return
        display = encode_display(
            self._request.display_name, self._request.role, camera_off=not state.camera_on, muted=state.muted
        )
        await self._publisher.request({"request": "configure", "display": display})

    # --- events from Janus ---------------------------------------------------------------------

    def _on_publisher_event(self, msg: JanusMessage) -> None:
        if self._leaving:
            return  # the call is ending: nobody joins or leaves it any more
        if msg.kind == "trickle":
            self._spawn(self._add_candidate(msg.raw.get("candidate"), receiving=False))
            return
        if msg.kind == "hangup":
            if not self._leaving:
                logger.warning("The hub hung up our published media")
            return
        data = msg.plugin_data
        if msg.kind != "event" or data is None:
            return
        updated = self._roster.update_display(data.get("id"), data.get("display"))
        if updated is not None:
            self._emit(ev.ParticipantUpdated(updated))
        joined = self._take_publishers(data.get("publishers"), since=time.monotonic())
        if joined:
            self._spawn(self._update_subscription(add=joined))
        gone = self._roster.departures(data)
        if gone:
            for feed in gone:
                self._drop_participant(feed)
            self._spawn(self._update_subscription(remove=gone))

    def _on_subscriber_event(self, msg: JanusMessage) -> None:
        if self._subscriber is None or self._leaving:
            return
        if msg.kind == "trickle":
            self._spawn(self._add_candidate(msg.raw.get("candidate"), receiving=True))
            return
        data = msg.plugin_data
        if msg.kind == "event" and data is not None and msg.jsep is not None:
            # Janus re-offers on its own when a publisher we watch goes away.
            self._spawn(self._renegotiate_unprompted(data, msg.jsep))

    async def _renegotiate_unprompted(self, data: dict[str, Any], jsep: dict[str, Any]) -> None:
        async with self._sub_lock:
            if self._subscriber is not None:
                await self._answer_offer(self._subscriber, data, jsep)

    def _take_publishers(self, publishers: object, since: float) -> list[int]:
        """Record the publishers of a Janus list; return the feeds that are new to us.

        since: when we started waiting for their media (monotonic), for the first-frame delay.
        """
        arrivals, changed = self._roster.add_publishers(publishers)
        for participant in changed:
            self._emit(ev.ParticipantUpdated(participant))
        for arrival in arrivals:
            self._media.feed_added(arrival.participant.feed_id, arrival.display, since)
            self._emit(ev.ParticipantJoined(arrival.participant))
        return [arrival.participant.feed_id for arrival in arrivals]

    def _drop_participant(self, feed: int) -> None:
        self._media.feed_removed(feed)
        if self._roster.remove(feed):
            self._emit(ev.ParticipantLeft(feed))

    def _on_connection_lost(self, error: errors.EchoError) -> None:
        if not self._leaving:
            self._emit(ev.EngineFailed(error))

    # --- subscribing ---------------------------------------------------------------------------

    async def _update_subscription(
        self, add: list[int] | None = None, remove: list[int] | None = None
    ) -> None:
        """Add or remove feeds on the one subscriber handle, renegotiating it."""
        async with self._sub_lock:
            try:
                await self._update_subscription_locked(add or [], remove or [])
            except errors.EchoError as exc:
                if not self._leaving:
                    logger.warning("Subscription update failed: %s", exc)
                    self._emit(ev.Notice(f"Could not update the received streams: {exc}"))

    async def _update_subscription_locked(self, add: list[int], remove: list[int]) -> None:
        assert self._client is not None and self._request is not None
        add = [f for f in add if f in self._roster and f not in self._subscribed]
        if self._subscriber is None:
            if not add:
                return
            handle = await self._client.attach(VIDEOROOM)
            self._subscriber = handle
            handle.set_listener(self._on_subscriber_event)
            body = _with_pin(
                {
                    "request": "join",
                    "ptype": "subscriber",
                    "room": self._request.room,
                    "streams": [{"feed": f} for f in add],
                },
                self._request,
            )
            if self._private_id is not None:
                body["private_id"] = self._private_id
            reply = await handle.request(body)
            self._subscribed.update(add)
            await self._answer_offer(handle, reply.data, reply.jsep)
            return
        handle = self._subscriber
        remove = [f for f in remove if f in self._subscribed]
        if remove:
            self._subscribed.difference_update(remove)
            reply = await handle.request({"request": "unsubscribe", "streams": [{"feed": f} for f in remove]})
            await self._answer_offer(handle, reply.data, reply.jsep)
        if add:
            self._subscribed.update(add)
            reply = await handle.request({"request": "subscribe", "streams": [{"feed": f} for f in add]})
            await self._answer_offer(handle, reply.data, reply.jsep)

    async def _answer_offer(
        self, handle: PluginHandle, data: dict[str, Any], jsep: dict[str, Any] | None
    ) -> None:
        """Apply Janus's (re)offer for the subscriber and answer it with `start`."""
        streams = data.get("streams")
        if isinstance(streams, list):  # an answer without a list leaves the mapping as it was
            self._media.map_received_streams(received_streams(streams))
        if jsep is None:
            return  # nothing changed on the wire
        if jsep.get("type") != "offer":
            raise errors.ProtocolError("the hub sent a subscriber description that is not an offer")
        answer = await self._media.answer_receive_offer(_from_jsep(jsep))
        await handle.request({"request": "start"}, jsep=_to_jsep(answer))

    # --- plumbing ------------------------------------------------------------------------------

    async def _add_candidate(self, raw: object, receiving: bool) -> None:
        try:
            candidate = parse_trickle(raw)
        except ValueError as exc:
            logger.warning("Dropped a malformed ICE candidate from the hub: %s", exc)
            return
        if receiving:
            await self._media.add_receive_candidate(candidate)
        else:
            await self._media.add_publish_candidate(candidate)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(report_failure("A conference task"))
        return task

    def _emit(self, event: ev.EngineEvent) -> None:
        if self._listener is not None:
            self._listener(event)


def received_streams(streams: object) -> list[ReceivedStream]:
    """The active audio and video m-lines of a Janus `streams` list; malformed entries are skipped."""
    if not isinstance(streams, list):
        return []
    mapped: list[ReceivedStream] = []
    for stream in streams:
        if not isinstance(stream, dict) or stream.get("active") is False:
            continue
        mid, feed, kind = stream.get("mid"), stream.get("feed_id"), stream.get("type")
        if (
            isinstance(mid, str)
            and isinstance(feed, int)
            and not isinstance(feed, bool)
            and kind in ("audio", "video")
        ):
            codec = stream.get("codec")
            mapped.append(ReceivedStream(mid, feed, str(kind), codec if isinstance(codec, str) else ""))
    return mapped


def _with_pin(body: dict[str, Any], request: JoinRequest) -> dict[str, Any]:
    """The request body with the room's pin, an empty one when the user gave none.

    Janus checks a pin only on a room that has one, so an empty pin joins a room without one. A
    room with a pin refuses an empty one as a wrong pin (error 433), and the user reads the same
    clear message; leaving the pin out would get a generic "missing element" (429) instead.
    """
    body["pin"] = request.pin
    return body


def _to_jsep(description: SessionDescription) -> dict[str, Any]:
    # aiortc gathers every candidate before the SDP is ready, so we never trickle.
    return {"type": description.type, "sdp": description.sdp, "trickle": False}


def _from_jsep(jsep: dict[str, Any]) -> SessionDescription:
    return SessionDescription(type=str(jsep.get("type")), sdp=str(jsep.get("sdp")))


async def _quietly(awaitable: Any) -> None:
    """Await a best-effort leave step; a gone server must not stop the rest of the leave."""
    with contextlib.suppress(errors.EchoError, asyncio.TimeoutError, ConnectionError):
        await awaitable
