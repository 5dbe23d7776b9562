"""Interop proof: headless Chromium peers (janus.js) publish and decode each other through our Janus.

Everything runs inside a private network namespace (subnet 91) with its own Janus, so these tests
do not share state with the session-wide hub of conftest.py. Needs root, janus and Debian chromium.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from echo_desktop.hub.launcher import HubConfig, JanusHub
from echo_desktop.hub.rooms import create_room, new_pin
from testkit.chromium_peer import (
    ChromiumNotInstalledError,
    ChromiumPeer,
    ChromiumPeerError,
    FeedStats,
    find_chromium,
)
from testkit.netns import Entered, NetNamespace

SUBNET = 91
ROOM = 9101


@dataclass(frozen=True)
class BrowserRoom:
    ws_url: str
    room: int
    pin: str


@pytest.fixture(scope="module")
def chromium_ns() -> Iterator[NetNamespace]:
    """A namespace of this module's own; the test thread lives in it for the module."""
    if os.geteuid() != 0:
        pytest.fail("The Chromium interop tests need root for network namespaces (CI runs as root).")
    ns = NetNamespace(f"echo-chromium-{os.getpid()}", subnet=SUBNET).create()
    try:
        with Entered(ns.name):
            yield ns
    finally:
        ns.destroy()


@pytest.fixture(scope="module")
def chromium_room(chromium_ns: NetNamespace) -> Iterator[BrowserRoom]:
    """Our Janus inside the namespace, with one pinned room for the browsers."""
    hub = JanusHub(HubConfig(bind_ip=chromium_ns.hub_ip)).start()
    try:
        pin = new_pin()
        asyncio.run(create_room(hub.config.ws_url, hub.config.admin_key, ROOM, pin))
        yield BrowserRoom(hub.config.ws_url, ROOM, pin)
    finally:
        hub.stop()


@pytest.fixture(scope="module")
def browser_pair(chromium_room: BrowserRoom) -> Iterator[tuple[ChromiumPeer, ChromiumPeer]]:
    """Two Chromium peers in the room, both publishing; always killed at the end."""
    alice, bob = ChromiumPeer(), ChromiumPeer()
    try:
        alice.start(chromium_room.ws_url, chromium_room.room, chromium_room.pin, "alice")
        bob.start(chromium_room.ws_url, chromium_room.room, chromium_room.pin, "bob")
        alice.wait_joined(timeout=15)
        bob.wait_joined(timeout=15)
        yield alice, bob
    finally:
        try:
            alice.stop()
        finally:
            bob.stop()


def _feed_named(peer: ChromiumPeer, display: str) -> FeedStats:
    matches = [f for f in peer.feeds() if f["display"] == display and f["active"]]
    assert len(matches) == 1, f"{peer.display} sees {peer.feeds()}"
    return matches[0]


