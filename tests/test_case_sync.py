"""The outbox and "My cases" against the real program service on loopback (a temporary store, the
real de-identification guard), reached through a `LinkProxy` that stands for the network link.

Offline submit queues; the link coming up gets exactly one case; a reply lost after the hub stored
the case is retried with the same id and base version and still makes one; a refusal returns the
case to a draft with the hub's words and no text; recommendations read offline after a pull.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from echo_desktop.cases.model import Case, CaseForm, CaseStatus, FieldKind, FormField, SessionSlot
from echo_desktop.cases.ports import CaseError
from echo_desktop.storage import subscriptions_file
from echo_desktop.sync.case_sync import CaseSync
from tests.case_clinic import CLEAN, case_sync, clinic, draft, status
from tests.waiting import wait_for

SECRET = "Jacinta Velasquez-Orozco"  # stands for PHI the hub refused: it must appear nowhere
FIRST_SESSION = datetime(2026, 10, 22, 15, tzinfo=UTC)  # the first clinic, 9:00 in Denver
WITH_PHI = f"Referred by her sister {SECRET} on March 3, 2024."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_offline_submit_is_queued_and_sent_once_when_the_hub_comes_up(tmp_path: Path) -> None:
    async with clinic(tmp_path / "hub.db", link_up=False, link_port=_free_port()) as hub:
        dana = hub.hub.dana
        async with case_sync(tmp_path / "dana.db", hub.hubs(dana), running=True) as sync:
            case = await draft(sync, hub.program())
            mine = await sync.submit(case)
            assert mine.case.status is CaseStatus.QUEUED and mine.program.name == "Hepatitis C"
            await wait_for(lambda: sync.policy.failures >= 2, what="rounds that find the hub down")
            assert status(sync, case.client_id) is CaseStatus.QUEUED and hub.hub_cases() == []
            problems = sync.snapshot().problems
            assert problems and all("cannot be reached" in p and dana.api_token not in p for p in problems)
            await hub.link.start()
            await wait_for(lambda: status(sync, case.client_id) is CaseStatus.SUBMITTED, what="the case sent")
            assert hub.hub_cases() == [case.client_id]
            stored = hub.hub.store.case(case.client_id)
            assert stored is not None and stored.case.values == case.values and stored.case.version == 1
            assert len(hub.link.request_bodies(b"PUT /api/cases/")) == 1
            assert sync.snapshot().online and sync.snapshot().problems == ()


async def test_a_reply_lost_after_the_hub_stored_the_case_makes_no_duplicate(tmp_path: Path) -> None:
    async with (
        clinic(tmp_path / "hub.db") as hub,
        case_sync(tmp_path / "dana.db", hub.hubs(hub.hub.dana)) as sync,
    ):
        # Every reply this round is lost after the hub answered (aiohttp itself may retry an
        # idempotent PUT on a dropped kept-alive connection: that reply is lost too).
        hub.link.drop_replies = True
        checked = asyncio.create_task(sync.wait_checked())  # what the app's guard warm-up waits on
        case = await draft(sync, hub.program())
        await sync.submit(case)
        assert not checked.done()  # no round has finished yet
        first = await sync.refresh()
        await checked  # a round finished (even one that could not send)
        assert hub.hub_cases() == [case.client_id]  # stored, reply lost
        assert status(sync, case.client_id) is CaseStatus.QUEUED
        assert any("connection dropped" in p for p in first.problems)
        hub.link.drop_replies = False
        await sync.refresh()
        assert status(sync, case.client_id) is CaseStatus.SUBMITTED
        stored = hub.hub.store.case(case.client_id)
        assert hub.hub_cases() == [case.client_id] and stored is not None and stored.case.version == 1
        bodies = hub.link.request_bodies(f"PUT /api/cases/{case.client_id} ".encode())
        assert len(bodies) >= 2 and len(set(bodies)) == 1  # the same id and base version every time
        assert json.loads(bodies[-1])["base_version"] == 0


async def test_a_phi_refusal_returns_the_case_to_a_draft_with_the_field_and_kind(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with (
        clinic(tmp_path / "hub.db") as hub,
        case_sync(tmp_path / "dana.db", hub.hubs(hub.hub.dana)) as sync,
    ):
        case = await draft(sync, hub.program(), **{**CLEAN, "hpi": WITH_PHI})
        await sync.submit(case)
        snapshot = await sync.refresh()  # the real guard on the hub refuses it
        (mine,) = snapshot.cases
        assert mine.case.status is CaseStatus.DRAFT and mine.case.values == case.values
        assert "name in hpi" in mine.refusal and "date in hpi" in mine.refusal
        assert "kept as a draft" in mine.refusal
        assert SECRET not in mine.refusal and "March 3" not in mine.refusal and snapshot.problems == ()
        assert hub.hub_cases() == []
        again = await sync.load_draft(case.client_id)
        assert again is not None and again.values == case.values
        # Fixed and submitted again, it goes through.
        fixed = Case(case.client_id, case.program_id, {**CLEAN, "hpi": "Referred by her sister in 2024."})
        await sync.save_draft(fixed)
        await sync.submit(fixed)
        await sync.refresh()
        assert status(sync, case.client_id) is CaseStatus.SUBMITTED
        stored = hub.hub.store.case(case.client_id)
        assert stored is not None and stored.case.values == fixed.values
    assert SECRET not in caplog.text and "Jacinta" not in caplog.text and "March 3" not in caplog.text


async def test_a_stale_refusal_rebases_the_draft_on_the_hubs_version(tmp_path: Path) -> None:
    async with (
        clinic(tmp_path / "hub.db") as hub,
        case_sync(tmp_path / "dana.db", hub.hubs(hub.hub.dana)) as dana,
        case_sync(tmp_path / "fran.db", hub.hubs(hub.fran)) as fran,
    ):
        case = await draft(dana, hub.program())
        await dana.submit(case)
        await dana.refresh()
        # The presenter edits the submitted case; meanwhile the facilitator returns it (version 2).
        editing = await dana.load_draft(case.client_id)
        assert editing is not None and editing.version == 1
        edited = replace(editing, values={**CLEAN, "question": "Edited?"})
        await dana.save_draft(edited)
        (queued,) = await fran.review_queue(hub.program())
        returned = await fran.return_case(hub.program(), queued.case, "Add labs")
        assert returned.status is CaseStatus.RETURNED and returned.comments == "Add labs"
        await dana.submit(edited)
        snapshot = await dana.refresh()
        (mine,) = snapshot.cases
        assert mine.case.status is CaseStatus.DRAFT and mine.case.version == 2
        assert "changed on the hub" in mine.refusal and mine.case.values["question"] == "Edited?"
        await dana.submit(mine.case)
        await dana.refresh()
        assert status(dana, case.client_id) is CaseStatus.SUBMITTED
        stored = hub.hub.store.case(case.client_id)
        assert stored is not None and stored.case.values["question"] == "Edited?"


async def test_recommendations_read_offline_after_a_pull(tmp_path: Path) -> None:
    path = tmp_path / "dana.db"
    form = CaseForm(
        (FormField("question", "Question", FieldKind.TEXT, True), FormField("hpi", "History")), "question"
    )
    async with clinic(tmp_path / "hub.db") as hub:
        hub.hub.store.set_case_form(hub.hub.program.id, form)
        hubs = hub.hubs(hub.hub.dana)
        program = hub.program()
        async with case_sync(path, hubs) as dana, case_sync(tmp_path / "fran.db", hub.hubs(hub.fran)) as fran:
            case = await draft(dana, program, question="HCV in pregnancy?", hpi="G2P1 at 14 weeks.")
            await dana.submit(case)
            await dana.refresh()
            slot = SessionSlot(hub.hub.series_uid, FIRST_SESSION)
            (queued,) = await fran.review_queue(program)
            approved = await fran.approve(program, queued.case, slot)
            assert approved.status is CaseStatus.APPROVED and approved.session == slot
            hub.hub.clock[0] = slot.start + timedelta(hours=2)  # the session is over
            with pytest.raises(CaseError, match="changed on the hub"):
                await fran.recommend(program, queued.case, "A stale copy")
            await fran.recommend(program, approved, "Start sofosbuvir.")
            await dana.refresh()
            assert [f.key for f in (await dana.case_form(program)).fields] == ["question", "hpi"]
        # The hub is gone: what was pulled, and the program's form, still read.
        await hub.link.stop()
        async with case_sync(path, hubs) as offline:
            snapshot = await offline.refresh()
            assert not snapshot.online and snapshot.updated is not None
            (mine,) = snapshot.cases
            assert mine.case.status is CaseStatus.RECOMMENDED
            assert mine.case.recommendations == "Start sofosbuvir." and mine.case.session == slot
            assert [f.key for f in (await offline.case_form(program)).fields] == ["question", "hpi"]


async def test_hubs_come_from_the_schedules_subscriptions_file(tmp_path: Path) -> None:
    async with clinic(tmp_path / "hub.db") as hub:
        where = tmp_path / "subscriptions.json"
        subscriptions_file.save(where, hub.hubs(hub.hub.dana)())
        sync = await CaseSync.open(tmp_path / "dana.db", subscriptions_path=where)
        try:
            assert sync.snapshot().programs == (hub.program(),)
            case = await draft(sync, hub.program())
            await sync.submit(case)
            await sync.refresh()
            assert hub.hub_cases() == [case.client_id]
        finally:
            await sync.aclose()


async def test_a_discarded_draft_is_gone_and_an_oversized_case_is_refused_here(tmp_path: Path) -> None:
    async with (
        clinic(tmp_path / "hub.db", link_up=False, link_port=_free_port()) as hub,
        case_sync(tmp_path / "dana.db", hub.hubs(hub.hub.dana)) as sync,
    ):
        case = await draft(sync, hub.program())
        huge = Case(case.client_id, case.program_id, {"hpi": "x" * (65 * 1024)})
        with pytest.raises(CaseError, match="at most 64 KB"):
            await sync.submit(huge)
        assert status(sync, case.client_id) is CaseStatus.DRAFT
        await sync.discard_draft(case.client_id)
        assert sync.snapshot().cases == () and await sync.load_draft(case.client_id) is None
        with pytest.raises(CaseError):
            await sync.save_draft(Case("never-made", case.program_id, {}))
