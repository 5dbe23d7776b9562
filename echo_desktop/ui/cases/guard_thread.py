"""The one worker thread the de-identification guard runs in, so the Qt thread never waits for it.

The real guard takes milliseconds a field once warm and far longer on its first call (it loads
its gazetteers then); ten long cases in a review queue took half a second. Run on the Qt thread,
that froze the window while the person typed. Every scan of the case screens (the form's, the
review's screening and its check of the recommendations) goes through `run_guard` or
`run_in_guard_thread` instead: one thread, so scans run one at a time in the order they were
asked for and the guard's lazy parts are loaded once. Awaited on the Qt loop (qasync), the result
comes back on the Qt thread. Plain Python: no Qt here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from echo_desktop.cases.findings import Finding
from echo_desktop.cases.validation import Guard

SCAN_DELAY_MS = 300
"""How long typing must pause before the text is screened (a paste is screened at once)."""

THREAD_NAME = "deid-guard"

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def guard_executor() -> ThreadPoolExecutor:
    """The guard's executor: one thread, started on first use (not when the app starts)."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        return _executor


async def run_in_guard_thread(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `work` in the guard's thread and await its result (or its exception) on this loop.

    Cancelling the awaiting task drops the result; work already running finishes in the thread.
    """
    future = guard_executor().submit(work, *args, **kwargs)
    return await asyncio.wrap_future(future, loop=asyncio.get_running_loop())


async def run_guard(guard: Guard, text: str) -> list[Finding]:
    """The guard's findings in `text`, computed in the guard's thread; raises what the guard raises."""
    return await run_in_guard_thread(guard, text)
