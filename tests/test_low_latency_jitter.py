"""The video jitter buffer releases a frame at its RTP marker bit, and never a frame with a hole."""

from __future__ import annotations

import random
from dataclasses import dataclass

import aiortc
import aiortc.rtcrtpreceiver
import pytest
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtp import RtpPacket
from hypothesis import given, settings
from hypothesis import strategies as st

from echo_desktop.aiortc_patches import low_latency_jitter
from echo_desktop.aiortc_patches.low_latency_jitter import LowLatencyJitterBuffer
from echo_desktop.aiortc_patches.rebind import CHECKED_AIORTC

TS_STEP = 6000  # 90 kHz clock at 15 fps


@dataclass(frozen=True)
class Frame:
    index: int
    timestamp: int
    packets: tuple[RtpPacket, ...]

    @property
    def data(self) -> bytes:
        return b"".join(p._data for p in self.packets)  # type: ignore[attr-defined]


def packet(seq: int, timestamp: int, marker: bool, data: bytes) -> RtpPacket:
    p = RtpPacket(payload_type=96, marker=int(marker), sequence_number=seq & 0xFFFF, timestamp=timestamp)
    p._data = data  # type: ignore[attr-defined]  # what RTCRtpReceiver's depayload leaves there
    return p


def make_frames(sizes: list[int], first_seq: int = 1000, first_index: int = 0) -> list[Frame]:
    """Frames of the given packet counts, consecutive sequence numbers, marker on each last packet."""
    frames: list[Frame] = []
    seq = first_seq
    for offset, size in enumerate(sizes):
        index = first_index + offset
        timestamp = (index * TS_STEP) & 0xFFFFFFFF
        packets = tuple(
            packet(seq + i, timestamp, i == size - 1, f"f{index}p{i};".encode()) for i in range(size)
        )
        frames.append(Frame(index, timestamp, packets))
        seq += size
    return frames


def feed(buffer: JitterBuffer, packets: list[RtpPacket]) -> list[JitterFrame | None]:
    return [buffer.add(p)[1] for p in packets]


def started_buffer(capacity: int = 128) -> tuple[LowLatencyJitterBuffer, list[Frame]]:
    """A buffer that has released frame 0, and the frames after it (none of them fed yet)."""
    buffer = LowLatencyJitterBuffer(capacity=capacity, is_video=True)
    frames = make_frames([3, 3, 4, 2, 5, 1, 3])
    released = feed(buffer, list(frames[0].packets))
    assert released[-1] is not None and released[-1].data == frames[0].data
    return buffer, frames[1:]


# --- the premise: aiortc's own buffer holds every frame until the next one starts -----------------


def test_stock_aiortc_holds_a_complete_frame_until_the_next_frame_starts() -> None:
    stock = JitterBuffer(capacity=128, is_video=True)
    frames = make_frames([3, 3, 3])
    released = feed(stock, [*frames[0].packets, *frames[1].packets])
    assert released[:3] == [None, None, None]  # frame 0 is complete at its marker, yet held
    assert released[3] is not None and released[3].data == frames[0].data
    assert released[4:] == [None, None]  # and so is frame 1
    out = stock.add(frames[2].packets[0])[1]
    assert out is not None and out.data == frames[1].data


# --- in order --------------------------------------------------------------------------------------


def test_a_complete_frame_is_released_at_its_marker_packet() -> None:
    buffer, frames = started_buffer()
    for frame in frames:
        released = feed(buffer, list(frame.packets))
        assert released[:-1] == [None] * (len(frame.packets) - 1)
        out = released[-1]
        assert out is not None
        assert out.data == frame.data
        assert out.timestamp == frame.timestamp


def test_the_first_frame_of_a_stream_goes_out_at_its_marker_too() -> None:
    buffer = LowLatencyJitterBuffer(capacity=128, is_video=True)
    frames = make_frames([2, 2])
    first = feed(buffer, list(frames[0].packets))
    assert first[0] is None and first[1] is not None and first[1].data == frames[0].data


def test_sequence_numbers_wrap() -> None:
    buffer = LowLatencyJitterBuffer(capacity=128, is_video=True)
    frames = make_frames([2, 3, 3, 3], first_seq=65530)
    released = feed(buffer, [p for f in frames for p in f.packets])
    assert [i for i, f in enumerate(released) if f is not None] == [1, 4, 7, 10]
    assert [f.data for f in released if f is not None] == [f.data for f in frames]


# --- out of order and loss -------------------------------------------------------------------------


