"""CPU and memory in a call: ECHO Desktop (the app, and the headless engine) against Chromium.

Cases, at 640x480@15 VP8 with audio, through the project's Janus in a private namespace:
- 1:1: the measured client and one other participant;
- 4-party: the measured client sends one stream and receives three.
The other participants are our headless probes, the same for every measured client.

Clients:
- the app with its real device code, as a clinician runs it: the camera class reading a recorded
  test card (Motion JPEG, like a USB webcam), the microphone from the sound server through echo
  cancellation, and the remote voices mixed and played, on a private PulseAudio server with a null
  sink;
- the app with test capture, the like-for-like row for Chromium: Chromium's fake devices draw a
  test picture and generate a beep without touching a camera or the sound server (it opens no
  recording stream, checked with `pactl list source-outputs`), then cancel echo on the beep and
  play the remote audio. `--test-media` makes the app do the same: the test card and a tone
  instead of camera and microphone, the tone through echo cancellation, the remote voices played;
- the app with no devices: the test card and tone, no audio processing or playback;
- the headless engine (the probe): the same session and media code, without Qt;
- Chromium, with janus.js and its fake camera and microphone, playing the remote audio, and
  drawing every video (its own camera too) at the app's tile size in a window of the app's size.
  Its fake camera plays the same moving test card as ours (a Y4M file), so both encode the same
  picture.
Each measurement waits for the call to settle, then averages CPU over a window and reads PSS. CPU
on a small machine varies by several points from run to run, so the clients take turns for
`--rounds` rounds and the table shows each one's median, with the range of its rounds.

    sudo .venv/bin/python -m bench.cpu_mem --seconds 15 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import functools
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from bench.common import BenchRoom, janus_room
from bench.proc_usage import Usage, measure
from echo_desktop.storage.settings_file import JsonSettingsStore
from echo_desktop.ui.main_window import DEFAULT_SIZE as APP_WINDOW_SIZE
from testkit.chromium_peer import ChromiumPeer
from testkit.virtual_audio import pulse_null_sink
from testkit.virtual_camera import write_test_card_video, write_test_card_y4m


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


@functools.cache
def _media_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="echo-bench-camera-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@functools.cache
def _camera_file() -> Path:
    """The recorded test card, written once per bench run (it takes seconds to encode)."""
    return write_test_card_video(_media_folder() / "camera.avi", seconds=120)


@functools.cache
def _chromium_camera_file() -> Path:
    """The same test card for Chromium's fake camera: 20 s of raw frames (138 MB), looped."""
    return write_test_card_y4m(_media_folder() / "camera.y4m", seconds=20)


def _app(bench: BenchRoom, devices: bool, test_capture: bool = False) -> AbstractContextManager[int]:
    """The desktop app, offscreen, joined through its own join screen (--join)."""
    config = Path(tempfile.mkdtemp(prefix="echo-bench-config-"))
    if devices:
        # The camera setting names the recorded card; microphone and speakers are the defaults.
        JsonSettingsStore(config / "settings.json").save({"camera": str(_camera_file())})
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ECHO_DESKTOP_CONFIG_DIR=str(config))
    argv = [sys.executable, "-m", "echo_desktop", "app", "--server", bench.hub.config.ws_url]
    argv += ["--room", str(bench.room), "--pin", bench.pin, "--name", "Measured", "--join"]
    if test_capture:
        argv.append("--test-media")
    return _process(argv if devices else [*argv, "--no-devices"], env)


def _ours_app_devices(bench: BenchRoom, others: int) -> AbstractContextManager[int]:
    return _app(bench, devices=True)


def _ours_app_test_capture(bench: BenchRoom, others: int) -> AbstractContextManager[int]:
    return _app(bench, devices=True, test_capture=True)


def _ours_app_test_card(bench: BenchRoom, others: int) -> AbstractContextManager[int]:
    return _app(bench, devices=False)


def _ours_engine(bench: BenchRoom, others: int) -> AbstractContextManager[int]:
    """The headless engine (the probe): the same session and media code, without Qt."""
    return _process(_probe_argv(bench, "Measured", 3600))


APP_TILES = {1: "442x332", 3: "406x304"}
"""How large the app draws each video, self-view included, by the number of other participants:
a 640x480 frame fitted to its tile (read from the app's set_view_size calls in these calls)."""


