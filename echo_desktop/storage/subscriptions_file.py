"""What the user subscribed to, in a small file of its own: each hub (its address and the person's
API token) and each feed (its URL or file), apart from the schedule cache.

The cache holds only what can be fetched again, so a damaged cache is rebuilt and refetched with
nothing lost; this file holds what only the user can give. It is JSON under the user config folder
(platformdirs: XDG_CONFIG_HOME on Linux), written whole to a temporary file and renamed over
(`atomic_file.write_private`, 0600), so a crash leaves the old file or the new one, never half.
A file that cannot be read is moved aside with a timestamp, and `load` says so in a notice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

from echo_desktop.storage.atomic_file import write_private

logger = logging.getLogger(__name__)

APP_NAME = "echo-desktop"
APP_AUTHOR = "Project ECHO"
FILE_NAME = "subscriptions.json"
FORMAT_VERSION = 1


class SubscriptionKind(StrEnum):
    HUB = "hub"  # one program of a hub: its API feed, fetched with the person's token
    FEED = "feed"  # any iCalendar feed, by URL or file


@dataclass(frozen=True)
class Subscription:
    """One subscribed program or calendar."""

    id: int
    kind: SubscriptionKind
    feed: str  # the feed's URL or file path (a hub's: {service}/api/programs/{id}/feed.ics)
    name: str  # the program's name, for people
    service: str | None = None  # the hub's program service (hub subscriptions)
    token: str | None = field(default=None, repr=False)  # the person's API token (hub)
    program_id: int | None = None
    time_zone: str | None = None  # the program's IANA zone, when the hub said
    added_at: datetime | None = None


class DamagedFile(ValueError):
    """The file is not a subscriptions file this version can read."""


def default_path() -> Path:
    """The file in the platform's user config folder (XDG_CONFIG_HOME on Linux)."""
    return platformdirs.user_config_path(APP_NAME, APP_AUTHOR) / FILE_NAME


@dataclass(frozen=True)
class Loaded:
    """The subscriptions read, and what the user must be told about the file."""

    subscriptions: list[Subscription]
    notices: tuple[str, ...] = ()
    existed: bool = True


def load(path: Path, now: datetime) -> Loaded:
    """The subscriptions in `path` (none if it does not exist). A damaged file is moved aside (as
    `subscriptions.json.damaged-<UTC time>`) and the notice names what was lost and where it is."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return Loaded([], existed=False)
    except OSError as exc:
        # Unreadable (permissions): leave it where it is, so nothing is overwritten by mistake.
        raise OSError(exc.errno, f"the subscriptions file cannot be read ({exc.strerror})") from None
    try:
        return Loaded(parse(data))
    except DamagedFile as exc:
        aside = path.with_name(f"{path.name}.damaged-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}")
        path.replace(aside)
        logger.warning("The subscriptions file was unreadable (%s); moved aside as %s", exc, aside.name)
        notice = (
            "Your subscriptions (the hubs you signed in to with a token, and the calendar feeds "
            f"you added) could not be read, so they are no longer listed; the old file is {aside}. "
            "Subscribe to your programs again."
        )
        return Loaded([], (notice,))


def parse(data: bytes) -> list[Subscription]:
    """The subscriptions in a file's bytes; raises DamagedFile for anything else."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DamagedFile(f"not JSON: {type(exc).__name__}") from None
    if not isinstance(document, dict) or not isinstance(document.get("subscriptions"), list):
        raise DamagedFile("not a subscriptions file")
    if document.get("version") != FORMAT_VERSION:
        raise DamagedFile(f"format version {document.get('version')!r}, not {FORMAT_VERSION}")
    found = [_subscription(entry) for entry in document["subscriptions"]]
    if len({s.id for s in found}) != len(found) or len({s.feed for s in found}) != len(found):
        raise DamagedFile("a subscription appears twice")
    return found


def save(path: Path, subscriptions: Sequence[Subscription]) -> None:
    """Replace the file with these subscriptions, atomically, readable by the user only."""
    document = {"version": FORMAT_VERSION, "subscriptions": [_entry(s) for s in subscriptions]}
    write_private(path, json.dumps(document, indent=1).encode())


def _entry(one: Subscription) -> dict[str, Any]:
    return {
        "id": one.id,
        "kind": one.kind.value,
        "feed": one.feed,
        "name": one.name,
        "service": one.service,
        "token": one.token,
        "program_id": one.program_id,
        "time_zone": one.time_zone,
        "added_at": one.added_at.astimezone(UTC).isoformat() if one.added_at else None,
    }


def _subscription(entry: object) -> Subscription:
    if not isinstance(entry, dict):
        raise DamagedFile("a subscription is not an object")
    try:
        added = entry.get("added_at")
        one = Subscription(
            id=_int(entry["id"]),
            kind=SubscriptionKind(entry["kind"]),
            feed=_text(entry["feed"]),
            name=_text(entry["name"]),
            service=_optional_text(entry.get("service")),
            token=_optional_text(entry.get("token")),
            program_id=None if entry.get("program_id") is None else _int(entry["program_id"]),
            time_zone=_optional_text(entry.get("time_zone")),
            added_at=datetime.fromisoformat(added) if isinstance(added, str) else None,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise DamagedFile(f"a subscription cannot be read ({type(exc).__name__})") from None
    if one.kind is SubscriptionKind.HUB and not (one.service and one.token):
        raise DamagedFile("a hub subscription has no hub or token")
    return one


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError("not a text")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)
