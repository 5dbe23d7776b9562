"""The program service running on its own loop and thread, beside Janus, for `echo-desktop hub`.

With a Janus URL and its admin key it also runs the room keeper on that loop, and hands out join
details. With a certificate and key it serves HTTPS; without them it serves plain HTTP on
loopback only, unless `insecure_http` says otherwise (tokens would cross the network in clear).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiohttp import web

from echo_desktop.hub.program_service.app import RedactingAccessLogger, Rooms, make_app
from echo_desktop.hub.program_service.room_keeper import CHECK_EVERY_S, RoomKeeper
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.hub.rooms import JanusVideoRooms
from echo_desktop.session.errors import HubLaunchError
from echo_desktop.session.task_failures import report_failure

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class JanusAccess:
    """How the service reaches Janus (`url`, with the admin key), and the URL clients are given
    (`public_url`; default: the same)."""

    url: str
    admin_key: str = ""
    public_url: str = ""


@dataclass(frozen=True)
class Tls:
    """The service's certificate chain and private key (PEM files)."""

    cert: Path
    key: Path


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ProgramServer:
    """Serves a store over HTTP(S) on `host:port` (0: any free port) until `stop()`.

    Plain HTTP is for loopback: a non-loopback `host` needs `tls`, or `insecure_http=True`.
    """

    def __init__(
        self,
        store_path: Path,
        host: str = "127.0.0.1",
        port: int = 8090,
        janus: JanusAccess | None = None,
        tls: Tls | None = None,
        insecure_http: bool = False,
        now: Callable[[], datetime] | None = None,
        check_every: float = CHECK_EVERY_S,
    ) -> None:
        if tls is None and not insecure_http and not is_loopback(host):
            raise HubLaunchError(
                f"the program service serves plain HTTP on loopback only, not on {host}: "
                "give it a certificate and key (--cert, --key), or --insecure-http"
            )
        self._store_path = store_path
        self._host = host
        self._port = port
        self._janus = janus
        self._tls = tls
        self._now = now
        self._check_every = check_every
        self._loop: asyncio.AbstractEventLoop | None = None  # made by start(): nothing to leak before
        self._thread = threading.Thread(target=self._run, name="program-service", daemon=True)
        self._ready = threading.Event()
        self._stopped = asyncio.Event()
        self._error: BaseException | None = None
        self.keeper: RoomKeeper | None = None
        self.url = ""

    def start(self) -> ProgramServer:
        """Open the store and listen; raises HubLaunchError if either fails."""
        self._loop = asyncio.new_event_loop()
        self._thread.start()
        if not self._ready.wait(READY_TIMEOUT_S):
            raise HubLaunchError("the program service did not start in time")
        if self._error is not None:
            raise HubLaunchError(f"the program service could not start: {self._error}") from self._error
        if self._tls is None and not is_loopback(self._host):
            logger.warning(
                "The program service serves plain HTTP on %s: tokens cross the network in clear", self._host
            )
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout)

    def _run(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self._tls is None:
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self._tls.cert, self._tls.key)
        return context

    async def _serve(self) -> None:
        store: ProgramStore | None = None
        runner: web.AppRunner | None = None
        janus_rooms: JanusVideoRooms | None = None
        keeping: asyncio.Task[None] | None = None
        try:
            store = ProgramStore.open(self._store_path, now=self._now)
            rooms = None
            if self._janus is not None:
                janus_rooms = JanusVideoRooms(self._janus.url, self._janus.admin_key)
                self.keeper = RoomKeeper(store, janus_rooms, store.now, self._check_every)
                rooms = Rooms(self._janus.public_url or self._janus.url, self.keeper)
            runner = web.AppRunner(make_app(store, rooms), access_log_class=RedactingAccessLogger)
            await runner.setup()
            await web.TCPSite(runner, self._host, self._port, ssl_context=self._ssl_context()).start()
            host, port = runner.addresses[0][:2]
            scheme = "https" if self._tls else "http"
            self.url = f"{scheme}://{_url_host(host)}:{port}"
            if self.keeper is not None:
                keeping = asyncio.create_task(self.keeper.run(), name="room-keeper")
                keeping.add_done_callback(report_failure("the room keeper"))
        except Exception as exc:  # noqa: BLE001 -- handed to start(), which raises it for the caller
            self._error = exc
        self._ready.set()
        try:
            if self._error is None:
                await self._stopped.wait()
        finally:
            if keeping is not None:
                keeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeping
            if janus_rooms is not None:
                await janus_rooms.close()
            if runner is not None:
                await runner.cleanup()
            if store is not None:
                store.close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
