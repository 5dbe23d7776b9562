"""The guard's thread (`ui.cases.guard_thread`) and the plain rules that take its answers
(`ui.cases.guard_state`): one worker thread for every scan, exceptions handed back to the caller,
and results recorded without the guard running where they are recorded."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from echo_desktop.cases.findings import Dismissal, Finding, PhiKind
from echo_desktop.ui.cases.guard_state import GuardState
from echo_desktop.ui.cases.guard_thread import THREAD_NAME, run_guard, run_in_guard_thread
from tests.fake_cases import fake_guard
from tests.ui.gated_guard import GatedGuard
from tests.waiting import wait_for


def never_called(text: str) -> list[Finding]:
    raise AssertionError("the guard ran where the result was only to be recorded")


async def test_run_guard_answers_from_one_worker_thread() -> None:
    guard = GatedGuard()
    first = await run_guard(guard, "Seen by Mrs. Jones.")
    second = await run_guard(guard, "Nothing to see.")
    assert [f.text for f in first] == ["Mrs. Jones"] and second == []
    (worker,) = guard.threads  # the same thread for both: one scan at a time
    assert worker is not threading.current_thread()
    assert worker.name.startswith(THREAD_NAME)


async def test_scans_asked_at_once_run_one_after_the_other_in_order(gated_guard: GatedGuard) -> None:
    gated_guard.close()
    first = asyncio.ensure_future(run_guard(gated_guard, "first, March 3, 2024"))
    second = asyncio.ensure_future(run_guard(gated_guard, "second"))
    await wait_for(lambda: gated_guard.held == 1, timeout=5, what="the first scan in the guard")
    assert gated_guard.texts() == ["first, March 3, 2024"]  # the second waits for the thread
    gated_guard.open()
    assert [f.kind for f in await first] == [PhiKind.DATE]
    assert await second == []
    assert gated_guard.answered == ["first, March 3, 2024", "second"]
    assert len(gated_guard.threads) == 1


async def test_an_exception_in_the_guards_thread_reaches_the_caller() -> None:
    def broken(text: str) -> list[Finding]:
        raise ValueError("unreadable")

    with pytest.raises(ValueError, match="unreadable"):
        await run_guard(broken, "text")
    assert await run_in_guard_thread(lambda a, b: a + b, 2, b=3) == 5


def test_record_takes_findings_computed_elsewhere() -> None:
    text = "Graves disease; seen by Mrs. Lee on March 3, 2024."
    state = GuardState(
        never_called,
        (
            Dismissal("hpi", PhiKind.NAME, "Graves", "a disease"),
            Dismissal("hpi", PhiKind.NAME, "Mr. Gone", "no longer in the text"),
        ),
    )
    assert not state.is_checked("hpi")
    found = [*fake_guard(text), Finding(40, 400, PhiKind.ID, "past the end", "x")]
    opened = state.record("hpi", text, list(reversed(found)))
    assert [f.text for f in opened] == ["Mrs. Lee", "March 3, 2024"]  # in text order, dismissed out
    assert [f.text for f in state.findings_in("hpi")] == ["Graves", "Mrs. Lee", "March 3, 2024"]
    assert [d.text for d in state.dismissals] == ["Graves"]  # a dismissal of gone text is dropped
    assert state.is_checked("hpi") and state.scans == 1 and not state.clear


def test_record_failure_blocks_until_a_later_result_and_logs_no_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = GuardState(never_called)
    state.record("hpi", "Seen by Mrs. Lee.", fake_guard("Seen by Mrs. Lee."))
    with caplog.at_level(logging.ERROR):
        assert state.record_failure("hpi", RuntimeError("could not read Mrs. Lee")) == []
    assert state.failed_fields == ["hpi"] and state.findings_in("hpi") == [] and not state.clear
    assert "RuntimeError" in caplog.text and "Mrs. Lee" not in caplog.text
    state.record("hpi", "Stable.", [])
    assert state.failed_fields == [] and state.clear and state.scans == 3


def test_scan_runs_the_guard_here_through_the_same_rules(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[threading.Thread] = []

    def guard(text: str) -> list[Finding]:
        calls.append(threading.current_thread())
        if "broken" in text:
            raise RuntimeError(text)
        return fake_guard(text)

    state = GuardState(guard)
    assert [f.text for f in state.scan("hpi", "Mrs. Lee")] == ["Mrs. Lee"]
    assert state.scan("labs", "broken by Mrs. Ortiz") == []
    assert calls == [threading.current_thread()] * 2
    assert state.failed_fields == ["labs"] and state.scans == 2
    assert "Mrs. Ortiz" not in caplog.text
