"""Render the README screenshots offscreen with the fake engine.

Run from the repository root:  QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.render_screenshots
Writes docs/screenshots/join.png, join-error.png, call-fake.png, device-check.png,
call-controls.png, the lobby's lobby-checking.png (the cache at start, before the hub has
answered), lobby-online.png, lobby-offline.png, subscribe.png and join-from-lobby.png, and the case screens'
case-form.png (with findings marked), my-cases.png and review.png (with the real guard, so the
pictures show what it finds, and that "Graves disease" is not a name). The
lobby's problem lines are made by the real client's code (tests/ui/hub_words.py), so the pictures
show what users will read.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import qasync
from PySide6.QtWidgets import QApplication, QWidget

from echo_desktop.cases.deid import scan
from echo_desktop.cases.ports import MyCase
from echo_desktop.media.convert import display_pixels
from echo_desktop.session import events as ev
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.errors import ServerGoneError, WrongPinError
from echo_desktop.session.models import Role, VideoFrame
from echo_desktop.ui.cases.case_form_view import CHECKING_TEXT
from echo_desktop.ui.cases.review_view import CHECKING_RECOMMENDATIONS_TEXT, RECOMMEND_MODE
from echo_desktop.ui.main_window import MainWindow
from echo_desktop.ui.style import apply_style
from tests.fake_cases import PROGRAM, FakeCaseSource
from tests.fake_schedule import FakeScheduleSource, MovableClock, RecordingExport
from tests.fakes import FakeDevices, FakeEngine, FakePreview, MemorySettingsStore
from tests.ui.case_data import (
    RECOMMENDATIONS_DRAFT,
    case_form_draft,
    my_cases_list,
    presented_cases,
    review_queue,
)
from tests.ui.hub_words import unreachable_problem
from tests.ui.lobby_data import LOCAL, NOW, week_snapshot

OUT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WINDOW_SIZE = (1280, 800)


class PortraitEngine(FakeEngine):
    """The fake engine, with a soft gradient and a head-and-shoulders shape instead of flat colour."""

    def _solid(self, feed_id: int) -> np.ndarray:
        pixels = self._pixels.get(feed_id)
        if pixels is None:
            pixels = portrait(self.color_of(feed_id), self.frame_width, self.frame_height)
            self._pixels[feed_id] = pixels
        return pixels


def portrait(color: tuple[int, int, int], width: int, height: int) -> np.ndarray:
    """A soft vertical gradient with a head-and-shoulders shape, like a webcam picture."""
    base = np.array(color, dtype=np.float32)
    shade = np.linspace(1.15, 0.75, height, dtype=np.float32)[:, None, None]
    image = np.clip(base * shade * np.ones((height, width, 1), np.float32), 0, 255)
    yy, xx = np.mgrid[0:height, 0:width]
    head = ((xx - width / 2) / (0.13 * width)) ** 2 + ((yy - 0.42 * height) / (0.2 * height)) ** 2 <= 1
    body = ((xx - width / 2) / (0.3 * width)) ** 2 + ((yy - 1.05 * height) / (0.38 * height)) ** 2 <= 1
    image[head | body] = base * 0.45
    pixels = display_pixels(image.astype(np.uint8), "rgb")
    pixels.flags.writeable = False
    return pixels


class PortraitPreview(FakePreview):
    """A camera preview showing a portrait instead of a flat colour."""

    def __init__(self, devices: FakeDevices, device: str | None) -> None:
        super().__init__(device, (72, 132, 150), (320, 240))
        self._portrait = portrait(self.color, 320, 240)
        self._count = 0

    def latest_frame(self) -> VideoFrame | None:
        self._count += 1
        return VideoFrame(self._portrait, self._count)


class PortraitDevices(FakeDevices):
    """FakeDevices whose camera preview shows a portrait."""

    def open_camera_preview(self, device: str | None) -> FakePreview:
        preview = PortraitPreview(self, device)
        self.previews.append(preview)
        return preview


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
    devices = PortraitDevices()
    window = MainWindow(session, settings, devices)
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app)
    save(window, "join.png")

    async def device_check() -> None:
        window.open_device_check()
        dialog = window.device_check
        assert dialog is not None
        while dialog.microphone_verdict.text != "Microphone: no sound yet — speak to test":
            await asyncio.sleep(0.02)
        devices.level = 0.22
        dialog.play_button.click()
        while not dialog.heard_yes_button.isVisible():
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)
        save(dialog, "device-check.png")
        dialog.accept()
        await asyncio.sleep(0.2)

    async def scenario() -> None:
        await device_check()
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
        call = window.call_view
        call.notice_banner.clear()
        call.notice_banner.dismissed.emit()
        bea, carl, dana = (p for p in session.participants)
        engine.emit(ev.ParticipantUpdated(replace(carl, muted=True)))
        engine.emit(ev.ParticipantUpdated(replace(dana, camera_on=False)))
        await asyncio.sleep(0.2)
        call.participant_list.select_feed(bea.feed_id)
        call.volume_panel.slider.setValue(80)
        await session.set_muted(True)
        await asyncio.sleep(0.3)
        save(window, "call-controls.png")
        if os.environ.get("ECHO_SCREENSHOT_EXTRAS"):
            late = engine.add_remote("Eli Nakamura", Role.SPOKE)
            engine.paused.add(late.feed_id)
            engine.emit(ev.EngineFailed(ServerGoneError()))
            await asyncio.sleep(0.3)
            save(window, "call-failed.png")
        await session.leave()
        await asyncio.sleep(0.1)

    # Made before the loop runs: the client's words, for a hub that did not answer.
    hub_down = tuple(
        unreachable_problem(program, program_id)
        for program_id, program in enumerate(week_snapshot().subscriptions, start=1)
    )

    async def lobby() -> None:
        yesterday = NOW - timedelta(hours=20, minutes=5)
        source = FakeScheduleSource(week_snapshot(online=False, checked=False, updated=yesterday))
        lobby_window = MainWindow(
            ClinicSession(PortraitEngine(frame_size=(320, 240))),
            MemorySettingsStore(),
            schedule=source,
            now=MovableClock(NOW),
            local_zone=LOCAL,
            calendar_export=RecordingExport(),
        )
        lobby_window.resize(*WINDOW_SIZE)
        lobby_window.show()
        await asyncio.sleep(0.3)
        save(lobby_window, "lobby-checking.png")
        source.publish(week_snapshot())
        await asyncio.sleep(0.2)
        save(lobby_window, "lobby-online.png")
        source.publish(week_snapshot(online=False, updated=yesterday, problems=hub_down))
        await asyncio.sleep(0.2)
        save(lobby_window, "lobby-offline.png")
        lobby_window.open_subscribe_dialog()
        dialog = lobby_window.subscribe_dialog
        assert dialog is not None
        dialog.address_edit.setText("https://echo-hub.unm.example.org:8090")
        dialog.token_edit.setText("not-a-real-token")
        await asyncio.sleep(0.2)
        save(dialog, "subscribe.png")
        dialog.reject()
        lobby_window.show_join_view()  # "Join another room…": the form, one click from the lobby
        await asyncio.sleep(0.2)
        save(lobby_window, "join-from-lobby.png")
        lobby_window.close()
        await asyncio.sleep(0.1)

    async def cases() -> None:
        source = FakeCaseSource(my_cases_list())
        source.queue = {7: review_queue()}
        source.presented = {7: presented_cases()}
        case_window = MainWindow(
            ClinicSession(PortraitEngine(frame_size=(320, 240))),
            MemorySettingsStore(),
            schedule=FakeScheduleSource(week_snapshot()),
            now=MovableClock(NOW),
            local_zone=LOCAL,
            cases=source,
            guard=scan,
        )
        case_window.resize(*WINDOW_SIZE)
        case_window.show()
        await asyncio.sleep(0.2)
        case_window.show_my_cases()
        await asyncio.sleep(0.2)
        my_cases = case_window.my_cases_view
        assert my_cases is not None
        recommended = next(c for c in my_cases.cards if c.read_button.isVisible())
        recommended.toggle_recommendations()
        await asyncio.sleep(0.2)
        save(case_window, "my-cases.png")
        draft = MyCase(case_form_draft(), PROGRAM)
        source.current = replace(source.current, cases=(draft, *source.current.cases))
        case_window.open_case(draft)
        while case_window.case_form_view is None:
            await asyncio.sleep(0.02)
        form = case_window.case_form_view
        form.editors["hpi"].setFocus()
        # The real guard runs in its own thread; its first scan loads the word lists.
        while form.scanning or form.findings_summary.text() == CHECKING_TEXT:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        save(case_window, "case-form.png")
        form.stop()
        case_window.show_review()
        review = case_window.review_view
        assert review is not None
        while len(review.queue) < 3:
            await asyncio.sleep(0.02)
        review.queue_list.setCurrentRow(2)
        await asyncio.sleep(0.3)
        save(case_window, "review.png")
        review.mode_combo.setCurrentIndex(review.mode_combo.findData(RECOMMEND_MODE))
        while len(review.queue) != len(presented_cases()):
            await asyncio.sleep(0.02)
        review.recommend_edit.setPlainText(RECOMMENDATIONS_DRAFT)
        review.recommend_edit.setFocus()
        while review.recommend_note.text() == CHECKING_RECOMMENDATIONS_TEXT:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        save(case_window, "recommend.png")
        case_window.close()
        await asyncio.sleep(0.1)

    with loop:
        loop.run_until_complete(scenario())
        loop.run_until_complete(lobby())
        loop.run_until_complete(cases())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
