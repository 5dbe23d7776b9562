"""Render the README screenshots offscreen with the fake engine.

Run from the repository root:  QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.render_screenshots
Writes docs/screenshots/join.png, join-error.png and call-fake.png.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import qasync
from PySide6.QtWidgets import QApplication, QWidget

from echo_desktop.session import events as ev
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.errors import ServerGoneError, WrongPinError
from echo_desktop.session.models import Role
from echo_desktop.ui.main_window import MainWindow
from echo_desktop.ui.style import apply_style
from tests.fakes import FakeEngine, MemorySettingsStore

OUT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WINDOW_SIZE = (1280, 800)


class PortraitEngine(FakeEngine):
    """The fake engine, with a soft gradient and a head-and-shoulders shape instead of flat colour."""

    def _solid(self, feed_id: int) -> np.ndarray:
        pixels = self._pixels.get(feed_id)
        if pixels is not None:
            return pixels
        h, w = self.frame_height, self.frame_width
        base = np.array(self.color_of(feed_id), dtype=np.float32)
        shade = np.linspace(1.15, 0.75, h, dtype=np.float32)[:, None, None]
        image = np.clip(base * shade * np.ones((h, w, 1), np.float32), 0, 255)
        yy, xx = np.mgrid[0:h, 0:w]
        head = ((xx - w / 2) / (0.13 * w)) ** 2 + ((yy - 0.42 * h) / (0.2 * h)) ** 2 <= 1
        body = ((xx - w / 2) / (0.3 * w)) ** 2 + ((yy - 1.05 * h) / (0.38 * h)) ** 2 <= 1
        image[head | body] = base * 0.45
        pixels = image.astype(np.uint8)
        pixels.flags.writeable = False
        self._pixels[feed_id] = pixels
        return pixels


def settle(app: QApplication, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, name: str) -> Path:
    path = OUT_DIR / name
    widget.grab().save(str(path))
    print(f"wrote {path}")
    return path


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    settings = MemorySettingsStore({"name": "Dr. Ana Ruiz", "role": Role.HUB.value, "room": "1234"})
    engine = PortraitEngine(frame_size=(320, 240))
    session = ClinicSession(engine)
    window = MainWindow(session, settings)
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app)
    save(window, "join.png")

    async def scenario() -> None:
        engine.fail_with = WrongPinError("Unauthorized (wrong pin)")
        window.join_view.pin_edit.setText("0000")
        window.join_view.submit()
        await asyncio.sleep(0.2)
        save(window, "join-error.png")

        engine.fail_with = None
        window.join_view.pin_edit.setText("7391")
        window.join_view.submit()
        while not window.showing_call:
            await asyncio.sleep(0.02)
        engine.add_remote("Bea Okafor, RN", Role.FACILITATOR)
        engine.add_remote("Dr. Carl Mendes", Role.SPOKE)
        engine.add_remote("Dana Whitehorse, NP", Role.SPOKE)
        engine.emit(ev.Notice("No microphone was found. Others will not hear you until one is connected."))
        await asyncio.sleep(0.3)
        save(window, "call-fake.png")
        if os.environ.get("ECHO_SCREENSHOT_EXTRAS"):
            late = engine.add_remote("Eli Nakamura", Role.SPOKE)
            engine.paused.add(late.feed_id)
            engine.emit(ev.EngineFailed(ServerGoneError()))
            await asyncio.sleep(0.3)
            save(window, "call-failed.png")
        await session.leave()
        await asyncio.sleep(0.1)

    with loop:
        loop.run_until_complete(scenario())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