def test_out_of_order_packets_release_the_frame_when_the_last_one_arrives() -> None:
    buffer, frames = started_buffer()
    frame = frames[3]  # five packets
    for before in frames[:3]:
        feed(buffer, list(before.packets))
    p = frame.packets
    assert feed(buffer, [p[4], p[0], p[2], p[1]]) == [None] * 4  # the marker came first; 3 is missing
    out = buffer.add(p[3])[1]
    assert out is not None and out.data == frame.data  # bytes in sequence order, not arrival order


def test_a_frame_with_a_hole_is_not_released_even_with_its_marker() -> None:
    buffer, frames = started_buffer()
    frame, behind, after = frames[0], frames[1], frames[2]
    missing = frame.packets[1]
    assert feed(buffer, [p for p in frame.packets if p is not missing]) == [None, None]
    # A later frame, complete behind the hole, is held too: the decoder gets frames in order.
    assert feed(buffer, list(behind.packets)) == [None] * len(behind.packets)
    # The retransmission fills the hole: the frame goes out at once ...
    out = buffer.add(missing)[1]
    assert out is not None and out.data == frame.data
    # ... and the one held behind it with the next packet (one frame per packet, as in aiortc).
    out = buffer.add(after.packets[0])[1]
    assert out is not None and out.data == behind.data
    out = buffer.add(after.packets[1])[1]
    assert out is not None and out.data == after.data


def test_a_lost_first_packet_holds_the_frame() -> None:
    buffer, frames = started_buffer()
    feed(buffer, list(frames[0].packets))
    frame = frames[1]
    assert feed(buffer, list(frame.packets[1:])) == [None] * (len(frame.packets) - 1)
    out = buffer.add(frame.packets[0])[1]
    assert out is not None and out.data == frame.data


def test_late_duplicates_are_ignored() -> None:
    buffer, frames = started_buffer()
    feed(buffer, list(frames[0].packets))
    assert feed(buffer, list(frames[0].packets)) == [None] * len(frames[0].packets)
    released = feed(buffer, list(frames[1].packets))
    assert released[-1] is not None and released[-1].data == frames[1].data


def test_padding_between_frames_is_never_a_frame() -> None:
    buffer, frames = started_buffer()
    feed(buffer, list(frames[0].packets))
    last_seq = frames[0].packets[-1].sequence_number
    padding = [packet(last_seq + 1 + i, frames[0].timestamp, False, b"") for i in range(3)]
    following = make_frames([2, 2], first_seq=last_seq + 4, first_index=50)
    released = feed(buffer, [*padding, *following[0].packets, *following[1].packets])
    assert [f.data for f in released if f is not None] == [following[0].data, following[1].data]
    assert released[4] is not None  # still at the marker of the frame after the padding


def test_an_unfilled_hole_overflows_asks_for_a_key_frame_and_recovers() -> None:
    buffer = LowLatencyJitterBuffer(capacity=16, is_video=True)
    frames = make_frames([3] * 20)
    lost = frames[2].packets[0]
    flags: list[bool] = []
    released: list[bytes] = []
    for p in (p for f in frames for p in f.packets if p is not lost):
        flag, out = buffer.add(p)
        flags.append(flag)
        if out is not None:
            released.append(out.data)
    assert any(flags)  # PLI on overflow, as aiortc does
    # Only whole frames reach the decoder: frame 2 (hole) and whatever overflow cut are skipped.
    whole = [f.data for f in frames]
    assert all(data in whole for data in released)
    assert released[:2] == whole[:2]
    assert whole[2] not in released
    assert released[-1] == whole[-1]  # and frames flow again, at the marker


Released = list[tuple[int, bytes]]


def lose_one_packet_for_good(
    sizes: list[int], lost_frame: int
) -> tuple[list[Frame], Released, list[int], LowLatencyJitterBuffer]:
    """Feed frames of the given sizes with one packet of `lost_frame` never arriving.

    Returns the frames, (frame whose packet was arriving, frame released) pairs, the frames at
    whose packets the PLI flag came up, and the buffer."""
    buffer = LowLatencyJitterBuffer(capacity=512, is_video=True)
    frames = make_frames(sizes)
    lost = frames[lost_frame].packets[-1]
    released: Released = []
    flagged_at: list[int] = []
    for frame in frames:
        for p in frame.packets:
            if p is lost:
                continue
            flag, out = buffer.add(p)
            if flag:
                flagged_at.append(frame.index)
            if out is not None:
                released.append((frame.index, out.data))
    return frames, released, flagged_at, buffer


