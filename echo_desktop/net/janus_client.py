"""A Janus client over WebSocket: transactions with timeouts, keepalives, events by handle.

One JanusClient is one Janus session. Requests carry a unique transaction; the reply (success,
error, or for asynchronous plugin requests the event after the ack) resolves that transaction's
future. Messages that name a handle (sender) and answer no pending transaction are handed to that
handle's listener. Anything malformed or unknown is logged and dropped; it never ends the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from echo_desktop.net.janus_errors import error_for
from echo_desktop.net.janus_messages import JanusMessage, MalformedMessage, parse_message
from echo_desktop.session import errors

logger = logging.getLogger(__name__)

KEEPALIVE_S = 15.0  # well inside the hub's 60 s session_timeout
DEFAULT_TIMEOUT_S = 10.0

EventListener = Callable[[JanusMessage], None]
ClosedListener = Callable[[errors.EchoError], None]


@dataclass(frozen=True)
class PluginReply:
    """The plugin's answer to a request: its data, and a JSEP when it carries one."""

    data: dict[str, Any]
    jsep: dict[str, Any] | None


@dataclass
class _Pending:
    future: asyncio.Future[JanusMessage]
    ack_is_answer: bool


def _is_error(msg: JanusMessage) -> bool:
    return msg.kind == "error" or (msg.plugin_data is not None and "error_code" in msg.plugin_data)


