"""Shared fixtures: an isolated network namespace with the project's real Janus inside it.

The whole test process enters the namespace once (its main thread, before other threads start),
so every in-process client and every subprocess talks to Janus over the namespace's veth pair.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.rooms import create_room, new_pin
from testkit.netns import Entered, NetNamespace, remove_stale

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# An exception an event loop could only log fails the test that caused it (threads and
# unraisable exceptions: see filterwarnings in pyproject.toml).
pytest_plugins = ["tests.background_errors"]

# Property tests judge content, never speed: no per-example deadline, and no health check that
# fails a run because a loaded machine generated its examples slowly. "ci" (scripts/check.sh)
# also prints the blob that reproduces a failure; "dev" is the default elsewhere.
hypothesis_settings.register_profile(
    "ci", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

_room_numbers = itertools.count(5000)


@dataclass(frozen=True)
class Room:
    server_url: str
    room: int
    pin: str


_entered: Entered | None = None


def host_network_preexec() -> Callable[[], None]:
    """For subprocesses that need the host's network (the package index), not the test's."""
    if _entered is None:
        raise RuntimeError("the netns fixture is not active")
    return _entered.host_preexec()


@pytest.fixture(scope="session")
def netns() -> Iterator[NetNamespace]:
    """An isolated namespace the test process lives in for the whole session."""
    global _entered
    if os.geteuid() != 0:
        pytest.fail("Integration tests need root for network namespaces (CI runs as root).")
    remove_stale("echo-test-")
    ns = NetNamespace(f"echo-test-{os.getpid()}", subnet=71).create()
    entered = Entered(ns.name)
    entered.__enter__()
    _entered = entered
    try:
        yield ns
    finally:
        _entered = None
        entered.__exit__(None, None, None)
        ns.destroy()


@pytest.fixture(scope="session")
def janus(netns: NetNamespace) -> Iterator[JanusHub]:
    """The project's Janus with the project's config, shared by the session's tests."""
    hub = JanusHub(HubConfig(bind_ip=netns.hub_ip, ws_port=8188, http_port=8088)).start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def room(janus: JanusHub) -> Room:
    """A fresh clinic room with its own pin."""
    number = next(_room_numbers)
    pin = new_pin()
    asyncio.run(create_room(janus.config.ws_url, janus.config.admin_key, number, pin))
    return Room(janus.config.ws_url, number, pin)


@pytest.fixture(autouse=True)
def _aiortc_as_found() -> Iterator[None]:
    """Each test leaves aiortc's replacements as it found them (installed or not)."""
    from echo_desktop import aiortc_patches

    before = aiortc_patches.installed_process_wide()
    yield
    aiortc_patches.restore(before)