def _wait_for(condition: str, check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        time.sleep(0.1)


def _encoding(peer: ChromiumPeer) -> bool:
    return peer.outbound()["framesEncoded"] > 0


def _gone(viewer: ChromiumPeer, display: str) -> bool:
    return not any(f["display"] == display and f["active"] for f in viewer.feeds())


def test_find_chromium_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("testkit.chromium_peer.CHROMIUM_CANDIDATES", ("/nonexistent/chromium",))
    monkeypatch.setattr("testkit.chromium_peer.shutil.which", lambda _name: None)
    with pytest.raises(ChromiumNotInstalledError, match="apt-get install chromium"):
        find_chromium()
    with pytest.raises(ChromiumNotInstalledError, match="apt-get install chromium"):
        ChromiumPeer(chromium="/nonexistent/chromium").start("ws://127.0.0.1:1", 1, "0", "x")


def test_a_missing_camera_file_is_named_before_chromium_starts(tmp_path: Path) -> None:
    peer = ChromiumPeer(camera_file=tmp_path / "missing.y4m")
    with pytest.raises(ChromiumPeerError, match=r"missing\.y4m does not exist"):
        peer.start("ws://127.0.0.1:1", 1, "0", "x")
    assert peer.pid is None


@pytest.mark.integration
@pytest.mark.browser
def test_each_browser_decodes_the_other(browser_pair: tuple[ChromiumPeer, ChromiumPeer]) -> None:
    alice, bob = browser_pair
    for viewer, sender in ((alice, bob), (bob, alice)):
        viewer.wait_for_decoding(feeds=1, timeout=20)
        feed = _feed_named(viewer, str(sender.display))
        assert feed["feed_id"] == sender.snapshot()["myId"]
        assert feed["framesDecoded"] > 0
        first = feed["firstFrameMs"]
        assert isinstance(first, (int, float)) and math.isfinite(first) and first > 0, feed
        assert feed["videoCodec"] is not None and feed["videoCodec"].lower() == "video/vp8"

    before = {
        p.display: _feed_named(p, str(o.display))["framesDecoded"] for p, o in ((alice, bob), (bob, alice))
    }
    for viewer, sender in ((alice, bob), (bob, alice)):
        # Decoding goes on: well over a handful of new frames.
        _wait_for(
            f"{viewer.display} to go on decoding {sender.display}",
            lambda: _feed_named(viewer, str(sender.display))["framesDecoded"] >= before[viewer.display] + 10,
            timeout=20,
        )
        feed = _feed_named(viewer, str(sender.display))
        assert feed["audioPacketsReceived"] > 0, feed
        assert (feed["frameWidth"], feed["frameHeight"]) == (640, 480), feed
        rendered = feed["rendered"]
        assert rendered is not None and rendered["videoWidth"] > 0 and not rendered["paused"], feed
        assert rendered["currentTime"] > 0, feed
        print(
            f"{viewer.display} <- {sender.display}: firstFrameMs={feed['firstFrameMs']:.0f} "
            f"(after subscribe {feed['firstFrameAfterSubscribeMs']:.0f}), frames={feed['framesDecoded']}"
        )


@pytest.mark.integration
@pytest.mark.browser
def test_each_browser_publishes_vp8(browser_pair: tuple[ChromiumPeer, ChromiumPeer]) -> None:
    for peer in browser_pair:
        _wait_for(f"{peer.display} to encode", partial(_encoding, peer))
        first = peer.outbound()
        _wait_for(
            f"{peer.display} to go on encoding and sending",
            lambda: (
                peer.outbound()["framesEncoded"] > first["framesEncoded"]
                and peer.outbound()["packetsSent"] > first["packetsSent"]
            ),
        )
        later = peer.outbound()
        assert later["codec"] is not None and later["codec"].lower() == "video/vp8"
        assert later["framesEncoded"] > first["framesEncoded"]
        assert later["packetsSent"] > first["packetsSent"] > 0
        assert later["audioPacketsSent"] > 0


@pytest.mark.integration
@pytest.mark.browser
def test_browsers_follow_a_third_peer_joining_and_leaving(
    browser_pair: tuple[ChromiumPeer, ChromiumPeer], chromium_room: BrowserRoom
) -> None:
    alice, bob = browser_pair
    with ChromiumPeer() as carol:
        carol.start(chromium_room.ws_url, chromium_room.room, chromium_room.pin, "carol")
        carol.wait_joined(timeout=15)
        carol.wait_for_decoding(feeds=2, timeout=20)
        for viewer in (alice, bob):
            viewer.wait_for_decoding(feeds=2, timeout=20)
            feed = _feed_named(viewer, "carol")
            assert feed["firstFrameAfterSubscribeMs"] is not None and feed["firstFrameAfterSubscribeMs"] > 0
    # carol's browser is gone: the others drop her feed and keep decoding each other.
    for viewer in (alice, bob):
        _wait_for(f"{viewer.display} to see carol leave", partial(_gone, viewer, "carol"))
    frames = _feed_named(alice, "bob")["framesDecoded"]
    _wait_for("alice to keep decoding bob", lambda: _feed_named(alice, "bob")["framesDecoded"] > frames + 5)


@pytest.mark.integration
@pytest.mark.browser
def test_wrong_pin_reports_a_failed_state(chromium_room: BrowserRoom) -> None:
    wrong = "x" + chromium_room.pin
    with ChromiumPeer() as eve:
        eve.start(chromium_room.ws_url, chromium_room.room, wrong, "eve")
        _wait_for("eve's join to fail", lambda: eve.state() != "joining")
        state = eve.state()
        assert state.startswith("failed: ") and "433" in state, state
