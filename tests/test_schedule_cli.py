"""`echo-desktop schedule` as a user runs it: a subprocess with XDG_DATA_HOME in a temporary folder,
against the real program service on loopback; then offline, from its cache; and bad input."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.background_errors import background_errors_in
from tests.program_hubs import running_hub, self_signed, server_tls

ROOT = Path(__file__).parent.parent


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        answer = json.loads(self.stdout)
        assert isinstance(answer, dict)
        return answer


async def _cli(xdg: Path, *args: str, stdin: str = "") -> Run:
    env = {**os.environ, "XDG_DATA_HOME": str(xdg / "data"), "XDG_CONFIG_HOME": str(xdg / "config")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "echo_desktop", "schedule", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        cwd=ROOT, env=env,
    )  # fmt: skip
    out, err = await process.communicate(stdin.encode())
    run = Run(process.returncode or 0, out.decode(), err.decode())
    assert background_errors_in(run.stderr) == [], run.stderr
    return run


def _next_clinic() -> datetime:
    """Tomorrow at 9:00 in Denver (wall clock), so the sessions are upcoming whenever this runs."""
    tomorrow = datetime.now(ZoneInfo("America/Denver")) + timedelta(days=1)
    return tomorrow.replace(hour=9, minute=0, second=0, microsecond=0, tzinfo=None)


async def test_the_schedule_command_prints_json_online_then_from_its_cache(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "hub.db", first=_next_clinic(), weeks=4) as hub:
        online = await _cli(tmp_path, "--feed", hub.feed_url(), "--json", "--days", "10")
        assert online.code == 0, online.stderr
        hub_run = await _cli(
            tmp_path, "--hub", hub.url, "--token-file", "-", "--json", stdin=hub.dana.api_token
        )
        assert hub_run.code == 0, hub_run.stderr
        series_room = hub.store.schedule(hub.program.id).series[0][1].room
    answer = online.json()
    assert answer["source"] == "hub"
    assert isinstance(answer["updated"], str) and datetime.fromisoformat(answer["updated"]).tzinfo is not None
    sessions = answer["sessions"]
    assert isinstance(sessions, list) and len(sessions) == 2  # tomorrow and a week later; 10 days
    first = sessions[0]
    assert {"start", "end", "title", "program", "room", "status"} <= first.keys()
    start = datetime.fromisoformat(first["start"])
    assert start.utcoffset() is not None
    assert start.astimezone(ZoneInfo("America/Denver")).replace(tzinfo=None) == _next_clinic()
    assert datetime.fromisoformat(first["end"]) - start == timedelta(hours=1)
    assert (first["title"], first["program"], first["room"], first["status"]) == (
        "Hepatitis C teleECHO",
        "Hepatitis C",
        str(series_room),  # the hub's feed names the series' room (X-ECHO-ROOM); never its PIN
        "scheduled",
    )
    # Through the hub's API too: the same clinics, now also joinable.
    hub_sessions = hub_run.json()["sessions"]
    assert isinstance(hub_sessions, list) and sum(1 for s in hub_sessions if s["joinable"]) == 2

    offline = await _cli(tmp_path, "--json", "--days", "10")  # the hub is gone
    assert offline.code == 0, offline.stderr
    cached = offline.json()
    assert cached["source"] == "cache" and cached["updated"] == hub_run.json()["updated"]
    assert [s for s in cached["sessions"] if not s["joinable"]] == sessions
    assert "cannot be reached" in offline.stderr
    for run in (online, hub_run, offline):
        assert hub.dana.feed_token not in run.stdout + run.stderr
        assert hub.dana.api_token not in run.stdout + run.stderr

    table = await _cli(tmp_path, "--days", "10")
    assert table.code == 0 and table.stdout.startswith("Offline, last updated ")
    assert table.stdout.count("Hepatitis C teleECHO") == 4  # two clinics, from the feed and the hub


async def test_bad_input_gets_a_clear_error_and_exit_status_2(tmp_path: Path) -> None:
    cases = [
        (["--days", "0"], "--days is between 1 and 366"),
        (["--hub", "http://127.0.0.1:9"], "--hub and --token-file go together"),
        (["--feed", str(tmp_path / "missing.ics")], "does not exist"),
        (["--feed", "ftp://example.org/a.ics"], "not a ftp:// address"),
        ([], "nothing is subscribed yet"),
    ]
    for args, message in cases:
        run = await _cli(tmp_path, *args)
        assert run.code == 2 and message in run.stderr, (args, run.stderr)
    empty_token = await _cli(tmp_path, "--hub", "http://127.0.0.1:9", "--token-file", "-", stdin="  ")
    assert empty_token.code == 2 and "one token" in empty_token.stderr
    unreachable = await _cli(
        tmp_path, "--hub", "http://127.0.0.1:9", "--token-file", "-", stdin="secret-token-abc"
    )
    assert unreachable.code == 2 and "cannot be reached" in unreachable.stderr
    assert "secret-token-abc" not in unreachable.stderr


async def test_a_hub_with_its_own_ca_is_reached_with_ca_file(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    async with running_hub(
        tmp_path / "hub.db", first=_next_clinic(), weeks=2, tls=server_tls(cert, key)
    ) as hub:
        token = hub.dana.api_token
        untrusted = await _cli(tmp_path, "--hub", hub.url, "--token-file", "-", "--json", stdin=token)
        assert untrusted.code == 2 and "is not trusted" in untrusted.stderr
        trusted = await _cli(
            tmp_path, "--hub", hub.url, "--token-file", "-", "--ca-file", str(cert), "--json", stdin=token
        )
        assert trusted.code == 0, trusted.stderr
    assert trusted.json()["source"] == "hub" and len(trusted.json()["sessions"]) == 2
    missing = await _cli(tmp_path, "--ca-file", str(tmp_path / "nope.pem"))
    assert missing.code == 2 and "nope.pem cannot be used" in missing.stderr
    insecure = await _cli(tmp_path, "--hub", "http://hub.example.org", "--token-file", "-", stdin=token)
    assert insecure.code == 2 and "https://" in insecure.stderr and token not in insecure.stderr


async def test_the_app_refuses_a_ca_file_it_cannot_use(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "echo_desktop", "app", "--no-devices", "--ca-file", str(tmp_path / "nope.pem"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip
    _out, err = await process.communicate()
    assert process.returncode == 2 and "nope.pem cannot be used" in err.decode(), err.decode()
