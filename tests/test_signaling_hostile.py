"""Malformed or hostile signaling messages are logged and dropped, never fatal (property-based)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.asyncio.server import ServerConnection, serve

from echo_desktop.net.conference import received_streams
from echo_desktop.net.janus_client import JanusClient
from echo_desktop.net.janus_messages import MalformedMessage, parse_message
from echo_desktop.net.roster import Roster
from echo_desktop.net.trickle import parse_trickle
from echo_desktop.session import errors
from tests.waiting import wait_for

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
janus_kinds = st.sampled_from(
    ["success", "error", "ack", "event", "trickle", "webrtcup", "media", "hangup", "timeout", "bogus"]
)
janus_like = st.fixed_dictionaries(
    {"janus": janus_kinds},
    optional={
        "transaction": json_values,
        "sender": json_values,
        "session_id": json_values,
        "data": json_values,
        "plugindata": st.fixed_dictionaries({}, optional={"plugin": json_values, "data": json_values}),
        "jsep": json_values,
        "error": json_values,
        "candidate": json_values,
    },
)
frames = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200),
    json_values.map(json.dumps),
    janus_like.map(json.dumps),
)


@given(frames)
@settings(max_examples=400)
def test_parse_rejects_garbage_only_with_malformed_message(frame: str | bytes) -> None:
    # The property: nothing but MalformedMessage ever escapes.
    with contextlib.suppress(MalformedMessage):
        parse_message(frame)


@given(st.lists(frames, max_size=20))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_client_survives_garbage_and_still_resolves_its_transaction(garbage: list[str | bytes]) -> None:
    async def scenario() -> None:
        client = JanusClient()
        handle_events: list[Any] = []
        from echo_desktop.net.janus_client import PluginHandle, _Pending

        handle = PluginHandle(client, 42)
        handle.set_listener(handle_events.append)
        client._handles[42] = handle
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        client._pending["tx-real"] = _Pending(future, ack_is_answer=False)
        for frame in garbage:
            if isinstance(frame, str) and '"tx-real"' in frame:
                continue  # a frame that legitimately answers the transaction is not garbage
            client.handle_frame(frame)
        assert not future.done()
        client.handle_frame(json.dumps({"janus": "success", "transaction": "tx-real", "data": {"id": 7}}))
        assert future.done() and future.result().data == {"id": 7}

    asyncio.run(scenario())


@given(json_values)
@settings(max_examples=300)
def test_trickle_parsing_rejects_garbage_with_value_error(candidate: Any) -> None:
    with contextlib.suppress(ValueError):
        parse_trickle(candidate)


@given(st.lists(json_values, max_size=6))
@settings(max_examples=200)
def test_roster_ignores_malformed_publisher_lists(entries: list[Any]) -> None:
    roster = Roster()
    arrivals, changed = roster.add_publishers(entries)
    assert all(isinstance(a.participant.feed_id, int) for a in arrivals)
    assert all(a.participant.feed_id in roster for a in arrivals)
    assert all(isinstance(p.feed_id, int) for p in changed)


@given(json_values)
@settings(max_examples=300)
def test_received_streams_skip_malformed_entries(streams: Any) -> None:
    for stream in received_streams(streams):
        assert isinstance(stream.mid, str) and isinstance(stream.feed_id, int)
        assert stream.kind in ("audio", "video")


async def _hostile_server(ws: ServerConnection) -> None:
    """Answers create and attach correctly, after a burst of hostile frames each time."""
    hostile = [
        "not json",
        "[]",
        '{"janus": 5}',
        '{"janus": "event", "sender": "abc"}',
        '{"janus": "success", "transaction": 12}',
        '{"janus": "event", "plugindata": {"data": "x"}}',
        '{"janus": "event", "jsep": {"type": "rollback"}}',
        '{"janus": "error", "transaction": "nope"}',
        '{"janus": "trickle", "sender": 1, "candidate": {"candidate": "garbage"}}',
        "{" * 5000,
        '{"janus": "unknown-kind"}',
    ]
    async for raw in ws:
        request = json.loads(raw)
        for frame in hostile:
            await ws.send(frame)
        kind = request["janus"]
        if kind in ("create", "attach"):
            await ws.send(
                json.dumps({"janus": "success", "transaction": request["transaction"], "data": {"id": 99}})
            )
        elif kind == "destroy":
            await ws.send(json.dumps({"janus": "success", "transaction": request["transaction"]}))


async def test_client_survives_a_hostile_server_end_to_end() -> None:
    async with serve(
        _hostile_server, "127.0.0.1", 0, subprotocols=[websockets.Subprotocol("janus-protocol")]
    ) as server:
        port = server.sockets[0].getsockname()[1]
        client = JanusClient()
        await client.connect(f"ws://127.0.0.1:{port}")
        handle = await client.attach("janus.plugin.videoroom")
        assert handle.id == 99
        assert client.dropped_messages >= 10
        await client.close()


async def test_unanswered_request_times_out_with_a_typed_error() -> None:
    async def silent(ws: ServerConnection) -> None:
        async for raw in ws:
            request = json.loads(raw)
            if request["janus"] == "create":
                await ws.send(
                    json.dumps({"janus": "success", "transaction": request["transaction"], "data": {"id": 1}})
                )

    async with serve(
        silent, "127.0.0.1", 0, subprotocols=[websockets.Subprotocol("janus-protocol")]
    ) as server:
        port = server.sockets[0].getsockname()[1]
        client = JanusClient()
        await client.connect(f"ws://127.0.0.1:{port}")
        with pytest.raises(errors.SignalingTimeoutError):
            await client.attach("janus.plugin.videoroom", timeout=0.3)
        client._closing = True
        for task in client._tasks:
            task.cancel()


async def test_wss_verifies_certificates_by_default() -> None:
    """A TLS hub with an untrusted certificate is refused unless the user opts out."""
    import ssl
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        key, cert = Path(tmp, "k.pem"), Path(tmp, "c.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
             "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
            check=True, capture_output=True,
        )  # fmt: skip
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)

        async def answer(ws: ServerConnection) -> None:
            async for raw in ws:
                request = json.loads(raw)
                await ws.send(
                    json.dumps({"janus": "success", "transaction": request["transaction"], "data": {"id": 5}})
                )

        async with serve(
            answer, "127.0.0.1", 0, ssl=ctx, subprotocols=[websockets.Subprotocol("janus-protocol")]
        ) as server:
            port = server.sockets[0].getsockname()[1]
            with pytest.raises(errors.ServerUnreachableError):
                await JanusClient().connect(f"wss://127.0.0.1:{port}")
            client = JanusClient()
            await client.connect(f"wss://127.0.0.1:{port}", verify_tls=False)
            assert client.session_id == 5
            await client.close()


async def test_keepalives_flow_while_connected(monkeypatch: pytest.MonkeyPatch) -> None:
    from echo_desktop.net import janus_client

    monkeypatch.setattr(janus_client, "KEEPALIVE_S", 0.05)
    kinds: list[str] = []

    async def counting(ws: ServerConnection) -> None:
        async for raw in ws:
            request = json.loads(raw)
            kinds.append(request["janus"])
            if request["janus"] == "create":
                reply = {"janus": "success", "transaction": request["transaction"], "data": {"id": 3}}
            else:
                reply = {"janus": "ack", "transaction": request["transaction"], "session_id": 3}
            await ws.send(json.dumps(reply))

    subprotocols = [websockets.Subprotocol("janus-protocol")]
    async with serve(counting, "127.0.0.1", 0, subprotocols=subprotocols) as server:
        client = JanusClient()
        await client.connect(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        await wait_for(lambda: kinds.count("keepalive") >= 4, what="four keepalives")
        await client.close()
    assert kinds.count("keepalive") >= 4
