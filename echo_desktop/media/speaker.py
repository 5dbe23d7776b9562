"""The speakers: one sounddevice output stream playing the mixer's output."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from echo_desktop.media.audio_mixer import AudioMixer

logger = logging.getLogger(__name__)

RATE = 48_000
BLOCK = RATE // 100  # 10 ms, the echo canceller's frame
STALL_S = 1.5


class SpeakerError(OSError):
    """The output device could not be opened."""


class SpeakerOutput:
    """Pulls mixed audio from an AudioMixer in PortAudio's callback thread."""

    def __init__(self, mixer: AudioMixer, device: str | None = None) -> None:
        import sounddevice

        self._mixer = mixer
        self.device = device
        self.lost = False
        self.blocks_played = 0
        self._last_block_at = time.monotonic()
        self._closing = False
        try:
            self._stream = sounddevice.OutputStream(
                samplerate=RATE,
                channels=1,
                dtype="int16",
                blocksize=BLOCK,
                latency="low",
                device=int(device) if device and device.isdigit() else (device or None),
                callback=self._on_block,
                finished_callback=self._on_finished,
            )
            self._stream.start()
        except Exception as exc:  # PortAudio raises several unrelated types
            raise SpeakerError(str(exc)) from exc

    def _on_block(
        self, out: np.ndarray[Any, np.dtype[np.int16]], frames: int, time_info: Any, status: Any
    ) -> None:
        out[:, 0] = self._mixer.render(frames)
        self.blocks_played += 1
        self._last_block_at = time.monotonic()

    def _on_finished(self) -> None:
        if not self._closing:
            logger.warning("The speaker stream ended")
            self.lost = True

    @property
    def stalled(self) -> bool:
        return self.lost or time.monotonic() - self._last_block_at > STALL_S

    def close(self) -> None:
        self._closing = True
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:
            logger.debug("Closing the speaker stream failed", exc_info=True)
