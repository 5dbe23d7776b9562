"""A scripted `cases.ports.CaseSource` and a small deterministic guard for the case screens' tests
and screenshots.

No network, no disk: the test sets the cases, the queue and the errors, and reads back every
draft saved, every submission and every review.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import datetime

from echo_desktop.cases.findings import Finding, PhiKind
from echo_desktop.cases.model import DEFAULT_FORM, Case, CaseForm, CaseStatus, SessionSlot
from echo_desktop.cases.ports import (
    CaseError,
    CasesListener,
    CaseSource,
    CasesSnapshot,
    HubProgram,
    MyCase,
    ReviewItem,
)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_RULES: tuple[tuple[re.Pattern[str], PhiKind, str], ...] = (
    (re.compile(rf"\b(?:{MONTHS}) \d{{1,2}}, (\d{{4}})"), PhiKind.DATE, "year"),
    (re.compile(r"\b(9\d|1\d\d)-year-old"), PhiKind.AGE, "90 or older"),
    (re.compile(r"\b(?:Mrs?\.|Ms\.) [A-Z][a-z]+"), PhiKind.NAME, "the patient"),
    (re.compile(r"\bGraves\b"), PhiKind.NAME, "the patient"),
    (re.compile(r"\b\d{3}-\d{3}-\d{4}\b"), PhiKind.PHONE, "[phone]"),
)


def fake_guard(text: str) -> list[Finding]:
    """Dates with a day, ages over 89, "Mr./Mrs./Ms. Name", the word "Graves" (a look-alike the
    tests dismiss) and phone numbers; nothing else."""
    found = []
    for pattern, kind, suggestion in _RULES:
        for match in pattern.finditer(text):
            safe = match.group(1) if suggestion == "year" else suggestion
            found.append(Finding(match.start(), match.end(), kind, match.group(0), safe))
    return sorted(found, key=lambda f: f.start)


PROGRAM = HubProgram("https://hub.example.org", 7, "Hepatitis C ECHO", "facilitator")
"""The program the fake's cases belong to; the person is one of its facilitators."""