def test_a_packet_lost_for_good_holds_video_for_at_most_max_hold_s() -> None:
    """Before: frozen until `capacity` packets arrived (8-9 s of VGA). Now: about a second."""
    from echo_desktop.aiortc_patches.low_latency_jitter import MAX_HOLD_S

    held_back = int(MAX_HOLD_S * 15)  # frames that arrive within MAX_HOLD_S of frame 2 (15 fps)
    frames, released, flagged_at, buffer = lose_one_packet_for_good([3] * 40, lost_frame=2)
    whole = [f.data for f in frames]
    skip_at = 2 + held_back
    # Frames 0 and 1 went out at once; frame 2 (its packet never came) never reaches the decoder.
    assert released[:2] == [(0, whole[0]), (1, whole[1])]
    assert all(data != whole[2] for _, data in released)
    # The frames behind the hole were held while a retransmission could still come; then the
    # hole was skipped once, a key frame asked for, and the newest complete frame went out at
    # once: the held ones are a second old and were encoded against the lost frame.
    assert flagged_at == [skip_at]
    assert buffer.holes_skipped == 1
    assert released[2] == (skip_at, whole[skip_at - 1])
    # From then on every frame goes out at its own last packet: no delay is left behind.
    assert released[3:] == [(i, whole[i]) for i in range(skip_at, 40)]
    assert all(p is None for p in buffer._packets)


def test_after_a_skip_one_packet_frames_keep_no_backlog() -> None:
    """Frames of one packet each (a still, low-bitrate picture) must not keep the lost second."""
    frames, released, flagged_at, buffer = lose_one_packet_for_good([1] * 60, lost_frame=5)
    assert buffer.holes_skipped == 1 and len(flagged_at) == 1
    skip_at = flagged_at[0]
    after = [(arrival, data) for arrival, data in released if arrival > skip_at]
    assert after == [(i, frames[i].data) for i in range(skip_at + 1, 60)]


def test_a_retransmission_within_max_hold_s_still_fills_the_hole() -> None:
    buffer, frames = started_buffer(capacity=512)
    frame = frames[0]
    missing = frame.packets[1]
    feed(buffer, [p for p in frame.packets if p is not missing])
    later = make_frames([3] * 10, first_seq=frame.packets[-1].sequence_number + 1, first_index=2)
    assert feed(buffer, [p for f in later for p in f.packets]) == [None] * 30  # 0.67 s: still waiting
    out = buffer.add(missing)[1]
    assert out is not None and out.data == frame.data
    assert buffer.holes_skipped == 0


def test_a_frame_cut_by_overflow_is_dropped_not_decoded() -> None:
    # aiortc's own overflow path can hand the decoder the tail of a frame; this buffer never does.
    buffer = LowLatencyJitterBuffer(capacity=8, is_video=True)
    frames = make_frames([2, 5, 5, 5])
    feed(buffer, list(frames[0].packets))
    hole = frames[1].packets[0]
    released = [out.data for out in feed(buffer, [p for f in frames[1:] for p in f.packets if p is not hole])
                if out is not None]  # fmt: skip
    assert frames[1].data not in released
    assert all(data in [f.data for f in frames] for data in released)


# --- properties -------------------------------------------------------------------------------------


