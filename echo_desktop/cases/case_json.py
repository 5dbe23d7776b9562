"""A case and a case form as JSON values, in the hub's shape (docs/hub-api.md, "Cases").

The hub's answers and the local store both use it, so a case reads the same wherever it was kept.
Plain Python: `json.loads` and `json.dumps` are the caller's. Every reader raises `ValueError` for
anything that is not what the API promises, with a message that names the part and never quotes
a value (values are case text).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from echo_desktop.cases.findings import Dismissal, PhiKind
from echo_desktop.cases.model import Case, CaseForm, CaseStatus, FieldKind, FormField, SessionSlot


def case_to_json(case: Case) -> dict[str, Any]:
    """The case as the hub writes it (without `findings`, which are the hub's)."""
    return {
        "client_id": case.client_id,
        "program_id": case.program_id,
        "values": dict(case.values),
        "status": case.status.value,
        "version": case.version,
        "dismissals": [dismissal_to_json(d) for d in case.dismissals],
        "comments": case.comments,
        "session": None if case.session is None else slot_to_json(case.session),
        "recommendations": case.recommendations,
        "updated_at": None if case.updated_at is None else case.updated_at.astimezone(UTC).isoformat(),
        "presenter": case.presenter,
    }


def case_from_json(value: object) -> Case:
    """A `{case}` object; raises ValueError."""
    data = _object(value, "case")
    try:
        status = CaseStatus(data.get("status", CaseStatus.DRAFT.value))
    except ValueError:
        raise ValueError("the case's status is not one this version knows") from None
    session = data.get("session")
    return Case(
        client_id=_text(data.get("client_id"), "client_id"),
        program_id=_int(data.get("program_id"), "program_id"),
        values=values_from_json(data.get("values")),
        status=status,
        version=_int(data.get("version", 0), "version"),
        dismissals=tuple(dismissal_from_json(d) for d in _list(data.get("dismissals", []), "dismissals")),
        comments=_text(data.get("comments") or "", "comments", empty=True),
        session=None if session is None else slot_from_json(session),
        recommendations=_text(data.get("recommendations") or "", "recommendations", empty=True),
        updated_at=_time(data.get("updated_at"), "updated_at"),
        presenter=_text(data.get("presenter") or "", "presenter", empty=True),
    )


def values_from_json(value: object) -> dict[str, str]:
    data = _object(value, "values")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError("the case's values are not all texts")
    return dict(data)


def dismissal_to_json(dismissal: Dismissal) -> dict[str, str]:
    return {
        "field": dismissal.field,
        "kind": dismissal.kind.value,
        "text": dismissal.text,
        "reason": dismissal.reason,
    }


def dismissal_from_json(value: object) -> Dismissal:
    data = _object(value, "dismissal")
    try:
        kind = PhiKind(_text(data.get("kind"), "dismissal kind"))
    except ValueError:
        raise ValueError("a dismissal's kind is not an identifier kind") from None
    return Dismissal(
        _text(data.get("field"), "dismissal field"),
        kind,
        _text(data.get("text"), "dismissal text", empty=True),
        _text(data.get("reason"), "dismissal reason", empty=True),
    )


def slot_to_json(slot: SessionSlot) -> dict[str, str]:
    """A session slot: the series' UID and the session's start in UTC, ISO-8601."""
    return {"uid": slot.uid, "start": slot.start.astimezone(UTC).isoformat()}


def slot_from_json(value: object) -> SessionSlot:
    """A session slot; its start in ISO-8601 with a zone, or as the join path writes it
    (YYYYMMDDTHHMMSSZ)."""
    data = _object(value, "session")
    start = data.get("start")
    moment: datetime | None
    if isinstance(start, str) and len(start) == 16 and start.endswith("Z") and "T" in start:
        try:
            moment = datetime.strptime(start, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            moment = None
    else:
        moment = _time(start, "session start")
    if moment is None:
        raise ValueError("the session's start is missing or not a time")
    return SessionSlot(_text(data.get("uid"), "session uid"), moment)


def form_to_json(form: CaseForm) -> dict[str, Any]:
    return {
        "fields": [
            {
                "key": f.key,
                "label": f.label,
                "kind": f.kind.value,
                "required": f.required,
                "help": f.help,
                "choices": list(f.choices),
            }
            for f in form.fields
        ],
        "title_field": form.title_field,
    }


def form_from_json(value: object) -> CaseForm:
    """A program's case form; raises ValueError (no field, a field twice, a choice with none)."""
    data = _object(value, "form")
    fields: list[FormField] = []
    for entry in _list(data.get("fields"), "fields"):
        item = _object(entry, "field")
        try:
            kind = FieldKind(item.get("kind", FieldKind.LONG_TEXT.value))
        except ValueError:
            raise ValueError("a field's kind is not text, long_text or choice") from None
        choices = tuple(_text(c, "choice") for c in _list(item.get("choices") or [], "choices"))
        if kind is FieldKind.CHOICE and not choices:
            raise ValueError("a choice field has no choices")
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise ValueError("a field's 'required' is not true or false")
        fields.append(
            FormField(
                _text(item.get("key"), "field key"),
                _text(item.get("label"), "field label"),
                kind,
                required,
                _text(item.get("help") or "", "field help", empty=True),
                choices,
            )
        )
    if not fields or len({f.key for f in fields}) != len(fields):
        raise ValueError("the form has no fields, or a field twice")
    title = _text(data.get("title_field") or fields[0].key, "title_field")
    return CaseForm(tuple(fields), title)


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"the {what} is not an object")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"the {what} are not a list")
    return value


def _text(value: object, what: str, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise ValueError(f"the {what} is not a text")
    return value


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"the {what} is not a whole number")
    return value


def _time(value: object, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"the {what} is not a time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"the {what} is not a time") from None
    if moment.tzinfo is None:
        raise ValueError(f"the {what} has no time zone")
    return moment
