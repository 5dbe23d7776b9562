"""Glass-to-glass video latency through the real Janus: ECHO Desktop and Chromium, each way.

Every sender stamps each frame with the wall clock in ms (low 16 bits, as a code strip below the
frame counter: echo_desktop/media/frame_code.py) at the moment the frame leaves its source for the
encoder. Every receiver reads the stamp back from the picture and records now - stamp:
- ECHO Desktop (a child process of this script, like a real client): `TestPatternTrack(...,
  stamp_time=True)` sends; the engine's `frame_observer` reads each decoded frame (after the
  conversion to RGB that precedes painting; the Qt paint itself is not counted);
- Chromium (janus.js, tests/web/peer.js): `source=canvas-clock` sends a canvas test card drawn in
  requestAnimationFrame and captured with requestFrame(); `measure=clock` reads each frame the
  <video> element renders (requestVideoFrameCallback), from pixels drawn to a canvas.
All peers run on this machine, so they share the wall clock (Python's time.time() is the page's
performance.timeOrigin + performance.now(); the offset is checked and printed).

Each case is a 1:1 call in one room of the project's Janus (in a private network namespace): both
peers publish 640x480@15 VP8 (plus audio) and both receive, so each call measures both directions.
Samples from the first seconds (key frame, bandwidth ramp-up) are dropped. For each Chromium peer it
also prints where Chromium's own time goes (getStats: encode, pacer, jitter buffer, decode).

Reading the numbers: aiortc sends each frame's packets in one burst, but Chromium's pacer spreads a
frame over most of the frame interval (about 40 of 67 ms here: three packets at once, the last one
later), so a receiver has the whole of a Chromium frame late, and releasing at the marker bit saves
only the gap to the next frame there, not a whole interval.

    sudo .venv/bin/python -m bench.latency                     # ~20 s of samples per case
    sudo .venv/bin/python -m bench.latency --jitter both       # before/after the marker-bit buffer
    sudo .venv/bin/python -m bench.latency --cases ours-ours --seconds 10
    sudo .venv/bin/python -m bench.latency --jitter both --loss 0.05   # loss handling (NACK/RTX/PLI)

--jitter selects the video jitter buffer of ECHO Desktop receivers: "marker" (ours,
echo_desktop/aiortc_patches/low_latency_jitter.py, the engine's default), "aiortc" (aiortc's own, which holds
each frame until the next one starts) or "both" (each case with an ECHO Desktop receiver runs twice).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bench.common import janus_room, percentile
from testkit.chromium_peer import ChromiumPeer

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
KINDS = {"ours": "ECHO Desktop", "chromium": "Chromium"}
CASES = ("ours-ours", "chromium-chromium", "ours-chromium")
JITTER_LABELS = {"marker": "marker bit", "aiortc": "aiortc stock", "": "(Chromium's)"}
FPS = 15
CANVAS_OPTIONS: dict[str, str] = {}
WIDTH, HEIGHT = 640, 480

Sample = tuple[str, float, float]  # (sender display, wall ms at the receiver, age ms)


# --------------------------------------------------------------------------- one ECHO Desktop client


async def _child_main(args: argparse.Namespace) -> int:
    """Child mode: join as an ECHO Desktop client, stamp what we send, report what we receive.

    The import of echo_desktop.net.conference installs the low-latency jitter buffer; with
    `--jitter aiortc` it is taken out again before any receiver exists.

    Writes JSON lines to stdout: {"ready": true} after the join, then samples as they come, and a
    summary after "stop" (or EOF) on stdin, when it leaves.
    """
    from echo_desktop.aiortc_patches import low_latency_jitter
    from echo_desktop.composition import conference, engine_loop
    from echo_desktop.media import frame_code
    from echo_desktop.media.local_media import LocalMedia
    from echo_desktop.media.synthetic import TestPatternTrack, ToneTrack
    from echo_desktop.session.models import JoinRequest, Rgb32Array, Role

    # The engine on its own loop thread, as in the app, with the app's aiortc replacements (the
    # WorkerLoop also sets the 1 ms GIL switch interval the app runs with).
    worker = engine_loop("bench-engine")
    if args.jitter == "aiortc":
        low_latency_jitter.uninstall()
    lock = threading.Lock()
    pending: list[tuple[int, float, int]] = []
    counts = {"frames": 0, "unreadable": 0, "skipped": 0}
    last_counter: dict[int, int] = {}

    def observe(feed: int, rgb: Rgb32Array) -> None:
        now = time.time() * 1000
        stamped = frame_code.read_clock(rgb)
        counter = frame_code.read(rgb)
        with lock:
            counts["frames"] += 1
            if counter is not None:
                # Frames the sender made that never got here (lost for good, or dropped as broken).
                step = (counter - last_counter.get(feed, counter - 1)) % 65536
                if 0 < step < 1000:  # else a misread counter (a broken picture): ignore it
                    counts["skipped"] += step - 1
                    last_counter[feed] = counter
            if stamped is None:
                counts["unreadable"] += 1
            else:
                pending.append((feed, now, frame_code.clock_age_ms(now, stamped)))

    def emit(record: dict[str, object]) -> None:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()

    def media(_request: JoinRequest) -> LocalMedia:
        video = TestPatternTrack(args.display, WIDTH, HEIGHT, FPS, stamp_time=True)
        return LocalMedia(audio=ToneTrack(), video=video)

    engine = conference(media, frame_observer=observe)
    await worker.run(engine.join(JoinRequest(args.url, args.room, args.pin, args.display, Role.SPOKE)))
    emit({"ready": True, "jitter": "marker" if low_latency_jitter.installed() else "aiortc"})
    stop = asyncio.ensure_future(asyncio.to_thread(sys.stdin.readline))
    try:
        while not stop.done():
            await asyncio.wait({stop}, timeout=0.1)
            with lock:
                batch, pending[:] = list(pending), []
            names = {f.feed_id: f.display for f in engine.stats()}
            for feed, now, age in batch:
                emit({"from": names.get(feed, str(feed)), "t": round(now, 1), "age": age})
    finally:
        await worker.run(engine.leave())
        worker.stop()
    emit({"end": True, **counts})
    return 0


# --------------------------------------------------------------------------- peers, seen from here


class _Peer(Protocol):
    kind: str
    display: str
    jitter: str

    def start(self) -> None: ...
    def ready(self) -> bool: ...
    def poll(self) -> list[Sample]: ...
    def finish(self) -> None: ...
    def stop(self) -> None: ...
    def notes(self) -> str: ...


class _OursPeer:
    """An ECHO Desktop client in a child process (its own GIL, like the real app)."""

    kind = "ours"

    def __init__(self, url: str, room: int, pin: str, display: str, jitter: str) -> None:
        self.display = display
        self.jitter = jitter
        self._argv = [
            sys.executable, "-m", "bench.latency", "--child", "--url", url, "--room", str(room),
            "--pin", pin, "--display", display, "--jitter", jitter,
        ]  # fmt: skip
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[dict[str, object]] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._ready = False
        self._summary: dict[str, object] = {}
        self._pending: list[dict[str, object]] = []

    def start(self) -> None:
        self._process = subprocess.Popen(
            self._argv, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self._reader = threading.Thread(target=self._read, name=f"read {self.display}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            with contextlib.suppress(ValueError):
                self._lines.put(json.loads(line))

    def _drain(self) -> Iterator[dict[str, object]]:
        while True:
            try:
                record = self._lines.get_nowait()
            except queue.Empty:
                return
            if record.get("ready"):
                self._ready = True
                if record.get("jitter") != self.jitter:
                    raise RuntimeError(f"{self.display} runs jitter buffer {record.get('jitter')}")
            elif record.get("end"):
                self._summary = record
            else:
                yield record

    def ready(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(f"{self.display} exited with status {self._process.returncode}")
        self._pending.extend(self._drain())
        return self._ready

    def poll(self) -> list[Sample]:
        records = [*self._pending, *self._drain()]
        self._pending = []
        return [(str(r["from"]), float(str(r["t"])), float(str(r["age"]))) for r in records]

    def finish(self) -> None:
        """Nothing to gather while in the call: the child reports when it leaves."""

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            assert process.stdin is not None
            process.stdin.write("stop\n")
            process.stdin.close()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if self._reader is not None:
            self._reader.join(5)
        list(self._drain())

    def notes(self) -> str:
        s = self._summary
        return (
            f"decoded {s.get('frames', '?')}, skipped {s.get('skipped', '?')}, "
            f"unreadable {s.get('unreadable', '?')}"
        )


class _ChromiumPeer:
    """Headless Chromium with the janus.js test page, publishing the canvas clock."""

    kind = "chromium"
    jitter = ""

    def __init__(self, url: str, room: int, pin: str, display: str) -> None:
        self.display = display
        self._args = (url, room, pin)
        self._browser = ChromiumPeer()
        self._offsets: list[float] = []
        self._reader: dict[str, object] = {}
        self._pipeline: dict[str, object] = {}

    def start(self) -> None:
        url, room, pin = self._args
        options = {"source": "canvas-clock", "measure": "clock", "fps": str(FPS), **CANVAS_OPTIONS}
        self._browser.start(url, room, pin, self.display, publish=True, options=options)
        self._offsets.append(self._browser.clock_offset_ms())

    def ready(self) -> bool:
        state = self._browser.state()
        if state.startswith("failed"):
            raise RuntimeError(f"{self.display}: {state}")
        return state == "joined"

    def poll(self) -> list[Sample]:
        return [
            (feed["display"], float(t), float(age))
            for feed in self._browser.take_clock_samples()
            for t, age in feed["samples"]
        ]

    def finish(self) -> None:
        """Gather the page's counters while every peer is still in the call."""
        with contextlib.suppress(Exception):
            self._offsets.append(self._browser.clock_offset_ms())
            snapshot = self._browser.snapshot()
            self._reader = dict(snapshot.get("clockReader") or {})
            self._reader["drawn"] = (snapshot.get("canvas") or {}).get("framesDrawn")
            self._pipeline = dict(self._browser.evaluate("window.echoPeer.pipelineStats()") or {})

    def stop(self) -> None:
        self._browser.stop()

    def notes(self) -> str:
        offsets = ", ".join(f"{o:+.1f}" for o in self._offsets)
        r = self._reader
        return (
            f"page clock offset {offsets} ms; rendered {r.get('frames', '?')} "
            f"(repeats {r.get('repeats', '?')}, unreadable {r.get('unreadable', '?')}, {r.get('api', '?')}), "
            f"drew {r.get('drawn', '?')}; getStats {json.dumps(_rounded(self._pipeline))}"
        )


