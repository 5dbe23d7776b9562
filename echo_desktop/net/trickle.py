"""Janus's trickled ICE candidates, checked and turned into plain values for the media side."""

from __future__ import annotations

from typing import Any

from echo_desktop.session.ports import IceCandidate

_MIN_FIELDS = 8  # foundation component transport priority address port "typ" type


def parse_trickle(candidate: Any) -> IceCandidate | None:
    """A Janus trickle candidate as an IceCandidate; None means end of candidates.

    Raises ValueError for anything malformed, so a hostile or broken hub is logged and ignored.
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
    fields = line.split()
    if len(fields) < _MIN_FIELDS or fields[6] != "typ":
        raise ValueError("bad candidate line: not 'foundation component transport priority ip port typ type'")
    if not (fields[1].isdigit() and fields[3].isdigit() and fields[5].isdigit()):
        raise ValueError("bad candidate line: component, priority and port must be numbers")
    mid = candidate.get("sdpMid")
    index = candidate.get("sdpMLineIndex")
    sdp_mid = mid if isinstance(mid, str) else None
    sdp_mline_index = index if isinstance(index, int) and not isinstance(index, bool) else None
    if sdp_mid is None and sdp_mline_index is None:
        sdp_mline_index = 0
    return IceCandidate(line, sdp_mid, sdp_mline_index)
