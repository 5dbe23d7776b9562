"""The conference engine and the device port, built on first use so the app starts without them.

aiortc, av, OpenCV and PortAudio take longer to import than the whole lobby takes to appear
(measured: about 1.4 s for the engine, 0.9 s for the device check, against 0.6 s for the window).
The lobby needs none of them, so the app hands the session a `DeferredEngine`: the real engine and
its worker loop are built the first time the user joins, in a thread (an import on the Qt thread
would freeze the window). The device port does the same on its first call, which the window
already makes from a worker thread.

A composition root: it may import anything, but only inside the builders it is given.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import (
    DeviceInfo,
    DeviceKind,
    FeedStats,
    JoinRequest,
    Participant,
    VideoFrame,
)
from echo_desktop.session.ports import (
    CameraPreview,
    ConferenceEngine,
    DevicePort,
    EventListener,
    LevelMeter,
)
from echo_desktop.session.worker_loop import WorkerLoop

logger = logging.getLogger(__name__)

T = TypeVar("T")
EngineBuilder = Callable[[], tuple[ConferenceEngine, WorkerLoop]]


class DeferredEngine:
    """A ConferenceEngine that builds the real one, and its worker loop, when a call first needs it.

    Give the session `deferred.run` as its runner: it builds on first use (in a thread), then
    sends each engine coroutine to the worker loop. Until then, the thread-safe queries answer
    "nothing yet" and the settings are kept to hand over.
    """

    def __init__(self, build: EngineBuilder) -> None:
        self._build = build
        self._built: tuple[ConferenceEngine, WorkerLoop] | None = None
        self._lock = threading.Lock()
        self._listener: EventListener | None = None

    @property
    def built(self) -> bool:
        """Whether the real engine exists (the media libraries are loaded)."""
        return self._built is not None

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """The session's runner: build if needed, then await `coro` on the engine's loop."""
        try:
            _, worker = await asyncio.to_thread(self._ensure)
        except Exception as exc:
            coro.close()
            logger.exception("The call engine could not be started")
            raise EchoError(f"The call engine could not be started: {exc}") from exc
        except BaseException:
            coro.close()
            raise
        return await worker.run(coro)

    def stop(self) -> None:
        """Stop the worker loop, if one was started."""
        if self._built is not None:
            self._built[1].stop()

    def _ensure(self) -> tuple[ConferenceEngine, WorkerLoop]:
        with self._lock:
            if self._built is None:
                engine, worker = self._build()
                if self._listener is not None:
                    engine.set_listener(self._listener)
                self._built = (engine, worker)
                logger.info("Call engine started")
            return self._built

    def _engine(self) -> ConferenceEngine:
        if self._built is None:  # only reached through run(), which builds first
            raise RuntimeError("the call engine is not built")
        return self._built[0]

    def _maybe(self) -> ConferenceEngine | None:
        return None if self._built is None else self._built[0]

    # --- ConferenceEngine -----------------------------------------------------------------------

    def set_listener(self, listener: EventListener) -> None:
        with self._lock:
            self._listener = listener
            if self._built is not None:
                self._built[0].set_listener(listener)

    async def join(self, request: JoinRequest) -> Participant:
        return await self._engine().join(request)

    async def leave(self) -> None:
        await self._engine().leave()

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        engine = self._maybe()
        return None if engine is None else engine.latest_frame(feed_id)

    def stats(self) -> list[FeedStats]:
        engine = self._maybe()
        return [] if engine is None else engine.stats()

    async def set_microphone_muted(self, muted: bool) -> None:
        await self._engine().set_microphone_muted(muted)

    async def set_camera_enabled(self, enabled: bool) -> None:
        await self._engine().set_camera_enabled(enabled)

    async def switch_camera(self, device: str) -> None:
        await self._engine().switch_camera(device)

    async def switch_microphone(self, device: str) -> None:
        await self._engine().switch_microphone(device)

    async def release_device(self, kind: DeviceKind) -> None:
        await self._engine().release_device(kind)

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        engine = self._maybe()
        if engine is not None:
            engine.set_participant_volume(feed_id, gain)

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        engine = self._maybe()
        if engine is not None:
            engine.set_view_size(feed_id, width, height)


class DeferredDevices:
    """A DevicePort that loads the device libraries on its first call (always off the Qt thread)."""

    def __init__(self, build: Callable[[], DevicePort]) -> None:
        self._build = build
        self._port: DevicePort | None = None
        self._lock = threading.Lock()

    def _real(self) -> DevicePort:
        with self._lock:
            if self._port is None:
                self._port = self._build()
            return self._port

    def list_devices(self, kind: DeviceKind) -> list[DeviceInfo]:
        return self._real().list_devices(kind)

    def open_camera_preview(self, device: str | None) -> CameraPreview:
        return self._real().open_camera_preview(device)

    def open_level_meter(self, device: str | None) -> LevelMeter:
        return self._real().open_level_meter(device)

    def play_test_tone(self, device: str | None, seconds: float = 1.0) -> None:
        self._real().play_test_tone(device, seconds)
