"""The program service running on its own loop and thread, beside Janus, for `echo-desktop hub`."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

from aiohttp import web

from echo_desktop.hub.program_service.app import RedactingAccessLogger, make_app
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.session.errors import HubLaunchError

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 15.0


class ProgramServer:
    """Serves a store over HTTP on `host:port` (0: any free port) until `stop()`.

    Without TLS it is meant for loopback; the hub command binds it where Janus listens.
    """

    def __init__(self, store_path: Path, host: str = "127.0.0.1", port: int = 8090) -> None:
        self._store_path = store_path
        self._host = host
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="program-service", daemon=True)
        self._ready = threading.Event()
        self._stopped = asyncio.Event()
        self._error: BaseException | None = None
        self.url = ""

    def start(self) -> ProgramServer:
        """Open the store and listen; raises HubLaunchError if either fails."""
        self._thread.start()
        if not self._ready.wait(READY_TIMEOUT_S):
            raise HubLaunchError("the program service did not start in time")
        if self._error is not None:
            raise HubLaunchError(f"the program service could not start: {self._error}") from self._error
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        store: ProgramStore | None = None
        runner: web.AppRunner | None = None
        try:
            store = ProgramStore.open(self._store_path)
            runner = web.AppRunner(make_app(store), access_log_class=RedactingAccessLogger)
            await runner.setup()
            await web.TCPSite(runner, self._host, self._port).start()
            host, port = runner.addresses[0][:2]
            self.url = f"http://{host}:{port}"
        except Exception as exc:  # noqa: BLE001 -- handed to start(), which raises it for the caller
            self._error = exc
        self._ready.set()
        try:
            if self._error is None:
                await self._stopped.wait()
        finally:
            if runner is not None:
                await runner.cleanup()
            if store is not None:
                store.close()
