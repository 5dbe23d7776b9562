"""CPU and memory in a call: ECHO Desktop (the app, and the headless engine) against Chromium.

Cases, at 640x480@15 VP8 with audio, through the project's Janus in a private namespace:
- 1:1: the measured client and one other participant;
- 4-party: the measured client sends one stream and receives three.
The other participants are our headless probes, the same for every measured client. Each
measurement waits for the call to settle, then averages CPU over a window and reads PSS. CPU on
a small machine varies by several points from run to run, so the clients take turns for
`--rounds` rounds and the table shows each one's median, with the range of its rounds.

    sudo .venv/bin/python -m bench.cpu_mem --seconds 15 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from bench.common import BenchRoom, janus_room
from bench.proc_usage import Usage, measure
from echo_desktop.devtools.chromium_peer import ChromiumPeer


def _probe_argv(bench: BenchRoom, name: str, seconds: float) -> list[str]:
    argv = [sys.executable, "-m", "echo_desktop", "probe", "--server", bench.hub.config.ws_url]
    return [*argv, "--room", str(bench.room), "--pin", bench.pin, "--name", name, "--duration", str(seconds)]


@contextmanager
def _others(bench: BenchRoom, count: int) -> Iterator[None]:
    procs = [
        subprocess.Popen(
            _probe_argv(bench, f"Other {i + 1}", 3600), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for i in range(count)
    ]
    try:
        time.sleep(2)
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)


@contextmanager
def _process(argv: list[str], env: dict[str, str] | None = None) -> Iterator[int]:
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(15)


def _ours_app(bench: BenchRoom) -> AbstractContextManager[int]:
    """The desktop app, offscreen, joined through its own join screen (--join)."""
    config = tempfile.mkdtemp(prefix="echo-bench-config-")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ECHO_DESKTOP_CONFIG_DIR=config)
    argv = [sys.executable, "-m", "echo_desktop", "app", "--no-devices", "--server", bench.hub.config.ws_url]
    argv += ["--room", str(bench.room), "--pin", bench.pin, "--name", "Measured", "--join"]
    return _process(argv, env)


def _ours_engine(bench: BenchRoom) -> AbstractContextManager[int]:
    """The headless engine (the probe): the same session and media code, without Qt."""
    return _process(_probe_argv(bench, "Measured", 3600))


@contextmanager
def _chromium(bench: BenchRoom) -> Iterator[int]:
    with ChromiumPeer() as peer:
        peer.start(bench.hub.config.ws_url, bench.room, bench.pin, "Measured", publish=True)
        pid = peer.pid
        assert pid is not None
        yield pid


CLIENTS: dict[str, Callable[[BenchRoom], AbstractContextManager[int]]] = {
    "ECHO Desktop app": _ours_app,
    "ECHO engine (headless)": _ours_engine,
    "Chromium": _chromium,
}


async def _run(seconds: float, settle: float, rounds: int) -> int:
    results: dict[tuple[str, str], list[Usage]] = {}
    async with janus_room(subnet=82, room=4343) as bench:
        for case, others in (("1:1", 1), ("4-party", 3)):
            with _others(bench, others):
                for round_number in range(1, rounds + 1):
                    for client, start in CLIENTS.items():
                        with start(bench) as pid:
                            await asyncio.sleep(settle)
                            usage = await asyncio.to_thread(measure, pid, seconds)
                        results.setdefault((case, client), []).append(usage)
                        print(
                            f"{case:8} round {round_number} {client:24} "
                            f"{usage.cpu_percent:6.1f} % {usage.pss_mb:7.0f} MB",
                            file=sys.stderr,
                        )
    print()
    print(
        f"CPU (% of one core, mean over {seconds:.0f} s; median of {rounds} rounds, and their range)"
        " and memory (PSS, median), 640x480@15 VP8 + Opus"
    )
    header = f"{'case':<9}{'client':<25}{'CPU %':>8}{'range':>14}{'PSS MB':>9}"
    print(header + f"{'CPU vs Chromium':>17}{'PSS vs Chromium':>17}")
    for case in ("1:1", "4-party"):
        chromium_cpu = statistics.median(u.cpu_percent for u in results[(case, "Chromium")])
        chromium_pss = statistics.median(u.pss_mb for u in results[(case, "Chromium")])
        for client in CLIENTS:
            cpu = [u.cpu_percent for u in results[(case, client)]]
            pss = statistics.median(u.pss_mb for u in results[(case, client)])
            spread = f"{min(cpu):.1f}-{max(cpu):.1f}"
            print(
                f"{case:<9}{client:<25}{statistics.median(cpu):>8.1f}{spread:>14}{pss:>9.0f}"
                f"{statistics.median(cpu) / chromium_cpu:>17.2f}{pss / chromium_pss:>17.2f}"
            )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--settle", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    return asyncio.run(_run(args.seconds, args.settle, max(1, args.rounds)))


if __name__ == "__main__":
    sys.exit(main())
