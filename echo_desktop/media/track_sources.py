"""Where local tracks come from: real devices, or the synthetic test card and tone.

The engine asks a TrackSource for a camera or microphone track when it publishes, and again when
the user switches devices or turns the camera back on. Every track shares the publisher's clock.
"""

from __future__ import annotations

import logging
from typing import Protocol

from aiortc.mediastreams import MediaStreamTrack

from echo_desktop.media.camera import CameraMode, CameraTrack
from echo_desktop.media.media_clock import MediaClock
from echo_desktop.media.microphone import CaptureProcessor, MicrophoneTrack
from echo_desktop.media.synthetic import TestPatternTrack, ToneTrack

logger = logging.getLogger(__name__)


class TrackSource(Protocol):
    """Opens local tracks; raises OSError (CameraError, MicrophoneError) when a device fails."""

    def open_video(self, device: str | None) -> MediaStreamTrack: ...

    def open_audio(self, device: str | None) -> MediaStreamTrack: ...


class DeviceSource:
    """The webcam (opencv) and the microphone (sounddevice), with the echo canceller inline."""

    def __init__(
        self,
        clock: MediaClock,
        mode: CameraMode | None = None,
        processor: CaptureProcessor | None = None,
    ) -> None:
        self._clock = clock
        self._mode = mode or CameraMode()
        self._processor = processor

    def open_video(self, device: str | None) -> MediaStreamTrack:
        return CameraTrack(device or "0", self._mode, self._clock)

    def open_audio(self, device: str | None) -> MediaStreamTrack:
        return MicrophoneTrack(device, self._processor, self._clock)


class SyntheticSource:
    """A moving test card with a frame counter, and a tone: for the probe, demos and tests."""

    def __init__(
        self,
        label: str,
        width: int = 640,
        height: int = 480,
        fps: float = 15.0,
        clock: MediaClock | None = None,
        tone_hz: float = 440.0,
        processor: CaptureProcessor | None = None,
    ) -> None:
        self._clock = clock or MediaClock()
        self._tone_hz = tone_hz
        self._processor = processor
        self._label = label
        self._size = (width, height)
        self._fps = fps

    def open_video(self, device: str | None) -> MediaStreamTrack:
        return TestPatternTrack(self._label, self._size[0], self._size[1], self._fps, clock=self._clock)

    def open_audio(self, device: str | None) -> MediaStreamTrack:
        return ToneTrack(self._tone_hz, clock=self._clock, processor=self._processor)
