"""The review round trip of issue 11, end to end through the client (`CaseSync`, the presenter's and
the facilitator's, each on its own store) and the real program service with the real guard:
submit, return with comments, edit, resubmit, approve into a session slot, the session ends (the
hub's clock), recommend, pull; then the hub is gone and a new CaseSync over the presenter's store
shows the recommendations offline."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from echo_desktop.cases.model import CaseStatus, SessionSlot
from tests.case_clinic import CLEAN, QUESTION, case_sync, clinic, draft, status

FIRST_SESSION = datetime(2026, 10, 22, 15, tzinfo=UTC)  # the first clinic: 9:00 in Denver


async def test_submit_return_edit_resubmit_approve_recommend_and_read_offline(tmp_path: Path) -> None:
    dana_store = tmp_path / "dana.db"
    async with clinic(tmp_path / "hub.db") as hub:
        program = hub.program()
        dana_hubs = hub.hubs(hub.hub.dana)
        async with (
            case_sync(dana_store, dana_hubs) as dana,
            case_sync(tmp_path / "fran.db", hub.hubs(hub.fran)) as fran,
        ):
            case = await draft(dana, program)
            await dana.submit(case)
            await dana.refresh()
            assert status(dana, case.client_id) is CaseStatus.SUBMITTED

            (item,) = await fran.review_queue(program)
            assert item.case.client_id == case.client_id and item.findings == ()
            await fran.return_case(program, item.case, "Add the genotype and the fibrosis stage.")
            await dana.refresh()
            (mine,) = dana.snapshot().cases
            assert mine.case.status is CaseStatus.RETURNED
            assert mine.case.comments == "Add the genotype and the fibrosis stage."

            editing = await dana.load_draft(case.client_id)
            assert editing is not None and editing.version == 2
            edited = replace(editing, values={**CLEAN, "labs_imaging": "Genotype 1a; FIB-4 0.9 (2024)."})
            await dana.save_draft(edited)
            await dana.submit(edited)
            await dana.refresh()
            (mine,) = dana.snapshot().cases
            assert (mine.case.status, mine.case.version) == (CaseStatus.SUBMITTED, 3)

            (item,) = await fran.review_queue(program)
            assert item.case.values["labs_imaging"] == "Genotype 1a; FIB-4 0.9 (2024)."
            slot = SessionSlot(hub.hub.series_uid, FIRST_SESSION)
            approved = await fran.approve(program, item.case, slot)
            assert approved.status is CaseStatus.APPROVED and approved.session == slot
            # The start the client sent is the one the hub parsed and keeps for that session.
            (review,) = [
                json.loads(b) for b in hub.link.request_bodies(b"POST /api/cases/") if b"approve" in b
            ]
            assert review["session"] == {"uid": hub.hub.series_uid, "start": "2026-10-22T15:00:00+00:00"}
            held = hub.hub.store.session_cases(slot)
            assert [c.case.client_id for c in held] == [case.client_id]
            await dana.refresh()
            assert status(dana, case.client_id) is CaseStatus.APPROVED

            hub.hub.clock[0] = FIRST_SESSION + timedelta(hours=1, minutes=5)  # the session has ended
            await dana.refresh()
            assert status(dana, case.client_id) is CaseStatus.PRESENTED
            recommended = await fran.recommend(program, approved, "Treat after delivery; recheck RNA.")
            assert recommended.status is CaseStatus.RECOMMENDED
            await dana.refresh()
            assert status(dana, case.client_id) is CaseStatus.RECOMMENDED
    # The hub has stopped: a new CaseSync over the presenter's store shows what was pulled.
    async with case_sync(dana_store, dana_hubs) as offline:
        snapshot = await offline.refresh()
        assert not snapshot.online and snapshot.problems
        (mine,) = snapshot.cases
        assert mine.case.status is CaseStatus.RECOMMENDED and mine.case.session == slot
        assert mine.case.recommendations == "Treat after delivery; recheck RNA."
        assert mine.case.values["question"] == QUESTION
