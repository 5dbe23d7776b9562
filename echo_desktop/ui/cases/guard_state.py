"""What the guard found in a case, field by field, and which findings are still open.

Plain Python (no Qt), so the rules are easy to test: a finding is open unless a dismissal names
its field, kind and exact text; a dismissal whose text no longer appears (the person edited it)
is dropped, so the finding reopens if that text comes back changed. A field the guard could not
check counts as open: nothing unchecked is ever submitted. The guard's results may be computed
elsewhere (the case form runs the guard in its own thread) and recorded here (`record`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from echo_desktop.cases.findings import Dismissal, Finding
from echo_desktop.cases.validation import Guard

logger = logging.getLogger(__name__)

KIND_WORDS = {
    "NAME": "a name",
    "LOCATION": "a place smaller than a state",
    "DATE": "a date (more than the year)",
    "AGE": "an age over 89",
    "PHONE": "a phone number",
    "FAX": "a fax number",
    "EMAIL": "an email address",
    "SSN": "a social security number",
    "ID": "a record or account number",
    "VEHICLE": "a vehicle identifier",
    "DEVICE": "a device identifier",
    "URL": "a web address",
    "IP": "an IP address",
}


def kind_words(kind: str) -> str:
    """A finding's kind for people: "a date (more than the year)"."""
    return KIND_WORDS.get(kind, "an identifier")


@dataclass(frozen=True)
class OpenFinding:
    """A finding still to be fixed or dismissed, and the field it is in."""

    field: str
    finding: Finding


class GuardState:
    """The guard's results for every free-text field of one case, and the person's dismissals."""

    def __init__(self, guard: Guard, dismissals: tuple[Dismissal, ...] = ()) -> None:
        self._guard = guard
        self._findings: dict[str, list[Finding]] = {}
        self._failed: set[str] = set()
        self._checked: set[str] = set()
        self._dismissals: list[Dismissal] = list(dismissals)
        self.scans = 0  # how many results were recorded (tests wait on it)

    def scan(self, field: str, text: str) -> list[Finding]:
        """Run the guard on one field's text, on this thread; returns that field's open findings.

        The case form runs the guard in its own thread instead (`guard_thread`) and hands the
        result to `record` or `record_failure`; this is for code already off the Qt thread."""
        try:
            found = self._guard(text)
        except Exception as exc:  # noqa: BLE001 (any guard failure blocks submission, never the form)
            return self.record_failure(field, exc)
        return self.record(field, text, found)

    def record(self, field: str, text: str, found: list[Finding]) -> list[Finding]:
        """Take the guard's findings in one field's `text`, wherever they were computed; returns
        that field's open findings. Dismissals of text no longer found in the field are dropped."""
        self.scans += 1
        self._checked.add(field)
        self._failed.discard(field)
        ordered = sorted(found, key=lambda f: (f.start, f.end))
        self._findings[field] = [f for f in ordered if 0 <= f.start < f.end <= len(text)]
        texts = {(f.kind, f.text) for f in self._findings[field]}
        self._dismissals = [d for d in self._dismissals if d.field != field or (d.kind, d.text) in texts]
        return self.open_in(field)

    def record_failure(self, field: str, error: BaseException) -> list[Finding]:
        """The guard raised `error` on one field: the field is listed as failed, and blocks
        submission until a later scan of it succeeds. Returns no findings."""
        self.scans += 1
        self._checked.add(field)
        # The text is PHI until cleaned: log that the guard failed and how, never what it read
        # (an exception's message or traceback could quote the text).
        logger.error("The de-identification guard failed on the field %s: %s", field, type(error).__name__)
        self._failed.add(field)
        self._findings[field] = []
        return []

    def is_checked(self, field: str) -> bool:
        """Whether the guard has answered for this field at least once (findings or a failure)."""
        return field in self._checked

    def findings_in(self, field: str) -> list[Finding]:
        """Everything the guard found in a field, dismissed or not, in text order."""
        return list(self._findings.get(field, []))

    def is_dismissed(self, field: str, finding: Finding) -> bool:
        return any(
            d.field == field and d.kind == finding.kind and d.text == finding.text for d in self._dismissals
        )

    def open_in(self, field: str) -> list[Finding]:
        return [f for f in self._findings.get(field, []) if not self.is_dismissed(field, f)]

    def open_findings(self) -> list[OpenFinding]:
        """Every open finding, field by field in the order the fields were first scanned."""
        return [OpenFinding(field, f) for field in self._findings for f in self.open_in(field)]

    @property
    def failed_fields(self) -> list[str]:
        """The fields the guard could not check (they block submission too)."""
        return sorted(self._failed)

    def dismiss(self, field: str, finding: Finding, reason: str) -> Dismissal:
        """Record that a finding is not PHI, with the person's reason (the facilitator sees it)."""
        reason = reason.strip()
        if not reason:
            raise ValueError("a dismissal needs a reason")
        dismissal = Dismissal(field, finding.kind, finding.text, reason)
        self._dismissals.append(dismissal)
        return dismissal

    @property
    def dismissals(self) -> tuple[Dismissal, ...]:
        return tuple(self._dismissals)

    @property
    def clear(self) -> bool:
        """Whether nothing is open and every field was checked."""
        return not self._failed and not self.open_findings()
