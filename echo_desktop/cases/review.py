"""A case's way through the hub: submitted, returned with comments, resubmitted, approved into a
session, presented, recommended. Plain Python: each rule takes the case as the hub holds it and
returns the new one, or raises `CaseRefusal`; the store applies it inside one transaction.

Versions: a new case is version 1 and every accepted change adds one, so a change made from an
older version (`stale`) never overwrites a newer one. The hub keeps a digest of the last accepted
submission: the same submission sent again (a retry after a lost reply) is recognised and answered
as the first time, changing nothing. Becoming `presented` is the clock's doing, not an edit, so it
does not change the version (a facilitator's recommendation written from what they read stays
current).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime

from echo_desktop.cases.model import Case, CaseStatus, SessionSlot
from echo_desktop.cases.validation import CaseRefusal, FieldFinding, GuardResult, Submission, check_size

RESUBMITTABLE = frozenset({CaseStatus.SUBMITTED, CaseStatus.RETURNED})
"""A presenter may change a case while it waits for review or after it was returned."""
IN_A_SESSION = frozenset({CaseStatus.APPROVED, CaseStatus.PRESENTED, CaseStatus.RECOMMENDED})
"""The statuses of a case that holds one of its session's slots."""
RECOMMENDABLE = frozenset({CaseStatus.PRESENTED, CaseStatus.RECOMMENDED})
"""Recommendations are written after the session for now (live, in the call, in a later issue)."""


@dataclass(frozen=True)
class HubCase:
    """A case as the hub keeps it: the case, who presents it (a person's id), the guard's dismissed
    findings (offsets only), and the digest of the last submission accepted."""

    case: Case
    presenter_id: int
    findings: tuple[FieldFinding, ...] = ()
    submission_digest: str = ""


@dataclass(frozen=True)
class Accepted:
    """A submission's outcome: the case as it now stands, and whether the submission made it
    (the API answers 201 for a new case, 200 for a change; a repeat gets its first answer)."""

    case: HubCase
    created: bool


def submission_digest(submission: Submission) -> str:
    """A digest of everything a submission says, the same for the same submission however its JSON
    was written (key order, spacing)."""
    canonical = json.dumps(
        {
            "program_id": submission.program_id,
            "values": submission.values,
            "dismissals": [[d.field, d.kind.value, d.text, d.reason] for d in submission.dismissals],
            "base_version": submission.base_version,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def accept_submission(
    current: HubCase | None,
    client_id: str,
    submission: Submission,
    presenter_id: int,
    presenter: str,
    guard: GuardResult,
    now: datetime,
) -> Accepted:
    """Submit a new case or resubmit one (`submission` already checked against the form, and
    `guard` its guard result with nothing open).

    Refusals: `not_the_presenter` (someone else's case), `malformed` (another program),
    `no_such_case` (a change to a case the hub never had), `stale` with the hub's `version`,
    `wrong_status` (a case already approved).
    """
    digest = submission_digest(submission)
    if current is not None:
        if current.presenter_id != presenter_id:
            raise CaseRefusal("not_the_presenter", "only the case's presenter can change it")
        if current.case.program_id != submission.program_id:
            raise CaseRefusal("malformed", "a case stays in the program it was submitted to")
        if current.submission_digest == digest:
            return Accepted(current, created=submission.base_version == 0)
    if current is None:
        if submission.base_version != 0:
            raise CaseRefusal("no_such_case", "the hub has no such case to change", version=0)
        case = Case(
            client_id,
            submission.program_id,
            dict(submission.values),
            CaseStatus.SUBMITTED,
            1,
            submission.dismissals,
            updated_at=now,
            presenter=presenter,
        )
        return Accepted(HubCase(case, presenter_id, guard.dismissed, digest), created=True)
    _require_version(current, submission.base_version)
    _require_status(current, RESUBMITTABLE, "resubmitted")
    case = replace(
        current.case,
        values=dict(submission.values),
        dismissals=submission.dismissals,
        status=CaseStatus.SUBMITTED,
        version=current.case.version + 1,
        updated_at=now,
        presenter=presenter,
    )
    return Accepted(HubCase(case, presenter_id, guard.dismissed, digest), created=False)


def approve(
    current: HubCase, version: int, slot: SessionSlot, slots: int, taken: int, now: datetime
) -> HubCase:
    """Place a submitted case in a session that has `slots` case slots, `taken` of them already."""
    if _repeated(current, version) and current.case.status in IN_A_SESSION and current.case.session == slot:
        return current  # this approval, sent again (then presented, perhaps, as its session ended)
    _require_version(current, version)
    _require_status(current, {CaseStatus.SUBMITTED}, "approved")
    if taken >= slots:
        raise CaseRefusal(
            "no_free_slot",
            f"that session has {slots} case slot{'s' if slots != 1 else ''}, all taken"
            if slots
            else "that session has no case slots",
        )
    return _changed(current, replace(current.case, status=CaseStatus.APPROVED, session=slot, updated_at=now))


def return_case(current: HubCase, version: int, comments: str, now: datetime) -> HubCase:
    """Send a submitted case back to its presenter with comments (which are required)."""
    returned = current.case.status is CaseStatus.RETURNED and current.case.comments == comments
    if _repeated(current, version) and returned:
        return current  # this return, sent again
    _require_version(current, version)
    _require_status(current, {CaseStatus.SUBMITTED}, "returned")
    if not comments.strip():
        raise CaseRefusal("malformed", "returning a case needs comments saying what to change")
    check_size([comments], "the comments")
    return _changed(
        current, replace(current.case, status=CaseStatus.RETURNED, comments=comments, updated_at=now)
    )


def recommend(current: HubCase, version: int, text: str, now: datetime) -> HubCase:
    """Attach (or rewrite) the hub's written recommendations, once the case has been presented."""
    given = current.case.status is CaseStatus.RECOMMENDED and current.case.recommendations == text
    if _repeated(current, version) and given:
        return current  # these recommendations, sent again
    _require_version(current, version)
    _require_status(current, RECOMMENDABLE, "given recommendations")
    if not text.strip():
        raise CaseRefusal("malformed", "the recommendations are empty")
    check_size([text], "the recommendations")
    return _changed(
        current,
        replace(current.case, status=CaseStatus.RECOMMENDED, recommendations=text, updated_at=now),
    )


def presented_if_ended(current: HubCase, session_end: datetime, now: datetime) -> HubCase:
    """An approved case becomes presented once its session has ended (the version stays)."""
    if current.case.status is not CaseStatus.APPROVED or now < session_end:
        return current
    return replace(current, case=replace(current.case, status=CaseStatus.PRESENTED, updated_at=now))


def _changed(current: HubCase, case: Case) -> HubCase:
    """The case changed by a review: one version newer."""
    return replace(current, case=replace(case, version=current.case.version + 1))


def _repeated(current: HubCase, version: int) -> bool:
    """Whether a change made from `version` could be the last one the case took (one version
    newer); each rule then checks that the case stands exactly as that change would leave it."""
    return current.case.version == version + 1


def _require_version(current: HubCase, version: int) -> None:
    if version != current.case.version:
        raise CaseRefusal(
            "stale",
            f"the case has changed since version {version}: read version {current.case.version} first",
            version=current.case.version,
        )


def _require_status(current: HubCase, allowed: frozenset[CaseStatus] | set[CaseStatus], done: str) -> None:
    if current.case.status not in allowed:
        raise CaseRefusal("wrong_status", f"a case that is {current.case.status.value} cannot be {done}")
