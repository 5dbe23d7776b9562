"""A video jitter buffer that releases each frame as soon as it is complete.

Why: aiortc's `JitterBuffer` reassembles a video frame from its RTP packets but notices the end of a
frame only when a packet with a *different* RTP timestamp arrives, i.e. the first packet of the next
frame. Every frame therefore waits one whole frame interval before it reaches the decoder: 67 ms at
15 fps, the largest single share of our glass-to-glass latency (bench/latency.py measures it).

The sender already says where a frame ends: the RTP marker bit is set on the last packet of each
video frame (RFC 7741 section 4.1 for VP8, RFC 6184 section 5.1 for H.264; aiortc's sender, Chromium
and Janus all keep it, and aiortc's RTX unwrapping keeps it too). `LowLatencyJitterBuffer` releases a
frame the moment it holds every packet from the frame's first one through the one with the marker,
with no gap in sequence numbers. What that saves is the time from a frame's last packet to the next
frame's first: the whole frame interval from a sender that sends each frame in one burst (aiortc:
ECHO Desktop to ECHO Desktop went from about 78 to 12 ms at p50), less from a paced sender (Chromium
spread each VGA frame over about 40 of the 67 ms here, so its frames gained 20-25 ms: 77 to 52-56).

Loss handling:
- A frame with a missing packet is never released: the scan from the oldest packet stops at the
  first hole and waits while aiortc's NackGenerator asks for the packet again (RTX). Later frames
  wait behind it, so the decoder always gets whole frames, in order.
- A frame is trusted to start where the previous one ended (a packet with the marker, or another
  timestamp, just before it). When that is not known, because its first packets were dropped on
  overflow or the buffer restarted, the remains of the frame are discarded up to the next frame
  boundary instead of going to the decoder as a broken frame. (aiortc's own overflow path can hand
  the decoder the tail of a frame.) At the very start of a stream there is nothing to prove it by:
  like aiortc, the first packet is assumed to start a frame; a stream that begins mid-frame gives a
  decoder error, and the receiver then asks for a key frame.
- A hole is waited for at most `MAX_HOLD_S` of media time (measured in RTP timestamps, so a stalled
  sender does not count): once the newest packet is that far ahead of the oldest one held, the
  packet is taken as lost for good. The buffer skips past the hole, drops the rest of the broken
  frame, sets the PLI flag so the sender sends a key frame, and lets the complete frames behind it
  go on. Until that key frame arrives the decoder works from a reference that misses one frame, so
  the picture may smear for about a round trip. The frames held behind the hole are a second old
  and are dropped too, all but the newest complete one, so no delay is left behind. Before this
  bound, a lost packet froze the video
  until `capacity` packets had arrived (512 in aiortc 1.16, 8-9 s of VGA at 15 fps).
- Overflow (a hole that is never filled, `capacity` packets behind) and a jump in sequence numbers
  set the PLI flag as in aiortc; the receiver also still sends a PLI after a decoder error.
- A change of RTP timestamp still ends a frame, for a sender that never sets the marker.
- Packets without payload (padding some senders send between frames) never become a frame of their
  own: an empty packet would make the decoder flush.
- Audio buffers are untouched: for audio the marker bit means "start of a talk spurt".

Limits it shares with aiortc (not changed here; candidates for a next step):
- `add` returns at most one frame per packet. When a retransmission fills a hole behind which
  several frames are complete, the first goes out at once and each of the others with one of the
  packets that follow (the next may be most of a frame interval away).
- After a skipped hole, frames are decoded before the key frame comes (see above); holding them
  back until a key frame would need codec-aware key frame detection.

Installing: `RTCRtpReceiver.__init__` builds its buffers with the name `JitterBuffer` imported into
`aiortc.rtcrtpreceiver`, so `install()` rebinds that one name to this class (video receivers pass
`is_video=True`; audio buffers keep aiortc's behaviour). It only affects receivers created afterwards.
Read against aiortc 1.16 (its jitterbuffer.py is byte-identical to 1.14's and 1.15's), whose
receiver calls `add(packet)` once per RTP packet (video capacity 512; this class takes what it is
given). On any other version `install()` logs a warning once and leaves aiortc alone (see rebind):
re-read aiortc's `JitterBuffer` and `RTCRtpReceiver._handle_rtp_packet` before moving the gate.
"""

