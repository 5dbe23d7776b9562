"""What happens to an exception in a background task: the loop's exception handler gets it.

A task that nobody awaits must still report its failure. Handing the exception to the loop's
handler (rather than logging it ourselves) logs it the way asyncio logs every other lost
exception, and lets the test suite's collector fail the test that caused it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


def report_failure(what: str) -> Callable[[asyncio.Future[Any]], None]:
    """A done callback that reports the task's exception, if it has one, as `what` failed."""

    def done(task: asyncio.Future[Any]) -> None:
        if task.cancelled():
            return
        exception = task.exception()
        if exception is not None:
            task.get_loop().call_exception_handler(
                {"message": f"{what} failed", "exception": exception, "future": task}
            )

    return done
