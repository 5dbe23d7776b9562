"""A scheduled session's join request: the hub's join details plus the user's media choices."""

from __future__ import annotations

import logging

from echo_desktop.schedule.lobby import JoinDetails
from echo_desktop.session.models import JoinRequest, MediaPreferences, Role, clean_name

logger = logging.getLogger(__name__)


def join_request_for(details: JoinDetails, media: MediaPreferences) -> JoinRequest:
    """The request the join form would have built, from what the hub gave; raises ValueError when
    the details cannot make a request (an address that is not ws:// or wss://, a bad room)."""
    try:
        role = Role(details.role)
    except ValueError:
        logger.info("The hub named an unknown role %r; joining as a spoke", details.role)
        role = Role.SPOKE
    return JoinRequest(
        server_url=details.server_url,
        room=details.room,
        pin=details.pin,
        display_name=clean_name(details.display_name),
        role=role,
        media=media,
    )
