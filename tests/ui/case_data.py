"""Case screens' pictures: a presenter's cases in every status, a draft with identifiers still in
it, and a review queue (clean, dismissed, and one the guard flags). Fiction, de-identified."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from echo_desktop.cases.findings import Dismissal, PhiKind
from echo_desktop.cases.model import Case, CaseStatus, SessionSlot
from tests.fake_cases import sample_case

SLOT = SessionSlot("hcv-weekly", datetime(2026, 11, 26, 19, 0, tzinfo=UTC))
PAST_SLOT = SessionSlot("hcv-weekly", datetime(2026, 11, 12, 19, 0, tzinfo=UTC))


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def my_cases_list() -> tuple[Case, ...]:
    return (
        replace(sample_case("d1", question="Managing fatigue after HCV cure?"), updated_at=_at(24, 13)),
        replace(
            sample_case(
                "q1", CaseStatus.QUEUED, question="When to start DAAs in a patient with CKD stage 3?"
            ),
            updated_at=_at(24, 12),
        ),
        replace(
            sample_case(
                "r1",
                CaseStatus.RETURNED,
                question="Reinfection after treatment: retreat now or wait?",
                comments="Please give the age as a band and remove the clinic's town from the history.",
            ),
            updated_at=_at(23, 16),
        ),
        replace(
            sample_case(
                "a1", CaseStatus.APPROVED, question="Cirrhosis with a platelet count of 90", session=SLOT
            ),
            updated_at=_at(22, 10),
        ),
        replace(
            sample_case(
                "m1",
                CaseStatus.RECOMMENDED,
                question="Rising ALT on treatment: stop or continue?",
                session=PAST_SLOT,
                recommendations=(
                    "Continue sofosbuvir-velpatasvir; a mild ALT rise in week 2 is common.\n"
                    "Recheck ALT and bilirubin in two weeks; stop if ALT exceeds 10 times normal."
                ),
            ),
            updated_at=_at(14, 9),
        ),
    )


def case_form_draft() -> Case:
    case = sample_case("draft-1", question="How should we manage her rising liver enzymes?")
    values = {
        **case.values,
        "hpi": (
            "Seen by Mrs. Jones at the clinic on March 3, 2024 with six months of fatigue. "
            "ALT 180 in 2024, HCV RNA positive. Her daughter can be reached at 505-555-0134."
        ),
        "past_history": "Graves disease, treated in 2019. Type 2 diabetes.",
    }
    return replace(case, values=values)


def review_queue() -> tuple[Case, ...]:
    clean = sample_case(
        "s1", CaseStatus.SUBMITTED, question="When to start DAAs in a patient with CKD stage 3?"
    )
    dismissed = replace(
        sample_case("s2", CaseStatus.SUBMITTED, question="Thyroid eye disease and HCV treatment"),
        values={
            **clean.values,
            "question": "Thyroid eye disease and HCV treatment",
            "past_history": "Graves disease.",
        },
        dismissals=(
            Dismissal("past_history", PhiKind.NAME, "Graves", "Graves' disease is a condition, not a name"),
        ),
        presenter="Dr. Dana Whitehorse, Gallup Clinic",
    )
    flagged = replace(
        sample_case("s3", CaseStatus.SUBMITTED, question="Jaundice after starting treatment"),
        values={
            **clean.values,
            "question": "Jaundice after starting treatment",
            "hpi": "A 92-year-old seen on March 3, 2024 with jaundice. ALT 410.",
        },
        dismissals=(),
        presenter="Bea Okafor, RN, Zuni Health Center",
    )
    return (clean, dismissed, flagged)


RECOMMENDATIONS_DRAFT = (
    "Start sofosbuvir-velpatasvir for 12 weeks; no dose change for her kidney function.\n"
    "Recheck ALT and HCV RNA at week 4, and an ultrasound every six months for liver cancer."
)


def presented_cases() -> tuple[Case, ...]:
    """Cases discussed in last week's session, waiting for their written recommendations."""
    return (
        replace(
            sample_case(
                "p1", CaseStatus.PRESENTED, question="When to start DAAs in a patient with CKD stage 3?"
            ),
            session=PAST_SLOT,
        ),
        replace(
            sample_case("p2", CaseStatus.PRESENTED, question="Cirrhosis with a platelet count of 90"),
            session=PAST_SLOT,
            presenter="Dr. Dana Whitehorse, Gallup Clinic",
        ),
    )
