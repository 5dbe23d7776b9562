"""build_installer.py makes a bundle that installs offline and runs: hub and probe from the bundle."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from testkit.netns import NetNamespace
from tests.background_errors import background_errors_in
from tests.conftest import host_network_preexec

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]


def test_bundle_installs_offline_and_runs(tmp_path: Path, netns: NetNamespace) -> None:
    out = tmp_path / "dist"
    # Building fetches wheels from the package index, so it runs in the host's network
    # namespace, not in the test's isolated one.
    built = subprocess.run(
        [sys.executable, str(ROOT / "build_installer.py"), "--out", str(out)],
        capture_output=True, text=True, preexec_fn=host_network_preexec(),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    tarball = Path(built.stdout.strip().splitlines()[-1])
    assert tarball.exists() and tarball.name.endswith(".tar.gz")
    bundle = out / tarball.name.removesuffix(".tar.gz")
    assert any(w.name.startswith("echo_desktop-") for w in (bundle / "wheels").iterdir())

    env = dict(os.environ)
    env.update(
        ECHO_DESKTOP_PREFIX=str(tmp_path / "app"),
        ECHO_DESKTOP_BINDIR=str(tmp_path / "bin"),
        ECHO_DESKTOP_APPSDIR=str(tmp_path / "apps"),
        PIP_NO_INDEX="1",  # prove the install needs no network
        PYTHON=sys.executable,
    )
    installed = subprocess.run(["bash", str(bundle / "install.sh")], env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-2000:]
    entry = (tmp_path / "apps" / "echo-desktop.desktop").read_text()
    assert f"Exec={tmp_path / 'app' / 'bin' / 'echo-desktop'}" in entry
    launcher = tmp_path / "bin" / "echo-desktop"
    assert launcher.exists()

    # The installed app carries the hub's Janus config and its program service: both start, say
    # where they are in one JSON line, and stop cleanly.
    hub = subprocess.Popen(
        [str(launcher), "hub", "--ip", netns.hub_ip, "--ws-port", "8588", "--http-port", "8589",
         "--pin", "2468", "--service-port", "8590", "--data", str(tmp_path / "hub-data")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert hub.stdout is not None
    try:
        ready = json.loads(hub.stdout.readline())
        # Without a certificate the service stays on loopback (and says so), while Janus is on --ip.
        assert ready == {"janus": f"ws://{netns.hub_ip}:8588", "service": "http://127.0.0.1:8590"}
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{ready['service']}/api/programs", timeout=10)  # no token
        assert refused.value.code == 401
        store = tmp_path / "hub-data" / "programs.db"
        assert stat.S_IMODE(store.stat().st_mode) == 0o600
        probe = subprocess.run(
            [str(launcher), "probe", "--server", f"ws://{netns.hub_ip}:8588", "--room", "1234",
             "--pin", "2468", "--duration", "0.5"],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        assert '"feeds": []' in probe.stdout  # joined fine; nobody else was there
        assert not background_errors_in(probe.stderr), probe.stderr
    finally:
        hub.send_signal(signal.SIGTERM)
        out_text, err_text = hub.communicate(timeout=15)
    assert hub.returncode == 0
    assert out_text == ""  # the JSON line was the whole of stdout
    # stderr is a pipe here, not a terminal: it names the PIN's private file, never the PIN.
    assert "Hub stopped." in err_text and "2468" not in err_text
    assert str(tmp_path / "hub-data" / "adhoc-room.json") in err_text
    assert "the program service listens on 127.0.0.1 only" in err_text
    assert not background_errors_in(err_text), err_text
