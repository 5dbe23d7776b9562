"""UI test fixtures: offscreen Qt, a qasync loop that pytest-qt drives, and a fake-engine window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.ui.main_window import MainWindow
from tests.fakes import FakeDevices, FakeEngine, MemorySettingsStore
from tests.ui.gated_guard import GatedGuard

DRAIN_TIMEOUT_S = 3.0


@pytest.fixture
def qasync_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the Qt event loop, marked as the running loop for this test only.

    pytest-qt's waits spin the Qt event loop, which is what runs the loop's callbacks, so the
    loop is never started with run_forever(). Nor is it stopped: qasync's stop() calls
    QApplication.exit(), which emits aboutToQuit and makes every later nested QEventLoop (the
    ones qtbot.wait* use) return at once. Teardown lets window tasks (such as leaving on close)
    finish, cancels what is left, and unmarks the loop so other tests can use plain asyncio.
    """
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
    finally:
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while time.monotonic() < deadline and any(not t.done() for t in asyncio.all_tasks(loop)):
            qapp.processEvents()
            time.sleep(0.005)
        for task in asyncio.all_tasks(loop):
            task.cancel()
        for _ in range(10):
            qapp.processEvents()
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)
        loop.close()
        # qasync's socket notifiers are Qt objects: delete them now, while their file descriptors
        # are still theirs. Left for later, a notifier fires when a later test reuses the fd
        # (a new socket) and calls into the closed loop: a segfault in pytest-qt's processEvents.
        gc.collect()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        qapp.processEvents()


@dataclass
class Harness:
    """A main window over a fake engine, with the objects a test pokes at."""

    window: MainWindow
    session: ClinicSession
    engine: FakeEngine
    settings: MemorySettingsStore
    devices: FakeDevices | None = None


HarnessFactory = Callable[..., Harness]


@pytest.fixture
def make_window(qasync_loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> HarnessFactory:
    """Build (and show) a MainWindow over a FakeEngine; every window is closed at teardown.

    Pass `devices` (a FakeDevices) to give the window a DevicePort; without it the window is
    built the way older callers build it, with no device check. Other keyword arguments
    (`schedule`, `now`, `local_zone`, `calendar_export`) go to the window as they are.
    """

    def build(
        settings: MemorySettingsStore | None = None,
        engine: FakeEngine | None = None,
        devices: FakeDevices | None = None,
        **window_options: Any,
    ) -> Harness:
        engine = engine or FakeEngine()
        settings = settings if settings is not None else MemorySettingsStore()
        session = ClinicSession(engine)
        if window_options:
            window = MainWindow(session, settings, devices, **window_options)
        elif devices is None:
            window = MainWindow(session, settings)
        else:
            window = MainWindow(session, settings, devices)
        qtbot.addWidget(window)
        window.resize(1100, 720)
        window.show()
        qtbot.waitExposed(window)
        return Harness(window, session, engine, settings, devices)

    return build


@pytest.fixture
def harness(make_window: HarnessFactory) -> Harness:
    return make_window()


@pytest.fixture
def gated_guard() -> Iterator[GatedGuard]:
    """A guard the test can hold mid-scan (`tests.ui.gated_guard`); its gate is opened when the
    test ends, whatever happened. List it after the view's fixtures: it is then torn down first,
    so nothing waits in the guard's thread while the views and the loop are."""
    guard = GatedGuard()
    try:
        yield guard
    finally:
        guard.open()
