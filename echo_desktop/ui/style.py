"""The look of ECHO Desktop: a calm, high-contrast palette and one application stylesheet.

Every text/background pair below meets WCAG AA contrast (4.5:1) or better. Font sizes are
relative to the system font, so the user's own size setting is respected.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtCore import QTemporaryDir
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QWidget

from echo_desktop.session.models import Role

logger = logging.getLogger(__name__)

MIN_BASE_POINT_SIZE = 10.0
"""The application font is raised to at least this size; it is never made smaller."""

# --- palette ---------------------------------------------------------------------------------

WINDOW_BG = "#F3F5F7"
SURFACE = "#FFFFFF"
BORDER = "#D5DBE1"
BORDER_STRONG = "#7A8794"  # 3.7:1 on white: input outlines meet the 3:1 non-text rule
TEXT = "#1B2631"
TEXT_MUTED = "#4A5866"
PRIMARY = "#0F6674"
PRIMARY_HOVER = "#0B525D"
PRIMARY_PRESSED = "#08414A"
FOCUS_RING = "#0F6674"
DANGER = "#B42318"
DANGER_HOVER = "#921C13"
OK_GREEN = "#1E7F4F"
WARN_AMBER = "#A15C00"

ERROR_BG, ERROR_BORDER, ERROR_TEXT = "#FDECEA", "#F4B4AE", "#8C1D13"
WARNING_BG, WARNING_BORDER, WARNING_TEXT = "#FFF6E0", "#F0CF7A", "#6B4500"
INFO_BG, INFO_BORDER, INFO_TEXT = "#E8F3F5", "#A9D3DA", "#0B4F5A"

VIDEO_BG = "#12181D"
TILE_BG = "#1E262D"
TILE_TEXT = "#E6EBEF"
TILE_TEXT_MUTED = "#AAB6C0"

ROLE_COLORS: dict[Role, str] = {
    Role.HUB: "#2B7A9B",
    Role.FACILITATOR: "#6B5BA8",
    Role.SPOKE: "#3C7D5A",
}
"""A calm accent per role: avatar circles and the dot beside a name in the participant list."""


def role_color(role: Role) -> QColor:
    """The accent colour of a role."""
    return QColor(ROLE_COLORS.get(role, ROLE_COLORS[Role.SPOKE]))


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """A copy of `base`, `factor` times as large (relative sizing keeps user settings)."""
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else MIN_BASE_POINT_SIZE
    font.setPointSizeF(size * factor)
    font.setBold(bold)
    return font


def set_heading(widget: QWidget, factor: float) -> None:
    """Make a label a heading: larger and bold, relative to the application font."""
    widget.setFont(scaled_font(QApplication.font(), factor, bold=True))


_STYLESHEET_TEMPLATE = """
QMainWindow, QStackedWidget {{ background: {WINDOW_BG}; }}
QWidget {{ color: {TEXT}; }}
QToolTip {{ color: {TEXT}; background: {SURFACE}; border: 1px solid {BORDER}; padding: 4px; }}

QFrame#Card {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    border-radius: 12px;
}}
QLabel#Muted {{ color: {TEXT_MUTED}; }}
QLabel#FieldError {{ color: {ERROR_TEXT}; }}
QLabel#Brand {{ color: {PRIMARY}; }}

QLineEdit, QComboBox {{
    background: {SURFACE};
    border: 1px solid {BORDER_STRONG};
    border-radius: 6px;
    padding: 6px 8px;
    min-height: 1.6em;
    selection-background-color: {PRIMARY};
    selection-color: #FFFFFF;
}}
QLineEdit:focus, QComboBox:focus {{ border: 2px solid {FOCUS_RING}; padding: 5px 7px; }}
QLineEdit[invalid="true"] {{ border: 2px solid {DANGER}; padding: 5px 7px; }}
QLineEdit:disabled, QComboBox:disabled {{ background: {WINDOW_BG}; color: {TEXT_MUTED}; }}
QComboBox QAbstractItemView {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    selection-background-color: {INFO_BG};
    selection-color: {TEXT};
}}

QPushButton {{
    background: {SURFACE};
    color: {TEXT};
    border: 1px solid {BORDER_STRONG};
    border-radius: 6px;
    padding: 7px 16px;
}}
QPushButton:hover {{ background: {WINDOW_BG}; }}
QPushButton:focus {{ border: 2px solid {FOCUS_RING}; padding: 6px 15px; }}
QPushButton:disabled {{ color: {TEXT_MUTED}; background: {WINDOW_BG}; border-color: {BORDER}; }}

