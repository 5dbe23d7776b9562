"""Screenshot a real four-participant clinic call: real Janus, real engine, the real window.

Runs the project's Janus in a private network namespace, adds three synthetic guests (probes)
and joins through the window. Needs root (namespaces); run it under xvfb-run for a real X window:

    sudo xvfb-run -a -s "-screen 0 1280x800x24" \
        .venv/bin/python -m scripts.screenshot_call docs/screenshots/call-4.png
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from echo_desktop.composition import build_engine, engine_loop
from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.rooms import create_room, new_pin
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.phases import CallPhase
from echo_desktop.storage.settings_file import JsonSettingsStore
from echo_desktop.ui.main_window import MainWindow
from echo_desktop.ui.style import apply_style
from testkit.netns import Entered, NetNamespace

GUESTS = [("Dr. Ana Ruiz", "hub"), ("Bea Okafor, RN", "facilitator"), ("Dr. Carl Mendes", "spoke")]


def main(out: str) -> int:
    ns = NetNamespace(f"echo-shot-{os.getpid()}", subnet=83).create()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with Entered(ns.name):
            hub = JanusHub(HubConfig(bind_ip=ns.hub_ip)).start()
            try:
                pin = new_pin()
                asyncio.run(create_room(hub.config.ws_url, hub.config.admin_key, 1234, pin))
                for name, role in GUESTS:
                    argv = [sys.executable, "-m", "echo_desktop", "probe", "--server", hub.config.ws_url]
                    argv += ["--room", "1234", "--pin", pin, "--name", name, "--role", role]
                    argv += ["--duration", "60"]
                    procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                time.sleep(2)
                return _shoot(out, hub.config.ws_url, pin)
            finally:
                for proc in procs:
                    proc.terminate()
                hub.stop()
    finally:
        ns.destroy()


def _shoot(out: str, url: str, pin: str) -> int:
    app = QApplication(sys.argv)
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    worker = engine_loop()
    settings = JsonSettingsStore(Path(tempfile.mkdtemp(prefix="echo-shot-")) / "settings.json")
    settings.save({"server": url, "room": "1234", "pin": pin, "name": "Dana Whitehorse, NP", "role": "spoke"})
    session = ClinicSession(build_engine(devices=False), worker.run)
    window = MainWindow(session, settings)
    window.resize(1280, 800)
    window.show()

    async def scenario() -> None:
        window.join_view.submit()
        for _ in range(200):
            if session.state.phase is CallPhase.IN_CALL and len(session.participants) == 3:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(3)
        window.grab().save(out)
        print(f"saved {out}: phase={session.state.phase.value}, remote={len(session.participants)}")
        await session.leave()

    with loop:
        loop.run_until_complete(scenario())
    worker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/call-4.png"))
