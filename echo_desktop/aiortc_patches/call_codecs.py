"""The codec settings a clinic call wants: voice-grade Opus, and video that leaves room for it.

aiortc's defaults suit a fast link, not a rural one:

- Opus goes out as stereo at 96 kbps (measured 71 kbps of speech), upmixed from our mono
  microphone by a resampler on every frame. A voice needs one channel: mono at 32 kbps, the
  bitrate browsers send, is a third of the bits and encodes in 0.10 ms a frame instead of 0.15.
- VP8 takes the whole bitrate the hub's REMB allows, as if audio and packet headers were free.
  Janus documents a room's `bitrate` as the video cap, but a browser treats the REMB as its
  whole budget and fits audio and headers inside it (Chromium sent 440 kbps of video under a
  512 kbps cap; we sent 500). We now do as the browsers do, so on a weak link we send no more
  than they would. aiortc keeps its 250 kbps floor for VP8 at 640x480 (below it, motion smears),
  so under a cap of less than about 330 kbps we still send more than the cap.
- Received Opus is decoded to stereo and then mixed back to mono for the speakers; decoding to
  mono directly is cheaper (0.036 against 0.049 ms a frame) and gives the same mix.

aiortc looks up its encoder by a module-level name when a sender starts, so `install()` rebinds
that name (see rebind); decoders come from `decoder_for`, which our decoder threads use
(inline_audio_decode).
"""

from __future__ import annotations

import fractions
import logging
from typing import cast

import aiortc.rtcrtpsender
from aiortc.codecs import get_decoder, get_encoder
from aiortc.codecs.base import Decoder, Encoder
from aiortc.codecs.opus import OpusDecoder, OpusEncoder
from aiortc.codecs.vpx import DEFAULT_BITRATE, Vp8Encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av import AudioFrame, AudioResampler, CodecContext
from av.frame import Frame

from echo_desktop.aiortc_patches import usage
from echo_desktop.aiortc_patches.rebind import Rebinding

logger = logging.getLogger(__name__)

RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms, the frame size aiortc packetizes
VOICE_BITRATE = 32_000
# What our audio and the RTP/SRTP/UDP/IP headers take from the REMB cap: the voice, plus about
# 60 bytes of headers per packet at 50 audio and about 40 video packets a second.
AUDIO_AND_HEADERS = VOICE_BITRATE + 48_000
_TIME_BASE = fractions.Fraction(1, RATE)


class VoiceOpusEncoder(OpusEncoder):
    """Mono Opus at VOICE_BITRATE, tuned for speech ("voip")."""

    def __init__(self) -> None:
        # The parent's constructor opens a stereo 96 kbps encoder: set up ours instead.
        codec = CodecContext.create("libopus", "w")
        codec.bit_rate = VOICE_BITRATE
        codec.format = "s16"
        codec.layout = "mono"
        codec.sample_rate = RATE
        codec.time_base = _TIME_BASE
        codec.options = {"application": "voip"}
        self.codec = codec
        # Only for frames that are not already 20 ms of s16 mono at 48 kHz.
        self.resampler = self._new_resampler()
        self._resampler_used = False
        self.first_packet_pts: int | None = None

    @staticmethod
    def _new_resampler() -> AudioResampler:
        return AudioResampler(format="s16", layout="mono", rate=RATE, frame_size=FRAME_SAMPLES)

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        if not isinstance(frame, AudioFrame) or not _ready_for_opus(frame):
            self._resampler_used = True
            return super().encode(frame, force_keyframe)
        if self._resampler_used:
            # The resampler may hold part of a frame from the previous source, stamped with its
            # old time: drop it rather than splice it onto the next frames of that kind.
            self.resampler = self._new_resampler()
            self._resampler_used = False
        # Our microphone and tone already give exactly what the encoder takes: skip aiortc's
        # resampler (PyAV still cuts frames to the encoder's size, but no longer upmixes).
        packets = self.codec.encode(frame)
        usage.count(usage.VOICE_OPUS_FRAMES)
        if not packets:
            return [], None  # type: ignore[return-value]  # aiortc's own contract for "buffering"
        if self.first_packet_pts is None:
            self.first_packet_pts = packets[0].pts
        assert packets[0].pts is not None and self.first_packet_pts is not None
        return [bytes(p) for p in packets], packets[0].pts - self.first_packet_pts


def _ready_for_opus(frame: AudioFrame) -> bool:
    return (
        frame.format.name == "s16"
        and len(frame.layout.channels) == 1
        and frame.sample_rate == RATE
        and frame.samples == FRAME_SAMPLES
        and frame.pts is not None
        and frame.time_base == _TIME_BASE
    )


class MonoOpusDecoder(OpusDecoder):
    """Decodes any Opus stream, mono or stereo, straight to s16 mono at 48 kHz."""

    def __init__(self) -> None:
        codec = CodecContext.create("libopus", "r")
        codec.format = "s16"
        codec.layout = "mono"
        codec.sample_rate = RATE
        self.codec = codec
        usage.count(usage.MONO_OPUS_DECODERS)


class BudgetedVp8Encoder(Vp8Encoder):
    """VP8 whose bitrate is what the REMB cap leaves after our audio and the packet headers."""

    def __init__(self) -> None:
        super().__init__()
        self.target_bitrate = DEFAULT_BITRATE
        usage.count(usage.BUDGETED_VP8_ENCODERS)

    @property
    def target_bitrate(self) -> int:
        return cast(int, Vp8Encoder.target_bitrate.fget(self))  # type: ignore[attr-defined]

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        # aiortc's setter still clamps to its floor (250 kbps), below which VP8 at 640x480 smears.
        Vp8Encoder.target_bitrate.fset(self, bitrate - AUDIO_AND_HEADERS)  # type: ignore[attr-defined]


def encoder_for(codec: RTCRtpCodecParameters) -> Encoder:
    """The encoder a sender uses for `codec`: ours for Opus and VP8, aiortc's for the rest."""
    mime = codec.mimeType.lower()
    if mime == "audio/opus":
        return VoiceOpusEncoder()
    if mime == "video/vp8":
        return BudgetedVp8Encoder()
    return get_encoder(codec)


def decoder_for(codec: RTCRtpCodecParameters) -> Decoder:
    """The decoder a receiver uses for `codec`: mono output for Opus, aiortc's for the rest.

    Used by our decoder worker (inline_audio_decode), for every frame of a stream, on its thread
    and on the loop alike; so it follows that module's install(), not this one's. Where that
    worker is not installed, aiortc's own decodes Opus to stereo: the speakers take either
    (remote_audio.to_mono_48k).
    """
    if codec.mimeType.lower() == "audio/opus":
        return MonoOpusDecoder()
    return get_decoder(codec)


_REBINDING = Rebinding(
    aiortc.rtcrtpsender,
    "get_encoder",
    encoder_for,
    keeping="aiortc's stereo 96 kbps Opus and its VP8 bitrate",
)


# Senders created after install() use encoder_for; uninstall() gives aiortc its own encoders back
# (for before/after measurements and tests; decoders follow inline_audio_decode). See Rebinding.
install = _REBINDING.install
uninstall = _REBINDING.uninstall
installed = _REBINDING.installed
