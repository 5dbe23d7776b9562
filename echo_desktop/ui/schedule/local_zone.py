"""The user's time zone, as a tzinfo that knows its daylight-saving rules."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimeZone

logger = logging.getLogger(__name__)


def system_zone() -> tzinfo:
    """The system's zone by its IANA name (so a date two weeks away gets its own DST offset).

    Falls back to the current fixed offset when the system names no zone Python knows.
    """
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # unknown, malformed, or a folder of zones
        logger.info("The system time zone %r is not one Python knows; using its current offset", name)
        fallback = datetime.now().astimezone().tzinfo
        assert fallback is not None
        return fallback