@contextmanager
def _chromium(bench: BenchRoom, others: int) -> Iterator[int]:
    # Chromium shows the call as the app does: every video, its own camera included, drawn at the
    # app's tile size in a window of the app's size; and it plays the remote audio (not muted) to
    # the same sound server. Without this its page drew 160x120 videos and no self-view.
    window = f"--window-size={APP_WINDOW_SIZE[0]},{APP_WINDOW_SIZE[1]}"
    # Its camera plays our moving test card: its own fake camera's nearly still picture took a
    # quarter less time to encode (2.6 against 3.4 ms a frame), which no real camera gives.
    with ChromiumPeer(play_audio=True, extra_flags=(window,), camera_file=_chromium_camera_file()) as peer:
        options = {"preview": "1", "tile": APP_TILES[others]}
        peer.start(bench.hub.config.ws_url, bench.room, bench.pin, "Measured", publish=True, options=options)
        pid = peer.pid
        assert pid is not None
        before, started = peer.outbound(), time.monotonic()
        yield pid
        # WebRTC may lower the resolution or frame rate it sends when the CPU is busy; say what
        # Chromium really encoded, so its figure is read against the same work as ours.
        after = peer.outbound()
        elapsed = time.monotonic() - started
        frames = after["framesEncoded"] - before["framesEncoded"]
        encode_ms = 1000 * (after["totalEncodeTime"] - before["totalEncodeTime"]) / max(1, frames)
        kbps = 8 * (after["bytesSent"] - before["bytesSent"]) / elapsed / 1000
        CHROMIUM_SENT.append(
            f"{after['frameWidth']}x{after['frameHeight']} at {frames / elapsed:.1f} fps, "
            f"{kbps:.0f} kbps, {encode_ms:.1f} ms to encode a frame"
        )


CHROMIUM_SENT: list[str] = []
"""What Chromium encoded in each of its runs."""


CLIENTS: dict[str, Callable[[BenchRoom, int], AbstractContextManager[int]]] = {
    "ECHO app, devices": _ours_app_devices,
    "ECHO app, test capture": _ours_app_test_capture,
    "ECHO app, no devices": _ours_app_test_card,
    "ECHO engine (headless)": _ours_engine,
    "Chromium": _chromium,
}


async def _run(seconds: float, settle: float, rounds: int) -> int:
    results: dict[tuple[str, str], list[Usage]] = {}
    # Every client (and Chromium) finds this sound server through PULSE_SERVER.
    with pulse_null_sink():
        await _measure_all(results, seconds, settle, rounds)
    _print_table(results, seconds, rounds)
    return 0


async def _measure_all(
    results: dict[tuple[str, str], list[Usage]], seconds: float, settle: float, rounds: int
) -> None:
    async with janus_room(subnet=82, room=4343) as bench:
        for case, others in (("1:1", 1), ("4-party", 3)):
            with _others(bench, others):
                for round_number in range(1, rounds + 1):
                    for client, start in CLIENTS.items():
                        with start(bench, others) as pid:
                            await asyncio.sleep(settle)
                            usage = await asyncio.to_thread(measure, pid, seconds)
                        results.setdefault((case, client), []).append(usage)
                        print(
                            f"{case:8} round {round_number} {client:24} "
                            f"{usage.cpu_percent:6.1f} % {usage.pss_mb:7.0f} MB",
                            file=sys.stderr,
                        )


def _print_table(results: dict[tuple[str, str], list[Usage]], seconds: float, rounds: int) -> None:
    print()
    print(
        f"CPU (% of one core, mean over {seconds:.0f} s; median of {rounds} rounds, and their range)"
        " and memory (PSS, median), 640x480@15 VP8 + Opus"
    )
    header = f"{'case':<9}{'client':<25}{'CPU %':>8}{'range':>14}{'PSS MB':>9}"
    print(header + f"{'CPU vs Chromium':>17}{'PSS vs Chromium':>17}  CPU vs Chromium, round by round")
    for case in ("1:1", "4-party"):
        chromium_rounds = [u.cpu_percent for u in results[(case, "Chromium")]]
        chromium_cpu = statistics.median(chromium_rounds)
        chromium_pss = statistics.median(u.pss_mb for u in results[(case, "Chromium")])
        for client in CLIENTS:
            cpu = [u.cpu_percent for u in results[(case, client)]]
            pss = statistics.median(u.pss_mb for u in results[(case, client)])
            spread = f"{min(cpu):.1f}-{max(cpu):.1f}"
            print(
                f"{case:<9}{client:<25}{statistics.median(cpu):>8.1f}{spread:>14}{pss:>9.0f}"
                f"{statistics.median(cpu) / chromium_cpu:>17.2f}{pss / chromium_pss:>17.2f}  "
                # Each client and Chromium measured minutes apart in the same round: these
                # ratios cancel the machine's slow drifts that the medians keep.
                + " ".join(f"{ours / theirs:.2f}" for ours, theirs in zip(cpu, chromium_rounds, strict=True))
            )
    print(f"Chromium sent, run by run: {'; '.join(CHROMIUM_SENT)}. ECHO sends 640x480 at 15 fps.")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--settle", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    # On a plain kill too, unwind (children stopped) and let atexit delete the 140 MB of media.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return asyncio.run(_run(args.seconds, args.settle, max(1, args.rounds)))


if __name__ == "__main__":
    sys.exit(main())
