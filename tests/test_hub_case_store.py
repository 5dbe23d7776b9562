"""The program store's cases (migration 4): each change one transaction, a refusal writes nothing,
slots counted inside the transaction, forms per program, and an older store migrated in place."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from echo_desktop.cases.findings import Dismissal, PhiKind
from echo_desktop.cases.model import DEFAULT_FORM, CaseForm, CaseStatus, FieldKind, FormField, SessionSlot
from echo_desktop.cases.review import HubCase, accept_submission, approve, return_case
from echo_desktop.cases.validation import CaseRefusal, FieldFinding, GuardResult, Submission
from echo_desktop.hub.program_service.store import MIGRATIONS, ProgramStore, SlotsTaken, StoreError
from echo_desktop.session.models import Role

NOON = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
SLOT = SessionSlot("series@echo-hub", datetime(2026, 10, 22, 15, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProgramStore]:
    opened = ProgramStore.open(tmp_path / "programs.db", now=lambda: NOON)
    yield opened
    opened.close()


def _submit(store: ProgramStore, client_id: str, program_id: int, person_id: int) -> HubCase:
    submission = Submission(
        program_id,
        {"question": "What next?", "hpi": "Seen by Dr. Smith."},
        (Dismissal("hpi", PhiKind.NAME, "Smith", "the clinician"),),
    )
    guard = GuardResult(dismissed=(FieldFinding("hpi", PhiKind.NAME, 12, 17),))

    def submit(current: HubCase | None, _taken: SlotsTaken) -> HubCase:
        return accept_submission(current, client_id, submission, person_id, "Dana, Taos", guard, NOON).case

    return store.change_case(client_id, submit)


def test_a_case_is_stored_whole_and_read_back_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "programs.db"
    store = ProgramStore.open(path, now=lambda: NOON)
    program = store.add_program("Hepatitis C", "America/Denver")
    dana = store.add_person("Dana", "Taos", Role.SPOKE).person
    stored = _submit(store, "case-1", program.id, dana.id)
    store.close()
    again = ProgramStore.open(path, now=lambda: NOON)
    try:
        read = again.case("case-1")
        assert read == stored
        assert read.case.status is CaseStatus.SUBMITTED and read.case.version == 1
        assert read.findings == (FieldFinding("hpi", PhiKind.NAME, 12, 17),)
        assert again.cases_presented_by(dana.id) == [stored]
        assert again.program_cases(program.id, CaseStatus.SUBMITTED) == [stored]
        assert again.program_cases(program.id, CaseStatus.RETURNED) == []
        assert again.case("nobody") is None
    finally:
        again.close()


def test_a_refused_change_writes_nothing(store: ProgramStore) -> None:
    program = store.add_program("Hepatitis C", "America/Denver")
    dana = store.add_person("Dana", "Taos", Role.SPOKE).person
    first = _submit(store, "case-1", program.id, dana.id)

    def stale(current: HubCase | None, _taken: SlotsTaken) -> HubCase:
        assert current is not None
        returned = return_case(current, 1, "More labs, please.", NOON)
        return return_case(returned, 1, "again, from the old version", NOON)  # refused: stale

    with pytest.raises(CaseRefusal):
        store.change_case("case-1", stale)
    assert store.case("case-1") == first


def test_approvals_count_the_slots_other_cases_hold(store: ProgramStore) -> None:
    program = store.add_program("Hepatitis C", "America/Denver")
    dana = store.add_person("Dana", "Taos", Role.SPOKE).person
    for client_id in ("a", "b", "c"):
        _submit(store, client_id, program.id, dana.id)

    def into_the_session(current: HubCase | None, taken: SlotsTaken) -> HubCase:
        assert current is not None
        return approve(current, current.case.version, SLOT, 2, taken(SLOT), NOON)

    store.change_case("a", into_the_session)
    store.change_case("b", into_the_session)
    with pytest.raises(CaseRefusal) as refused:
        store.change_case("c", into_the_session)
    assert refused.value.code == "no_free_slot"
    assert [c.case.client_id for c in store.session_cases(SLOT)] == ["a", "b"]
    assert store.case("a") is not None and store.case("a").case.session == SLOT  # type: ignore[union-attr]
    other = replace(SLOT, start=datetime(2026, 10, 29, 15, 0, tzinfo=UTC))
    assert store.session_cases(other) == []


def test_a_program_has_the_default_form_until_it_is_given_its_own(store: ProgramStore) -> None:
    program = store.add_program("Pain", "America/New_York")
    assert store.case_form(program.id) == DEFAULT_FORM
    own = CaseForm((FormField("question", "Question", FieldKind.TEXT, True), FormField("pain_score", "Pain")))
    store.set_case_form(program.id, own)
    assert store.case_form(program.id) == own
    store.set_case_form(program.id, None)
    assert store.case_form(program.id) == DEFAULT_FORM
    with pytest.raises(StoreError, match="no program"):
        store.case_form(999)


def test_a_store_of_schema_3_gains_cases_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "programs.db"
    with sqlite3.connect(path) as db:
        for script in MIGRATIONS[:3]:
            db.executescript(script)
        db.execute(
            "INSERT INTO programs (name, time_zone, created_at, changed_at) VALUES ('Pain', 'UTC', 'x', 'x')"
        )
        db.execute("PRAGMA user_version = 3")
    store = ProgramStore.open(path, now=lambda: NOON)
    try:
        assert store.schema_version == len(MIGRATIONS) == 4
        assert [p.name for p in store.programs()] == ["Pain"]
        assert store.program_cases(store.programs()[0].id) == []
    finally:
        store.close()
