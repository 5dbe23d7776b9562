"""A case and its form: the values the presenter typed, where the case stands, and what came back.

The form is a schema the hub serves per program (`CaseForm`); the app renders any schema it is
given. `DEFAULT_FORM` carries the common ECHO fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from echo_desktop.cases.findings import Dismissal

MAX_CASE_TEXT_BYTES = 64 * 1024
"""A case's text, all fields together (UTF-8), may not exceed this."""


class CaseStatus(StrEnum):
    """Where a case stands, from the presenter's first keystroke to the hub's recommendations."""

    DRAFT = "draft"  # on this computer only
    QUEUED = "queued"  # submitted here, waiting in the outbox for the hub
    SUBMITTED = "submitted"  # the hub has it; a facilitator will screen it
    RETURNED = "returned"  # the facilitator asked for changes (see comments)
    APPROVED = "approved"  # placed in a session's case slot
    PRESENTED = "presented"  # its session has ended
    RECOMMENDED = "recommended"  # the hub's written recommendations are attached


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # paragraphs
    CHOICE = "choice"  # one of `choices`


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: FieldKind = FieldKind.LONG_TEXT
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()

    @property
    def free_text(self) -> bool:
        """Whether the guard checks it (a choice is one of the hub's own words)."""
        return self.kind is not FieldKind.CHOICE


@dataclass(frozen=True)
class CaseForm:
    """A program's case form."""

    fields: tuple[FormField, ...]
    title_field: str = "question"  # the field that names the case in lists and in the lobby

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)


DEFAULT_FORM = CaseForm(
    (
        FormField("case_type", "Case type", FieldKind.CHOICE, True, choices=("New", "Follow-up")),
        FormField(
            "question",
            "Your question for the hub",
            FieldKind.TEXT,
            True,
            "What do you want help with? One or two sentences.",
        ),
        FormField(
            "age_band",
            "Age band",
            FieldKind.CHOICE,
            True,
            'Ages over 89 are "90 or older".',
            ("Under 18", "18–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89", "90 or older"),
        ),
        FormField("sex", "Sex", FieldKind.CHOICE, True, choices=("Female", "Male", "Intersex", "Not stated")),
        FormField("chief_complaint", "Chief complaint", FieldKind.TEXT, True),
        FormField("hpi", "History of present illness", required=True),
        FormField("past_history", "Past medical, developmental and social history"),
        FormField("medications", "Current medications"),
        FormField("labs_imaging", "Labs and imaging", help="Values with the year only: no full dates."),
        FormField("assessment_plan", "Assessment and plan so far"),
    )
)


@dataclass(frozen=True)
class SessionSlot:
    """The session a case was approved into: the series' UID and that session's start (aware)."""

    uid: str
    start: datetime


@dataclass(frozen=True)
class Case:
    """One case. `client_id` is made on the presenter's computer and never changes, so a case is
    never lost nor duplicated, however often it is sent; `version` grows with each accepted
    change, so a stale update never overwrites a newer one."""

    client_id: str
    program_id: int
    values: dict[str, str]
    status: CaseStatus = CaseStatus.DRAFT
    version: int = 0
    dismissals: tuple[Dismissal, ...] = ()
    comments: str = ""  # the facilitator's, when returned
    session: SessionSlot | None = None  # when approved
    recommendations: str = ""
    updated_at: datetime | None = None
    presenter: str = ""  # the presenter's name and site (not the patient's)
    extra: dict[str, str] = field(default_factory=dict)

    def title(self, form: CaseForm = DEFAULT_FORM) -> str:
        return self.values.get(form.title_field, "").strip() or "Untitled case"
