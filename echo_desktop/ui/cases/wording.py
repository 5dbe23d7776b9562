"""The case screens' words: a case's status as a presenter reads it, and when its session is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from echo_desktop.cases.model import Case, CaseStatus
from echo_desktop.schedule.lobby import clock_time
from echo_desktop.ui.schedule.wording import DAY_NAMES, MONTH_NAMES


@dataclass(frozen=True)
class StatusWords:
    """A status chip's text and tone ("waiting", "action", "good", "info", "" for plain) and the
    line under the title that says what happens next."""

    label: str
    tone: str
    detail: str


def session_time(moment: datetime, local: tzinfo) -> str:
    """ "Thursday 3 December 2026 at 9:00" in the user's zone."""
    when = moment.astimezone(local)
    day = f"{DAY_NAMES[when.weekday()]} {when.day} {MONTH_NAMES[when.month - 1]} {when.year}"
    return f"{day} at {clock_time(when)}"


def status_words(case: Case, local: tzinfo) -> StatusWords:
    """Where a case stands, in words."""
    status = case.status
    if status is CaseStatus.DRAFT:
        return StatusWords("Draft", "", "Saved on this computer only. Open it to finish and submit.")
    if status is CaseStatus.QUEUED:
        return StatusWords(
            "Queued: waiting for the network",
            "waiting",
            "Submitted on this computer. It is sent by itself as soon as the hub answers.",
        )
    if status is CaseStatus.SUBMITTED:
        return StatusWords("Submitted", "info", "The hub has it. A facilitator will review it.")
    if status is CaseStatus.RETURNED:
        return StatusWords(
            "Returned with comments", "action", "The facilitator asked for changes. Edit it and submit again."
        )
    when = session_time(case.session.start, local) if case.session is not None else ""
    if status is CaseStatus.APPROVED:
        detail = f"To be presented on {when}." if when else "Approved for a session."
        return StatusWords("Approved", "good", detail)
    if status is CaseStatus.PRESENTED:
        detail = f"Presented on {when}." if when else "Presented."
        return StatusWords("Presented", "info", detail + " Written recommendations will follow.")
    return StatusWords("Recommendations received", "good", "The hub's written recommendations have arrived.")


EDITABLE = frozenset({CaseStatus.DRAFT, CaseStatus.RETURNED})
"""The statuses a presenter can open to edit."""

EXPORTABLE = frozenset(set(CaseStatus) - EDITABLE)
"""Only what passed the guard is exported: a draft or a case being edited may still hold PHI."""
