"""aiortc peer connections as a Janus call needs them, and the conversions to and from the port's values."""

from __future__ import annotations

import logging

from aiortc import RTCConfiguration, RTCIceCandidate, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.sdp import candidate_from_sdp

from echo_desktop.session.ports import IceCandidate, SessionDescription

logger = logging.getLogger(__name__)


def new_peer_connection() -> RTCPeerConnection:
    """A peer connection for Janus: one bundled transport, and no public STUN server.

    MAX_BUNDLE, because with the default policy aiortc wires up only the first video m-line of
    a Janus multistream offer. No ICE servers, because aiortc otherwise asks a public STUN server
    and stalls for seconds on a closed network.
    """
    return RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))


def to_aiortc(description: SessionDescription) -> RTCSessionDescription:
    return RTCSessionDescription(sdp=description.sdp, type=description.type)


def from_aiortc(description: RTCSessionDescription) -> SessionDescription:
    return SessionDescription(type=description.type, sdp=description.sdp)


def to_aiortc_candidate(candidate: IceCandidate) -> RTCIceCandidate:
    """Raises ValueError for a line aiortc cannot read."""
    try:
        parsed = candidate_from_sdp(candidate.line)
    except (AssertionError, ValueError, IndexError) as exc:
        raise ValueError(f"bad candidate line: {exc}") from exc
    parsed.sdpMid = candidate.sdp_mid
    parsed.sdpMLineIndex = candidate.sdp_mline_index
    return parsed


class RemoteCandidates:
    """Holds the hub's trickled candidates until the remote description is set."""

    def __init__(self, pc: RTCPeerConnection) -> None:
        self._pc = pc
        self._ready = False
        self._waiting: list[IceCandidate | None] = []

    async def add(self, candidate: IceCandidate | None) -> None:
        """A remote candidate; None means the end of candidates."""
        if not self._ready:
            self._waiting.append(candidate)
            return
        await self._apply(candidate)

    async def remote_description_set(self) -> None:
        self._ready = True
        waiting, self._waiting = self._waiting, []
        for candidate in waiting:
            await self._apply(candidate)

    async def _apply(self, candidate: IceCandidate | None) -> None:
        try:
            await self._pc.addIceCandidate(None if candidate is None else to_aiortc_candidate(candidate))
        except Exception:
            logger.warning("Ignored a remote ICE candidate aiortc rejected", exc_info=True)
