"""The cases' port: where "My cases", the case form and the facilitator's review come from, as the
UI sees them.

The app plugs in the real source (`echo_desktop.sync.case_sync.CaseSync`: the local store and the
hubs' program services); tests plug in fakes. Coroutines run on the caller's loop (the Qt loop
through qasync) and never block it: disk and network go to threads and tasks inside the source.

Case text is clinical data: no method logs it, and no `CaseError` message quotes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from echo_desktop.cases.findings import PhiKind
from echo_desktop.cases.model import Case, CaseForm, SessionSlot


class CaseError(Exception):
    """A case request that failed; the message is for people (it names the case's program and the
    problem, never a token and never the case's text)."""


FACILITATOR_ROLE = "facilitator"


@dataclass(frozen=True)
class HubProgram:
    """A program on a hub the person subscribed to: where its cases go.

    `role` is the person's role on the hub ("spoke", "facilitator" or "hub", as its `/api/me`
    says), learnt when the hub answers a round; "" until then (and offline since the app started).
    """

    service: str  # the hub's program service, e.g. https://hub.example.org:8090
    program_id: int
    name: str
    role: str = ""

    @property
    def reviews(self) -> bool:
        """Whether the person reviews this program's cases and writes their recommendations (a
        facilitator: the hub lets only the program's facilitators list its cases)."""
        return self.role == FACILITATOR_ROLE


@dataclass(frozen=True)
class MyCase:
    """One of the person's cases as "My cases" lists it.

    `case.status` is DRAFT (only on this computer; also a returned case being edited, or one the
    hub refused), QUEUED (in the outbox), or the hub's status. `refusal` is the hub's last refusal
    of this draft, for people (it names the field and the kind of identifier, never the text).
    """

    case: Case
    program: HubProgram
    refusal: str = ""


@dataclass(frozen=True)
class HubFinding:
    """What the hub's guard found in a submitted case: a field and offsets, never the text."""

    field: str
    kind: PhiKind
    start: int
    end: int


@dataclass(frozen=True)
class ReviewItem:
    """A submitted case in a facilitator's queue, with the hub's guard result; the presenter's
    dismissals are `case.dismissals`."""

    case: Case
    findings: tuple[HubFinding, ...] = ()


@dataclass(frozen=True)
class CasesSnapshot:
    """What "My cases" shows: the cases, how fresh the hub's part is, and what went wrong."""

    cases: tuple[MyCase, ...] = ()  # newest first
    programs: tuple[HubProgram, ...] = ()  # where a new case can go
    updated: datetime | None = None  # the last time every hub answered a pull (aware)
    online: bool = False  # the last round reached every hub
    checked: bool = False  # a round has finished since the app started
    problems: tuple[str, ...] = ()  # one line per failing hub (sending or pulling)
    notices: tuple[str, ...] = ()  # things to tell the user once (a damaged store set aside)


CasesListener = Callable[[CasesSnapshot], None]


class CaseSource(Protocol):
    """The person's drafts, outbox and cases, kept on this computer so that they show offline, and
    sent and pulled in the background whenever a hub answers."""

    def snapshot(self) -> CasesSnapshot:
        """What is known now. Never blocks on the network."""
        ...

    def set_listener(self, listener: CasesListener | None) -> None:
        """Called on the source's loop with each new snapshot (a save, a submit, a send, a pull)."""
        ...

    async def refresh(self) -> CasesSnapshot:
        """Send the outbox and pull the person's cases now; raises nothing: failures end up in the
        snapshot's `problems` and everything kept stays."""
        ...

    # --- the presenter ---------------------------------------------------------------------------

    async def new_draft(self, program: HubProgram) -> Case:
        """A new empty draft for `program`, saved, with its client-made id."""
        ...

    async def load_draft(self, client_id: str) -> Case | None:
        """The draft of a case to edit: the saved draft, else a draft made from the hub's copy (a
        returned case, to be resubmitted); None for a queued or unknown case."""
        ...

    async def save_draft(self, case: Case) -> None:
        """Keep the draft's newest values and dismissals (call it as the person types: writes are
        coalesced, each one a transaction that survives a crash). Raises CaseError."""
        ...

    async def discard_draft(self, client_id: str) -> None:
        """Delete the draft's text from this computer (the hub's copy, if any, stays)."""
        ...

    async def submit(self, case: Case) -> MyCase:
        """Queue the case for the hub and return at once (QUEUED). The caller has checked it with
        the guard: every finding fixed or dismissed. Raises CaseError (too large, unknown case)."""
        ...

    async def case_form(self, program: HubProgram) -> CaseForm:
        """The program's case form: the hub's, else the copy kept from the last time, else the
        default ECHO form (offline before any fetch)."""
        ...

    # --- the facilitator (online only; each raises CaseError) ------------------------------------

    async def review_queue(self, program: HubProgram) -> list[ReviewItem]:
        """The program's submitted cases, waiting for review."""
        ...

    async def approve(self, program: HubProgram, case: Case, session: SessionSlot) -> Case:
        """Approve `case` (at the version read) into a session's case slot."""
        ...

    async def return_case(self, program: HubProgram, case: Case, comments: str) -> Case:
        """Return `case` to its presenter with comments."""
        ...

    async def recommend(self, program: HubProgram, case: Case, text: str) -> Case:
        """Attach the hub's written recommendations to `case`."""
        ...

    async def presented_cases(self, program: HubProgram) -> list[ReviewItem]:
        """The program's cases discussed in a session (PRESENTED), waiting for their written
        recommendations."""
        ...

    def network_changed(self, reachable: bool) -> None:
        """The OS says the network came back (or went): send and pull soon instead of waiting."""
        ...
