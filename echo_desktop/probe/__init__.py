"""The headless probe: join a room with synthetic (or real) media and report what arrives.

It answers "can I reach my hub?" for users, and it is the measuring client of the tests and the
benchmarks. It runs the same session and engine as the desktop app, without Qt, and it reads the
test card's frame counters from what it receives (probe.card_reader), which the app never does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from dataclasses import dataclass, field

from echo_desktop.probe.card_reader import CardProgress, TestCardReader
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import FeedStats, JoinRequest
from echo_desktop.session.phases import CallPhase
from echo_desktop.session.ports import ConferenceEngine
from echo_desktop.session.worker_loop import WorkerLoop

logger = logging.getLogger(__name__)


@dataclass
class ProbeResult:
    feeds: list[FeedStats]
    error: str | None = None
    cards: dict[int, CardProgress] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when media arrived from every remote publisher, and there was at least one."""
        return (
            self.error is None
            and bool(self.feeds)
            and all(f.frames_decoded + f.audio_frames_decoded > 0 for f in self.feeds)
        )

    def to_json(self) -> str:
        body: dict[str, object] = {"feeds": [self._feed_json(f) for f in self.feeds]}
        if self.error is not None:
            body["error"] = self.error
        return json.dumps(body)

    def _feed_json(self, feed: FeedStats) -> dict[str, object]:
        card = self.cards.get(feed.feed_id, CardProgress())
        return {
            "display": feed.display,
            "codec": feed.codec,
            "frames_decoded": feed.frames_decoded,
            "fps": round(feed.fps, 2),
            "first_frame_s": None if feed.first_frame_s is None else round(feed.first_frame_s, 4),
            "audio_frames_decoded": feed.audio_frames_decoded,
            "first_counter": card.first,
            "last_counter": card.last,
            "counter_advances": card.advances,
        }


async def run_probe(
    engine: ConferenceEngine,
    request: JoinRequest,
    duration: float,
    expect: int = 0,
    runner: WorkerLoop | None = None,
    cards: TestCardReader | None = None,
) -> ProbeResult:
    """Join, stay `duration` seconds (waiting up to that long for `expect` feeds), then leave.

    cards: the reader the engine was built with, for the counters in the report.
    """
    session = ClinicSession(engine, runner.run if runner else None)
    try:
        await session.join(request)
    except EchoError as exc:
        return ProbeResult([], error=str(exc))
    stop = asyncio.Event()
    _stop_on_signals(stop)
    deadline = time.monotonic() + duration
    arriving: set[int] = set()
    while time.monotonic() < deadline and session.state.phase is CallPhase.IN_CALL and not stop.is_set():
        _log_arrivals(session.stats(), arriving)
        await asyncio.sleep(0.1)
    error = session.state.reason if session.state.phase is CallPhase.FAILED else None
    feeds = session.stats()
    if error is None and len(feeds) < expect:
        error = f"expected {expect} remote feeds, saw {len(feeds)}"
    await session.leave()
    progress = {f.feed_id: cards.progress(f.feed_id) for f in feeds} if cards is not None else {}
    return ProbeResult(feeds, error, progress)


def _log_arrivals(feeds: list[FeedStats], seen: set[int]) -> None:
    """Say once per feed when its media first arrives (what a watching script waits for)."""
    for feed in feeds:
        if feed.feed_id not in seen and feed.frames_decoded + feed.audio_frames_decoded > 0:
            seen.add(feed.feed_id)
            logger.info("Media arriving from %s", feed.display)


def _stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM or SIGINT end the probe early, but it still reports and leaves cleanly."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            return  # not the main thread, or a platform without it: the deadline still applies


def probe_main(request: JoinRequest, duration: float, expect: int, devices: bool) -> int:
    """Run the probe on an engine loop, print its JSON, and return the exit status."""
    from echo_desktop.composition import build_engine, engine_loop

    worker = engine_loop()
    cards = TestCardReader()
    try:
        engine = build_engine(devices=devices, frame_observer=cards)
        result = asyncio.run(run_probe(engine, request, duration, expect, worker, cards))
    finally:
        worker.stop()
    print(result.to_json(), flush=True)
    if result.error:
        logger.error("%s", result.error)
    return 0 if result.ok else 1
