"""Frame conversion for drawing: decoded frames to the GUI's pixel layout, scaled to the tile."""

from __future__ import annotations

import sys
from typing import cast

import av
import cv2
import numpy as np
import numpy.typing as npt
from av.video.reformatter import Interpolation, VideoReformatter

from echo_desktop.session.models import Rgb32Array

# QImage.Format_RGB32 is 0xffRRGGBB in native-endian 32-bit words: bytes B, G, R, 255 on
# little-endian machines, A, R, G, B on big-endian ones. Handing the GUI exactly that layout
# makes painting a plain copy: measured 0.022 ms against 0.083 ms for packed RGB888 (506x380).
DISPLAY_FORMAT = "bgra" if sys.byteorder == "little" else "argb"

# OpenCV splits a conversion across a pool of worker threads, which then spin on sched_yield
# for a while waiting for more (12,000 calls a second in a call). For one VGA frame at a time
# that costs more than it saves: at 15 fps the camera's conversion took 1.6 % of a core with
# two threads and 0.8 % with one (0.5 ms a frame).
# Every module of ours that uses OpenCV imports this one.
cv2.setNumThreads(1)


def fit_size(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The largest even size with the frame's aspect that fits the box (never upscaled)."""
    if box_width <= 0 or box_height <= 0 or (width <= box_width and height <= box_height):
        return width, height
    scale = min(box_width / width, box_height / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


class FrameConverter:
    """Converts one feed's frames to `DISPLAY_FORMAT`, scaled to fit a box.

    Keep one per feed: it holds the swscale context, which PyAV would otherwise build afresh for
    every frame (measured per VGA frame scaled to 506x380: 1.22 ms with a new context each time,
    0.36 ms with this one). Scaling here, off the GUI thread, leaves the GUI a plain blit.
    Not thread-safe: use it from one thread.
    """

    def __init__(self) -> None:
        self._reformatter = VideoReformatter()

    def convert(self, frame: av.VideoFrame, box: tuple[int, int] = (0, 0)) -> Rgb32Array:
        """HxWx4 pixels in QImage RGB32 layout, scaled to fit `box` ((0, 0): full size)."""
        width, height = fit_size(frame.width, frame.height, box[0], box[1])
        converted = self._reformatter.reformat(
            frame,
            format=DISPLAY_FORMAT,
            width=width,
            height=height,
            # FAST_BILINEAR: cheaper than BILINEAR, and downscaling for a tile shows no difference.
            interpolation=Interpolation.FAST_BILINEAR,
            # One thread: swscale's automatic threads cost more CPU than they save for frames this
            # small (VGA to 506x380: 0.62 ms CPU automatic, 0.36 ms with one thread).
            threads=1,
        )
        # Contiguous, so the GUI can wrap it without a copy (swscale pads rows to its alignment).
        return cast(Rgb32Array, np.ascontiguousarray(converted.to_ndarray()))


def encoder_frame(image: npt.NDArray[np.uint8], channel_order: str = "bgr") -> av.VideoFrame:
    """A frame for the VP8 encoder from an HxWx3 picture (`channel_order` "bgr" or "rgb").

    The encoder wants I420; handing it one saves its own per-frame swscale set-up (OpenCV's
    conversion measured 0.06 ms for VGA). Odd sizes, which I420 cannot hold, go through as they are.
    """
    height, width = image.shape[:2]
    if height % 2 or width % 2:
        return av.VideoFrame.from_ndarray(image, format=f"{channel_order}24")
    code = cv2.COLOR_BGR2YUV_I420 if channel_order == "bgr" else cv2.COLOR_RGB2YUV_I420
    i420 = cast(npt.NDArray[np.uint8], cv2.cvtColor(image, code))
    return av.VideoFrame.from_ndarray(i420, format="yuv420p")


def display_pixels(image: npt.NDArray[np.uint8], channel_order: str = "bgr") -> Rgb32Array:
    """An HxWx3 picture (`channel_order` "bgr" or "rgb") in the GUI's RGB32 layout, same size."""
    code = cv2.COLOR_BGR2BGRA if channel_order == "bgr" else cv2.COLOR_RGB2BGRA
    bgra = cast(Rgb32Array, cv2.cvtColor(image, code))
    if DISPLAY_FORMAT == "argb":  # big-endian words: bytes A, R, G, B
        bgra = np.ascontiguousarray(bgra[..., ::-1])
    return bgra
