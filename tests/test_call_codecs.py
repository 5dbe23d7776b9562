"""Voice-grade Opus and budgeted VP8 (aiortc_patches/call_codecs.py), against the real codecs."""

from __future__ import annotations

import fractions
import itertools

import aiortc.rtcrtpsender
import av
import numpy as np
from aiortc.codecs import get_encoder
from aiortc.codecs.opus import OpusDecoder, OpusEncoder
from aiortc.codecs.vpx import MIN_BITRATE, Vp8Encoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from echo_desktop.aiortc_patches import call_codecs
from echo_desktop.aiortc_patches.call_codecs import (
    AUDIO_AND_HEADERS,
    BudgetedVp8Encoder,
    MonoOpusDecoder,
    VoiceOpusEncoder,
)

OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)
VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
PCMU = RTCRtpCodecParameters(mimeType="audio/PCMU", clockRate=8000, channels=1, payloadType=0)


def _speech_like(seconds: float) -> np.ndarray:
    """A tone with a syllable-rate envelope and some noise: enough to keep Opus busy."""
    t = np.arange(int(48000 * seconds))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t / 48000)
    rng = np.random.default_rng(7)
    signal = 8000 * envelope * np.sin(2 * np.pi * 220 * t / 48000) + rng.normal(0, 300, t.size)
    return signal.astype(np.int16)


def _frames(samples: np.ndarray, size: int = 960, layout: str = "mono") -> list[av.AudioFrame]:
    frames = []
    for index in range(len(samples) // size):
        chunk = samples[index * size : (index + 1) * size]
        if layout == "stereo":
            chunk = np.repeat(chunk, 2)
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout=layout)
        frame.sample_rate, frame.pts = 48000, index * size
        frame.time_base = fractions.Fraction(1, 48000)
        frames.append(frame)
    return frames


def _encode_all(encoder: OpusEncoder, frames: list[av.AudioFrame]) -> list[tuple[bytes, int]]:
    packets = []
    for frame in frames:
        payloads, timestamp = encoder.encode(frame)
        packets += [(payload, timestamp) for payload in payloads]
    return packets


def _kbps(packets: list[tuple[bytes, int]], seconds: float) -> float:
    return sum(len(payload) for payload, _ in packets) * 8 / seconds / 1000


def test_voice_opus_is_mono_at_a_third_of_aiortcs_bitrate() -> None:
    frames = _frames(_speech_like(4.0))
    ours = _encode_all(VoiceOpusEncoder(), frames)
    stock = _encode_all(OpusEncoder(), frames)
    assert len(ours) == len(frames)  # one packet per 20 ms frame, none held back
    # The TOC byte's stereo flag (bit 2, RFC 6716 section 3.1): we send one channel.
    assert all(payload[0] & 0x04 == 0 for payload, _ in ours)
    assert any(payload[0] & 0x04 for payload, _ in stock)
    assert 20 < _kbps(ours, 4.0) < 40
    assert _kbps(ours, 4.0) < _kbps(stock, 4.0) / 1.8
    # RTP timestamps start at zero and step by one frame.
    assert [timestamp for _, timestamp in ours] == [960 * i for i in range(len(frames))]


def test_frames_of_another_shape_still_encode_in_order() -> None:
    # 10 ms stereo frames go through the resampler path: 20 ms packets, timestamps still paced.
    encoder = VoiceOpusEncoder()
    packets = _encode_all(encoder, _frames(_speech_like(1.0), size=480, layout="stereo"))
    assert len(packets) >= 48
    steps = {b[1] - a[1] for a, b in itertools.pairwise(packets)}
    assert steps == {960}


def test_switching_between_frame_shapes_never_sends_time_backwards() -> None:
    # A source of 10 ms stereo frames, then one of 20 ms mono frames, then 10 ms stereo again:
    # samples the resampler held from the first source must not reappear after the second.
    speech = _speech_like(1.0)
    odd = _frames(speech[:24000], size=480, layout="stereo")
    ready = _frames(speech[24000:], size=960)
    for frame in ready:
        assert frame.pts is not None
        frame.pts += 24000
    later_odd = _frames(speech[:4800], size=480, layout="stereo")
    for frame in later_odd:
        assert frame.pts is not None
        frame.pts += 48000
    encoder = VoiceOpusEncoder()
    timestamps = [t for _, t in _encode_all(encoder, [*odd[:11], *ready, *later_odd])]
    assert all(b > a for a, b in itertools.pairwise(timestamps)), timestamps


def test_mono_decoder_plays_stereo_and_mono_streams_at_the_same_level() -> None:
    frames = _frames(_speech_like(2.0))
    for encoder in (OpusEncoder(), VoiceOpusEncoder()):
        decoder = MonoOpusDecoder()
        reference = OpusDecoder()
        out, stock = [], []
        for payload, timestamp in _encode_all(encoder, frames):
            for frame in decoder.decode(JitterFrame(payload, timestamp)):
                assert isinstance(frame, av.AudioFrame)
                assert len(frame.layout.channels) == 1 and frame.samples == 960
                out.append(frame.to_ndarray().reshape(-1))
            for frame in reference.decode(JitterFrame(payload, timestamp)):
                assert isinstance(frame, av.AudioFrame)
                stock.append(frame.to_ndarray().reshape(-1, 2)[:, 0])
        ours_rms = np.sqrt(np.mean(np.concatenate(out)[9600:].astype(np.float64) ** 2))
        stock_rms = np.sqrt(np.mean(np.concatenate(stock)[9600:].astype(np.float64) ** 2))
        assert ours_rms > 2000
        assert abs(20 * np.log10(ours_rms / stock_rms)) < 1.0


def _video_frame() -> av.VideoFrame:
    frame = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 90, dtype=np.uint8), format="rgb24")
    frame.pts, frame.time_base = 0, fractions.Fraction(1, 90000)
    return frame


def test_vp8_leaves_room_for_audio_and_headers_inside_the_remb_cap() -> None:
    encoder = BudgetedVp8Encoder()
    encoder.target_bitrate = 512_000  # what aiortc sets from the hub's REMB
    assert encoder.target_bitrate == 512_000 - AUDIO_AND_HEADERS
    encoder.encode(_video_frame())
    assert encoder.codec is not None and encoder.codec.bit_rate == 512_000 - AUDIO_AND_HEADERS
    # aiortc's floor still holds under a tiny cap.
    encoder.target_bitrate = 200_000
    assert encoder.target_bitrate == MIN_BITRATE
    # Before any REMB, the start rate leaves the same room as aiortc's default would.
    assert BudgetedVp8Encoder().target_bitrate == Vp8Encoder().target_bitrate - AUDIO_AND_HEADERS


def _senders_encoder() -> object:
    """The encoder factory aiortc's sender looks up (imported there, not re-exported)."""
    return getattr(aiortc.rtcrtpsender, "get_encoder")  # noqa: B009


def test_senders_get_our_encoders_and_aiortcs_for_the_rest() -> None:
    assert call_codecs.install()
    assert _senders_encoder() is call_codecs.encoder_for
    assert isinstance(call_codecs.encoder_for(OPUS), VoiceOpusEncoder)
    assert isinstance(call_codecs.encoder_for(VP8), BudgetedVp8Encoder)
    assert type(call_codecs.encoder_for(PCMU)) is type(get_encoder(PCMU))
    assert isinstance(call_codecs.decoder_for(OPUS), MonoOpusDecoder)
    call_codecs.uninstall()
    try:
        assert _senders_encoder() is get_encoder
    finally:
        call_codecs.install()
