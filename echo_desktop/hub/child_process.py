"""Child processes that never outlive ECHO Desktop (the local Janus, demo guests)."""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _set_parent_death_signal() -> None:
    # Runs in the child between fork and exec: if the parent dies, even by SIGKILL, the kernel
    # kills the child, so no Janus is left holding the ports. SIGKILL, not SIGTERM: an orphaned
    # Janus was seen to hang in its SIGTERM shutdown, and with its owner gone nothing is lost.
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def die_with_parent() -> Callable[[], None] | None:
    """A Popen preexec_fn that ties the child's life to ours (Linux); None elsewhere."""
    return _set_parent_death_signal if sys.platform.startswith("linux") else None
