"""The local hub and its children stop with their owner, however the owner ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from testkit.netns import NetNamespace
from tests.conftest import Room
from tests.peers import Peer, wait_for

pytestmark = pytest.mark.integration

OWNER = """
import sys, time
from echo_desktop.hub.launcher import HubConfig, JanusHub
hub = JanusHub(HubConfig(bind_ip=sys.argv[1], ws_port=8488, http_port=8489)).start()
print(hub._process.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


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
        import asyncio

        proc = await asyncio.create_subprocess_exec(*argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        await wait_for(lambda: host.feed_id_of("Leaver") is not None, what="the probe to join")
        await asyncio.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(proc.communicate(), 15)
        assert proc.returncode == 0
        assert b'"display": "Dr. Host [spoke]"' in out
        # It left the room properly: the host sees it go at once, not after a session timeout.
        await wait_for(lambda: host.feed_id_of("Leaver") is None, timeout=5, what="the probe to leave")
    finally:
        await host.leave()
        host.close()
