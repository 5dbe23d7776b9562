"""Our replacements of aiortc internals, installed on purpose by a composition root.

- `low_latency_jitter`: video frames leave the jitter buffer at their RTP marker bit.
- `inline_audio_decode`: remote audio is decoded on the engine loop, not in a decoder thread.
- `inline_audio_encode`: Opus is encoded on the engine loop, not in the loop's thread pool.
- `call_codecs`: mono voice Opus at 32 kbps, VP8 inside the hub's cap, Opus decoded to mono.

Importing any module of the package changes nothing: only `install()` does, and only the
composition roots (`echo_desktop.composition`, through the app, the probe and the demo) call it.
Every replacement is gated on one aiortc version (`rebind.CHECKED_AIORTC`), equal to the pin.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from echo_desktop.aiortc_patches import (
    call_codecs,
    inline_audio_decode,
    inline_audio_encode,
    low_latency_jitter,
)

logger = logging.getLogger(__name__)

_PROCESS_WIDE = {
    "low_latency_jitter": low_latency_jitter,
    "inline_audio_decode": inline_audio_decode,
    "call_codecs": call_codecs,
}


@dataclass(frozen=True)
class PatchReport:
    """Which replacements are in place after `install()`, and which were refused (logged once)."""

    installed: tuple[str, ...]
    refused: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.refused


def install(engine_loop: asyncio.AbstractEventLoop) -> PatchReport:
    """Install every replacement: process-wide ones, and the audio encoder on `engine_loop`.

    Idempotent. A replacement that cannot install (another aiortc version, or a name someone else
    replaced) is logged once and left out; the call still works on aiortc's own code.
    """
    installed: list[str] = []
    refused: list[str] = []
    for name, module in _PROCESS_WIDE.items():
        (installed if module.install() else refused).append(name)
    (installed if inline_audio_encode.install(engine_loop) else refused).append("inline_audio_encode")
    return PatchReport(tuple(installed), tuple(refused))


def installed_process_wide() -> dict[str, bool]:
    """For each process-wide replacement, whether aiortc now uses it."""
    return {name: module.installed() for name, module in _PROCESS_WIDE.items()}


def restore(state: dict[str, bool]) -> None:
    """Put each process-wide replacement back as an `installed_process_wide()` result says."""
    for name, module in _PROCESS_WIDE.items():
        if state.get(name):
            module.install()
        else:
            module.uninstall()


def uninstall() -> None:
    """Give aiortc its own objects back (tests and before/after measurements)."""
    for module in _PROCESS_WIDE.values():
        module.uninstall()
