"""Headless Chromium as a browser peer in a Janus VideoRoom, for interop tests and benchmarks.

A `ChromiumPeer` serves the test page (tests/web/peer.html and peer.js) plus Debian's janus.js and
adapter.js from a tiny threaded HTTP server, launches /usr/bin/chromium headless on it with a fake
camera and microphone, and reads the page's `window.echoPeer` over the Chrome DevTools Protocol
(CDP). The page joins the room as a publisher and subscribes to every other publisher.

Network namespaces: the HTTP server, Chromium and the CDP connection are all created by the thread
that calls `start`, so they live in that thread's network namespace. Enter the test namespace
(`testkit.netns.Entered`) before calling `start`. The page's origin is
http://127.0.0.1:PORT (a secure context, so getUserMedia works); ICE uses the namespace's veth
addresses, because Janus and Chromium never use loopback for media.

Typical use::

    with ChromiumPeer() as peer:
        peer.start(hub.config.ws_url, room=1234, pin="4321", display="browser")
        peer.wait_joined()
        peer.wait_for_decoding(feeds=1)
        print(peer.feeds())
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict, cast

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

logger = logging.getLogger(__name__)

CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
JANUS_JS = Path("/usr/share/javascript/janus-gateway/janus.js")
ADAPTER_JS = Path("/usr/share/javascript/webrtc-adapter/adapter.js")
WEB_ROOT = Path(__file__).resolve().parents[1] / "tests" / "web"
PAGE = "peer.html"

# Flags from the project's WebRTC field guide: headless as root, no network chatter, fake media, and real
# host candidates (without WebRtcHideLocalIpsWithMdns a subscriber offers only .local candidates,
# which Janus ignores with ignore_mdns, and ICE never completes).
FAKE_MEDIA_FLAG = "--use-fake-device-for-media-stream"  # a fake camera and microphone

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-proxy-server",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    FAKE_MEDIA_FLAG,
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
    "--password-store=basic",
    "--window-size=800,600",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
}


class ChromiumPeerError(RuntimeError):
    """The browser peer could not be started, or it did not reach the state asked for."""


class ChromiumNotInstalledError(ChromiumPeerError):
    """Chromium (or the JavaScript the page needs) is not installed on this machine."""


class RenderedVideo(TypedDict):
    """The state of the <video> element a remote video track is attached to."""

    videoWidth: int
    videoHeight: int
    currentTime: float
    paused: bool


class FeedStats(TypedDict):
    """One remote publisher as the browser sees it (from getStats on the subscriber PC)."""

    feed_id: int
    display: str
    active: bool
    subscribedMs: float | None
    framesDecoded: int
    firstFrameMs: float | None
    firstFrameAfterSubscribeMs: float | None
    framesPerSecond: float | None
    frameWidth: int | None
    frameHeight: int | None
    videoCodec: str | None
    packetsLost: int
    audioPacketsReceived: int
    audioLevel: float | None  # 0..1, of the decoded audio (inbound-rtp audioLevel)
    rendered: RenderedVideo | None
    mids: list[str]


class ClockSamples(TypedDict):
    """Glass-to-glass latency samples of one remote feed (the page's measure=clock mode)."""

    feed_id: int
    display: str
    samples: list[list[float]]  # [wall-clock ms when the frame was rendered, its age in ms]


class OutboundStats(TypedDict):
    """What the browser's publisher PC has sent (getStats outbound-rtp)."""

    framesEncoded: int
    totalEncodeTime: float
    """Seconds spent encoding video, over all frames."""
    bytesSent: int
    """Video payload bytes."""
    packetsSent: int
    audioPacketsSent: int
    codec: str | None
    frameWidth: int | None
    frameHeight: int | None


def find_chromium(explicit: str | None = None) -> str:
    """Return the Chromium executable, or raise an error that names the install command."""
    candidates = (explicit,) if explicit else (*CHROMIUM_CANDIDATES, shutil.which("chromium"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    where = explicit or "/usr/bin/chromium"
    raise ChromiumNotInstalledError(
        f"Chromium is not installed (no executable {where}). Install it with: apt-get install chromium"
    )


def _check_page_assets(web_root: Path) -> None:
    missing = [p for p in (JANUS_JS, ADAPTER_JS) if not p.is_file()]
    if missing:
        raise ChromiumNotInstalledError(
            f"missing {', '.join(map(str, missing))}. Install them with: "
            "apt-get install libjs-janus-gateway libjs-webrtc-adapter"
        )
    if not (web_root / PAGE).is_file():
        raise ChromiumPeerError(f"the browser peer page {web_root / PAGE} does not exist")


class _PageServer(http.server.ThreadingHTTPServer):
    """Serves the test page folder, plus /js/janus.js and /js/adapter.js from Debian's packages."""

    daemon_threads = True

    def __init__(self, host: str, web_root: Path) -> None:
        self.web_root = web_root.resolve()
        super().__init__((host, 0), _PageHandler)

    def resolve(self, url_path: str) -> Path | None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path)
        if path == "/js/janus.js":
            return JANUS_JS
        if path == "/js/adapter.js":
            return ADAPTER_JS
        target = (self.web_root / path.lstrip("/")).resolve()
        if target.parent != self.web_root or not target.is_file():
            return None  # only files directly in the page folder; no traversal
        return target


class _PageHandler(http.server.BaseHTTPRequestHandler):
    server: _PageServer

    def do_GET(self) -> None:
        target = self.server.resolve(self.path)
        if target is None:
            self.send_error(404)
            return
        body = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES.get(target.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("page server: %s", format % args)


class _Cdp:
    """A minimal, thread-safe Chrome DevTools Protocol client for one page target."""

    def __init__(self, ws_url: str, timeout: float) -> None:
        parsed = urllib.parse.urlsplit(ws_url)
        # Our own socket: no proxy from the environment can get in the way (any websockets version).
        sock = socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 80), timeout)
        self._exit = contextlib.ExitStack()
        try:
            self._ws: ClientConnection = self._exit.enter_context(
                connect(
                    ws_url, sock=sock, compression=None, max_size=None, open_timeout=timeout, close_timeout=1
                )
            )
        except BaseException:
            sock.close()
            raise
        self._lock = threading.Lock()
        self._next_id = 0

    def call(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Send one command and return its `result` (raise ChromiumPeerError on a CDP error)."""
        with self._lock:
            self._next_id += 1
            call_id = self._next_id
            self._ws.send(json.dumps({"id": call_id, "method": method, "params": params or {}}))
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ChromiumPeerError(f"CDP {method} got no answer within {timeout:.0f} s")
                try:
                    raw = self._ws.recv(timeout=remaining)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                if message.get("id") != call_id:
                    continue  # an event, or the answer to a call that timed out earlier
                if "error" in message:
                    raise ChromiumPeerError(f"CDP {method} failed: {message['error']}")
                return cast(dict[str, Any], message.get("result", {}))

    def close(self) -> None:
        with contextlib.suppress(OSError, WebSocketException):
            self._exit.close()


class ChromiumPeer:
    """A headless Chromium that joins a Janus VideoRoom with tests/web/peer.html.

    `start` raises ChromiumNotInstalledError when Chromium or the page's JavaScript is missing, and
    ChromiumPeerError when the browser does not come up; it cleans up after itself either way.
    `stop` always kills Chromium and the page server. Use it as a context manager.
    """

    def __init__(
        self,
        *,
        chromium: str | None = None,
        web_root: Path | None = None,
        http_host: str = "127.0.0.1",
        extra_flags: Sequence[str] = (),
        startup_timeout: float = 20.0,
        fake_fps: int | None = 15,
        play_audio: bool = False,
        camera_file: Path | None = None,
    ) -> None:
        """`fake_fps` sets the fake camera's frame rate (640x480; the project's profile is 15 fps,
        Chromium's own default is 20); None keeps Chromium's default. `play_audio` lets Chromium
        play the remote audio to the system's sound server (PULSE_SERVER) instead of muting it.
        `camera_file` (a Y4M file, see testkit.virtual_camera) replaces the fake camera's picture;
        Chromium loops it at the frame rate in its header."""
        self._chromium = chromium
        self._web_root = web_root or WEB_ROOT
        self._http_host = http_host
        self._extra_flags = tuple(extra_flags)
        self._startup_timeout = startup_timeout
        self._fake_fps = fake_fps
        self._play_audio = play_audio
        self._camera_file = camera_file
        self._server: _PageServer | None = None
        self._server_thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._cdp: _Cdp | None = None
        self._chromium_log: Path | None = None
        self.page_url: str | None = None
        self.display: str | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(
        self,
        ws_url: str,
        room: int,
        pin: str,
        display: str,
        publish: bool = True,
        options: Mapping[str, str] | None = None,
    ) -> ChromiumPeer:
        """Serve the page, launch Chromium on it and return once the page script is running.

        The join itself goes on in the page; follow it with `state()` or `wait_joined()`. `options`
        are more query parameters for the page, e.g. {"source": "canvas-clock", "measure": "clock"}
        for latency measurements (see tests/web/peer.js).
        """
        if self._process is not None:
            raise ChromiumPeerError("this ChromiumPeer is already started")
        executable = find_chromium(self._chromium)
        _check_page_assets(self._web_root)
        if self._camera_file is not None and not self._camera_file.is_file():
            # Chromium itself would only fail getUserMedia later, with no word about the file.
            raise ChromiumPeerError(f"the fake camera's file {self._camera_file} does not exist")
        self.display = display
        try:
            self._start_server()
            query = urllib.parse.urlencode(
                {
                    "server": ws_url,
                    "room": str(room),
                    "pin": pin,
                    "display": display,
                    "publish": "1" if publish else "0",
                    **({"audible": "1"} if self._play_audio else {}),
                    **(options or {}),
                }
            )
            assert self._server is not None
            host, port = self._server.server_address[:2]
            self.page_url = f"http://{host!s}:{port}/{PAGE}?{query}"
            self._launch(executable)
            self._navigate(self.page_url)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_server(self) -> None:
        self._server = _PageServer(self._http_host, self._web_root)
        self._server_thread = threading.Thread(
            target=self._server.serve_forever, name="chromium-peer-http", daemon=True
        )
        self._server_thread.start()
        logger.debug("Page server on %s:%s", *self._server.server_address[:2])

    def _launch(self, executable: str) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="echo-chromium-")
        profile = Path(self._profile.name)
        self._chromium_log = profile / "chromium.log"
        fake_camera = FAKE_MEDIA_FLAG + (f"=fps={self._fake_fps}" if self._fake_fps else "")
        command = [
            executable,
            *(
                fake_camera if flag == FAKE_MEDIA_FLAG else flag
                for flag in CHROMIUM_FLAGS
                if not (self._play_audio and flag == "--mute-audio")
            ),
            f"--user-data-dir={profile / 'profile'}",
            *([f"--use-file-for-fake-video-capture={self._camera_file}"] if self._camera_file else []),
            *self._extra_flags,
            "about:blank",
        ]
        logger.info("Starting Chromium peer %r", self.display)
        with self._chromium_log.open("wb") as log_file:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() reaches every helper
            )
        port = self._wait_devtools_port(profile / "profile" / "DevToolsActivePort")
        target = self._wait_page_target(port)
        self._cdp = _Cdp(target, timeout=self._startup_timeout)

    def _wait_devtools_port(self, port_file: Path) -> int:
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                first_line = port_file.read_text().splitlines()[0]
                return int(first_line)
            except (OSError, IndexError, ValueError):
                time.sleep(0.05)
        raise ChromiumPeerError(
            f"Chromium did not open its DevTools port within {self._startup_timeout:.0f} s: "
            f"{self.chromium_log_tail()}"
        )

    def _wait_page_target(self, port: int) -> str:
        """Return the webSocketDebuggerUrl of the tab Chromium opened (never a new tab)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no env proxies
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=2) as response:
                    targets = json.load(response)
                for target in targets:
                    if target.get("type") == "page" and target.get("webSocketDebuggerUrl"):
                        return cast(str, target["webSocketDebuggerUrl"])
            except (OSError, ValueError, urllib.error.URLError):
                pass
            time.sleep(0.05)
        raise ChromiumPeerError(f"Chromium showed no page target on DevTools port {port}")

    def _navigate(self, url: str) -> None:
        result = self._call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise ChromiumPeerError(f"Chromium could not load {url}: {result['errorText']}")
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            self._check_alive()
            loaded = "typeof window.echoPeer === 'object' && location.pathname === '/" + PAGE + "'"
            if self.evaluate(loaded) is True:
                return
            time.sleep(0.05)
        raise ChromiumPeerError(f"the peer page did not start within {self._startup_timeout:.0f} s")

    def _check_alive(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise ChromiumPeerError(
                f"Chromium exited with status {self._process.returncode}: {self.chromium_log_tail()}"
            )

    def stop(self, timeout: float = 5.0) -> None:
        """Leave the room if possible, then kill Chromium and the page server. Safe to repeat."""
        cdp, self._cdp = self._cdp, None
        if cdp is not None:
            try:
                cdp.call(
                    "Runtime.evaluate",
                    {"expression": "window.echoPeer && window.echoPeer.leave()", "returnByValue": True},
                    timeout=1.0,
                )
                time.sleep(0.2)  # let janus.js send its "destroy" so Janus drops the session now
            except (ChromiumPeerError, OSError, WebSocketException) as error:
                logger.debug("Could not leave the room cleanly: %s", error)
            cdp.close()
        process, self._process = self._process, None
        if process is not None:
            self._kill(process, timeout)
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._server_thread is not None:
            self._server_thread.join(timeout)
            self._server_thread = None
        profile, self._profile = self._profile, None
        if profile is not None:
            profile.cleanup()  # TemporaryDirectory.cleanup ignores files that vanish meanwhile

    @staticmethod
    def _kill(process: subprocess.Popen[bytes], timeout: float) -> None:
        """SIGTERM the browser (it shuts its helpers down), then SIGKILL whatever is left of its group."""
        process.terminate()  # Debian's wrapper execs the browser, so this pid is the browser
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("Chromium (pid %d) ignored SIGTERM; killing it", process.pid)
        # start_new_session made the browser the leader of its own group: reach helpers it left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if process.poll() is None:
            process.wait(timeout)

    def __enter__(self) -> ChromiumPeer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # ------------------------------------------------------------------ reading the page

    def _call(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = 10.0
    ) -> dict[str, Any]:
        if self._cdp is None:
            raise ChromiumPeerError("the Chromium peer is not running")
        return self._cdp.call(method, params, timeout)

    def evaluate(self, expression: str, timeout: float = 10.0) -> Any:
        """Evaluate a JavaScript expression in the page and return its JSON value."""
        result = self._call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise ChromiumPeerError(f"page script error: {text}")
        return result.get("result", {}).get("value")

    def snapshot(self) -> dict[str, Any]:
        """All of `window.echoPeer` as plain data (state, t0, feeds, outbound, log, ...)."""
        value = self.evaluate("JSON.parse(JSON.stringify(window.echoPeer || null))")
        if not isinstance(value, dict):
            raise ChromiumPeerError("the page has no window.echoPeer")
        return value

    def state(self) -> str:
        """The page's state: "joining", "joined", "left" or "failed: <reason>"."""
        return str(self.evaluate("window.echoPeer ? window.echoPeer.state : 'loading'"))

    def feeds(self) -> list[FeedStats]:
        """Every remote publisher this peer subscribed to (left ones have active=False)."""
        return cast(list[FeedStats], self.evaluate("window.echoPeer ? window.echoPeer.feeds : []"))

    def outbound(self) -> OutboundStats:
        """Frames encoded and packets sent by this peer's publisher connection."""
        return cast(OutboundStats, self.evaluate("window.echoPeer.outbound"))

    def take_clock_samples(self) -> list[ClockSamples]:
        """The latency samples gathered since the last call, per feed (page option measure=clock)."""
        return cast(list[ClockSamples], self.evaluate("window.echoPeer.takeClockSamples()"))

    def clock_offset_ms(self) -> float:
        """The page's wall clock minus this process's `time.time()`, in ms (about 0 on one machine)."""
        before = time.time()
        page = float(self.evaluate("window.echoPeer.wallClockMs()"))
        after = time.time()
        return page - (before + after) / 2 * 1000

    def page_log(self) -> list[str]:
        """The page's own log (joins, ICE states, warnings from janus.js), oldest first."""
        return cast(list[str], self.evaluate("window.echoPeer ? window.echoPeer.log : []"))

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the page (the remote videos and a status line) to `path`."""
        data = self._call("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def chromium_log_tail(self, lines: int = 15) -> str:
        path = self._chromium_log
        if path is None or not path.exists():
            return "(no log)"
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])

    # ------------------------------------------------------------------ waiting

    def wait_joined(self, timeout: float = 15.0) -> None:
        """Wait for state "joined"; raise ChromiumPeerError (with the page log) otherwise."""
        deadline = time.monotonic() + timeout
        state = self.state()
        while state != "joined":
            if state.startswith("failed") or time.monotonic() > deadline:
                raise ChromiumPeerError(
                    f"{self.display}: state {state!r} (waited up to {timeout:.0f} s); page log: "
                    + " | ".join(self.page_log()[-15:])
                )
            time.sleep(0.05)
            state = self.state()

    def wait_for_decoding(self, feeds: int = 1, timeout: float = 20.0) -> list[FeedStats]:
        """Wait until at least `feeds` active remote feeds have decoded video; return them all."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.feeds()
            decoding = [f for f in current if f["active"] and f["framesDecoded"] > 0]
            if len(decoding) >= feeds:
                return current
            state = self.state()
            if state.startswith("failed") or time.monotonic() > deadline:
                raise ChromiumPeerError(
                    f"{self.display}: {len(decoding)} of {feeds} feeds decoding (state {state!r}); "
                    f"feeds {current}; page log: " + " | ".join(self.page_log()[-15:])
                )
            time.sleep(0.05)
