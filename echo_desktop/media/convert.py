"""Frame conversion for drawing."""

from __future__ import annotations

from typing import cast

import av

from echo_desktop.session.models import RgbArray


def to_rgb(frame: av.VideoFrame) -> RgbArray:
    """Packed 8-bit RGB (HxWx3) of a decoded frame, ready to wrap in a QImage."""
    return cast(RgbArray, frame.to_ndarray(format="rgb24"))
