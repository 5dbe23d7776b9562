"""Composition of the real parts without Qt: the engine and its media, for the app and the probe."""

from __future__ import annotations

import logging

from aiortc.mediastreams import MediaStreamTrack

from echo_desktop.media.echo_canceller import EchoCanceller, NullEchoCanceller, create_echo_canceller
from echo_desktop.media.local_media import LocalMedia, synthetic_media
from echo_desktop.media.media_clock import MediaClock
from echo_desktop.media.remote_audio import AudioSink, RemoteAudioOutput
from echo_desktop.media.track_sources import DeviceSource, SyntheticSource, TrackSource
from echo_desktop.net.conference import JanusConference
from echo_desktop.session.models import JoinRequest, clean_name
from echo_desktop.session.ports import ConferenceEngine

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
        notices: list[str] = []
        video: MediaStreamTrack | None = None
        audio: MediaStreamTrack | None = None
        try:
            video = source.open_video(request.media.camera)
        except OSError as exc:
            logger.warning("No camera: %s", exc)
            notices.append("No camera was found. You joined with audio only.")
        try:
            audio = source.open_audio(request.media.microphone)
        except OSError as exc:
            logger.warning("No microphone: %s", exc)
            notices.append("No microphone was found. You joined listen-only: others cannot hear you.")
        return LocalMedia(audio=audio, video=video, notices=notices, source=source)


def build_engine(
    devices: bool = False, speakers: bool | None = None, test_capture: bool = False
) -> ConferenceEngine:
    """The real conference engine.

    devices: the camera and microphone; otherwise a synthetic test card and tone.
    speakers: play remote audio (default: with devices).
    test_capture (with devices): the test card and tone stand in for the camera and microphone,
    with the speakers and echo cancellation as usual (see DeviceMedia).
    """
    if devices:
        media = DeviceMedia(test_capture)
        play = speakers if speakers is not None else True
        # Camera pictures carry no test-card codes: do not scan every received frame for them.
        return JanusConference(
            media.local, audio_out_factory=media.audio_out if play else None, read_test_codes=False
        )

    def synthetic_for(request: JoinRequest) -> LocalMedia:
        return synthetic_media(clean_name(request.display_name))

    audio_out = DeviceMedia().audio_out if speakers else None
    return JanusConference(synthetic_for, audio_out_factory=audio_out)
