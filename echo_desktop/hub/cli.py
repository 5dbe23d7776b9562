"""`echo-desktop hub`: run the local hub (Janus and the program service) until Ctrl-C or SIGTERM.

Once both answer, it prints one JSON line to stdout, `{"janus": ws-url, "service": http-url}`, for
scripts and the demo; what a person reads goes to stderr.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

import platformdirs

from echo_desktop.hub.launcher import HubConfig
from echo_desktop.hub.program_service.server import JanusAccess, ProgramServer
from echo_desktop.hub.rooms import new_pin, start_clinic_hub
from echo_desktop.session.errors import EchoError


def default_data_dir() -> Path:
    """Where the hub keeps its program store (platformdirs; the XDG variables move it)."""
    return platformdirs.user_data_path("echo-desktop-hub", "Project ECHO")


def hub_main(
    ip: str,
    ws_port: int,
    http_port: int,
    room: int,
    pin: str,
    service_port: int = 8090,
    data: Path | None = None,
) -> int:
    pin = pin or new_pin()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    store_path = (data or default_data_dir()) / "programs.db"
    try:
        hub = start_clinic_hub(HubConfig(bind_ip=ip, ws_port=ws_port, http_port=http_port), room, pin)
    except EchoError as exc:
        print(f"echo-desktop hub: {exc}", file=sys.stderr)
        return 1
    try:
        janus = JanusAccess(hub.config.ws_url, hub.config.admin_key)
        service = ProgramServer(store_path, ip, service_port, janus=janus).start()
    except EchoError as exc:
        hub.stop()
        print(f"echo-desktop hub: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"janus": hub.config.ws_url, "service": service.url}), flush=True)
    print(f"Hub ready: room {room}, PIN {pin}. Press Ctrl-C to stop.", file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5) and hub.running:
            pass
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
        hub.stop()
    print("Hub stopped.", file=sys.stderr, flush=True)
    return 0
