"""Asyncio tasks started by widgets: kept alive, logged, and reported when they fail.

Widgets run session commands and blocking device calls as asyncio tasks on the Qt loop (qasync).
A TaskSet holds strong references to its tasks (asyncio keeps only weak ones) and hands any
unexpected exception to its owner, so nothing fails silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)

ErrorHandler = Callable[[BaseException], None]

_detached: set[asyncio.Future[Any]] = set()


class TaskSet:
    """The running tasks of one widget."""

    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self._tasks: set[asyncio.Future[Any]] = set()
        self._on_error = on_error

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run `coro` on the current event loop; raises RuntimeError when there is none."""
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:
            coro.close()
            raise
        self._tasks.add(task)
        task.add_done_callback(self._on_done)
        return task

    def cancel_all(self) -> None:
        """Cancel every task still running."""
        for task in list(self._tasks):
            task.cancel()

    def __len__(self) -> int:
        return len(self._tasks)

    def _on_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        logger.error("Unexpected error in a window task", exc_info=exc)
        if self._on_error is not None:
            try:
                self._on_error(exc)
            except RuntimeError:  # the widget that would show it is already deleted
                logger.debug("Could not report a task failure", exc_info=True)


def run_detached(coro: Coroutine[Any, Any, Any]) -> None:
    """Run cleanup that must outlive the widget that started it (closing a camera, say).

    Failures are logged. Without a running loop the coroutine is dropped (and logged).
    """
    try:
        task = asyncio.ensure_future(coro)
    except RuntimeError:
        coro.close()
        logger.warning("No event loop to run cleanup on; skipped")
        return
    _detached.add(task)
    task.add_done_callback(_on_detached_done)


def _on_detached_done(task: asyncio.Future[Any]) -> None:
    _detached.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("Background cleanup failed", exc_info=task.exception())


async def close_in_thread(resource: Any, what: str) -> None:
    """Call `resource.close()` off the GUI thread; a failure is logged, never raised."""
    try:
        await asyncio.to_thread(resource.close)
    except Exception:
        logger.warning("Closing the %s failed", what, exc_info=True)