def _rounded(value: object) -> object:
    """A JSON value with its floats rounded to 0.1, for printing."""
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


# --------------------------------------------------------------------------- one case


@dataclass
class Row:
    sender: str
    receiver: str
    jitter: str
    ages: list[float] = field(default_factory=list)


def _make(kind: str, url: str, room: int, pin: str, display: str, jitter: str) -> _Peer:
    if kind == "ours":
        return _OursPeer(url, room, pin, display, jitter)
    return _ChromiumPeer(url, room, pin, display)


def _kind_of(sender: str, kinds: dict[str, str]) -> str | None:
    """The kind of the peer whose display a Janus display string carries (our client adds a role)."""
    for display, kind in kinds.items():
        if sender == display or sender.startswith(display + " "):
            return kind
    return None


def _run_case(
    case: str, jitter: str, url: str, room: int, pin: str, warmup: float, seconds: float, tag: str
) -> list[Row]:
    """One 1:1 call; returns one row per direction kind (two for a cross call, one otherwise)."""
    kind_a, kind_b = case.split("-")
    peers = [
        _make(kind_a, url, room, pin, f"A {KINDS[kind_a]} {tag}", jitter),
        _make(kind_b, url, room, pin, f"B {KINDS[kind_b]} {tag}", jitter),
    ]
    kind_of = {p.display: p.kind for p in peers}
    rows: dict[tuple[str, str], Row] = {}
    try:
        for peer in peers:
            peer.start()
        deadline = time.monotonic() + 30
        while not all(p.ready() for p in peers):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{case}: the peers did not join within 30 s")
            time.sleep(0.1)
        # Both directions must flow before the clock starts.
        seen: set[str] = set()
        deadline = time.monotonic() + 30
        while len(seen) < 2:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{case}: no stamped frames within 30 s (saw {seen or 'none'})")
            for peer in peers:
                if peer.poll():
                    seen.add(peer.display)
            time.sleep(0.1)
        start_ms = time.time() * 1000 + warmup * 1000
        end_ms = start_ms + seconds * 1000
        while time.time() * 1000 < end_ms + 500:
            time.sleep(0.25)
            for peer in peers:
                for sender, t, age in peer.poll():
                    sender_kind = _kind_of(sender, kind_of)
                    if not start_ms <= t < end_ms or sender_kind is None:
                        continue
                    key = (sender_kind, peer.kind)
                    row_jitter = jitter if peer.kind == "ours" else ""
                    rows.setdefault(key, Row(key[0], key[1], row_jitter)).ages.append(age)
    finally:
        for peer in peers:
            try:
                peer.finish()
            except Exception as exc:
                logger.warning("Gathering from %s: %s", peer.display, exc)
        for peer in peers:
            try:
                peer.stop()
            except Exception as exc:
                logger.warning("Stopping %s: %s", peer.display, exc)
    for peer in peers:
        print(f"  {peer.display}: {peer.notes()}", file=sys.stderr)
    return list(rows.values())


