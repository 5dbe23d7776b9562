"""Composition of the real parts without Qt: the engine and its media, for the app and the probe.

This is the one place that wires the Janus signaling (net) to the aiortc media (media), and the
one place that installs our replacements of aiortc internals (aiortc_patches), on the loop the
engine runs on. The app, the demo and the probe build their engines here; so do the tests and
the benches that need a real engine.
"""

from __future__ import annotations

import logging

from aiortc.mediastreams import MediaStreamTrack

from echo_desktop import aiortc_patches
from echo_desktop.media.call_media import AiortcCallMedia, AudioOutFactory, MediaFactory
from echo_desktop.media.echo_canceller import EchoCanceller, NullEchoCanceller, create_echo_canceller
from echo_desktop.media.local_media import LocalMedia, synthetic_media
from echo_desktop.media.media_clock import MediaClock
from echo_desktop.media.receiver import FrameObserver
from echo_desktop.media.remote_audio import AudioSink, RemoteAudioOutput
from echo_desktop.media.track_sources import DeviceSource, SyntheticSource, TrackSource
from echo_desktop.net.conference import JanusConference
from echo_desktop.session.models import DeviceKind, JoinRequest, clean_name
from echo_desktop.session.worker_loop import WorkerLoop

logger = logging.getLogger(__name__)


class DeviceMedia:
    """Per call: the speakers and the microphone, joined by one echo canceller.

    The engine asks for the speakers first and the microphone second; both get the same canceller,
    which hears exactly what the speakers play as its reference.

    test_capture: send the test card and a test tone instead of the camera and microphone, the
    tone still through the echo canceller, as a browser's fake devices do (the benchmark's
    like-for-like comparison with Chromium, and a machine with speakers but no camera or mic).
    """

    def __init__(self, test_capture: bool = False) -> None:
        self._canceller: EchoCanceller | NullEchoCanceller | None = None
        self._test_capture = test_capture

    def _canceller_for_call(self) -> EchoCanceller | NullEchoCanceller:
        if self._canceller is None:
            self._canceller = create_echo_canceller()
        return self._canceller

    def audio_out(self, request: JoinRequest) -> AudioSink:
        """Open the speakers (raises OSError when there are none)."""
        self._canceller = None  # a new call: a fresh canceller, converged anew
        output = RemoteAudioOutput(request.media.speaker)
        output.add_reference_listener(self._canceller_for_call().render)
        return output

    def local(self, request: JoinRequest) -> LocalMedia:
        """Open the chosen camera and microphone; whatever is missing is reported, the call goes on."""
        source: TrackSource
        if self._test_capture:
            label = clean_name(request.display_name)
            source = SyntheticSource(label, clock=MediaClock(), processor=self._canceller_for_call())
        else:
            source = DeviceSource(MediaClock(), processor=self._canceller_for_call())
        missing: list[DeviceKind] = []
        video: MediaStreamTrack | None = None
        audio: MediaStreamTrack | None = None
        try:
            video = source.open_video(request.media.camera)
        except OSError as exc:
            logger.warning("No camera: %s", exc)
            missing.append(DeviceKind.CAMERA)
        try:
            audio = source.open_audio(request.media.microphone)
        except OSError as exc:
            logger.warning("No microphone: %s", exc)
            missing.append(DeviceKind.MICROPHONE)
        return LocalMedia(audio=audio, video=video, missing=missing, source=source)


def engine_loop(name: str = "echo-engine") -> WorkerLoop:
    """Start the engine's own loop, with every aiortc replacement installed for it.

    A replacement that cannot install is logged once (aiortc_patches); the call still works.
    """
    worker = WorkerLoop(name).start()
    report = aiortc_patches.install(worker.loop)
    if not report.complete:
        logger.warning("Running without aiortc replacements: %s", ", ".join(report.refused))
    return worker


def conference(
    media_factory: MediaFactory,
    audio_out_factory: AudioOutFactory | None = None,
    frame_observer: FrameObserver | None = None,
) -> JanusConference:
    """A conference on Janus whose media come from the given factories (tests, benches, probe)."""
    return JanusConference(AiortcCallMedia(media_factory, audio_out_factory, frame_observer))


def build_engine(
    devices: bool = False,
    speakers: bool | None = None,
    test_capture: bool = False,
    frame_observer: FrameObserver | None = None,
) -> JanusConference:
    """The real conference engine; run it on an `engine_loop()`.

    devices: the camera and microphone; otherwise a synthetic test card and tone.
    speakers: play remote audio (default: with devices).
    test_capture (with devices): the test card and tone stand in for the camera and microphone,
    with the speakers and echo cancellation as usual (see DeviceMedia).
    frame_observer: sees every decoded remote frame (the probe reads the test card's counters).
    """
    if devices:
        media = DeviceMedia(test_capture)
        play = speakers if speakers is not None else True
        return conference(media.local, media.audio_out if play else None, frame_observer)

    def synthetic_for(request: JoinRequest) -> LocalMedia:
        return synthetic_media(clean_name(request.display_name))

    audio_out = DeviceMedia().audio_out if speakers else None
    return conference(synthetic_for, audio_out, frame_observer)
