"""Create clinic rooms on a running hub, with a pin, using the hub's per-run admin key."""

from __future__ import annotations

import asyncio
import secrets

from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.program_service.tokens import new_pin
from echo_desktop.net.janus_client import JanusClient
from echo_desktop.session.errors import SignalingError

VIDEOROOM = "janus.plugin.videoroom"
__all__ = ["create_room", "new_pin", "start_clinic_hub"]


async def create_room(
    ws_url: str,
    admin_key: str,
    room: int,
    pin: str | None,
    description: str = "teleECHO clinic",
    publishers: int = 16,
    bitrate: int = 512_000,
) -> None:
    """Create (or confirm) a VideoRoom for a clinic. The room needs its pin to join.

    pin None makes a room anyone may join (a hub that is not ours may have them; the tests make
    one to check the probe against it). An empty pin is refused, as a slip.
    """
    if pin == "":
        raise ValueError("A clinic room needs a pin")
    client = JanusClient()
    await client.connect(ws_url)
    try:
        handle = await client.attach(VIDEOROOM)
        body: dict[str, object] = {
            "request": "create",
            "room": room,
            "admin_key": admin_key,
            "description": description,
            "secret": secrets.token_urlsafe(16),
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
        reply = await handle.request(body)
        if reply.data.get("videoroom") != "created":
            raise SignalingError(f"room {room} was not created: {reply.data}")
        await handle.detach()
    finally:
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
