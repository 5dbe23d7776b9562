"""Janus error codes mapped to the session's typed, plain-language errors."""

from __future__ import annotations

from echo_desktop.session import errors

# Janus core (janus/apierror.h) and VideoRoom plugin codes that a clinician can act on.
_CODES: dict[int, type[errors.SignalingError]] = {
    403: errors.WrongPinError,  # JANUS_ERROR_UNAUTHORIZED: missing or bad token / API secret
    458: errors.ServerGoneError,  # JANUS_ERROR_SESSION_NOT_FOUND: the server forgot our session
    459: errors.ServerGoneError,  # JANUS_ERROR_HANDLE_NOT_FOUND
    426: errors.RoomNotFoundError,  # JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM
    432: errors.RoomFullError,  # JANUS_VIDEOROOM_ERROR_PUBLISHERS_FULL
    433: errors.WrongPinError,  # JANUS_VIDEOROOM_ERROR_UNAUTHORIZED: wrong pin
}


def error_for(code: object, reason: object) -> errors.SignalingError:
    """Build the typed error for a Janus error code and reason."""
    detail = f"Janus {code}: {reason}" if reason else f"Janus {code}"
    cls = _CODES.get(code, errors.SignalingError) if isinstance(code, int) else errors.ProtocolError
    return cls(detail)
