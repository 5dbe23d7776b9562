"""A pytest plugin: an exception that an event loop could only log fails the test that caused it.

pytest turns an exception in a thread, and an exception raised where nothing can catch it (in a
`__del__`, a weakref callback), into warnings, which pyproject.toml makes errors. asyncio reports
the rest to its loop's exception handler, which only logs them: a task whose exception nobody
retrieved ("Task exception was never retrieved", logged when the task is garbage-collected), a
callback that raised ("Exception in callback ..."), a future's lost exception. qasync's loop logs
the same under its own logger.

The autouse fixture below collects those records while a test runs, collects garbage at its
teardown (so a task abandoned by this test reports now, not in some later test), and fails the
test if any came. tests/conftest.py registers this module; tests/test_background_errors.py runs
it on tests that must fail.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest

LOOP_LOGGERS = ("asyncio", "qasync")
"""The loggers the loops' default exception handlers write to (qasync: `qasync._QEventLoop`)."""


BACKGROUND_ERROR_MARKERS = (
    "Traceback (most recent call last)",
    "was never retrieved",
    "Exception in callback",
    "Exception in thread",
    "Exception ignored in",
    "Task was destroyed but it is pending",
)
"""What Python and asyncio write to stderr about an exception nobody caught."""


def background_errors_in(stderr: str) -> list[str]:
    """The lines of a subprocess's stderr that report an uncaught or lost exception."""
    return [line for line in stderr.splitlines() if any(m in line for m in BACKGROUND_ERROR_MARKERS)]


class LoopErrorCollector(logging.Handler):
    """Keeps every ERROR record of the event loops' loggers, from any thread."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s, thread %(threadName)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def report(self) -> str:
        """Every collected record with its traceback, as the loop would have logged it."""
        return "\n\n".join(self.format(record) for record in self.records)


@pytest.fixture(autouse=True)
def fail_on_loop_errors() -> Iterator[LoopErrorCollector]:
    """Fail the test if an event loop logged an exception it could not hand to anyone."""
    collector = LoopErrorCollector()
    loggers = [logging.getLogger(name) for name in LOOP_LOGGERS]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector
        gc.collect()  # abandoned tasks in reference cycles report their exceptions now
    finally:
        for logger in loggers:
            logger.removeHandler(collector)
    if collector.records:
        pytest.fail(
            "An event loop logged an error nobody could catch during this test:\n\n" + collector.report(),
            pytrace=False,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A skipped test fails: a required part that is missing must never pass unseen."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped, which this suite does not allow: {report.longrepr}"
