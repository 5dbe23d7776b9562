"""What the facilitator's screens need from `CaseSync`, against the real program service: the
person's role on each hub (learnt when it answers), and the presented cases waiting for their
recommendations, written back and read by the presenter."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from echo_desktop.cases.model import CaseStatus, SessionSlot
from echo_desktop.cases.ports import CaseError
from echo_desktop.hub.program_service.store import IssuedPerson
from echo_desktop.session.models import Role
from echo_desktop.storage.subscriptions_file import Subscription, SubscriptionKind
from echo_desktop.sync.case_sync import CaseSync
from tests.fake_guard import VALUES, fake_scan
from tests.program_hubs import Hub, running_hub

FIRST_SESSION = datetime(2026, 10, 22, 15, 0, tzinfo=UTC)  # 9:00 in Denver
AFTER_FIRST_SESSION = datetime(2026, 10, 22, 16, 0, tzinfo=UTC)


@contextlib.asynccontextmanager
async def _sync(path: Path, hub: Hub, who: IssuedPerson) -> AsyncIterator[CaseSync]:
    subscription = Subscription(
        1,
        SubscriptionKind.HUB,
        f"{hub.url}/api/programs/{hub.program.id}/feed.ics",
        "Hepatitis C",
        hub.url,
        who.api_token,
        hub.program.id,
        "America/Denver",
    )
    sync = await CaseSync.open(path, hubs=lambda: [subscription])
    try:
        yield sync
    finally:
        await sync.aclose()


@contextlib.asynccontextmanager
async def _clinic(tmp_path: Path) -> AsyncIterator[tuple[Hub, CaseSync, CaseSync]]:
    """The real service, and the case sync of Dana (a spoke) and of Fran (a facilitator)."""
    async with running_hub(tmp_path / "programs.db", guard=fake_scan) as hub:
        fran = hub.store.add_person("Fran", "UNM", Role.FACILITATOR)
        hub.store.add_member(fran.person.id, hub.program.id)
        async with (
            _sync(tmp_path / "dana.db", hub, hub.dana) as dana,
            _sync(tmp_path / "fran.db", hub, fran) as fac,
        ):
            yield hub, dana, fac


async def test_the_role_is_learnt_when_the_hub_answers(tmp_path: Path) -> None:
    async with _clinic(tmp_path) as (_hub, dana, fac):
        # Before any round, nobody is known to review (offline since the start: no screens).
        assert [p.reviews for p in fac.snapshot().programs] == [False]
        assert [p.role for p in (await dana.refresh()).programs] == ["spoke"]
        (program,) = (await fac.refresh()).programs
        assert program.role == "facilitator" and program.reviews
        (entry,) = fac.snapshot().programs
        assert entry == program


async def test_presented_cases_wait_for_recommendations_that_reach_the_presenter(tmp_path: Path) -> None:
    async with _clinic(tmp_path) as (hub, dana, fac):
        await dana.refresh()
        (mine,) = dana.snapshot().programs
        draft = await dana.new_draft(mine)
        await dana.submit(replace(draft, values=dict(VALUES)))
        await dana.refresh()
        (program,) = (await fac.refresh()).programs
        (item,) = await fac.review_queue(program)
        await fac.approve(program, item.case, SessionSlot(hub.series_uid, FIRST_SESSION))
        assert await fac.presented_cases(program) == []  # approved, not yet discussed
        hub.clock[0] = AFTER_FIRST_SESSION
        (presented,) = await fac.presented_cases(program)
        assert presented.case.client_id == draft.client_id
        assert presented.case.status is CaseStatus.PRESENTED
        await fac.recommend(program, presented.case, "Start sofosbuvir-velpatasvir.")
        assert await fac.presented_cases(program) == []
        snapshot = await dana.refresh()
        (entry,) = snapshot.cases
        assert entry.case.status is CaseStatus.RECOMMENDED
        assert entry.case.recommendations == "Start sofosbuvir-velpatasvir."


async def test_a_spoke_cannot_list_presented_cases(tmp_path: Path) -> None:
    async with (
        running_hub(tmp_path / "programs.db", guard=fake_scan) as hub,
        _sync(tmp_path / "dana.db", hub, hub.dana) as dana,
    ):
        (program,) = (await dana.refresh()).programs
        assert not program.reviews
        with pytest.raises(CaseError) as refused:
            await dana.presented_cases(program)
        assert "facilitator" in str(refused.value) and hub.dana.api_token not in str(refused.value)
