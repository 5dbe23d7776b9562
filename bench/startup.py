"""Start to the lobby: ECHO Desktop beside an empty PySide6 window, the floor Qt sets.

Set-up: a private XDG folder; the real program service on loopback over a temporary store,
with two programs (one in another time zone) and a fortnight of clinics; the user subscribed
with `echo-desktop schedule --hub` (which fills the cache).

Each run spawns a fresh process and times it from spawn to its first line:
- with the hub up: "lobby, hub up" (`echo-desktop app --startup-report shown`: the lobby and its
  sessions are on screen, from the cache) and "refreshed, hub up" (`--startup-report refreshed`:
  also the first refresh from the hub has finished);
- then with the hub stopped: "PySide6 empty window" (QApplication, one QWidget shown, a line on
  the first turn of the event loop) and "lobby, offline", alternately.
The app's line also says which screen, how many sessions, and which media modules were loaded
(none should be before a join).

    .venv/bin/python -m bench.startup --runs 15

QT_QPA_PLATFORM is offscreen unless set (run under Xvfb with QT_QPA_PLATFORM=xcb to include a
real display). The first run of each is printed apart: it may find the disk cache cold, and it
compiles the bytecode that later runs use, as an installed app's are compiled at install.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import summary
from echo_desktop.hub.program_service.server import ProgramServer
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.schedule.series import Agenda, Frequency
from echo_desktop.session.models import Role

ROOT = Path(__file__).resolve().parent.parent

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
window = QWidget()
window.resize(1180, 760)
window.show()
QTimer.singleShot(0, lambda: (print('{"screen": "empty"}', flush=True), window.close(), app.quit()))
app.exec()
"""


def _seed(store: ProgramStore) -> str:
    """Two programs with weekly clinics over the next fortnight; returns a member's API token."""
    person = store.add_person("Dana Whitehorse, NP", "Taos Clinic", Role.SPOKE)
    for name, zone, hour in (("Hepatitis C", "America/Denver", 9), ("Chronic Pain", "America/New_York", 12)):
        program = store.add_program(name, zone)
        store.add_member(person.person.id, program.id)
        first = (datetime.now(ZoneInfo(zone)) + timedelta(days=1)).replace(
            hour=hour, minute=0, second=0, microsecond=0, tzinfo=None
        )
        for offset in (0, 2):  # two weekly series, so the fortnight has four sessions a program
            store.add_series(
                program.id,
                f"{name} teleECHO",
                first + timedelta(days=offset),
                timedelta(hours=1),
                Frequency.WEEKLY,
                until=(first + timedelta(weeks=8)).date(),
                agenda=Agenda("A didactic talk", "Dr. Ana Ruiz", 2),
            )
    return person.api_token


def _env(xdg: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(XDG_DATA_HOME=str(xdg / "data"), XDG_CONFIG_HOME=str(xdg / "config"))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # An installed app runs from compiled bytecode (pip compiles it at install). A checkout run
    # with PYTHONDONTWRITEBYTECODE compiles every module on every start instead (~0.2 s here), so
    # the children write their bytecode to a private folder, and the first run fills it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(xdg / "pycache")
    return env


def _start_hub(xdg: Path) -> ProgramServer:
    """The real program service over a seeded store; the private user subscribed to it."""
    store = ProgramStore.open(xdg / "hub" / "programs.db")
    try:
        token = _seed(store)
    finally:
        store.close()
    service = ProgramServer(xdg / "hub" / "programs.db", "127.0.0.1", 0).start()
    command = [sys.executable, "-m", "echo_desktop", "schedule", "--hub", service.url]
    command += ["--token-file", "-", "--json"]
    result = subprocess.run(
        command, input=token, capture_output=True, text=True, env=_env(xdg), cwd=ROOT, check=False
    )
    if result.returncode != 0:
        service.stop()
        raise SystemExit(f"subscribing failed: {result.stderr.strip()}")
    sessions = json.loads(result.stdout)["sessions"]
    print(f"cache filled: {len(sessions)} sessions in the next 14 days", file=sys.stderr)
    return service


def _time_to_first_line(command: list[str], env: dict[str, str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.wait(30)
    if not line:
        raise SystemExit(f"{command[:4]} printed nothing (exit {process.returncode})")
    report = json.loads(line)
    assert isinstance(report, dict)
    return elapsed, report


Row = tuple[str, list[float], float]  # name, the runs after the first, the first


def _measure(
    rows: dict[str, list[str]], runs: int, env: dict[str, str]
) -> tuple[list[Row], dict[str, object]]:
    """Each command `runs + 1` times, alternating; the first run of each is kept apart."""
    times: dict[str, list[float]] = {name: [] for name in rows}
    last: dict[str, object] = {}
    for run in range(runs + 1):
        for name, command in rows.items():
            elapsed, report = _time_to_first_line(command, env)
            if command is not rows.get("PySide6 empty window"):
                last = report
                if report.get("screen") != "lobby":
                    raise SystemExit(f"the app did not open on the lobby: {report}")
            times[name].append(elapsed)
        print(
            f"run {run}: " + ", ".join(f"{n} {t[-1] * 1000:.0f} ms" for n, t in times.items()),
            file=sys.stderr,
        )
    return [(name, t[1:], t[0]) for name, t in times.items()], last


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app = [sys.executable, "-m", "echo_desktop", "app", "--no-devices", "--startup-report"]
    with tempfile.TemporaryDirectory(prefix="echo-bench-startup-") as folder:
        xdg = Path(folder)
        env = _env(xdg)
        service = _start_hub(xdg)
        try:
            online, refreshed = _measure(
                {
                    "lobby, hub up": [*app, "shown"],
                    "refreshed, hub up": [*app, "refreshed"],
                },
                args.runs,
                env,
            )
        finally:
            service.stop()
        offline, last = _measure(
            {"PySide6 empty window": [sys.executable, "-c", BARE_WINDOW], "lobby, offline": [*app, "shown"]},
            args.runs,
            env,
        )
    print()
    print(f"Start to first screen, {env['QT_QPA_PLATFORM']} ({datetime.now(UTC):%Y-%m-%d})")
    print(f"{'process':<24}{'runs':>6}{'first':>9}{'median':>9}{'p90':>9}  (ms)")
    for name, runs, once in [*offline, *online]:
        median, p90 = summary(runs)
        cells = "".join(f"{v * 1000:>9.0f}" for v in (once, median, p90))
        print(f"{name:<24}{len(runs):>6}{cells}")
    floor = summary(offline[0][1])[0]
    print(
        f"lobby beyond the empty window (offline): median {(summary(offline[1][1])[0] - floor) * 1000:.0f} ms"
    )
    print(
        f"the lobby listed {last.get('sessions')} sessions; media modules loaded: {last.get('media_modules')}"
    )
    print(f"the refreshed start ended online={refreshed.get('online')}, checked={refreshed.get('checked')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