QPushButton#Primary {{
    background: {PRIMARY};
    color: #FFFFFF;
    border: 1px solid {PRIMARY};
    font-weight: bold;
    padding: 9px 20px;
}}
QPushButton#Primary:hover {{ background: {PRIMARY_HOVER}; }}
QPushButton#Primary:pressed {{ background: {PRIMARY_PRESSED}; }}
QPushButton#Primary:focus {{ border: 3px solid {PRIMARY_PRESSED}; padding: 7px 18px; }}
QPushButton#Primary:disabled {{ background: #5E8F97; border-color: #5E8F97; color: #FFFFFF; }}

QPushButton#Danger {{
    background: {DANGER};
    color: #FFFFFF;
    border: 1px solid {DANGER};
    font-weight: bold;
}}
QPushButton#Danger:hover {{ background: {DANGER_HOVER}; }}
QPushButton#Danger:focus {{ border: 3px solid #5E120C; padding: 5px 14px; }}
QPushButton#Danger:disabled {{ background: #D99A94; border-color: #D99A94; color: #FFFFFF; }}

QCheckBox {{ spacing: 8px; }}
QCheckBox::indicator {{
    width: 16px; height: 16px;
    border: 2px solid {BORDER_STRONG}; border-radius: 4px; background: {SURFACE};
}}
QCheckBox::indicator:hover {{ border-color: {PRIMARY}; }}
QCheckBox::indicator:focus {{ border-color: {PRIMARY_PRESSED}; }}
QCheckBox::indicator:checked {{ background: {PRIMARY}; border-color: {PRIMARY}; }}
QCheckBox::indicator:disabled {{ border-color: {BORDER}; background: {WINDOW_BG}; }}
QComboBox::drop-down {{
    subcontrol-origin: padding; subcontrol-position: center right;
    width: 28px; border: none;
}}

QProgressBar {{
    border: none;
    background: {INFO_BG};
    border-radius: 2px;
    max-height: 4px;
}}
QProgressBar::chunk {{ background: {PRIMARY}; border-radius: 2px; }}

QFrame#Banner[kind="error"] {{
    background: {ERROR_BG}; border: 1px solid {ERROR_BORDER}; border-radius: 8px;
}}
QFrame#Banner[kind="error"] QLabel {{ color: {ERROR_TEXT}; }}
QFrame#Banner[kind="warning"] {{
    background: {WARNING_BG}; border: 1px solid {WARNING_BORDER}; border-radius: 8px;
}}
QFrame#Banner[kind="warning"] QLabel {{ color: {WARNING_TEXT}; }}
QFrame#Banner[kind="info"] {{
    background: {INFO_BG}; border: 1px solid {INFO_BORDER}; border-radius: 8px;
}}
QFrame#Banner[kind="info"] QLabel {{ color: {INFO_TEXT}; }}
QFrame#Banner QPushButton {{ background: transparent; padding: 4px 10px; }}
QFrame#Banner QPushButton:hover {{ background: rgba(0, 0, 0, 0.06); }}
QFrame#Banner QPushButton:focus {{ padding: 3px 9px; }}

QFrame#CallHeader {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
QFrame#SidePanel {{ background: {SURFACE}; border-left: 1px solid {BORDER}; }}
QWidget#VideoArea {{ background: {VIDEO_BG}; }}
QListWidget#ParticipantList {{ background: {SURFACE}; border: none; outline: none; }}
QListWidget#ParticipantList::item {{ border-radius: 6px; }}
QListWidget#ParticipantList::item:selected {{ background: {INFO_BG}; color: {TEXT}; }}
QFrame#Divider {{ background: {BORDER}; border: none; }}
QLabel#VolumeTitle {{ font-weight: bold; }}

QFrame#ControlBar {{ background: {SURFACE}; border-top: 1px solid {BORDER}; }}
QPushButton#MediaToggle {{ padding: 8px 18px; font-weight: bold; }}
QPushButton#MediaToggle:focus {{ padding: 7px 17px; }}
QPushButton#MediaToggle[off="true"] {{
    background: {ERROR_BG}; color: {ERROR_TEXT}; border: 1px solid {ERROR_BORDER};
}}
QPushButton#MediaToggle[off="true"]:hover {{ background: #FADBD7; }}
QPushButton#MediaToggle[off="true"]:focus {{ border: 2px solid {DANGER}; }}
QPushButton#MediaToggle:disabled {{
    color: {TEXT_MUTED}; background: {WINDOW_BG}; border: 1px solid {BORDER};
}}
QPushButton#MediaToggle::menu-indicator {{ subcontrol-position: right center; right: 8px; }}
QPushButton#Small {{ padding: 4px 10px; }}
QPushButton#Small:focus {{ padding: 3px 9px; }}

