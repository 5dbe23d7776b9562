"""The computer's time zone, as a tzinfo that knows its daylight-saving rules, without Qt.

A feed's floating and all-day times are the viewer's local time, and a session two weeks away may
fall on the other side of a DST change, so a fixed offset is not enough: the zone is found by its
IANA name, from `TZ`, else from the `/etc/localtime` link (…/zoneinfo/America/Denver), else from
`/etc/timezone` (Debian's file). Only when none names a zone Python knows is the current fixed
UTC offset used. (tzlocal would do this, but it is not a dependency; nor is Qt here.)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")


def system_zone(
    environ: Mapping[str, str] | None = None,
    localtime: Path = LOCALTIME,
    timezone_file: Path = TIMEZONE_FILE,
) -> tzinfo:
    """The system's zone by name; the current fixed offset when no name is known to Python."""
    env = os.environ if environ is None else environ
    for name in (_from_tz(env.get("TZ")), _from_link(localtime), _from_file(timezone_file)):
        zone = _zone(name)
        if zone is not None:
            return zone
    logger.info("The system names no time zone Python knows; using the current UTC offset")
    fallback = datetime.now().astimezone().tzinfo
    assert fallback is not None  # astimezone() always gives an aware time
    return fallback


def _from_tz(value: str | None) -> str | None:
    """`TZ=America/Denver` or `TZ=:America/Denver` (a path under the zone database, in glibc)."""
    if not value:
        return None
    return value[1:] if value.startswith(":") else value


def _from_link(path: Path) -> str | None:
    """The zone's name from where /etc/localtime points: the part after `zoneinfo/`."""
    try:
        target = os.readlink(path)
    except OSError:  # missing, or a copied file rather than a link
        return None
    _, found, name = str(target).rpartition("zoneinfo/")
    return name if found else None


def _from_file(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # unknown, malformed (an absolute path), or a folder
        return None
