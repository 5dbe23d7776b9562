"""Cases and forms as the hub's API writes them (docs/hub-api.md, "Cases"), both ways.

Plain Python over decoded JSON: the hub reads submissions and writes `{case}` and the form with
these. What it writes is `case_json`'s shape, written by `case_json` (the client's reader and the
local store use it too); what it reads from requests it checks here, strictly. Anything that is
not of the documented shape is a `malformed` CaseRefusal whose message names the part, never its
content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from echo_desktop.cases import case_json
from echo_desktop.cases.case_json import form_to_json, slot_to_json
from echo_desktop.cases.findings import Dismissal, PhiKind
from echo_desktop.cases.model import Case, CaseForm, CaseStatus, FieldKind, FormField, SessionSlot
from echo_desktop.cases.review import HubCase
from echo_desktop.cases.validation import CaseRefusal, FieldFinding, Submission


def form_from_json(data: object) -> CaseForm:
    """A form read back from `form_to_json`'s shape (a hub's answer, or a stored form)."""
    body = _object(data, "the form")
    fields = []
    for item in _list(body.get("fields"), "fields"):
        entry = _object(item, "a field")
        try:
            kind = FieldKind(_text(entry.get("kind", FieldKind.LONG_TEXT.value), "a field's kind"))
        except ValueError as exc:
            raise CaseRefusal("malformed", "a field's kind is not text, long_text or choice") from exc
        fields.append(
            FormField(
                _text(entry.get("key"), "a field's key"),
                _text(entry.get("label"), "a field's label"),
                kind,
                _bool(entry.get("required", False), "a field's required"),
                _text(entry.get("help", ""), "a field's help"),
                tuple(_text(c, "a choice") for c in _list(entry.get("choices", []), "choices")),
            )
        )
    return CaseForm(tuple(fields), _text(body.get("title_field", "question"), "title_field"))


def submission_from_json(data: object) -> Submission:
    """A `PUT /api/cases/{client_id}` body: `program_id`, `values`, `base_version` (0 for a new
    case) and `dismissals` (may be left out when there are none)."""
    body = _object(data, "the request")
    values = _object(body.get("values"), "values")
    return Submission(
        _integer(body.get("program_id"), "program_id"),
        {_text(key, "a field's key"): _text(value, f"the value of {key!r}") for key, value in values.items()},
        tuple(dismissal_from_json(d) for d in _list(body.get("dismissals", []), "dismissals")),
        _integer(body.get("base_version"), "base_version", minimum=0),
    )


def dismissal_from_json(data: object) -> Dismissal:
    entry = _object(data, "a dismissal")
    try:
        kind = PhiKind(_text(entry.get("kind"), "a dismissal's kind"))
    except ValueError as exc:
        raise CaseRefusal("malformed", "a dismissal's kind is not one of the guard's kinds") from exc
    return Dismissal(
        _text(entry.get("field"), "a dismissal's field"),
        kind,
        _text(entry.get("text"), "a dismissal's text"),
        _text(entry.get("reason", ""), "a dismissal's reason"),
    )


def case_to_json(hub_case: HubCase) -> dict[str, Any]:
    """`{case}`: the case as `case_json` writes it (the client reads it with the same module), and
    the guard's dismissed findings as offsets (never their text)."""
    return {
        **case_json.case_to_json(hub_case.case),
        "findings": [
            {"field": f.field, "kind": f.kind.value, "start": f.start, "end": f.end}
            for f in hub_case.findings
        ],
    }


def case_from_json(data: object) -> tuple[Case, tuple[FieldFinding, ...]]:
    """A `{case}` read back: the case and the guard's findings on it."""
    body = _object(data, "the case")
    values = _object(body.get("values"), "values")
    try:
        status = CaseStatus(_text(body.get("status"), "status"))
    except ValueError as exc:
        raise CaseRefusal("malformed", "the case's status is not one the hub uses") from exc
    updated = body.get("updated_at")
    findings = []
    for item in _list(body.get("findings", []), "findings"):
        entry = _object(item, "a finding")
        try:
            kind = PhiKind(_text(entry.get("kind"), "a finding's kind"))
        except ValueError as exc:
            raise CaseRefusal("malformed", "a finding's kind is not one of the guard's kinds") from exc
        findings.append(
            FieldFinding(
                _text(entry.get("field"), "a finding's field"),
                kind,
                _integer(entry.get("start"), "a finding's start", minimum=0),
                _integer(entry.get("end"), "a finding's end", minimum=0),
            )
        )
    case = Case(
        _text(body.get("client_id"), "client_id"),
        _integer(body.get("program_id"), "program_id"),
        {_text(k, "a field's key"): _text(v, f"the value of {k!r}") for k, v in values.items()},
        status,
        _integer(body.get("version"), "version", minimum=0),
        tuple(dismissal_from_json(d) for d in _list(body.get("dismissals", []), "dismissals")),
        _text(body.get("comments", ""), "comments"),
        None if body.get("session") is None else slot_from_json(body.get("session")),
        _text(body.get("recommendations", ""), "recommendations"),
        None if updated is None else _moment(updated, "updated_at"),
        _text(body.get("presenter", ""), "presenter"),
    )
    return case, tuple(findings)


def slot_from_json(data: object) -> SessionSlot:
    """A session named by its series' UID and its start: ISO-8601 with an offset."""
    entry = _object(data, "session")
    return SessionSlot(_text(entry.get("uid"), "the session's uid"), _moment(entry.get("start"), "its start"))


def _moment(value: object, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(_text(value, what))
    except ValueError as exc:
        raise CaseRefusal("malformed", f"{what} is not an ISO-8601 time") from exc
    if moment.tzinfo is None:
        raise CaseRefusal("malformed", f"{what} needs a UTC offset")
    return moment


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CaseRefusal("malformed", f"{what} must be a JSON object")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise CaseRefusal("malformed", f"{what} must be a JSON array")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise CaseRefusal("malformed", f"{what} must be a string")
    return value


def _bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise CaseRefusal("malformed", f"{what} must be true or false")
    return value


def _integer(value: object, what: str, minimum: int | None = None) -> int:
    # bool is an int in Python, not in JSON; and an id or version beyond 64 bits is nobody's.
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) <= value < 2**63:
        raise CaseRefusal("malformed", f"{what} must be an integer")
    if minimum is not None and value < minimum:
        raise CaseRefusal("malformed", f"{what} must be {minimum} or more")
    return value


__all__ = [
    "case_from_json",
    "case_to_json",
    "dismissal_from_json",
    "form_from_json",
    "form_to_json",
    "slot_from_json",
    "slot_to_json",
    "submission_from_json",
]
