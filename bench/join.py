"""Join to first remote frame: ECHO Desktop against headless Chromium, in one room, one run.

A synthetic publisher sits in a room on the project's Janus (in a private network namespace).
Then, repeatedly and alternately, our client and a Chromium peer (janus.js) join the room as a
publisher that also subscribes, and each reports the time from the start of its join to the first
decoded frame of the sitting publisher. Prints a table with median and p90, and the ratio.

    sudo .venv/bin/python -m bench.join --runs 9
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from bench.common import janus_room, summary
from echo_desktop.composition import conference, engine_loop
from echo_desktop.media.local_media import synthetic_media
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.models import JoinRequest, Role
from echo_desktop.session.worker_loop import WorkerLoop
from testkit.chromium_peer import ChromiumPeer

SITTER = "Sitting Publisher"


async def _ours_once(url: str, room: int, pin: str, worker: WorkerLoop) -> float:
    engine = conference(lambda req: synthetic_media("Bench Ours"))
    session = ClinicSession(engine, worker.run)
    await session.join(JoinRequest(url, room, pin, "Bench Ours", Role.SPOKE))
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for feed in session.stats():
                if feed.display.startswith(SITTER) and feed.first_frame_s is not None:
                    return feed.first_frame_s
            await asyncio.sleep(0.005)
        raise RuntimeError("our client saw no frame within 15 s")
    finally:
        await session.leave()


def _chromium_once(url: str, room: int, pin: str) -> float:
    with ChromiumPeer() as peer:
        peer.start(url, room, pin, "Bench Chromium", publish=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for feed in peer.feeds():
                first = feed["firstFrameMs"]
                if feed["display"].startswith(SITTER) and first:
                    return first / 1000
            time.sleep(0.02)
        raise RuntimeError(f"Chromium saw no frame within 20 s: {peer.state()}")


async def _run(runs: int) -> int:
    async with janus_room() as bench:
        url = bench.hub.config.ws_url
        sitter_worker = engine_loop("sitter")
        sitter = ClinicSession(conference(lambda req: synthetic_media(SITTER)), sitter_worker.run)
        await sitter.join(JoinRequest(url, bench.room, bench.pin, SITTER, Role.HUB))
        worker = engine_loop("ours")
        ours: list[float] = []
        chromium: list[float] = []
        try:
            for i in range(runs):
                # Alternate who goes first, so warm caches favour neither.
                order = ("ours", "chromium") if i % 2 == 0 else ("chromium", "ours")
                for who in order:
                    if who == "ours":
                        ours.append(await _ours_once(url, bench.room, bench.pin, worker))
                    else:
                        chromium.append(await asyncio.to_thread(_chromium_once, url, bench.room, bench.pin))
                line = f"run {i + 1}/{runs}: ours {ours[-1] * 1000:.0f} ms"
                print(f"{line}, chromium {chromium[-1] * 1000:.0f} ms", file=sys.stderr)
        finally:
            worker.stop()
            await sitter.leave()
            sitter_worker.stop()
    (om, op90), (cm, cp90) = summary(ours), summary(chromium)
    print()
    print("Join to first remote frame (ms), 640x480@15 VP8, Janus in a network namespace")
    print(f"{'client':<16}{'runs':>6}{'median':>10}{'p90':>10}")
    print(f"{'ECHO Desktop':<16}{len(ours):>6}{om * 1000:>10.0f}{op90 * 1000:>10.0f}")
    print(f"{'Chromium':<16}{len(chromium):>6}{cm * 1000:>10.0f}{cp90 * 1000:>10.0f}")
    print(f"ratio ours/chromium: median {om / cm:.2f}, p90 {op90 / cp90:.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(_run(args.runs))


if __name__ == "__main__":
    sys.exit(main())