QMenu {{ background: {SURFACE}; border: 1px solid {BORDER}; padding: 6px 0; }}
QMenu::item {{ padding: 6px 28px 6px 28px; color: {TEXT}; }}
QMenu::item:selected {{ background: {INFO_BG}; color: {TEXT}; }}
QMenu::item:disabled {{ color: {TEXT_MUTED}; }}
QMenu::separator {{ height: 1px; background: {BORDER}; margin: 6px 10px; }}
QMenu::indicator {{ width: 14px; height: 14px; left: 8px; }}

QSlider::groove:horizontal {{ height: 4px; background: {BORDER}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {PRIMARY}; border-radius: 2px; }}
QSlider::handle:horizontal {{
    width: 16px; height: 16px; margin: -7px 0;
    background: {SURFACE}; border: 2px solid {PRIMARY}; border-radius: 9px;
}}
QSlider::handle:horizontal:focus {{ background: {INFO_BG}; border: 3px solid {PRIMARY_PRESSED}; }}
QSlider:focus {{ outline: none; }}

QScrollArea#LobbyScroll, QWidget#LobbyCanvas, QWidget#LobbyContent, QWidget#SessionList {{
    background: {WINDOW_BG};
}}
QLabel#Freshness {{ color: {TEXT_MUTED}; }}
QLabel#Freshness[offline="true"] {{ color: {WARNING_TEXT}; font-weight: bold; }}
QLabel#OfflineNote {{
    color: {WARNING_TEXT}; background: {WARNING_BG};
    border-left: 4px solid {WARN_AMBER}; border-radius: 4px; padding: 8px 12px;
}}
QLabel#DayHeading {{ color: {TEXT}; padding-top: 10px; }}
QFrame#SessionCard {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px;
}}
QFrame#SessionCard QLabel {{ background: transparent; }}
QLabel#SessionTime {{ color: {PRIMARY}; }}
QFrame#SessionCard QPushButton#Primary:disabled {{
    background: {WINDOW_BG}; color: {TEXT_MUTED}; border: 1px solid {BORDER}; font-weight: normal;
}}
QLabel#SessionStatus {{
    border-radius: 10px; padding: 2px 10px; color: {TEXT_MUTED}; background: {WINDOW_BG};
}}
QLabel#SessionStatus[state="open"] {{ color: #FFFFFF; background: {OK_GREEN}; font-weight: bold; }}
QLabel#SessionStatus[state="live"] {{ color: #FFFFFF; background: {DANGER}; font-weight: bold; }}
QLabel#MovedTag {{
    border-radius: 10px; padding: 2px 10px; color: {WARNING_TEXT}; background: {WARNING_BG};
    border: 1px solid {WARNING_BORDER}; font-weight: bold;
}}
QWidget#CaseFormView, QWidget#CaseFields, QWidget#MyCasesView, QWidget#ReviewView {{
    background: {WINDOW_BG};
}}
QScrollArea#CaseScroll, QScrollArea#CaseListScroll, QWidget#CaseListCanvas, QWidget#CaseListContent,
QWidget#CaseList {{
    background: {WINDOW_BG};
}}
QPlainTextEdit {{
    background: {SURFACE}; border: 1px solid {BORDER_STRONG}; border-radius: 6px; padding: 4px;
    selection-background-color: {PRIMARY}; selection-color: #FFFFFF;
}}
QPlainTextEdit:focus {{ border: 2px solid {FOCUS_RING}; padding: 3px; }}
QPlainTextEdit:read-only {{ background: {WINDOW_BG}; }}
QFrame#FindingsPanel {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame#FindingsPanel QScrollArea, QFrame#FindingsPanel QScrollArea > QWidget > QWidget {{
    background: {SURFACE};
}}
QFrame#FindingRow {{
    background: {ERROR_BG}; border: 1px solid {ERROR_BORDER}; border-radius: 8px;
}}
QFrame#FindingRow QLabel {{ color: {ERROR_TEXT}; background: transparent; }}
QLabel#FindingsSummary {{ color: {OK_GREEN}; font-weight: bold; }}
QLabel#FindingsSummary[open="true"] {{ color: {ERROR_TEXT}; }}
QLabel#FindingsSummary[checking="true"] {{ color: {TEXT_MUTED}; }}
QLabel#SubmitNote {{ color: {WARNING_TEXT}; }}
QFrame#CaseCard {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame#CaseCard QLabel {{ background: transparent; }}
QLabel#CaseStatus {{
    border-radius: 10px; padding: 2px 10px; color: {TEXT_MUTED}; background: {WINDOW_BG};
    border: 1px solid {BORDER};
}}
QLabel#CaseStatus[tone="waiting"] {{
    color: {WARNING_TEXT}; background: {WARNING_BG}; border-color: {WARNING_BORDER};
}}
QLabel#CaseStatus[tone="action"] {{
    color: {ERROR_TEXT}; background: {ERROR_BG}; border-color: {ERROR_BORDER};
}}
QLabel#CaseStatus[tone="good"] {{
    color: #FFFFFF; background: {OK_GREEN}; border-color: {OK_GREEN}; font-weight: bold;
}}
QLabel#CaseStatus[tone="info"] {{ color: {INFO_TEXT}; background: {INFO_BG}; border-color: {INFO_BORDER}; }}
QLabel#CaseDetail {{ color: {TEXT_MUTED}; }}
QFrame#CaseCard QLabel#Comments {{
    background: {WARNING_BG}; color: {WARNING_TEXT}; border-left: 4px solid {WARN_AMBER}; border-radius: 4px;
    padding: 8px 12px;
}}
QFrame#CaseCard QLabel#Recommendations {{
    background: {INFO_BG}; color: {TEXT}; border-left: 4px solid {PRIMARY}; border-radius: 4px;
    padding: 8px 12px;
}}
QListWidget#ReviewQueue {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; outline: none;
}}
QListWidget#ReviewQueue::item {{ padding: 8px; border-bottom: 1px solid {BORDER}; }}
QListWidget#ReviewQueue::item:selected {{ background: {INFO_BG}; color: {TEXT}; }}
QDialog#Subscribe {{ background: {WINDOW_BG}; }}
QRadioButton {{ spacing: 8px; }}

