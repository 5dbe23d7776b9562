"""Isolated test networks: a Linux network namespace with a veth pair inside it.

ICE never uses loopback (Janus and aioice both skip it), so tests need real interfaces. Both ends
of the veth pair stay inside the namespace, so media never leaves it. The calling thread can enter
the namespace (setns), and every thread and subprocess it starts afterwards is inside too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

CLONE_NEWNET = 0x40000000


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns failed: {os.strerror(err)}")


@dataclass
class NetNamespace:
    """A namespace named `name` with veth ends `hub_ip` (a side) and `peer_ip` (b side)."""

    name: str
    subnet: int = 77  # addresses 10.<subnet>.0.1 and .2, only inside the namespace

    @property
    def hub_ip(self) -> str:
        return f"10.{self.subnet}.0.1"

    @property
    def peer_ip(self) -> str:
        return f"10.{self.subnet}.0.2"

    @property
    def hub_if(self) -> str:
        return f"eh{self.subnet}a"

    @property
    def peer_if(self) -> str:
        return f"eh{self.subnet}b"

    def create(self) -> NetNamespace:
        if os.geteuid() != 0:
            raise PermissionError("network namespaces need root (run the tests as root or in CI)")
        self.destroy()  # a leftover from a crashed run
        _ip("netns", "add", self.name)
        try:
            ns = ("-n", self.name)
            _ip(*ns, "link", "set", "lo", "up")
            _ip(*ns, "link", "add", self.hub_if, "type", "veth", "peer", "name", self.peer_if)
            _ip(*ns, "addr", "add", f"{self.hub_ip}/24", "dev", self.hub_if)
            _ip(*ns, "addr", "add", f"{self.peer_ip}/24", "dev", self.peer_if)
            _ip(*ns, "link", "set", self.hub_if, "up")
            _ip(*ns, "link", "set", self.peer_if, "up")
        except BaseException:
            self.destroy()
            raise
        return self

    def destroy(self) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, check=False)

    def exec_prefix(self) -> list[str]:
        """argv prefix that runs a command inside the namespace."""
        return ["ip", "netns", "exec", self.name]


def remove_stale(prefix: str) -> list[str]:
    """Delete namespaces named `<prefix><pid>` whose process is gone (a run that was killed)."""
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    removed = []
    for line in listing.splitlines():
        name = line.split()[0] if line.strip() else ""
        pid = name.removeprefix(prefix)
        if name.startswith(prefix) and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
            removed.append(name)
    return removed


class Entered:
    """Move the calling thread into a namespace; restore the original on exit."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._original: int | None = None

    def __enter__(self) -> Entered:
        self._original = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        fd = os.open(f"/run/netns/{self._name}", os.O_RDONLY)
        try:
            _setns(fd)
        finally:
            os.close(fd)
        return self

    def host_preexec(self) -> Callable[[], None]:
        """A Popen preexec_fn that puts the child back into the network namespace we left."""
        original = self._original
        if original is None:
            raise RuntimeError("not inside a namespace")
        return lambda: _setns(original)

    @property
    def original_fd(self) -> int | None:
        return self._original

    def __exit__(self, *exc: object) -> None:
        if self._original is not None:
            try:
                _setns(self._original)
            finally:
                os.close(self._original)
                self._original = None