# --------------------------------------------------------------------------- main


def _plan(cases: list[str], jitter: str) -> list[tuple[str, str]]:
    modes = ["aiortc", "marker"] if jitter == "both" else [jitter]
    plan: list[tuple[str, str]] = []
    for case in cases:
        has_ours = "ours" in case.split("-")
        for mode in modes if has_ours else ["marker"]:
            plan.append((case, mode))
    return plan


def _print_table(rows: list[Row], warmup: float, seconds: float, loss: float) -> None:
    print()
    if loss > 0:
        print(f"WITH {loss:.1%} RANDOM UDP LOSS ON EACH LEG")
    print(
        f"Glass-to-glass video latency (ms), {WIDTH}x{HEIGHT}@{FPS} VP8 through Janus in a network\n"
        f"namespace; {seconds:.0f} s of samples per call after {warmup:.0f} s warm-up. Stamped at source;\n"
        "read after decode and RGB conversion (ECHO Desktop) or at render (Chromium: video frame callback)."
    )
    header = (
        f"{'sender':<14}{'receiver':<14}{'receiver jitter buffer':<24}"
        f"{'frames':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        if not row.ages:
            print(f"{KINDS[row.sender]:<14}{KINDS[row.receiver]:<14}{JITTER_LABELS[row.jitter]:<24}{0:>7}")
            continue
        p50, p95, p99 = (percentile(row.ages, q) for q in (50, 95, 99))
        print(
            f"{KINDS[row.sender]:<14}{KINDS[row.receiver]:<14}{JITTER_LABELS[row.jitter]:<24}"
            f"{len(row.ages):>7}{p50:>7.0f}{p95:>7.0f}{p99:>7.0f}{max(row.ages):>7.0f}"
        )


async def _run(args: argparse.Namespace) -> int:
    cases = args.cases.split(",")
    for case in cases:
        if case.count("-") != 1 or any(k not in KINDS for k in case.split("-")):
            raise SystemExit(f"unknown case {case!r}; use pairs of ours/chromium, e.g. {','.join(CASES)}")
    plan = _plan(cases, args.jitter) * args.rounds
    rows: list[Row] = []
    async with janus_room(subnet=83, room=4343) as bench:
        url = bench.hub.config.ws_url
        if args.loss > 0:
            # Every media packet is received once inside the namespace (by Janus or by a peer), so
            # this drops that share of packets on each leg; the WebSocket signalling is TCP.
            drop = ["-p", "udp", "-m", "statistic", "--mode", "random", "--probability", str(args.loss)]
            subprocess.run(
                [*bench.ns.exec_prefix(), "iptables", "-A", "INPUT", *drop, "-j", "DROP"], check=True
            )
            print(f"dropping {args.loss:.1%} of UDP packets on each leg", file=sys.stderr)
        for i, (case, jitter) in enumerate(plan):
            print(f"case {i + 1}/{len(plan)}: {case}, ECHO Desktop jitter buffer {jitter}", file=sys.stderr)
            found = await asyncio.to_thread(
                _run_case, case, jitter, url, bench.room, bench.pin, args.warmup, args.seconds, str(i + 1)
            )
            rows.extend(found)
    # One row per (sender, receiver, jitter buffer), in plan order.
    merged: dict[tuple[str, str, str], Row] = {}
    for row in rows:
        merged.setdefault((row.sender, row.receiver, row.jitter), Row(row.sender, row.receiver, row.jitter))
        merged[(row.sender, row.receiver, row.jitter)].ages.extend(row.ages)
    _print_table(list(merged.values()), args.warmup, args.seconds, args.loss)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated sender-receiver pairs")
    parser.add_argument("--jitter", choices=("marker", "aiortc", "both"), default="marker")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of samples per call")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds dropped after both see video")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the whole plan")
    parser.add_argument(
        "--loss", type=float, default=0.0, help="random UDP loss on each leg (0.05 = 5%%), via iptables"
    )
    parser.add_argument(
        "--page-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another query parameter for the Chromium page, e.g. canvas_capture=stream (tests/web/peer.js)",
    )
    # Child mode: one ECHO Desktop client (started by this script).
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--room", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pin", help=argparse.SUPPRESS)
    parser.add_argument("--display", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.child:
        return asyncio.run(_child_main(args))
    for option in args.page_option:
        key, _, value = option.partition("=")
        CANVAS_OPTIONS[key] = value
    return asyncio.run(_run(args))


if __name__ == "__main__":
    sys.exit(main())
