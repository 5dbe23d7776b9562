"""`echo-desktop demo`: a local hub, a demo clinic room, a few synthetic guests, and the app."""

from __future__ import annotations

import logging
import subprocess
import sys

from echo_desktop.hub.child_process import die_with_parent
from echo_desktop.hub.launcher import HubConfig
from echo_desktop.hub.rooms import new_pin, start_clinic_hub
from echo_desktop.session.errors import EchoError

logger = logging.getLogger(__name__)

GUESTS = [("Dr. Demo Hub", "hub"), ("Demo Facilitator", "facilitator"), ("Demo Spoke Clinic", "spoke")]


def demo_main(ip: str, room: int, guests: int, devices: bool) -> int:
    from echo_desktop.app import Prefill, run_app

    pin = new_pin()
    try:
        hub = start_clinic_hub(HubConfig(bind_ip=ip), room, pin)
    except EchoError as exc:
        print(f"echo-desktop demo: {exc}", file=sys.stderr)
        return 1
    print(f"Demo hub at {hub.config.ws_url}  room {room}  PIN {pin}", flush=True)
    procs: list[subprocess.Popen[bytes]] = []
    for name, role in GUESTS[: max(0, guests)]:
        argv = [sys.executable, "-m", "echo_desktop", "probe", "--server", hub.config.ws_url]
        argv += ["--room", str(room), "--pin", pin, "--name", name, "--role", role, "--duration", "86400"]
        procs.append(
            subprocess.Popen(
                argv,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=die_with_parent(),  # only prctl: safe between fork and exec
            )
        )
    try:
        return run_app(Prefill(hub.config.ws_url, room, pin), devices=devices)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        hub.stop()
