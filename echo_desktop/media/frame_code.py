"""A frame counter drawn into the picture, so receivers can judge video by its content.

The counter is a strip of 32 black or white blocks across the top of the frame: 16 bits of the
counter, then the same 16 bits inverted as a check. Big blocks survive VP8/H.264 at low bit rates,
and reading works at any resolution because positions are relative.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BITS = 16
BLOCKS = 2 * BITS
STRIP_FRACTION = 1 / 20  # of the frame height

Image = npt.NDArray[np.uint8]


def _bits(counter: int) -> list[int]:
    value = counter & 0xFFFF
    data = [(value >> (BITS - 1 - i)) & 1 for i in range(BITS)]
    return data + [1 - b for b in data]


def stamp(image: Image, counter: int) -> None:
    """Draw the counter strip into an HxWx3 image, in place."""
    height, width = image.shape[:2]
    strip = max(8, int(height * STRIP_FRACTION))
    for i, bit in enumerate(_bits(counter)):
        x0 = i * width // BLOCKS
        x1 = (i + 1) * width // BLOCKS
        image[:strip, x0:x1] = 255 if bit else 0


def read(image: Image) -> int | None:
    """Read the counter from an HxWx3 image, or None if there is no valid strip."""
    height, width = image.shape[:2]
    if height < 16 or width < BLOCKS * 4:
        return None
    strip = max(8, int(height * STRIP_FRACTION))
    y0, y1 = strip // 4, strip - strip // 4
    bits: list[int] = []
    for i in range(BLOCKS):
        x0 = i * width // BLOCKS
        x1 = (i + 1) * width // BLOCKS
        margin = max(1, (x1 - x0) // 4)
        level = float(image[y0:y1, x0 + margin : x1 - margin].mean())
        if 80 < level < 175:
            return None  # neither black nor white: not our strip
        bits.append(1 if level >= 128 else 0)
    data, check = bits[:BITS], bits[BITS:]
    if any(d == c for d, c in zip(data, check, strict=True)):
        return None
    value = 0
    for bit in data:
        value = (value << 1) | bit
    return value
