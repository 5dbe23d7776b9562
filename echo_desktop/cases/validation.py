"""Whether a submission fits its program's form, and whether the guard lets its text through.

Plain Python: the hub runs these on every case it receives (and a client may run them before it
sends). A refusal is a `CaseRefusal` naming the field and the problem; it never carries the case's
text, so it can go into a log or an error body as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from echo_desktop.cases.findings import Dismissal, Finding, PhiKind
from echo_desktop.cases.model import MAX_CASE_TEXT_BYTES, CaseForm

Guard = Callable[[str], list[Finding]]
"""The de-identification guard: a text's likely identifiers (`echo_desktop.cases.deid.scan`)."""


class CaseRefusal(Exception):
    """A case change the rules refuse: a short `code` (the API's error code), a message for
    people, and details (a field's name, a version, findings by field and kind). Never the text."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@dataclass(frozen=True)
class FieldFinding:
    """Where the guard found a likely identifier: the field, the kind, and offsets into the
    field's text. Deliberately without the text itself, so it can be stored and shown anywhere."""

    field: str
    kind: PhiKind
    start: int
    end: int


@dataclass(frozen=True)
class GuardResult:
    """The guard's verdict on a case: findings nobody dismissed (they block it) and dismissed ones."""

    open: tuple[FieldFinding, ...] = ()
    dismissed: tuple[FieldFinding, ...] = ()


@dataclass(frozen=True)
class Submission:
    """What a presenter sends: the values typed into the program's form, the findings they
    dismissed, and the version they edited (0 for a new case)."""

    program_id: int
    values: dict[str, str]
    dismissals: tuple[Dismissal, ...] = ()
    base_version: int = 0


def text_bytes(texts: Iterable[str]) -> int:
    """The size of some text in UTF-8, the measure of MAX_CASE_TEXT_BYTES."""
    return sum(len(text.encode("utf-8", "surrogatepass")) for text in texts)


def check_size(texts: Iterable[str], what: str = "the case") -> None:
    """Refuse text over MAX_CASE_TEXT_BYTES (all of it together)."""
    size = text_bytes(texts)
    if size > MAX_CASE_TEXT_BYTES:
        raise CaseRefusal(
            "too_large",
            f"{what} has {size} bytes of text; the most is {MAX_CASE_TEXT_BYTES} (64 KB)",
            limit=MAX_CASE_TEXT_BYTES,
        )


def check_values(form: CaseForm, values: Mapping[str, str], dismissals: Iterable[Dismissal] = ()) -> None:
    """Refuse values that do not fit `form`: the size first (so a huge case is not walked), then
    an unknown field (also one a dismissal names), a required field left empty, a choice that is
    not one of the form's."""
    check_size(values.values())
    for key in values:
        if form.field(key) is None:
            raise CaseRefusal("unknown_field", f"this program's case form has no field {key!r}", field=key)
    for dismissal in dismissals:
        if form.field(dismissal.field) is None:
            raise CaseRefusal(
                "unknown_field",
                f"a dismissal names {dismissal.field!r}, which this program's case form does not have",
                field=dismissal.field,
            )
    for form_field in form.fields:
        value = values.get(form_field.key, "").strip()
        if form_field.required and not value:
            raise CaseRefusal("missing_field", f"{form_field.label!r} is required", field=form_field.key)
        if value and not form_field.free_text and value not in form_field.choices:
            raise CaseRefusal(
                "invalid_choice",
                f"{form_field.label!r} must be one of: {', '.join(form_field.choices)}",
                field=form_field.key,
            )


def guard_result(
    form: CaseForm, values: Mapping[str, str], dismissals: Iterable[Dismissal], guard: Guard
) -> GuardResult:
    """Run the guard on every free-text field; a finding is dismissed when a dismissal names its
    field, its kind and its exact text (an edit that changes the text reopens it)."""
    dismissed_keys = {(d.field, d.kind, d.text) for d in dismissals}
    still_open: list[FieldFinding] = []
    dismissed: list[FieldFinding] = []
    for form_field in form.fields:
        text = values.get(form_field.key, "")
        if not form_field.free_text or not text:
            continue
        for finding in guard(text):
            where = FieldFinding(form_field.key, PhiKind(finding.kind), finding.start, finding.end)
            covered = (form_field.key, finding.kind, finding.text) in dismissed_keys
            (dismissed if covered else still_open).append(where)
    return GuardResult(tuple(still_open), tuple(dismissed))


def check_guard(
    form: CaseForm, values: Mapping[str, str], dismissals: Iterable[Dismissal], guard: Guard
) -> GuardResult:
    """The guard's result, or a `phi` refusal listing each open finding by field and kind only."""
    result = guard_result(form, values, dismissals, guard)
    if result.open:
        named = sorted({(f.field, f.kind.value) for f in result.open})
        raise CaseRefusal(
            "phi",
            "the case still has likely identifiers: replace them, or dismiss each that is not PHI "
            "(" + ", ".join(f"{kind} in {name!r}" for name, kind in named) + ")",
            findings=[{"field": name, "kind": kind} for name, kind in named],
        )
    return result
