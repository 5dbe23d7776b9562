"""aiortc helpers shared by the publisher and the subscriber."""

from __future__ import annotations

import logging
from typing import Any

from aiortc import RTCConfiguration, RTCIceCandidate, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.sdp import candidate_from_sdp

logger = logging.getLogger(__name__)


def new_peer_connection() -> RTCPeerConnection:
    """A peer connection for Janus: one bundled transport, and no public STUN server.

    MAX_BUNDLE, because with the default policy aiortc wires up only the first video m-line of
    a Janus multistream offer. No ICE servers, because aiortc otherwise asks a public STUN server
    and stalls for seconds on a closed network.
    """
    return RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))


def to_jsep(description: RTCSessionDescription) -> dict[str, Any]:
    # aiortc gathers every candidate before the SDP is ready, so we never trickle.
    return {"type": description.type, "sdp": description.sdp, "trickle": False}


def from_jsep(jsep: dict[str, Any]) -> RTCSessionDescription:
    return RTCSessionDescription(sdp=str(jsep["sdp"]), type=str(jsep["type"]))


def parse_trickle(candidate: Any) -> RTCIceCandidate | None:
    """Turn a Janus trickle candidate into an aiortc candidate; None means end of candidates.

    Raises ValueError for anything malformed.
    """
    if not isinstance(candidate, dict):
        raise ValueError("candidate is not an object")
    if candidate.get("completed") is True:
        return None
    line = candidate.get("candidate")
    if not isinstance(line, str) or not line:
        raise ValueError("candidate has no candidate line")
    if line.startswith("candidate:"):
        line = line[len("candidate:") :]
    try:
        parsed = candidate_from_sdp(line)
    except (AssertionError, ValueError, IndexError) as exc:
        raise ValueError(f"bad candidate line: {exc}") from exc
    mid = candidate.get("sdpMid")
    index = candidate.get("sdpMLineIndex")
    parsed.sdpMid = mid if isinstance(mid, str) else None
    parsed.sdpMLineIndex = index if isinstance(index, int) else None
    if parsed.sdpMid is None and parsed.sdpMLineIndex is None:
        parsed.sdpMLineIndex = 0
    return parsed


class RemoteCandidates:
    """Holds Janus's trickled candidates until the remote description is set."""

    def __init__(self, pc: RTCPeerConnection) -> None:
        self._pc = pc
        self._ready = False
        self._waiting: list[RTCIceCandidate | None] = []

    async def add(self, candidate: RTCIceCandidate | None) -> None:
        if not self._ready:
            self._waiting.append(candidate)
            return
        await self._apply(candidate)

    async def remote_description_set(self) -> None:
        self._ready = True
        waiting, self._waiting = self._waiting, []
        for candidate in waiting:
            await self._apply(candidate)

    async def _apply(self, candidate: RTCIceCandidate | None) -> None:
        try:
            await self._pc.addIceCandidate(candidate)
        except Exception:
            logger.warning("Ignored a remote ICE candidate aiortc rejected", exc_info=True)
