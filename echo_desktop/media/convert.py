"""Frame conversion for drawing."""

from __future__ import annotations

from typing import cast

import av

from echo_desktop.session.models import RgbArray


def fit_size(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The largest even size with the frame's aspect that fits the box (never upscaled)."""
    if box_width <= 0 or box_height <= 0 or (width <= box_width and height <= box_height):
        return width, height
    scale = min(box_width / width, box_height / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def to_rgb(frame: av.VideoFrame, box: tuple[int, int] = (0, 0)) -> RgbArray:
    """Packed 8-bit RGB (HxWx3) of a decoded frame, scaled to fit `box`, ready for a QImage.

    Scaling here, in swscale on the engine thread, leaves the GUI thread a plain blit.
    """
    width, height = fit_size(frame.width, frame.height, box[0], box[1])
    if (width, height) == (frame.width, frame.height):
        return cast(RgbArray, frame.to_ndarray(format="rgb24"))
    return cast(
        # FAST_BILINEAR: a quarter cheaper than BILINEAR, and downscaling for a tile shows no
        # difference (measured 0.34 vs 0.45 ms for VGA to 404x304).
        RgbArray,
        frame.to_ndarray(format="rgb24", width=width, height=height, interpolation="FAST_BILINEAR"),
    )
