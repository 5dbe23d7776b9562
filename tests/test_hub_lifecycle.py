"""The local hub and its children stop with their owner, however the owner ends."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.session.models import Role
from testkit.netns import NetNamespace
from tests.background_errors import background_errors_in
from tests.conftest import Room
from tests.janus_joins import join_room
from tests.peers import Peer, counters_advance, wait_for

pytestmark = pytest.mark.integration

OWNER = """
import signal, sys
from echo_desktop.hub.launcher import HubConfig, JanusHub
hub = JanusHub(HubConfig(bind_ip=sys.argv[1], ws_port=8488, http_port=8489)).start()
print(hub._process.pid, flush=True)
signal.pause()  # until the test kills this process
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def _handles_sigterm(pid: int) -> bool:
    """Whether the process has installed a handler for SIGTERM (its SigCgt mask in /proc)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


def test_janus_dies_when_its_owner_is_killed(netns: NetNamespace) -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER, netns.hub_ip], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    janus_pid = int(owner.stdout.readline())
    assert _alive(janus_pid)
    owner.send_signal(signal.SIGKILL)  # no cleanup code runs in the owner
    owner.wait(5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(janus_pid):
        time.sleep(0.05)
    assert not _alive(janus_pid)


async def test_probe_reports_and_leaves_on_sigterm(room: Room) -> None:
    host = Peer("Dr. Host")
    try:
        await host.join(room.server_url, room.room, room.pin)
        argv = [sys.executable, "-m", "echo_desktop", "probe", "--server", room.server_url]
        argv += ["--room", str(room.room), "--pin", room.pin, "--name", "Leaver", "--duration", "120"]
        proc = await asyncio.create_subprocess_exec(*argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        log: list[str] = []
        reading = asyncio.ensure_future(_collect_lines(proc.stderr, log))
        await wait_for(lambda: host.feed_id_of("Leaver") is not None, what="the probe to join")
        # The probe takes SIGTERM over once it has joined; before that the signal would kill it.
        await wait_for(lambda: _handles_sigterm(proc.pid), what="the probe to handle SIGTERM")
        # It reports success only once media came from the host: wait until it says so, and until
        # the host decodes the probe's picture too.
        await wait_for(
            lambda: any("Media arriving from Dr. Host" in line for line in log),
            what=lambda: "the probe to receive the host's media: " + " | ".join(log[-5:]),
        )
        await wait_for(counters_advance(host, "Leaver", 5), what="the host to see the probe's picture")
        proc.send_signal(signal.SIGTERM)
        out = await asyncio.wait_for(proc.stdout.read(), 15) if proc.stdout else b""
        await asyncio.wait_for(reading, 15)
        await asyncio.wait_for(proc.wait(), 15)
        err = "".join(log).encode()
        assert proc.returncode == 0, err.decode()[-2000:]
        assert not background_errors_in(err.decode()), err.decode()
        assert b'"display": "Dr. Host [spoke]"' in out
        # It left the room properly: the host sees it go well before Janus's 60 s session timeout.
        await wait_for(lambda: host.feed_id_of("Leaver") is None, timeout=20, what="the probe to leave")
    finally:
        await host.leave()
        host.close()


async def _collect_lines(stream: asyncio.StreamReader, lines: list[str]) -> None:
    while line := await stream.readline():
        lines.append(line.decode(errors="replace"))


def _join_details(service_url: str, uid: str, start: datetime, token: str) -> dict[str, object]:
    url = f"{service_url}/api/join/{uid}/{start.strftime('%Y%m%dT%H%M%SZ')}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=15) as answer:
        details = json.load(answer)
    assert isinstance(details, dict)
    return details


async def test_a_hub_run_by_a_service_manager_keeps_the_pin_out_of_its_log_and_gives_its_public_url(
    tmp_path: Path, netns: NetNamespace
) -> None:
    data = tmp_path / "hub-data"
    store = ProgramStore.open(data / "programs.db")
    try:  # a session whose room is open now, and a member to join it
        program = store.add_program("Hepatitis C", "UTC")
        start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=5)
        series = store.add_series(program.id, "HCV", start.replace(tzinfo=None), timedelta(hours=1))
        dana = store.add_person("Dana Whitehorse, NP", "Taos Clinic", Role.SPOKE)
        store.add_member(dana.person.id, program.id)
    finally:
        store.close()
    argv = [sys.executable, "-m", "echo_desktop", "hub", "--ip", netns.hub_ip, "--ws-port", "8688"]
    argv += ["--http-port", "8689", "--room", "4321", "--service-port", "0", "--data", str(data)]
    argv += ["--janus-public-url", "wss://hub.example.org/janus"]  # behind a TLS proxy
    # stderr is a pipe, as under systemd: the PIN goes to a private file that stderr names.
    hub = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert hub.stdout is not None and hub.stderr is not None
    err_lines: list[str] = []
    try:
        ready = json.loads(hub.stdout.readline())
        while not any("Hub ready" in line for line in err_lines):
            line = hub.stderr.readline()
            assert line, "".join(err_lines)  # the hub ended before it was ready
            err_lines.append(line)
        named = re.search(r"its PIN is in (\S+) \(", err_lines[-1])
        assert named is not None, err_lines[-1]
        pin_file = Path(named.group(1))
        assert pin_file == data / "adhoc-room.json"
        assert stat.S_IMODE(pin_file.stat().st_mode) == 0o600
        details = json.loads(pin_file.read_text())
        assert details["room"] == 4321 and details["janus"] == ready["janus"]
        # The file holds the real PIN.
        assert await join_room(ready["janus"], 4321, details["pin"]) == "joined"
        # Clients are given the public URL; Janus itself listens (and the JSON line says) on --ip.
        joining = _join_details(ready["service"], series.uid, start, dana.api_token)
        assert joining["janus"] == "wss://hub.example.org/janus" and joining["room"] == series.room
    finally:
        hub.send_signal(signal.SIGTERM)
        _, rest = hub.communicate(timeout=15)
    log = "".join(err_lines) + rest
    assert hub.returncode == 0, log
    assert details["pin"] not in log and "Hub stopped." in log
    assert not pin_file.exists()  # the room and its PIN ended with the run
    assert not background_errors_in(log), log
