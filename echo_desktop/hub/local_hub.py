"""The whole local hub, started together: Janus with its ad-hoc clinic room, and the program
service with its room keeper. `echo-desktop hub` and `echo-desktop demo` both start it here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.program_service.server import JanusAccess, ProgramServer, Tls
from echo_desktop.hub.rooms import start_clinic_hub

logger = logging.getLogger(__name__)


@dataclass
class LocalHub:
    """A running Janus and program service; `stop()` stops both (the service first)."""

    janus: JanusHub
    service: ProgramServer

    @property
    def running(self) -> bool:
        return self.janus.running

    def stop(self) -> None:
        self.service.stop()
        self.janus.stop()


def service_for(
    config: HubConfig,
    store_path: Path,
    service_ip: str = "127.0.0.1",
    service_port: int = 8090,
    tls: Tls | None = None,
    insecure_http: bool = False,
    janus_public_url: str = "",
) -> ProgramServer:
    """The program service for this Janus (not started); raises HubLaunchError at once for an
    address it may not serve on (plain HTTP off loopback).

    `janus_public_url` is the Janus URL clients are given in join details (e.g. a wss:// URL on a
    TLS proxy in front of Janus); empty: the URL Janus listens on."""
    return ProgramServer(
        store_path,
        service_ip,
        service_port,
        janus=JanusAccess(config.ws_url, config.admin_key, janus_public_url),
        tls=tls,
        insecure_http=insecure_http,
    )


def start_local_hub(config: HubConfig, service: ProgramServer, room: int, pin: str) -> LocalHub:
    """Start Janus (with one ad-hoc room and its PIN), then the service, which makes each
    scheduled session's room on that Janus. Returns once both answer, or raises HubLaunchError
    with nothing left running."""
    janus = start_clinic_hub(config, room, pin)
    try:
        service.start()
    except BaseException:
        janus.stop()
        raise
    return LocalHub(janus, service)