from __future__ import annotations

import logging

import aiortc
import aiortc.rtcrtpreceiver
from aiortc.jitterbuffer import MAX_MISORDER, JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

from echo_desktop.aiortc_patches import usage
from echo_desktop.aiortc_patches.rebind import Rebinding

logger = logging.getLogger(__name__)

VIDEO_CLOCK_HZ = 90_000
MAX_HOLD_S = 1.0
"""How long a hole may hold the video, in media time: long enough for NACK and retransmission
over a slow rural round trip (several hundred ms), short enough that a lost packet is a hiccup."""
_MAX_HOLD_TICKS = int(MAX_HOLD_S * VIDEO_CLOCK_HZ)


class LowLatencyJitterBuffer(JitterBuffer):
    """aiortc's JitterBuffer, except that a video frame is released at its RTP marker bit.

    A drop-in replacement: same constructor, and `add(packet)` returns `(pli_flag, frame or None)`
    like aiortc's. With `is_video=False` (or a prefetch) it is aiortc's buffer, unchanged.
    """

    def __init__(self, capacity: int, prefetch: int = 0, is_video: bool = False) -> None:
        super().__init__(capacity, prefetch=prefetch, is_video=is_video)
        self._release_on_marker = is_video and prefetch == 0
        self._at_stream_start = True  # nothing released or dropped yet
        # The packet that sat at sequence number origin - 1 when it left the buffer (None: a hole).
        self._last_removed: RtpPacket | None = None
        self.holes_skipped = 0  # packets given up on after MAX_HOLD_S
        self.max_hold_ticks = _MAX_HOLD_TICKS  # MAX_HOLD_S in RTP timestamp units

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        """Store one packet; return (send a PLI?, the oldest complete frame if there is one)."""
        if not self._release_on_marker:
            return super().add(packet)
        seq = packet.sequence_number
        pli_flag = False
        if self._origin is None:
            self._origin = seq
            delta = misorder = 0
        else:
            delta = uint16_add(seq, -self._origin)
            misorder = uint16_add(self._origin, -seq)

        if misorder < delta:
            if misorder >= MAX_MISORDER:
                # Far outside the window (a sender restart or a long outage): start over.
                self._restart_at(seq)
                delta = misorder = 0
                pli_flag = True
            else:
                return pli_flag, None  # older than what was released or given up: too late

        if delta >= self._capacity:
            # A hole was never filled: make room by dropping the oldest packets (the frames they
            # belong to are dropped whole, see _next_step), and ask the sender for a key frame.
            excess = delta - self._capacity + 1
            if excess >= self._capacity:
                self._restart_at(seq)
            else:
                self._drop(excess)
            pli_flag = True

        self._packets[seq % self._capacity] = packet
        frame = self._pop_frame()
        while frame is None and self._held_too_long(packet):
            self._skip_hole()
            pli_flag = True  # what follows was encoded against the lost frame: ask for a key frame
            frame = self._newest_complete_frame()
        if frame is not None:
            usage.count(usage.JITTER_FRAMES)
        return pli_flag, frame

    def _newest_complete_frame(self) -> JitterFrame | None:
        """Drain every complete frame and return only the newest.

        Used after a skipped hole: the frames held behind it are a second old and were encoded
        against the lost one; handing them over one per packet (aiortc's pace) would keep that
        second of delay for as long as frames arrive in single packets. A key frame is asked for.
        """
        newest = self._pop_frame()
        while newest is not None:
            following = self._pop_frame()
            if following is None:
                break
            newest = following
        return newest

    def _held_too_long(self, newest: RtpPacket) -> bool:
        """Whether the oldest packet held is `MAX_HOLD_S` of media time behind `newest`."""
        assert self._origin is not None
        span = uint16_add(newest.sequence_number, -self._origin)
        if span >= self._capacity:
            return False  # `newest` has already left (released or dropped): nothing waits on it
        for offset in range(span + 1):
            oldest = self._packets[uint16_add(self._origin, offset) % self._capacity]
            if oldest is not None:
                ahead = (newest.timestamp - oldest.timestamp) & 0xFFFFFFFF
                return self.max_hold_ticks <= ahead < 0x80000000  # a late, older packet is not ahead
        return False

    def _skip_hole(self) -> None:
        """Give up on the first missing packet: drop what is held before it, and the hole itself.

        The packets after the hole then have no known frame start, so `_pop_frame` discards them
        up to the next frame boundary: the decoder never gets the broken frame.
        """
        assert self._origin is not None
        held = 0
        while (
            held < self._capacity
            and self._packets[uint16_add(self._origin, held) % self._capacity] is not None
        ):
            held += 1
        self._drop(min(held + 1, self._capacity))
        self.holes_skipped += 1

    def _restart_at(self, seq: int) -> None:
        self._drop(self._capacity)
        self._origin = seq
        self._last_removed = None
        self._at_stream_start = False

    def _drop(self, count: int) -> list[RtpPacket | None]:
        """Remove `count` slots from the origin; return what they held, oldest first."""
        assert self._origin is not None and count <= self._capacity
        removed: list[RtpPacket | None] = []
        for _ in range(count):
            pos = self._origin % self._capacity
            removed.append(self._packets[pos])
            self._packets[pos] = None
            self._origin = uint16_add(self._origin, 1)
        if removed:
            self._last_removed = removed[-1]
            self._at_stream_start = False
        return removed

    def _pop_frame(self) -> JitterFrame | None:
        """Remove and return the oldest complete frame, or None while it is incomplete."""
        while True:
            release, count = self._next_step()
            if count == 0:
                return None
            packets = self._drop(count)
            if not release:
                continue  # the remains of a frame whose start was lost: never to the decoder
            data = b"".join(getattr(p, "_data", b"") for p in packets if p is not None)
            if data:
                first = packets[0]
                assert first is not None
                return JitterFrame(data=data, timestamp=first.timestamp)
            # Padding only: not a frame. Look again, a real frame may be complete behind it.

    def _next_step(self) -> tuple[bool, int]:
        """What to do with the packets at the origin: (release them?, how many); (False, 0) = wait.

        Walks the contiguous packets from the origin and stops at the first hole: a frame with a
        missing packet is never released, it waits for the retransmission (or the overflow).
        """
        assert self._origin is not None
        first = self._packets[self._origin % self._capacity]
        if first is None:
            return False, 0
        trusted = self._starts_frame(first)
        for count in range(self._capacity):
            packet = self._packets[uint16_add(self._origin, count) % self._capacity]
            if packet is None:
                # Complete frames never end in a hole. Remains of a broken frame go at once.
                return (False, 0) if trusted else (False, count)
            if packet.timestamp != first.timestamp:
                return trusted, count  # the next frame began, so this one ended (aiortc's rule)
            if packet.marker:
                return trusted, count + 1  # the frame's last packet, and none missing before it
        return False, 0

    def _starts_frame(self, first: RtpPacket) -> bool:
        """Whether `first`, the packet at the origin, is the first packet of a frame."""
        if self._at_stream_start:
            # Nothing to prove it by. Like aiortc, assume so: a stream that starts mid-frame gives a
            # decoder error, and the receiver then asks for a key frame (PLI).
            return True
        previous = self._last_removed
        if previous is None:
            return False  # the packet before it never arrived: its frame may have begun there
        return bool(previous.marker) or previous.timestamp != first.timestamp


_REBINDING = Rebinding(
    aiortc.rtcrtpreceiver,
    "JitterBuffer",  # the name RTCRtpReceiver.__init__ looks up
    LowLatencyJitterBuffer,
    keeping="aiortc's own jitter buffer (one frame interval more video latency)",
)


def install() -> bool:
    """Make aiortc build `LowLatencyJitterBuffer`s for the receivers it creates from now on.

    Idempotent. Returns whether it is installed; on an aiortc version it was not read against it
    logs a warning once and changes nothing.
    """
    installed_now = _REBINDING.install()
    if installed_now:
        logger.debug("Video receivers release frames at the RTP marker bit")
    return installed_now


def uninstall() -> None:
    """Give aiortc its own JitterBuffer back (for before/after measurements and tests)."""
    _REBINDING.uninstall()


def installed() -> bool:
    """Whether receivers created now get a `LowLatencyJitterBuffer`."""
    return _REBINDING.installed()