class FakeCaseSource:
    """A `cases.ports.CaseSource` whose every answer is set by the test (the program: `PROGRAM`)."""

    def __init__(self, cases: tuple[Case, ...] = (), *, online: bool = True, checked: bool = True) -> None:
        self.current = CasesSnapshot(
            tuple(MyCase(c, PROGRAM) for c in cases), (PROGRAM,), online=online, checked=checked
        )
        self.listener: CasesListener | None = None
        self.forms: dict[int, CaseForm] = {}
        self.saved: list[Case] = []
        self.discarded: list[str] = []
        self.submitted: list[Case] = []
        self.submit_error: CaseError | None = None
        self.submit_status = CaseStatus.QUEUED
        self.save_error: CaseError | None = None
        self.save_gate: asyncio.Event | None = None
        self.queue: dict[int, tuple[Case, ...]] = {}
        self.presented: dict[int, tuple[Case, ...]] = {}
        self.queue_error: CaseError | None = None
        self.approved: list[tuple[Case, SessionSlot]] = []
        self.returned: list[tuple[Case, str]] = []
        self.recommended: list[tuple[Case, str]] = []
        self.review_error: CaseError | None = None
        self.refreshes = 0
        self.refreshed: CasesSnapshot | None = None
        self.network: list[bool] = []
        self._next_id = 0

    # --- CaseSource ----------------------------------------------------------------------------

    def snapshot(self) -> CasesSnapshot:
        return self.current

    def set_listener(self, listener: CasesListener | None) -> None:
        self.listener = listener

    async def refresh(self) -> CasesSnapshot:
        self.refreshes += 1
        if self.refreshed is not None:
            self.publish(self.refreshed)
        return self.current

    async def new_draft(self, program: HubProgram) -> Case:
        self._next_id += 1
        case = Case(f"draft-{self._next_id}", program.program_id, {})
        self._put(case)
        return case

    async def load_draft(self, client_id: str) -> Case | None:
        known = next((c.case for c in self.current.cases if c.case.client_id == client_id), None)
        if known is None or known.status is CaseStatus.QUEUED:
            return None
        return replace(known, status=CaseStatus.DRAFT)

    async def save_draft(self, case: Case) -> None:
        if self.save_gate is not None:
            await self.save_gate.wait()
        if self.save_error is not None:
            raise self.save_error
        self.saved.append(case)
        self._put(replace(case, status=CaseStatus.DRAFT))

    async def discard_draft(self, client_id: str) -> None:
        self.discarded.append(client_id)
        kept = tuple(c for c in self.current.cases if c.case.client_id != client_id)
        self.current = replace(self.current, cases=kept)

    async def submit(self, case: Case) -> MyCase:
        if self.submit_error is not None:
            raise self.submit_error
        self.submitted.append(case)
        sent = replace(case, status=self.submit_status)
        self._put(sent)
        return MyCase(sent, PROGRAM)

    async def case_form(self, program: HubProgram) -> CaseForm:
        return self.forms.get(program.program_id, DEFAULT_FORM)

    async def review_queue(self, program: HubProgram) -> list[ReviewItem]:
        if self.queue_error is not None:
            raise self.queue_error
        return [ReviewItem(c) for c in self.queue.get(program.program_id, ())]

    async def presented_cases(self, program: HubProgram) -> list[ReviewItem]:
        if self.queue_error is not None:
            raise self.queue_error
        return [ReviewItem(c) for c in self.presented.get(program.program_id, ())]

    async def approve(self, program: HubProgram, case: Case, session: SessionSlot) -> Case:
        self._review_check()
        self.approved.append((case, session))
        return self._reviewed(replace(case, status=CaseStatus.APPROVED, session=session))

    async def return_case(self, program: HubProgram, case: Case, comments: str) -> Case:
        self._review_check()
        self.returned.append((case, comments))
        return self._reviewed(replace(case, status=CaseStatus.RETURNED, comments=comments))

    async def recommend(self, program: HubProgram, case: Case, text: str) -> Case:
        self._review_check()
        self.recommended.append((case, text))
        return self._reviewed(replace(case, status=CaseStatus.RECOMMENDED, recommendations=text))

    def network_changed(self, reachable: bool) -> None:
        self.network.append(reachable)

    # --- the test's side ---------------------------------------------------------------------

    def publish(self, snapshot: CasesSnapshot) -> None:
        self.current = snapshot
        if self.listener is not None:
            self.listener(snapshot)

    def _put(self, case: Case) -> None:
        others = tuple(c for c in self.current.cases if c.case.client_id != case.client_id)
        self.current = replace(self.current, cases=(MyCase(case, PROGRAM), *others))

    def _review_check(self) -> None:
        if self.review_error is not None:
            raise self.review_error

    def _reviewed(self, case: Case) -> Case:
        case = replace(case, version=case.version + 1)
        for waiting in (self.queue, self.presented):
            for program, cases in waiting.items():
                waiting[program] = tuple(c for c in cases if c.client_id != case.client_id)
        return case


def _check_protocol(source: FakeCaseSource) -> CaseSource:
    return source  # mypy checks that the fake keeps to the port


def snapshot_of(cases: tuple[Case, ...], **fields: object) -> CasesSnapshot:
    """A snapshot of `cases` in `PROGRAM`, with any other of its fields set."""
    return replace(
        CasesSnapshot(tuple(MyCase(c, PROGRAM) for c in cases), (PROGRAM,), checked=True),
        **fields,  # type: ignore[arg-type]
    )


def sample_case(
    client_id: str = "case-1",
    status: CaseStatus = CaseStatus.DRAFT,
    *,
    question: str = "How should we manage her rising liver enzymes?",
    **more: object,
) -> Case:
    """A de-identified case in the default form, clean for the fake guard."""
    values = {
        "case_type": "New",
        "question": question,
        "age_band": "50–59",
        "sex": "Female",
        "chief_complaint": "Fatigue and raised ALT",
        "hpi": "Six months of fatigue. ALT 180 in 2024, HCV RNA positive.",
        "past_history": "Type 2 diabetes.",
        "medications": "Metformin 500 mg twice daily.",
        "labs_imaging": "Platelets 140. Ultrasound 2024: coarse liver.",
        "assessment_plan": "Chronic HCV; plan to start treatment.",
    }
    return Case(
        client_id,
        7,
        values,
        status=status,
        presenter="Dr. Carl Mendes, Taos Clinic",
        updated_at=datetime.fromisoformat("2026-11-20T10:00:00+00:00"),
        **more,  # type: ignore[arg-type]
    )
