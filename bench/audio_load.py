"""Remote audio under CPU load: does playback keep up when other programs take the CPU?

A listener (the real session, engine and speaker code) hears two remote tones through the
project's Janus, playing into a private PulseAudio null sink. After the call settles, `--hogs`
busy-looping processes start, and every 5 s the table shows, per voice, the jitter-buffer
underruns so far, its target depth, and how many 10 ms blocks a second the speakers pulled
(100 when playback keeps up).

    sudo .venv/bin/python -m bench.audio_load --hogs 0,2,4
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Callable

from bench.common import janus_room
from echo_desktop.composition import conference, engine_loop
from echo_desktop.media.local_media import synthetic_media
from echo_desktop.media.remote_audio import RemoteAudioOutput
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.models import JoinRequest, Role
from echo_desktop.session.worker_loop import WorkerLoop
from testkit.virtual_audio import pulse_null_sink

HOG = "while True: pass"


def _participant(
    name: str, audio_out: Callable[[JoinRequest], RemoteAudioOutput] | None = None
) -> tuple[ClinicSession, WorkerLoop]:
    """The app's own session and engine, with the probe's test card and tone (320x240)."""
    worker = engine_loop(f"bench-{name}")
    engine = conference(lambda _: synthetic_media(name, 320, 240), audio_out)
    return ClinicSession(engine, worker.run), worker


async def _one_load(hogs: int, seconds: float) -> list[str]:
    rows: list[str] = []
    async with janus_room(subnet=86, room=4747) as bench:
        outputs: list[RemoteAudioOutput] = []

        def speakers(_: JoinRequest) -> RemoteAudioOutput:
            outputs.append(RemoteAudioOutput())
            return outputs[-1]

        names = ("Listener", "Voice 1", "Voice 2")
        people = [_participant(names[0], speakers), _participant(names[1]), _participant(names[2])]
        try:
            for (session, _), name in zip(people, names, strict=True):
                request = JoinRequest(bench.hub.config.ws_url, bench.room, bench.pin, name, Role.SPOKE)
                await session.join(request)
            await asyncio.sleep(4)  # buffers prime, the call settles
            mixer, speaker = outputs[0].mixer, outputs[0].speaker
            assert speaker is not None
            sources = mixer.source_ids
            before = {s: mixer.underruns(s) for s in sources}
            blocks, started = speaker.blocks_played, time.monotonic()
            procs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(hogs)]
            try:
                for _ in range(int(seconds // 5)):
                    await asyncio.sleep(5)
                    elapsed = time.monotonic() - started
                    underruns = "/".join(str(mixer.underruns(s) - before[s]) for s in sources)
                    targets = "/".join(f"{mixer.target_ms(s):.0f}" for s in sources)
                    rate = (speaker.blocks_played - blocks) / elapsed
                    rows.append(f"{hogs:>5}{elapsed:>8.0f}{underruns:>12}{targets:>14}{rate:>12.0f}")
            finally:
                for proc in procs:
                    proc.kill()
                    proc.wait()
        finally:
            for session, worker in people:
                await session.leave()
                worker.stop()
    return rows


async def _run(loads: list[int], seconds: float) -> int:
    rows: list[str] = []
    for hogs in loads:
        rows += await _one_load(hogs, seconds)
    print("Two remote tones played on a null sink; per voice: underruns so far / target depth (ms)")
    print(f"{'hogs':>5}{'at s':>8}{'underruns':>12}{'target ms':>14}{'blocks/s':>12}")
    print("\n".join(rows))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hogs", default="0,2,4", help="comma-separated numbers of busy processes")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with pulse_null_sink():
        return asyncio.run(_run([int(h) for h in args.hogs.split(",")], args.seconds))


if __name__ == "__main__":
    sys.exit(main())
