"""CPU and memory of a process tree, read from /proc (Linux)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def descendants(root: int) -> list[int]:
    """root and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Usage:
    cpu_percent: float  # of one core
    pss_mb: float


def measure(root: int, seconds: float) -> Usage:
    """Average CPU over `seconds` and PSS at the end, summed over the process tree."""
    pids = descendants(root)
    start_ticks = sum(_cpu_ticks(p) for p in pids)
    started = time.monotonic()
    time.sleep(seconds)
    pids = descendants(root)
    # Processes that ended meanwhile drop out of the sum; for our trees that is none.
    ticks = sum(_cpu_ticks(p) for p in pids) - start_ticks
    elapsed = time.monotonic() - started
    return Usage(100.0 * ticks / TICKS / elapsed, sum(_pss_kb(p) for p in pids) / 1024)
