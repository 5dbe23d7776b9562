"""`echo-desktop demo`: the local hub, a demo program whose session opens now, synthetic guests in
that session's room, and the app on its lobby, one click from the call.

The demo's hub keeps its store in a fresh temporary folder, and the app its schedule cache there
too, so a demo never adds a subscription to the user's own schedule. The guests learn the room
and PIN the way the app does: they ask the program service for the session's join details, with
the demo clinician's token.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from echo_desktop.hub.child_process import die_with_parent
from echo_desktop.hub.demo_seed import PROGRAM, DemoSeed, seed_demo
from echo_desktop.hub.launcher import HubConfig
from echo_desktop.hub.local_hub import LocalHub, service_for, start_local_hub
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.hub.rooms import new_pin
from echo_desktop.net.program_client import ProgramClient, ProgramServiceError
from echo_desktop.schedule.lobby import JoinDetails, JoinRef
from echo_desktop.session.errors import EchoError
from echo_desktop.storage.atomic_file import write_private
from echo_desktop.storage.settings_file import JsonSettingsStore

if TYPE_CHECKING:
    from echo_desktop.app import StartupReport

logger = logging.getLogger(__name__)

GUESTS = [("Dr. Demo Hub", "hub"), ("Demo Facilitator", "facilitator"), ("Demo Spoke Clinic", "spoke")]


def demo_main(
    ip: str, room: int, guests: int, devices: bool, startup_report: StartupReport | None = None
) -> int:
    from echo_desktop.app import HubSubscription, Prefill, run_app

    with tempfile.TemporaryDirectory(prefix="echo-demo-") as folder:
        data = Path(folder)
        store = ProgramStore.open(data / "programs.db")
        try:
            seed = seed_demo(store, datetime.now(UTC))
        finally:
            store.close()
        config = HubConfig(bind_ip=ip)
        pin = new_pin()
        try:
            # Port 0: any free port, so a hub already running on 8090 does not stop the demo.
            hub = start_local_hub(
                config, service_for(config, data / "programs.db", service_port=0), room, pin
            )
        except EchoError as exc:
            print(f"echo-desktop demo: {exc}", file=sys.stderr)
            return 1
        procs: list[subprocess.Popen[bytes]] = []
        try:
            details = asyncio.run(_join_details(hub, seed))
            print(
                f"Demo hub at {config.ws_url}, program service at {hub.service.url}.\n"
                f"The demo session's room is open: guests are joining it. Ad-hoc room {room}, PIN {pin}.",
                flush=True,
            )
            procs = _start_guests(details, guests)
            return run_app(
                Prefill(config.ws_url, room, pin),
                settings_path=_settings_copy(data),
                devices=devices,
                schedule_path=data / "schedule.db",
                subscribe=HubSubscription(hub.service.url, seed.api_token, allow_insecure_http=True),
                startup_report=startup_report,
            )
        except (EchoError, ProgramServiceError) as exc:
            print(f"echo-desktop demo: {exc}", file=sys.stderr)
            return 1
        finally:
            _stop(procs)
            hub.stop()


def _settings_copy(folder: Path) -> Path:
    """A copy of the user's settings for this demo run (their name and devices), so the demo's
    ad-hoc room and PIN are never written into the user's own settings."""
    copy = folder / "settings.json"
    try:
        write_private(copy, JsonSettingsStore().path.read_bytes())
    except FileNotFoundError:
        pass  # a first run: the demo starts from the defaults
    except OSError as exc:
        logger.warning("Could not read the user's settings for the demo: %s", exc)
    return copy


async def _join_details(hub: LocalHub, seed: DemoSeed) -> JoinDetails:
    """The demo session's room and PIN, asked of the service as the app asks (its room opens now)."""
    async with ProgramClient() as client:
        ref = JoinRef(hub.service.url, seed.session_uid, seed.session_start)
        return await client.join_details(ref, seed.api_token, PROGRAM)


def _start_guests(details: JoinDetails, guests: int) -> list[subprocess.Popen[bytes]]:
    """Headless probes (test card and tone) sitting in the session's room."""
    procs = []
    for name, role in GUESTS[: max(0, guests)]:
        argv = [sys.executable, "-m", "echo_desktop", "probe", "--server", details.server_url]
        argv += ["--room", str(details.room), "--pin", details.pin, "--name", name, "--role", role]
        argv += ["--duration", "86400"]
        procs.append(
            subprocess.Popen(
                argv,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=die_with_parent(),  # only prctl: safe between fork and exec
            )
        )
    return procs


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
