"""`echo-desktop demo`, the README's main command, as a user runs it: the local hub starts, the
demo program's session opens now, and the app opens on its lobby with that session joinable,
refreshed from the hub; the user's own settings and schedule are left untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.netns import NetNamespace
from tests.background_errors import background_errors_in

pytestmark = pytest.mark.integration
ROOT = Path(__file__).parent.parent


def test_the_demo_opens_on_a_lobby_with_its_session_open_and_leaves_the_users_files_alone(
    tmp_path: Path, netns: NetNamespace
) -> None:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    command = [sys.executable, "-m", "echo_desktop", "demo", "--no-devices", "--guests", "1"]
    command += ["--startup-report", "refreshed"]
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not background_errors_in(result.stderr), result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["screen"] == "lobby"
    assert report["sessions"] >= 1  # the session opening now, and the weekly ones after it
    assert report["joinable"] == 1  # its room is open: Join is one click away
    assert report["online"] is True and report["checked"] is True
    assert report["media_modules"] == []  # nothing of the call is loaded before Join
    # The demo's hub, cache and settings lived in its own temporary folder.
    leftovers = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    leftovers += [p for p in (tmp_path / "config").rglob("*") if p.is_file()]
    assert leftovers == []
