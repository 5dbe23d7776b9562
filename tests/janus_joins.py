"""Joining a real Janus room by signaling alone, to check what its PIN lets in."""

from __future__ import annotations

from echo_desktop.hub.rooms import VIDEOROOM
from echo_desktop.net.janus_client import JanusClient


async def join_room(ws_url: str, room: int, pin: str) -> str:
    """Join the room as a publisher (signaling only) and say what Janus answered ("joined"); a
    wrong PIN raises WrongPinError."""
    client = JanusClient()
    await client.connect(ws_url)
    try:
        handle = await client.attach(VIDEOROOM)
        reply = await handle.request(
            {"request": "join", "ptype": "publisher", "room": room, "pin": pin, "display": "Dana [spoke]"}
        )
        return str(reply.data.get("videoroom"))
    finally:
        await client.close()
