"""Small line icons (microphone, camera, speaker, devices), drawn from SVG in any colour.

The icons are 24x24 outlines with round caps, so they sit calmly next to the system font.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

logger = logging.getLogger(__name__)

_MIC = (
    '<rect x="9" y="3" width="6" height="11" rx="3"/>'
    '<path d="M5.5 11a6.5 6.5 0 0 0 13 0"/><path d="M12 17.5V21"/><path d="M8.5 21h7"/>'
)
_SLASH = '<path d="M4 3.5 20 20.5"/>'
_CAMERA = '<rect x="3" y="6.5" width="12.5" height="11" rx="2.5"/><path d="M15.5 10.5 21 7.5v9l-5.5-3"/>'
_SPEAKER = (
    '<path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z"/>'
    '<path d="M15.5 9a4.2 4.2 0 0 1 0 6"/><path d="M18 6.5a7.8 7.8 0 0 1 0 11"/>'
)
_SLIDERS = (
    '<path d="M4 7h9"/><path d="M17 7h3"/><circle cx="15" cy="7" r="2"/>'
    '<path d="M4 17h3"/><path d="M11 17h9"/><circle cx="9" cy="17" r="2"/>'
)

_CALENDAR = (
    '<rect x="3.5" y="5" width="17" height="15.5" rx="2.5"/><path d="M3.5 10h17"/>'
    '<path d="M8 3v4"/><path d="M16 3v4"/><path d="M12 13v5"/><path d="M9.5 15.5h5"/>'
)

SHAPES: dict[str, str] = {
    "mic": _MIC,
    "mic-off": _MIC + _SLASH,
    "camera": _CAMERA,
    "camera-off": _CAMERA + _SLASH,
    "speaker": _SPEAKER,
    "devices": _SLIDERS,
    "calendar": _CALENDAR,
}
"""Icon names and their SVG shapes (24x24 user units, stroked)."""


def svg(name: str, color: str, stroke_width: float = 2.0) -> str:
    """The SVG text of an icon in a colour."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
        f'fill="none" stroke="{color}" stroke-width="{stroke_width}" stroke-linecap="round" '
        f'stroke-linejoin="round">{SHAPES[name]}</svg>'
    )


@functools.cache
def _renderer(name: str, color: str, stroke_width: float) -> QSvgRenderer:
    renderer = QSvgRenderer(QByteArray(svg(name, color, stroke_width).encode("utf-8")))
    if not renderer.isValid():
        logger.warning("Icon %s could not be drawn", name)
    return renderer


def paint_icon(
    painter: QPainter, rect: QRectF, name: str, color: QColor | str, stroke_width: float = 2.0
) -> None:
    """Draw an icon into `rect` with the painter (used by tiles and the participant list)."""
    hex_color = QColor(color).name()
    _renderer(name, hex_color, stroke_width).render(painter, rect)


def pixmap(name: str, color: QColor | str, size: int, ratio: float = 2.0) -> QPixmap:
    """An icon as a pixmap of `size` logical pixels (drawn at `ratio` for sharp HiDPI edges)."""
    pixels = max(1, round(size * ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_icon(painter, QRectF(0, 0, pixels, pixels), name, color)
    finally:
        painter.end()
    result = QPixmap.fromImage(image)
    result.setDevicePixelRatio(ratio)
    return result


def icon(name: str, color: QColor | str, disabled_color: QColor | str | None = None) -> QIcon:
    """A QIcon in a colour, with an optional colour for the disabled state."""
    result = QIcon()
    for size in (16, 20, 24, 32):
        result.addPixmap(pixmap(name, color, size), QIcon.Mode.Normal)
        if disabled_color is not None:
            result.addPixmap(pixmap(name, disabled_color, size), QIcon.Mode.Disabled)
    return result
