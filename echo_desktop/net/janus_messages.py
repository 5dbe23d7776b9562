"""Parsing and validation of messages from Janus.

Anything that does not have the documented shape is rejected here, so the rest of the client only
ever sees well-formed messages. The caller logs and drops what is rejected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGE_CHARS = 1_000_000

KNOWN_KINDS = frozenset(
    {
        "success",
        "error",
        "ack",
        "event",
        "trickle",
        "webrtcup",
        "media",
        "slowlink",
        "hangup",
        "detached",
        "timeout",
        "server_info",
    }
)


class MalformedMessage(ValueError):
    """A message from the server that does not have the documented shape."""


@dataclass(frozen=True)
class JanusMessage:
    """One validated message from Janus."""

    kind: str
    transaction: str | None = None
    session_id: int | None = None
    sender: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    plugin_data: dict[str, Any] | None = None
    jsep: dict[str, Any] | None = None
    error_code: int | None = None
    error_reason: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def _optional_int(msg: dict[str, Any], key: str) -> int | None:
    value = msg.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedMessage(f"{key} is not an integer")
    return value


def _optional_dict(msg: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = msg.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedMessage(f"{key} is not an object")
    return value


def parse_message(text: str | bytes) -> JanusMessage:
    """Parse and validate one WebSocket text frame from Janus."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedMessage("not UTF-8") from exc
    if len(text) > MAX_MESSAGE_CHARS:
        raise MalformedMessage("message too large")
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MalformedMessage("not JSON") from exc
    if not isinstance(msg, dict):
        raise MalformedMessage("not a JSON object")
    kind = msg.get("janus")
    if not isinstance(kind, str):
        raise MalformedMessage("no 'janus' field")
    if kind not in KNOWN_KINDS:
        raise MalformedMessage(f"unknown kind {kind[:40]!r}")
    transaction = msg.get("transaction")
    if transaction is not None and not isinstance(transaction, str):
        raise MalformedMessage("transaction is not a string")

    data = _optional_dict(msg, "data") or {}
    plugin_data: dict[str, Any] | None = None
    plugindata = _optional_dict(msg, "plugindata")
    if plugindata is not None:
        inner = plugindata.get("data")
        if not isinstance(inner, dict):
            raise MalformedMessage("plugindata.data is not an object")
        plugin_data = inner

    jsep = _optional_dict(msg, "jsep")
    if jsep is not None and (
        jsep.get("type") not in ("offer", "answer") or not isinstance(jsep.get("sdp"), str)
    ):
        raise MalformedMessage("jsep has no valid type and sdp")

    error_code: int | None = None
    error_reason: str | None = None
    if kind == "error":
        error = _optional_dict(msg, "error")
        if error is None:
            raise MalformedMessage("error without details")
        code = error.get("code")
        error_code = code if isinstance(code, int) and not isinstance(code, bool) else None
        error_reason = str(error.get("reason", ""))[:500]
    elif plugin_data is not None and "error_code" in plugin_data:
        code = plugin_data.get("error_code")
        error_code = code if isinstance(code, int) and not isinstance(code, bool) else None
        error_reason = str(plugin_data.get("error", ""))[:500]

    return JanusMessage(
        kind=kind,
        transaction=transaction,
        session_id=_optional_int(msg, "session_id"),
        sender=_optional_int(msg, "sender"),
        data=data,
        plugin_data=plugin_data,
        jsep=jsep,
        error_code=error_code,
        error_reason=error_reason,
        raw=msg,
    )
