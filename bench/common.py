"""Shared bench plumbing: an isolated namespace with the project's Janus, and small statistics."""

from __future__ import annotations

import os
import statistics
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.rooms import create_room, new_pin
from testkit.netns import Entered, NetNamespace


@dataclass(frozen=True)
class BenchRoom:
    ns: NetNamespace
    hub: JanusHub
    room: int
    pin: str


@asynccontextmanager
async def janus_room(subnet: int = 81, room: int = 4242) -> AsyncIterator[BenchRoom]:
    """A namespace, the project's Janus inside it, and one clinic room; always torn down.

    The calling thread enters the namespace, so call it before starting other threads.
    """
    ns = NetNamespace(f"echo-bench-{os.getpid()}", subnet=subnet).create()
    try:
        with Entered(ns.name):
            hub = JanusHub(HubConfig(bind_ip=ns.hub_ip, ws_port=8190, http_port=8090)).start()
            try:
                pin = new_pin()
                await create_room(hub.config.ws_url, hub.config.admin_key, room, pin)
                yield BenchRoom(ns, hub, room, pin)
            finally:
                hub.stop()
    finally:
        ns.destroy()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: list[float]) -> tuple[float, float]:
    """(median, p90) of a non-empty list."""
    return statistics.median(values), percentile(values, 90)
