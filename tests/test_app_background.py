"""The app's later background work: the cases' sync starts once the schedule's first refresh has
finished, the guard warms up in its thread once the cases' first round has, and ending it (as the
app does on quit) leaves no task pending, even with the warm-up still under way."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import cast

import pytest

from echo_desktop import app
from echo_desktop.cases.findings import Finding
from echo_desktop.sync.case_sync import CaseSync
from echo_desktop.sync.schedule_sync import ScheduleSync
from tests.waiting import wait_for


class FakeSync:
    """Stands for a sync's `wait_checked` and `run` (the only parts `_run_cases` uses)."""

    def __init__(self) -> None:
        self.checked = asyncio.Event()
        self.waiting = 0
        self.runs = 0

    async def wait_checked(self) -> None:
        self.waiting += 1
        await self.checked.wait()

    async def run(self) -> None:
        self.runs += 1
        self.checked.set()  # its first round is over
        await asyncio.Event().wait()  # then it runs until cancelled


@pytest.fixture
def held_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The app's guard replaced by one that holds the guard's thread until released."""
    entered, release = threading.Event(), threading.Event()

    def guard(text: str) -> list[Finding]:
        entered.set()
        release.wait(30)
        return []

    monkeypatch.setattr(app, "guard", guard)
    try:
        yield entered, release
    finally:
        release.set()


async def test_cases_start_after_the_schedule_and_end_leaving_nothing_pending(
    held_guard: tuple[threading.Event, threading.Event],
) -> None:
    entered, release = held_guard
    schedule, cases = FakeSync(), FakeSync()
    task = asyncio.create_task(app._run_cases(cast(ScheduleSync, schedule), cast(CaseSync, cases)))
    await wait_for(lambda: schedule.waiting == 1, what="waiting for the schedule's first refresh")
    assert cases.runs == 0  # not before the schedule's first refresh
    schedule.checked.set()
    await wait_for(lambda: cases.runs == 1, what="the cases' sync to start")
    await wait_for(entered.is_set, what="the guard's warm-up to start in its thread")
    task.cancel()  # the app quits while the warm-up is still loading
    with contextlib.suppress(asyncio.CancelledError):
        await task
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert others == []
    release.set()
