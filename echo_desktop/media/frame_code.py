"""Numbers drawn into the picture, so receivers can judge video by its content.

A code is a strip of 32 black or white blocks across the frame: 16 bits of the value, then the same
16 bits inverted as a check. Big blocks survive VP8/H.264 at low bit rates, and reading works at
any resolution because positions are relative.

Row 0 (the top strip) carries the frame counter (`stamp`, `read`). In the clock mode of the test
card, row 1 (the strip right below it) also carries the low 16 bits of the sender's wall clock in
milliseconds (`stamp_clock`, `read_clock`): on one machine, a receiver that reads it back gets the
glass-to-glass latency with `clock_age_ms`, for any latency under 65.5 s. tests/web/peer.js draws
and reads the same strips in the browser peer; keep the two in step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

BITS = 16
BLOCKS = 2 * BITS
STRIP_FRACTION = 1 / 20  # of the frame height, per row
COUNTER_ROW = 0
CLOCK_ROW = 1
CLOCK_MODULUS = 1 << BITS  # the clock code wraps every 65.536 s

Image = npt.NDArray[np.uint8]


def strip_height(height: int) -> int:
    """Height in pixels of one code row in a frame `height` pixels high."""
    return max(8, int(height * STRIP_FRACTION))


def _bits(value: int) -> list[int]:
    value &= 0xFFFF
    data = [(value >> (BITS - 1 - i)) & 1 for i in range(BITS)]
    return data + [1 - b for b in data]


def stamp(image: Image, counter: int, row: int = COUNTER_ROW) -> None:
    """Draw the low 16 bits of `counter` as code row `row` of an HxWx3 image, in place."""
    height, width = image.shape[:2]
    strip = strip_height(height)
    top = row * strip
    for i, bit in enumerate(_bits(counter)):
        x0 = i * width // BLOCKS
        x1 = (i + 1) * width // BLOCKS
        image[top : top + strip, x0:x1] = 255 if bit else 0


def read(image: npt.NDArray[Any], row: int = COUNTER_ROW) -> int | None:
    """Read code row `row`, or None if there is no valid strip there.

    `image` is HxW (grey), HxWx3 (RGB or BGR) or HxWx4 (the display layout, whose fourth byte
    is ignored).
    """
    height, width = image.shape[:2]
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    channels = image.shape[2] if image.ndim == 3 else 1
    if height < 16 or width < BLOCKS * 4:
        return None
    strip = strip_height(height)
    top = row * strip
    if top + strip > height:
        return None
    y0, y1 = top + strip // 4, top + strip - strip // 4
    # Every frame of every feed is read, so this is one vectorised pass: the mean of each block's
    # middle half (the edges blur under compression), over the middle rows of the strip.
    edges = np.arange(BLOCKS + 1) * width // BLOCKS
    margin = np.maximum(1, np.diff(edges) // 4)
    rows = image[y0:y1]
    # Integer sums are ten times faster than mean() here; the scale is divided out below.
    columns = rows.reshape(rows.shape[0], -1).sum(axis=0, dtype=np.uint32)
    columns = columns.reshape(width, -1).sum(axis=1) / (rows.shape[0] * channels)
    sums = np.concatenate([[0.0], np.cumsum(columns)])
    starts, ends = edges[:-1] + margin, edges[1:] - margin
    levels = (sums[ends] - sums[starts]) / (ends - starts)
    if np.any((levels > 80) & (levels < 175)):
        return None  # neither black nor white: not our strip
    bits = levels >= 128
    if np.any(bits[:BITS] == bits[BITS:]):
        return None
    return int(np.dot(bits[:BITS].astype(np.int64), 1 << np.arange(BITS - 1, -1, -1)))


def stamp_clock(image: Image, wall_ms: int) -> None:
    """Draw the low 16 bits of a wall-clock time in ms (e.g. `time.time() * 1000`) as row 1."""
    stamp(image, wall_ms % CLOCK_MODULUS, row=CLOCK_ROW)


def read_clock(image: npt.NDArray[Any]) -> int | None:
    """The clock code (wall-clock ms modulo 65536) of an image, or None if it has none."""
    return read(image, row=CLOCK_ROW)


def clock_age_ms(now_ms: float, stamped: int) -> int:
    """Milliseconds from a stamped clock code to `now_ms` (same wall clock), for ages under 65.5 s."""
    return (int(now_ms) - stamped) % CLOCK_MODULUS
