"""A scripted Janus VideoRoom on loopback, for unit tests of the signaling side (no media).

It answers the requests JanusConference makes, the way Janus 1.x does, and records each one. It
is no stand-in for Janus in an integration test: those run the real Janus.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.server import ServerConnection, serve

PLUGIN = "janus.plugin.videoroom"
MY_ID = 11
STREAMS = [
    {"mid": "0", "feed_id": 77, "type": "audio", "codec": "opus"},
    {"mid": "1", "feed_id": 77, "type": "video", "codec": "vp8"},
]


@dataclass
class FakeVideoRoom:
    """The room's state and what it was asked, in order ("create", "join/publisher", ...)."""

    publishers: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": 77, "display": "Dr. Ruiz [hub]"}]
    )
    log: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)  # every plugin message, in order
    jseps: dict[str, dict[str, Any]] = field(default_factory=dict)
    url: str = ""
    _ws: ServerConnection | None = None
    _handles: itertools.count[int] = field(default_factory=lambda: itertools.count(100))
    _publisher_handle: int | None = None

    def body(self, name: str) -> dict[str, Any]:
        """The last plugin message of that name ("join/publisher", "unsubscribe", ...)."""
        return next(b for b in reversed(self.bodies) if _name(b) == name)

    async def push_publisher_event(self, data: dict[str, Any]) -> None:
        """An unprompted event on our publisher handle (someone joined, left, changed)."""
        assert self._ws is not None and self._publisher_handle is not None
        await self._ws.send(json.dumps(_event(None, self._publisher_handle, {"videoroom": "event", **data})))

    async def _serve(self, ws: ServerConnection) -> None:
        self._ws = ws
        async for raw in ws:
            request = json.loads(raw)
            kind, tx = request["janus"], request.get("transaction")
            if kind == "create":
                self.log.append("create")
                await ws.send(json.dumps({"janus": "success", "transaction": tx, "data": {"id": 1}}))
            elif kind == "attach":
                self.log.append("attach")
                await ws.send(
                    json.dumps({"janus": "success", "transaction": tx, "data": {"id": next(self._handles)}})
                )
            elif kind == "keepalive":
                await ws.send(json.dumps({"janus": "ack", "transaction": tx}))
            elif kind in ("hangup", "detach", "destroy"):
                self.log.append(kind)
                await ws.send(json.dumps({"janus": "success", "transaction": tx}))
            elif kind == "message":
                await ws.send(json.dumps(self._answer(request)))

    def _answer(self, request: dict[str, Any]) -> dict[str, Any]:
        body, handle, tx = request["body"], request["handle_id"], request["transaction"]
        name = _name(body)
        self.log.append(name)
        self.bodies.append(body)
        if "jsep" in request:
            self.jseps[name] = request["jsep"]
        if name == "join/publisher":
            self._publisher_handle = handle
            data = {"videoroom": "joined", "id": MY_ID, "private_id": 5, "publishers": self.publishers}
            return _event(tx, handle, data)
        if name == "publish":
            return _event(tx, handle, {"videoroom": "event", "configured": "ok"}, _sdp("answer"))
        if name == "join/subscriber":
            return _event(tx, handle, {"videoroom": "attached", "streams": STREAMS}, _sdp("offer"))
        if name == "unsubscribe":
            gone = {s["feed"] for s in body["streams"]}
            left = [dict(s, active=s["feed_id"] not in gone) for s in STREAMS]
            return _event(tx, handle, {"videoroom": "updated", "streams": left}, _sdp("offer"))
        return _event(tx, handle, {"videoroom": "event", body["request"]: "ok"})


def _name(body: dict[str, Any]) -> str:
    return str(body["request"]) + (f"/{body['ptype']}" if "ptype" in body else "")


def _sdp(kind: str) -> dict[str, Any]:
    return {"type": kind, "sdp": f"v=0 janus {kind}"}


def _event(
    tx: str | None, handle: int, data: dict[str, Any], jsep: dict[str, Any] | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "janus": "event",
        "sender": handle,
        "plugindata": {"plugin": PLUGIN, "data": data},
    }
    if tx is not None:
        message["transaction"] = tx
    if jsep is not None:
        message["jsep"] = jsep
    return message


@asynccontextmanager
async def fake_videoroom() -> AsyncIterator[FakeVideoRoom]:
    """A FakeVideoRoom listening on a loopback port; `url` is its address."""
    room = FakeVideoRoom()
    async with serve(
        room._serve, "127.0.0.1", 0, subprotocols=[websockets.Subprotocol("janus-protocol")]
    ) as server:
        room.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        yield room
