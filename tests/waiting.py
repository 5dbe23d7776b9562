"""Waiting for a condition, never for a fixed time: poll until it holds, or fail at a deadline.

The deadlines are generous; they only bound a test that would otherwise hang. A test that checks
that something did NOT happen first waits for proof that the code path ran (a counter moved on,
a later event arrived), then asserts the absence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

POLL_S = 0.05

Description = str | Callable[[], str]
"""What a wait waits for, said in its failure: a text, or a function called only on failure."""


def _describe(what: Description) -> str:
    return what if isinstance(what, str) else what()


async def wait_for(
    predicate: Callable[[], bool],
    timeout: float = 15.0,
    what: Description = "condition",
    poll: float = POLL_S,
) -> None:
    """Poll (yielding to the running loop) until predicate() holds, or fail naming what was awaited.

    `what` may be a function, called only on failure (to show the state the test gave up in).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(poll)
    if predicate():
        return
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {_describe(what)}")


def wait_until(
    predicate: Callable[[], bool],
    timeout: float = 15.0,
    what: Description = "condition",
    poll: float = POLL_S,
) -> None:
    """The same for code without a running loop: blocks this thread between polls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll)
    if predicate():
        return
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {_describe(what)}")


async def wait_for_async(
    check: Callable[[], Awaitable[bool]],
    timeout: float = 15.0,
    what: Description = "condition",
    poll: float = POLL_S,
) -> None:
    """The same for a check that must be awaited (a question to a server); an exception from it
    counts as "not yet" (the server restarting) until the deadline, where it is raised."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if await check():
                return
            failure: Exception | None = None
        except Exception as exc:
            failure = exc
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f} s waiting for {_describe(what)}"
            ) from failure
        await asyncio.sleep(poll)
