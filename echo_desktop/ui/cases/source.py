"""The case screens' port: where cases come from and go to, as the UI sees it.

Stand-in for `echo_desktop.cases.ports` (being written alongside): the same operations, so the
two can be reconciled. Coroutines run on the caller's loop (the Qt loop through qasync) and never
block it: disk and network go to threads or the source's own loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from echo_desktop.cases.findings import Finding
from echo_desktop.cases.model import Case, CaseForm, SessionSlot

Guard = Callable[[str], list[Finding]]
"""The de-identification guard: `echo_desktop.cases.deid.scan` in the app, a fake in tests."""


class CaseError(Exception):
    """A case request that failed; the message is for the user. It names the field and the
    problem, never the case's text, a token or a PIN."""


@dataclass(frozen=True)
class CaseProgram:
    """A program the person can present cases to, and whether they review its cases."""

    program_id: int
    name: str
    facilitator: bool = False


@dataclass(frozen=True)
class CaseList:
    """The person's own cases as last known (saved on this computer), and how fresh they are."""

    cases: tuple[Case, ...] = ()
    online: bool | None = None  # None: not checked with the hub yet in this run
    updated: datetime | None = None  # when the hub last answered (aware)
    problem: str = ""  # why the last refresh failed, for the user


CaseListener = Callable[[CaseList], None]


class CaseSource(Protocol):
    """The presenter's cases (drafts, the outbox, what the hub sent back) and the review queue."""

    def programs(self) -> tuple[CaseProgram, ...]:
        """The programs the person belongs to (from the saved subscriptions; never blocks)."""
        ...

    def my_cases(self) -> CaseList:
        """The person's drafts and cases as saved on this computer. Never blocks on the network."""
        ...

    def set_listener(self, listener: CaseListener | None) -> None:
        """Called on the source's loop with each new list (a refresh landed, the outbox sent)."""
        ...

    async def refresh(self) -> CaseList:
        """Ask the hub for the person's cases (statuses, comments, recommendations) and send the
        outbox; raises nothing: a failure ends up in the list's `problem`, the saved cases stay."""
        ...

    async def form(self, program_id: int) -> CaseForm:
        """The program's case form (the saved copy when the hub does not answer; else the
        default ECHO form)."""
        ...

    def new_draft(self, program_id: int) -> Case:
        """A new, empty draft with a fresh client-made ID (not saved until `save_draft`)."""
        ...

    async def save_draft(self, case: Case) -> None:
        """Save a draft (or a returned case being edited) on this computer; raises CaseError."""
        ...

    async def discard_draft(self, client_id: str) -> None:
        """Delete a draft from this computer; raises CaseError."""
        ...

    async def submit(self, case: Case) -> Case:
        """Put the case in the outbox and send it when the hub answers. Returns it QUEUED, or
        SUBMITTED when the hub took it at once; raises CaseError when the hub refuses it (the
        draft stays)."""
        ...

    async def review_queue(self, program_id: int) -> tuple[Case, ...]:
        """The program's submitted cases, for its facilitators; raises CaseError."""
        ...

    async def approve(self, case: Case, slot: SessionSlot) -> Case:
        """Approve a submitted case into a session's case slot; raises CaseError (stale, ...)."""
        ...

    async def return_case(self, case: Case, comments: str) -> Case:
        """Send a submitted case back to its presenter with comments; raises CaseError."""
        ...

    async def recommend(self, case: Case, text: str) -> Case:
        """Attach the written recommendations to a case; raises CaseError."""
        ...
