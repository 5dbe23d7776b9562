"""Telling the person who runs `echo-desktop hub` its ad-hoc room's PIN, and no one else.

On a terminal the PIN is printed, as before. Anywhere else (a service manager, a pipe, a log
file) stderr is a log that others read: the PIN goes to a file only this user can read, in the
hub's data folder, and stderr names that file. The file is removed when the hub stops, since the
room and its PIN end with the run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TextIO

PIN_FILE = "adhoc-room.json"


def announce_adhoc_room(room: int, pin: str, janus_url: str, data_dir: Path, stream: TextIO) -> Path | None:
    """Tell the hub's operator the ad-hoc room and its PIN on `stream` if it is a terminal, else
    in a private file (0600) in `data_dir`, named on `stream`. Returns that file, or None."""
    if stream.isatty():
        print(f"Hub ready: room {room}, PIN {pin}. Press Ctrl-C to stop.", file=stream, flush=True)
        return None
    path = data_dir / PIN_FILE
    _write_private(path, json.dumps({"janus": janus_url, "room": room, "pin": pin}) + "\n")
    print(
        f"Hub ready: room {room}; its PIN is in {path} (readable by this user only).",
        file=stream,
        flush=True,
    )
    return path


def forget_adhoc_room(path: Path | None) -> None:
    """Remove the PIN file once the hub has stopped (the PIN opens nothing any more)."""
    if path is not None:
        path.unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    """Write `text` to a new file only this user can read (an old file, or a symlink planted in
    its place, is removed first, so neither its mode nor its target is inherited)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
