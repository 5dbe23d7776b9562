"""`echo-desktop hub`: run the local hub in the foreground until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading

from echo_desktop.hub.launcher import HubConfig
from echo_desktop.hub.rooms import new_pin, start_clinic_hub
from echo_desktop.session.errors import EchoError


def hub_main(ip: str, ws_port: int, http_port: int, room: int, pin: str) -> int:
    pin = pin or new_pin()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        hub = start_clinic_hub(HubConfig(bind_ip=ip, ws_port=ws_port, http_port=http_port), room, pin)
    except EchoError as exc:
        print(f"echo-desktop hub: {exc}", file=sys.stderr)
        return 1
    print(f"Hub ready at {hub.config.ws_url}  room {room}  PIN {pin}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while not stop.wait(0.5) and hub.running:
            pass
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    print("Hub stopped.", flush=True)
    return 0
