"""The outbox and "My cases" against a STAND-IN of the hub's case endpoints (tests/case_hub_standin):
the lead switches these to the real program service once its case endpoints land.

Offline submit queues; the hub coming up gets exactly one case; a reply lost after the hub stored
the case is retried with the same id and base version and still makes one; a refusal returns the
case to a draft with the hub's words and no text; recommendations read offline after a pull.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from echo_desktop.cases.model import Case, CaseStatus, SessionSlot
from echo_desktop.cases.ports import CaseError, HubProgram
from echo_desktop.schedule.refresh_policy import RefreshPolicy
from echo_desktop.storage import subscriptions_file
from echo_desktop.storage.subscriptions_file import Subscription, SubscriptionKind
from echo_desktop.sync.case_sync import CaseSync
from tests.case_hub_standin import TOKEN, case_hub_standin
from tests.waiting import wait_for

SECRET = "Jacinta Velasquez-Orozco"  # stands for PHI the hub refused: it must appear nowhere


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _hubs(url: str) -> Callable[[], list[Subscription]]:
    hub = Subscription(
        1,
        SubscriptionKind.HUB,
        f"{url}/api/programs/7/feed.ics",
        "Hepatitis C",
        url,
        TOKEN,
        7,
        "America/Denver",
    )
    return lambda: [hub]


def _ids() -> Callable[[], str]:
    numbers = iter(range(1, 1000))
    return lambda: f"case-{next(numbers)}"


@contextlib.asynccontextmanager
async def _sync(path: Path, url: str, running: bool = False) -> AsyncIterator[CaseSync]:
    # Fast retries: the tests wait for the outcome, never for a time.
    policy = RefreshPolicy(time.monotonic, first_retry_s=0.05, max_retry_s=0.2)
    sync = await CaseSync.open(path, hubs=_hubs(url), new_id=_ids(), policy=policy)
    runner = asyncio.create_task(sync.run()) if running else None
    try:
        yield sync
    finally:
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        await sync.aclose()


def _program(url: str) -> HubProgram:
    return HubProgram(url, 7, "Hepatitis C")


def _status(sync: CaseSync, client_id: str) -> CaseStatus | None:
    return next((c.case.status for c in sync.snapshot().cases if c.case.client_id == client_id), None)


async def _draft(sync: CaseSync, url: str, **values: str) -> Case:
    case = await sync.new_draft(_program(url))
    filled = Case(case.client_id, case.program_id, values or {"question": "HCV in pregnancy?"})
    await sync.save_draft(filled)
    return filled


async def test_offline_submit_is_queued_and_sent_once_when_the_hub_comes_up(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    async with _sync(tmp_path / "case.db", url, running=True) as sync:
        case = await _draft(sync, url)
        mine = await sync.submit(case)
        assert mine.case.status is CaseStatus.QUEUED and mine.program.name == "Hepatitis C"
        await wait_for(lambda: sync.policy.failures >= 2, what="rounds that find the hub down")
        assert _status(sync, case.client_id) is CaseStatus.QUEUED
        problems = sync.snapshot().problems
        assert problems and all("cannot be reached" in p and TOKEN not in p for p in problems)
        async with case_hub_standin(port) as (hub, _):
            await wait_for(
                lambda: _status(sync, case.client_id) is CaseStatus.SUBMITTED, what="the case sent"
            )
            assert list(hub.cases) == [case.client_id] and hub.puts == 1
            assert hub.cases[case.client_id]["values"] == case.values
            assert sync.snapshot().online and sync.snapshot().problems == ()


async def test_a_reply_lost_after_the_hub_stored_the_case_makes_no_duplicate(tmp_path: Path) -> None:
    async with case_hub_standin() as (hub, url), _sync(tmp_path / "case.db", url) as sync:
        # Every PUT this round is stored and then dropped unanswered (aiohttp itself may retry
        # an idempotent PUT on a dropped kept-alive connection: that is dropped too).
        hub.drop_after_store = 1000
        case = await _draft(sync, url)
        await sync.submit(case)
        first = await sync.refresh()
        assert hub.puts >= 1 and list(hub.cases) == [case.client_id]  # stored, reply lost
        assert _status(sync, case.client_id) is CaseStatus.QUEUED
        assert any("connection dropped" in p for p in first.problems)
        hub.drop_after_store = 0
        await sync.refresh()
        assert list(hub.cases) == [case.client_id] and hub.cases[case.client_id]["version"] == 1
        assert len(hub.bodies) == hub.puts >= 2
        assert len(set(hub.bodies)) == 1  # the same client id and base version on every retry
        assert json.loads(hub.bodies[-1])["base_version"] == 0
        assert _status(sync, case.client_id) is CaseStatus.SUBMITTED


async def test_a_phi_refusal_returns_the_case_to_a_draft_with_the_field_and_kind(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with case_hub_standin() as (hub, url), _sync(tmp_path / "case.db", url) as sync:
        case = await _draft(sync, url, question="HCV?", hpi=f"{SECRET} came in")
        await sync.submit(case)
        hub.refuse_next = (
            422,
            {
                "error": "phi",
                "message": f"hpi holds {SECRET}",
                "findings": [{"field": "hpi", "kind": "NAME"}],
            },
        )
        snapshot = await sync.refresh()
        (mine,) = snapshot.cases
        assert mine.case.status is CaseStatus.DRAFT and mine.case.values == case.values
        assert "name in hpi" in mine.refusal and "kept as a draft" in mine.refusal
        assert SECRET not in mine.refusal and snapshot.problems == ()
        assert hub.cases == {}
        again = await sync.load_draft(case.client_id)
        assert again is not None and again.values == case.values
        # Fixed and submitted again, it goes through.
        fixed = Case(case.client_id, 7, {"question": "HCV?", "hpi": "The patient came in"})
        await sync.save_draft(fixed)
        await sync.submit(fixed)
        await sync.refresh()
        assert _status(sync, case.client_id) is CaseStatus.SUBMITTED
        assert hub.cases[case.client_id]["values"] == fixed.values
    assert SECRET not in caplog.text and "Jacinta" not in caplog.text


async def test_a_stale_refusal_rebases_the_draft_on_the_hubs_version(tmp_path: Path) -> None:
    async with case_hub_standin() as (hub, url), _sync(tmp_path / "case.db", url) as sync:
        case = await _draft(sync, url)
        await sync.submit(case)
        await sync.refresh()
        # The presenter edits the submitted case; meanwhile the facilitator returns it (version 2).
        editing = await sync.load_draft(case.client_id)
        assert editing is not None and editing.version == 1
        edited = Case(case.client_id, 7, {"question": "Edited?"}, version=1)
        await sync.save_draft(edited)
        program = _program(url)
        returned = await sync.return_case(program, Case(case.client_id, 7, {}, version=1), "Add labs")
        assert returned.status is CaseStatus.RETURNED and returned.comments == "Add labs"
        await sync.submit(edited)
        snapshot = await sync.refresh()
        (mine,) = snapshot.cases
        assert mine.case.status is CaseStatus.DRAFT and mine.case.version == 2
        assert "changed on the hub" in mine.refusal and mine.case.values == {"question": "Edited?"}
        await sync.submit(mine.case)
        await sync.refresh()
        assert _status(sync, case.client_id) is CaseStatus.SUBMITTED
        assert hub.cases[case.client_id]["values"] == {"question": "Edited?"}


async def test_recommendations_read_offline_after_a_pull(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    async with case_hub_standin() as (_hub, url), _sync(path, url) as sync:
        case = await _draft(sync, url)
        await sync.submit(case)
        await sync.refresh()
        program = _program(url)
        slot = SessionSlot("series-1@echo", datetime(2026, 10, 22, 15, tzinfo=UTC))
        approved = await sync.approve(program, Case(case.client_id, 7, {}, version=1), slot)
        assert approved.session == slot
        with pytest.raises(CaseError, match="changed on the hub"):
            await sync.recommend(program, Case(case.client_id, 7, {}, version=1), "A stale copy")
        await sync.recommend(program, approved, "Start sofosbuvir.")
        await sync.refresh()
        form = await sync.case_form(program)
        assert [f.key for f in form.fields] == ["question", "hpi"]
    # The hub is gone: what was pulled, and the program's form, still read.
    async with _sync(path, url) as offline:
        snapshot = await offline.refresh()
        assert not snapshot.online and snapshot.updated is not None
        (mine,) = snapshot.cases
        assert mine.case.status is CaseStatus.RECOMMENDED
        assert mine.case.recommendations == "Start sofosbuvir." and mine.case.session == slot
        form = await offline.case_form(_program(url))
        assert [f.key for f in form.fields] == ["question", "hpi"]


async def test_hubs_come_from_the_schedules_subscriptions_file(tmp_path: Path) -> None:
    async with case_hub_standin() as (hub, url):
        where = tmp_path / "subscriptions.json"
        subscriptions_file.save(where, _hubs(url)())
        sync = await CaseSync.open(tmp_path / "case.db", subscriptions_path=where, new_id=_ids())
        try:
            assert sync.snapshot().programs == (_program(url),)
            case = await _draft(sync, url)
            await sync.submit(case)
            await sync.refresh()
            assert list(hub.cases) == [case.client_id]
        finally:
            await sync.aclose()


async def test_a_discarded_draft_is_gone_and_an_oversized_case_is_refused_here(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    async with _sync(tmp_path / "case.db", url) as sync:
        case = await _draft(sync, url)
        huge = Case(case.client_id, 7, {"hpi": "x" * (65 * 1024)})
        with pytest.raises(CaseError, match="at most 64 KB"):
            await sync.submit(huge)
        assert _status(sync, case.client_id) is CaseStatus.DRAFT
        await sync.discard_draft(case.client_id)
        assert sync.snapshot().cases == () and await sync.load_draft(case.client_id) is None
        with pytest.raises(CaseError):
            await sync.save_draft(Case("never-made", 7, {}))