class PluginHandle:
    """One attached plugin handle on a Janus session."""

    def __init__(self, client: JanusClient, handle_id: int) -> None:
        self.client = client
        self.id = handle_id
        self._listener: EventListener | None = None

    def set_listener(self, listener: EventListener | None) -> None:
        self._listener = listener

    def _dispatch(self, msg: JanusMessage) -> None:
        if self._listener is None:
            logger.debug("No listener on handle %s for %s", self.id, msg.kind)
            return
        try:
            self._listener(msg)
        except Exception:
            logger.exception("Handle %s listener failed on %s", self.id, msg.kind)

    async def request(
        self,
        body: dict[str, Any],
        jsep: dict[str, Any] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> PluginReply:
        """Send a plugin message and wait for its success or event (raises typed errors)."""
        payload: dict[str, Any] = {"janus": "message", "handle_id": self.id, "body": body}
        if jsep is not None:
            payload["jsep"] = jsep
        msg = await self.client.transact(payload, timeout=timeout)
        return PluginReply(msg.plugin_data or {}, msg.jsep)

    async def trickle(self, candidate: dict[str, Any] | None) -> None:
        """Send one ICE candidate, or the end of candidates when None."""
        payload = {
            "janus": "trickle",
            "handle_id": self.id,
            "candidate": candidate if candidate is not None else {"completed": True},
        }
        await self.client.transact(payload, ack_is_answer=True)

    async def hangup(self) -> None:
        await self.client.transact({"janus": "hangup", "handle_id": self.id})

    async def detach(self) -> None:
        try:
            await self.client.transact({"janus": "detach", "handle_id": self.id})
        finally:
            self.client.forget_handle(self.id)


class JanusClient:
    """A WebSocket connection to Janus carrying one Janus session."""

    def __init__(self) -> None:
        self._ws: ClientConnection | None = None
        self._pending: dict[str, _Pending] = {}
        self._handles: dict[int, PluginHandle] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._closed_listener: ClosedListener | None = None
        self._closing = False
        self.session_id: int | None = None
        self.dropped_messages = 0
        self._token: str | None = None
        self._session_timed_out = False

    # --- connection ----------------------------------------------------------------------------

    async def connect(
        self,
        url: str,
        verify_tls: bool = True,
        timeout: float = DEFAULT_TIMEOUT_S,
        token: str | None = None,
    ) -> None:
        """Open the WebSocket, create the Janus session and start keepalives."""
        ssl_ctx: ssl.SSLContext | None = None
        if url.startswith("wss://"):
            ssl_ctx = ssl.create_default_context()
            if not verify_tls:
                # An explicit, user-chosen opt-out for a hub with a self-signed certificate.
                logger.warning("TLS certificate verification is OFF for %s", url)
                ssl_ctx.check_hostname = False
                ssl_ctx.verify_mode = ssl.CERT_NONE
        self._token = token
        try:
            self._ws = await connect(
                url,
                subprotocols=[websockets.Subprotocol("janus-protocol")],
                ssl=ssl_ctx,
                open_timeout=timeout,
                ping_interval=None,  # Janus keepalives do this job
                max_size=2**20,
            )
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise errors.ServerUnreachableError(f"{url}: {exc}") from exc
        self._tasks.append(asyncio.create_task(self._receive_loop(), name="janus-receive"))
        reply = await self.transact({"janus": "create"}, timeout=timeout, with_session=False)
        session_id = reply.data.get("id")
        if not isinstance(session_id, int):
            raise errors.ProtocolError("create returned no session id")
        self.session_id = session_id
        self._tasks.append(asyncio.create_task(self._keepalive_loop(), name="janus-keepalive"))

    def on_closed(self, listener: ClosedListener) -> None:
        """Called once if the connection or the session is lost (not on close())."""
        self._closed_listener = listener

    async def attach(self, plugin: str, timeout: float = DEFAULT_TIMEOUT_S) -> PluginHandle:
        reply = await self.transact({"janus": "attach", "plugin": plugin}, timeout=timeout)
        handle_id = reply.data.get("id")
        if not isinstance(handle_id, int):
            raise errors.ProtocolError("attach returned no handle id")
        handle = PluginHandle(self, handle_id)
        self._handles[handle_id] = handle
        return handle

    def forget_handle(self, handle_id: int) -> None:
        self._handles.pop(handle_id, None)

    async def close(self) -> None:
        """Destroy the Janus session (best effort) and close the socket."""
        self._closing = True
        if self._ws is not None and self.session_id is not None:
            with contextlib.suppress(errors.EchoError, ConnectionClosed):
                await self.transact({"janus": "destroy"}, timeout=3.0)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        self._fail_pending(errors.ServerGoneError("connection closed"))

    # --- requests ------------------------------------------------------------------------------

    async def transact(
        self,
        payload: dict[str, Any],
        timeout: float = DEFAULT_TIMEOUT_S,
        ack_is_answer: bool = False,
        with_session: bool = True,
    ) -> JanusMessage:
        """Send a request with a fresh transaction and wait for its answer."""
        if self._ws is None:
            raise errors.ServerGoneError("not connected")
        transaction = secrets.token_hex(8)
        message = dict(payload, transaction=transaction)
        if with_session and self.session_id is not None:
            message["session_id"] = self.session_id
        if self._token:
            message["token"] = self._token
        future: asyncio.Future[JanusMessage] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = _Pending(future, ack_is_answer)
        try:
            await self._ws.send(_dumps(message))
            reply = await asyncio.wait_for(future, timeout)
        except ConnectionClosed as exc:
            raise errors.ServerGoneError(str(exc)) from exc
        except TimeoutError as exc:
            raise errors.SignalingTimeoutError(f"{payload.get('janus')} after {timeout:.0f} s") from exc
        finally:
            self._pending.pop(transaction, None)
        if _is_error(reply):
            raise error_for(reply.error_code, reply.error_reason)
        return reply

    # --- background loops ----------------------------------------------------------------------

    async def _keepalive_loop(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_S)
            try:
                await self.transact({"janus": "keepalive"}, ack_is_answer=True)
            except errors.SignalingTimeoutError:
                logger.warning("Keepalive was not answered")
            except errors.EchoError:
                return

    async def _receive_loop(self) -> None:
        assert self._ws is not None
        reason: errors.EchoError = errors.ServerGoneError("the server closed the connection")
        try:
            async for frame in self._ws:
                self.handle_frame(frame)
                if self._session_timed_out:
                    reason = errors.ServerGoneError("the server ended our session")
                    break
        except ConnectionClosed as exc:
            reason = errors.ServerGoneError(str(exc))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("Signaling receive loop failed")
            reason = errors.ServerGoneError(str(exc))
        self._fail_pending(reason)
        if not self._closing and self._closed_listener is not None:
            self._closed_listener(reason)

    def handle_frame(self, frame: str | bytes) -> None:
        """Validate one frame from the server and route it; drop what is malformed."""
        try:
            msg = parse_message(frame)
        except MalformedMessage as exc:
            self.dropped_messages += 1
            logger.warning("Dropped a malformed signaling message: %s", exc)
            return
        if msg.kind == "timeout":
            self._session_timed_out = True
            return
        if msg.transaction is not None:
            pending = self._pending.get(msg.transaction)
            if pending is not None and not pending.future.done():
                if msg.kind == "ack" and not pending.ack_is_answer:
                    return  # the real answer follows as an event
                pending.future.set_result(msg)
                return
        if msg.sender is not None:
            handle = self._handles.get(msg.sender)
            if handle is not None:
                handle._dispatch(msg)
                return
        if msg.kind not in ("ack", "success"):
            self.dropped_messages += 1
            logger.debug("Dropped a %s message nobody waits for", msg.kind)

    def _fail_pending(self, error: errors.EchoError) -> None:
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(error)
        self._pending.clear()


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))
