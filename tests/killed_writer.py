"""A writer process killed in the middle of its work, for the crash-safety tests of the stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.waiting import wait_until


def killed_after_a_few(script: str, *args: str, writes: int = 3) -> list[int]:
    """Run a writer script until it has printed `writes` numbers (each one a finished write), then
    SIGKILL it, most likely in the middle of the next write; returns what it printed."""
    writer = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert writer.stdout is not None
    printed: list[int] = []
    reader = threading.Thread(target=lambda: printed.extend(int(line) for line in writer.stdout or ()))
    reader.start()
    wait_until(lambda: len(printed) >= writes, what="the writer to finish a few writes")
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    reader.join()
    assert writer.returncode == -signal.SIGKILL
    return printed
