"""The stylesheet parses wherever its icons land, even in a temp folder whose path has spaces,
brackets or a semicolon (an odd user or app name): the icon URLs are quoted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QCheckBox

from echo_desktop.ui import style


@pytest.fixture
def fresh_stylesheet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "Dana <Taos> Clinic; (Temp)"
    folder.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(style, "_icon_dir", None)
    style.stylesheet.cache_clear()
    yield folder
    style.stylesheet.cache_clear()


def test_the_stylesheet_parses_with_its_icons_under_an_awkward_path(
    qapp: QApplication, fresh_stylesheet: Path
) -> None:
    messages: list[str] = []

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        messages.append(message)

    css = style.stylesheet()
    assert str(fresh_stylesheet) in css  # the icons really are under the awkward path
    previous = qInstallMessageHandler(handler)
    try:
        box = QCheckBox("Mute")
        box.setStyleSheet(css)
        box.ensurePolished()
    finally:
        qInstallMessageHandler(previous)
    assert not [m for m in messages if "parse" in m.lower()], messages
