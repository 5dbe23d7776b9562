"""`echo-desktop schedule`: subscribe (optionally), refresh, and print the upcoming sessions.

It refreshes every subscription, falls back to the cache when the hubs do not answer, and prints
a table in local time, or with `--json`:

    {"source": "hub" | "cache", "updated": ISO-8601 | null,
     "sessions": [{"start", "end", "title", "program", "room", "status", ...}, ...],
     "problems": [...], "notices": [...]}

The cache lives where platformdirs puts it (XDG_DATA_HOME on Linux). Exit status: 0 with a
schedule, 2 for bad input (options, a token file, a feed or hub that cannot be subscribed to).
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from echo_desktop.schedule.lobby import ScheduledSession, ScheduleSnapshot, by_day, time_label
from echo_desktop.schedule.ports import ScheduleError
from echo_desktop.sync.schedule_sync import ScheduleSync

if TYPE_CHECKING:
    from echo_desktop.net.program_client import ProgramClient

BAD_INPUT = 2
MAX_DAYS = 366


class _BadInput(Exception):
    """An option or file the command cannot use; the message is for the user."""


def schedule_main(
    feed: str | None,
    hub: str | None,
    token_file: str | None,
    days: int,
    as_json: bool,
    insecure: bool,
    stdin: TextIO | None = None,
    ca_file: str | None = None,
) -> int:
    """Run the command; returns the exit status."""
    try:
        if not 1 <= days <= MAX_DAYS:
            raise _BadInput(f"--days is between 1 and {MAX_DAYS}")
        if (hub is None) != (token_file is None):
            raise _BadInput("--hub and --token-file go together")
        token = _read_token(token_file, stdin or sys.stdin) if token_file is not None else None
        ca = Path(ca_file) if ca_file is not None else None
        snapshot = asyncio.run(_schedule(feed, hub, token, days, insecure, ca))
    except (_BadInput, ScheduleError) as exc:
        print(f"echo-desktop schedule: {exc}", file=sys.stderr)
        return BAD_INPUT
    for line in (*snapshot.notices, *snapshot.problems):
        print(f"echo-desktop schedule: {line}", file=sys.stderr)
    now = datetime.now(UTC)
    local = datetime.now().astimezone().tzinfo or UTC
    if as_json:
        print(json.dumps(_as_json(snapshot, now, local)))
    else:
        print(_as_table(snapshot, now, local))
    return 0


def _read_token(source: str, stdin: TextIO) -> str:
    try:
        text = stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _BadInput(f"the token file cannot be read ({type(exc).__name__})") from None
    token = text.strip()
    if not token or any(c.isspace() for c in token):
        raise _BadInput("the token file must hold one token")
    return token


async def _schedule(
    feed: str | None, hub: str | None, token: str | None, days: int, insecure: bool, ca_file: Path | None
) -> ScheduleSnapshot:
    def client() -> ProgramClient:
        from echo_desktop.net.program_client import ProgramClient

        return ProgramClient(insecure=insecure, ca_file=ca_file)

    sync = await ScheduleSync.open(client=client, days=days, ca_file=ca_file)
    try:
        if feed is not None:
            await sync.subscribe_feed(feed)
        if hub is not None and token is not None:
            await sync.subscribe_hub(hub, token)
        if not sync.snapshot().subscriptions:
            raise _BadInput(
                "nothing is subscribed yet: use --feed URL_OR_FILE or --hub URL --token-file FILE"
            )
        return await sync.refresh()
    finally:
        await sync.aclose()


def _as_json(snapshot: ScheduleSnapshot, now: datetime, local: tzinfo) -> dict[str, object]:
    return {
        "source": "hub" if snapshot.online else "cache",
        "updated": snapshot.updated.astimezone(local).isoformat() if snapshot.updated else None,
        "sessions": [_session_json(s, now, local) for s in snapshot.sessions],
        "problems": list(snapshot.problems),
        "notices": list(snapshot.notices),
    }


def _session_json(session: ScheduledSession, now: datetime, local: tzinfo) -> dict[str, object]:
    return {
        "start": session.start.astimezone(local).isoformat(),
        "end": session.end.astimezone(local).isoformat(),
        "title": session.title,
        "program": session.program,
        "room": session.room,
        "status": session.status(now).value,
        "program_time_zone": session.program_time_zone,
        "didactic": session.didactic,
        "presenter": session.presenter,
        "cases": list(session.cases),
        "moved": session.moved,
        "joinable": session.join is not None,
    }


def _as_table(snapshot: ScheduleSnapshot, now: datetime, local: tzinfo) -> str:
    updated = snapshot.updated.astimezone(local).strftime("%Y-%m-%d %H:%M") if snapshot.updated else "never"
    lines = [f"Online, updated {updated}" if snapshot.online else f"Offline, last updated {updated}"]
    if not snapshot.sessions:
        lines.append("No sessions in this period.")
    for day, sessions in by_day(snapshot.sessions, local):
        lines.append("")
        lines.append(f"{day:%A} {day.day} {day:%B %Y}")  # "Wednesday 9 December 2026"
        for session in sessions:
            details = [session.program]
            if session.didactic:
                details.append(session.didactic + (f" ({session.presenter})" if session.presenter else ""))
            if session.room:
                details.append(f"room {session.room}")
            details.append(session.status(now).value + (" (moved)" if session.moved else ""))
            lines.append(f"  {time_label(session, local)}  {session.title}  [{' · '.join(details)}]")
    return "\n".join(lines)
