"""The app starts without the media libraries, and builds the engine once, on the first join."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from echo_desktop.deferred_engine import DeferredDevices, DeferredEngine
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import DeviceKind, JoinRequest, Role
from echo_desktop.session.phases import CallPhase
from echo_desktop.session.ports import ConferenceEngine, DevicePort
from echo_desktop.session.worker_loop import WorkerLoop
from tests.fakes import FakeDevices, FakeEngine
from tests.waiting import wait_for

MEDIA_MODULES = ("aiortc", "av", "cv2", "sounddevice", "echo_desktop.media", "echo_desktop.composition")
REQUEST = JoinRequest("ws://127.0.0.1:8188", 1234, "123456", "Dr. Lee", Role.SPOKE)


class CountingBuilder:
    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.threads: list[str] = []
        self.engine = FakeEngine()
        self.workers: list[WorkerLoop] = []
        self._fail = fail

    def __call__(self) -> tuple[ConferenceEngine, WorkerLoop]:
        self.calls += 1
        self.threads.append(threading.current_thread().name)
        if self._fail:
            raise ImportError("no module named aiortc")
        worker = WorkerLoop("test-engine").start()
        self.workers.append(worker)
        return self.engine, worker


async def test_the_engine_is_built_once_off_the_loop_and_runs_the_call_on_its_worker() -> None:
    builder = CountingBuilder()
    deferred = DeferredEngine(builder)
    session = ClinicSession(deferred, deferred.run)
    assert not deferred.built
    assert deferred.latest_frame(1) is None and deferred.stats() == []
    deferred.set_view_size(1, 320, 240)  # before the engine exists: nothing to do, no error

    try:
        await asyncio.gather(session.join(REQUEST), deferred.run(asyncio.sleep(0)))
        assert builder.calls == 1
        assert builder.threads[0] != threading.main_thread().name
        assert session.state.phase is CallPhase.IN_CALL
        assert builder.engine.joined is not None and builder.engine.joined.room == 1234
        # The session's listener was handed to the engine when it was built: the engine's
        # report of our camera reaches the session.
        await wait_for(lambda: session.local_media.camera == "0", what="the engine's media report")
        await session.leave()
        assert builder.engine.leave_calls == 1
    finally:
        deferred.stop()
    assert all(not w.loop.is_running() for w in builder.workers)


async def test_an_engine_that_cannot_be_built_fails_the_join_with_a_message() -> None:
    deferred = DeferredEngine(CountingBuilder(fail=True))
    session = ClinicSession(deferred, deferred.run)
    with pytest.raises(EchoError, match="could not be started: no module named aiortc"):
        await session.join(REQUEST)
    assert session.state.phase is CallPhase.FAILED
    deferred.stop()  # nothing was started: nothing to stop, no error


def test_the_device_port_is_built_on_its_first_call() -> None:
    built: list[DevicePort] = []

    def build() -> DevicePort:
        built.append(FakeDevices())
        return built[-1]

    devices = DeferredDevices(build)
    assert built == []
    assert devices.list_devices(DeviceKind.CAMERA) == built[0].list_devices(DeviceKind.CAMERA)
    devices.list_devices(DeviceKind.MICROPHONE)
    assert len(built) == 1


def test_the_app_composition_imports_no_media_library() -> None:
    """The app's composition root, the window and its widgets load without aiortc, av, OpenCV or
    PortAudio: those wait for the first join."""
    code = (
        "import sys, echo_desktop.app, echo_desktop.ui.main_window;"
        f"print([m for m in sys.modules if m.split('.')[0] in {MEDIA_MODULES!r}"
        f" or any(m.startswith(p + '.') for p in {MEDIA_MODULES!r})])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
