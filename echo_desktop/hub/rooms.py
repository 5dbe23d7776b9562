"""Clinic rooms on a running hub's Janus, made with the hub's per-run admin key.

- `create_room`: one room, on one connection (the `echo-desktop hub` room and the tests' rooms).
- `JanusVideoRooms`: the program service's rooms (create, exists, destroy) over one connection
  that it makes again after Janus restarts.

Every room is private (not listed), needs its PIN to join and its secret to change or destroy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.program_service.tokens import new_pin
from echo_desktop.net.janus_client import JanusClient, PluginHandle
from echo_desktop.session.errors import (
    RoomNotFoundError,
    ServerGoneError,
    SignalingError,
    SignalingTimeoutError,
)

logger = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
__all__ = ["JanusVideoRooms", "create_room", "new_pin", "start_clinic_hub"]


def _create_request(
    room: int,
    admin_key: str,
    pin: str | None,
    secret: str,
    description: str,
    publishers: int = 16,
    bitrate: int = 512_000,
) -> dict[str, object]:
    """The VideoRoom `create` request for a clinic room (pin None: anyone may join)."""
    if pin == "":
        raise ValueError("A clinic room needs a pin")
    body: dict[str, object] = {
        "request": "create",
        "room": room,
        "admin_key": admin_key,
        "description": description,
        "secret": secret,
        "is_private": True,
        "publishers": publishers,
        "bitrate": bitrate,
        "fir_freq": 10,
        "videocodec": "vp8,h264",
        "audiocodec": "opus",
        "notify_joining": True,
        "permanent": False,
    }
    if pin is not None:
        body["pin"] = pin
    return body


async def create_room(
    ws_url: str,
    admin_key: str,
    room: int,
    pin: str | None,
    description: str = "teleECHO clinic",
    publishers: int = 16,
    bitrate: int = 512_000,
) -> None:
    """Create a VideoRoom for a clinic. The room needs its pin to join.

    pin None makes a room anyone may join (a hub that is not ours may have them; the tests make
    one to check the probe against it). An empty pin is refused, as a slip.
    """
    body = _create_request(room, admin_key, pin, secrets.token_urlsafe(16), description, publishers, bitrate)
    client = JanusClient()
    await client.connect(ws_url)
    try:
        handle = await client.attach(VIDEOROOM)
        reply = await handle.request(body)
        if reply.data.get("videoroom") != "created":
            raise SignalingError(f"room {room} was not created: {reply.data}")
        await handle.detach()
    finally:
        await client.close()


class JanusVideoRooms:
    """The program service's view of Janus rooms: create, exists, destroy.

    One Janus session carries every request; when it is lost (Janus stopped or restarted) the
    next request connects again, once, before it gives up with a typed error
    (ServerUnreachableError while Janus is down). PINs and secrets are sent, never logged.
    """

    def __init__(self, ws_url: str, admin_key: str) -> None:
        self._ws_url = ws_url
        self._admin_key = admin_key
        self._client: JanusClient | None = None
        self._handle: PluginHandle | None = None
        self._lock = asyncio.Lock()

    async def create(self, room: int, pin: str, secret: str, description: str) -> None:
        """Create the room with this PIN and secret (no change if it exists already)."""
        if await self.exists(room):
            return
        reply = await self._request(_create_request(room, self._admin_key, pin, secret, description))
        if reply.get("videoroom") != "created":
            raise SignalingError(f"room {room} was not created: {reply.get('videoroom')}")

    async def exists(self, room: int) -> bool:
        reply = await self._request({"request": "exists", "room": room})
        if not isinstance(reply.get("exists"), bool):
            raise SignalingError(f"Janus gave no answer on whether room {room} exists")
        return bool(reply["exists"])

    async def destroy(self, room: int, secret: str) -> None:
        """Destroy the room (no change if it is gone already)."""
        with contextlib.suppress(RoomNotFoundError):
            await self._request({"request": "destroy", "room": room, "secret": secret, "permanent": False})

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def _request(self, body: dict[str, object]) -> dict[str, Any]:
        async with self._lock:
            for attempt in (1, 2):
                try:
                    handle = await self._connected()
                    return (await handle.request(body)).data
                except (ServerGoneError, SignalingTimeoutError):
                    await self._drop()  # a restarted Janus forgot our session: start a new one
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _connected(self) -> PluginHandle:
        if self._handle is None:
            await self._drop()  # the lost connection's leftovers, if any
            client = JanusClient()
            try:
                await client.connect(self._ws_url)
                self._handle = await client.attach(VIDEOROOM)
            except BaseException:
                await client.close()
                raise
            self._client = client
            client.on_closed(lambda _reason: self._forget(client))
        return self._handle

    def _forget(self, client: JanusClient) -> None:
        """The connection was lost: the next request makes a new one (and closes this one)."""
        if self._client is client:
            self._handle = None
            logger.info("Lost the connection to Janus at %s; the next request reconnects", self._ws_url)

    async def _drop(self) -> None:
        client, self._client, self._handle = self._client, None, None
        if client is not None:
            await client.close()


def start_clinic_hub(config: HubConfig, room: int, pin: str) -> JanusHub:
    """Start a local Janus and create one clinic room on it; nothing is left running on failure."""
    hub = JanusHub(config)
    try:
        hub.start()
        asyncio.run(create_room(config.ws_url, config.admin_key, room, pin))
    except BaseException:
        hub.stop()
        raise
    return hub