QDialog#DeviceCheck {{ background: {WINDOW_BG}; }}
QProgressBar#LevelMeter {{
    background: {WINDOW_BG}; border: 1px solid {BORDER}; border-radius: 5px;
    min-height: 10px; max-height: 10px;
}}
QProgressBar#LevelMeter::chunk {{ background: {OK_GREEN}; border-radius: 4px; }}
QProgressBar#LevelMeter:disabled {{ background: {WINDOW_BG}; }}
QLabel#VerdictSign {{
    color: #FFFFFF; font-weight: bold; border-radius: 10px; background: {BORDER_STRONG};
}}
QLabel#VerdictSign[kind="ok"] {{ background: {OK_GREEN}; }}
QLabel#VerdictSign[kind="warning"] {{ background: {WARN_AMBER}; }}
QLabel#VerdictSign[kind="error"] {{ background: {DANGER}; }}
QLabel#VerdictSign[kind="question"] {{ background: {PRIMARY}; }}
QLabel#VerdictText {{ color: {TEXT_MUTED}; }}
QLabel#VerdictText[kind="ok"] {{ color: {OK_GREEN}; font-weight: bold; }}
QLabel#VerdictText[kind="warning"] {{ color: {WARNING_TEXT}; font-weight: bold; }}
QLabel#VerdictText[kind="error"] {{ color: {ERROR_TEXT}; font-weight: bold; }}
QLabel#VerdictText[kind="question"] {{ color: {TEXT}; font-weight: bold; }}
"""


_CHECK_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">'
    '<path d="M3.2 8.4 6.4 11.4 12.8 4.6" fill="none" stroke="#FFFFFF" stroke-width="2.2" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
)
_CHEVRON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">'
    f'<path d="M3.5 6 8 10.5 12.5 6" fill="none" stroke="{TEXT}" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
)
_icon_dir: QTemporaryDir | None = None


def _icon_url(name: str, svg: str) -> str:
    """Write a small SVG icon for the stylesheet; '' if that is not possible (no icon then)."""
    global _icon_dir
    if _icon_dir is None:
        _icon_dir = QTemporaryDir()
    if not _icon_dir.isValid():
        return ""
    path = Path(_icon_dir.path()) / name
    try:
        if not path.exists():
            path.write_text(svg, encoding="utf-8")
    except OSError:
        logger.warning("Could not write the stylesheet icon %s", path, exc_info=True)
        return ""
    return path.as_posix()


@functools.cache
def stylesheet() -> str:
    """The application stylesheet (built once; its check mark and arrow icons are SVG files)."""
    check = _icon_url("check.svg", _CHECK_SVG)
    chevron = _icon_url("chevron-down.svg", _CHEVRON_SVG)
    colors = {name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)}
    css = _STYLESHEET_TEMPLATE.format_map(colors)
    if check:
        css += f"QCheckBox::indicator:checked {{ image: url('{check}'); }}\n"
    if chevron:
        css += f"QComboBox::down-arrow {{ image: url('{chevron}'); width: 14px; height: 14px; }}\n"
    return css


def apply_style(app: QApplication) -> None:
    """Install the stylesheet and a readable base font on the application."""
    font = app.font()
    if 0 < font.pointSizeF() < MIN_BASE_POINT_SIZE:
        font.setPointSizeF(MIN_BASE_POINT_SIZE)
        app.setFont(font)
    app.setStyleSheet(stylesheet())
    logger.debug("Applied ECHO Desktop style (base font %.1f pt)", font.pointSizeF())