def arrival_order(
    packets: list[RtpPacket], rng: random.Random, losses: int, resent: bool
) -> tuple[list[RtpPacket], set[int]]:
    """Local reordering (up to 3 places; the very first packet first), some packets lost, and the
    lost ones either retransmitted a few packets later or gone for good (their seq in the set)."""
    keyed = [(i + rng.uniform(0, 3) if i else -1.0, p) for i, p in enumerate(packets)]
    order = [p for _, p in sorted(keyed, key=lambda kp: kp[0])]
    gone: set[int] = set()
    for lost in rng.sample(packets[1:], min(losses, len(packets) - 1)):
        at = order.index(lost)
        order.pop(at)
        if resent:
            order.insert(min(len(order), at + rng.randint(1, 12)), lost)
        else:
            gone.add(lost.sequence_number)
    return order, gone


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=40),
    seed=st.integers(0, 2**32 - 1),
    first_seq=st.integers(0, 0xFFFF),
    losses=st.integers(0, 4),
    resent=st.booleans(),
    capacity=st.sampled_from([8, 16, 128]),
)
def test_only_whole_frames_are_released_and_in_order(
    sizes: list[int], seed: int, first_seq: int, losses: int, resent: bool, capacity: int
) -> None:
    rng = random.Random(seed)
    frames = make_frames(sizes, first_seq=first_seq)
    arrival, gone = arrival_order([p for f in frames for p in f.packets], rng, losses, resent)
    buffer = LowLatencyJitterBuffer(capacity=capacity, is_video=True)
    released = [out.data for out in feed(buffer, arrival) if out is not None]
    # Whatever loss, reordering and overflow did: each release is one whole sent frame, in order.
    index_of = {f.data: f.index for f in frames}
    assert all(data in index_of for data in released)
    indexes = [index_of[data] for data in released]
    assert indexes == sorted(set(indexes))
    broken = {f.index for f in frames if any(p.sequence_number in gone for p in f.packets)}
    assert not broken & set(indexes)


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=40),
    seed=st.integers(0, 2**32 - 1),
    first_seq=st.integers(0, 0xFFFF),
    losses=st.integers(0, 4),
)
def test_with_retransmissions_every_frame_gets_through(
    sizes: list[int], seed: int, first_seq: int, losses: int
) -> None:
    rng = random.Random(seed)
    frames = make_frames(sizes, first_seq=first_seq)
    arrival, _ = arrival_order([p for f in frames for p in f.packets], rng, losses, resent=True)
    # The stream goes on afterwards (frames held behind a filled hole go out one per packet).
    tail = make_frames([1] * len(frames), first_seq=first_seq + sum(sizes), first_index=len(frames))
    buffer = LowLatencyJitterBuffer(capacity=512, is_video=True)
    # Here every retransmission comes within a few packets, which with one-packet frames can be
    # more than MAX_HOLD_S of media time: this property is about waiting, so wait longer.
    buffer.max_hold_ticks = 1 << 30
    out = feed(buffer, arrival + [p for f in tail for p in f.packets])
    assert [f.data for f in out if f is not None][: len(frames)] == [f.data for f in frames]


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(1, 8), min_size=1, max_size=30), first_seq=st.integers(0, 0xFFFF))
def test_in_order_every_frame_goes_out_at_its_last_packet(sizes: list[int], first_seq: int) -> None:
    frames = make_frames(sizes, first_seq=first_seq)
    buffer = LowLatencyJitterBuffer(capacity=512, is_video=True)
    for frame in frames:
        for p in frame.packets:
            out = buffer.add(p)[1]
            if p is frame.packets[-1]:
                assert out is not None and out.data == frame.data
            else:
                assert out is None


# --- audio is untouched, and installing --------------------------------------------------------------


def test_audio_buffers_keep_aiortc_behaviour() -> None:
    frames = make_frames([1] * 12)
    ours = LowLatencyJitterBuffer(capacity=16, prefetch=4)
    stock = JitterBuffer(capacity=16, prefetch=4)
    packets = [p for f in frames for p in f.packets]
    for p in packets:
        p.marker = 1  # for audio the marker bit means "talk spurt", not "end of frame"
    assert [o and o.data for o in feed(ours, packets)] == [o and o.data for o in feed(stock, packets)]


class _Transport:
    state = "new"


def test_install_gives_new_video_receivers_the_low_latency_buffer() -> None:
    assert aiortc.__version__.startswith(CHECKED_AIORTC)
    try:
        assert low_latency_jitter.install()
        assert low_latency_jitter.installed()
        video = RTCRtpReceiver("video", _Transport())  # type: ignore[arg-type]
        audio = RTCRtpReceiver("audio", _Transport())  # type: ignore[arg-type]
        video_buffer = video._RTCRtpReceiver__jitter_buffer  # type: ignore[attr-defined]
        audio_buffer = audio._RTCRtpReceiver__jitter_buffer  # type: ignore[attr-defined]
        assert isinstance(video_buffer, LowLatencyJitterBuffer) and video_buffer._release_on_marker
        assert not audio_buffer._release_on_marker
        low_latency_jitter.uninstall()
        assert getattr(aiortc.rtcrtpreceiver, "JitterBuffer") is JitterBuffer  # noqa: B009  # not re-exported
        assert type(RTCRtpReceiver("video", _Transport())._RTCRtpReceiver__jitter_buffer) is JitterBuffer  # type: ignore[arg-type, attr-defined]
    finally:
        assert low_latency_jitter.install()
        assert low_latency_jitter.install()  # idempotent


def test_install_refuses_an_unchecked_aiortc(monkeypatch: pytest.MonkeyPatch) -> None:
    low_latency_jitter.uninstall()
    try:
        monkeypatch.setattr(aiortc, "__version__", "9.0.0")
        assert low_latency_jitter.install() is False
        assert not low_latency_jitter.installed()
    finally:
        monkeypatch.undo()
        assert low_latency_jitter.install()
