"""The hub's case endpoints (docs/hub-api.md, "Cases") over a `ProgramClient`.

Each refusal is a `ProgramServiceError` with its own `Failure` kind (MALFORMED, UNKNOWN_FIELD, PHI,
STALE, WRONG_STATUS, TOO_LARGE, FORBIDDEN, NOT_FOUND) and a message made here from the refusal's
code, the field keys and the identifier kinds it names: never from the hub's free text, and never
with the case's text, which no message, log line or exception here ever holds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from echo_desktop.cases.case_json import case_from_json, case_to_json, form_from_json, slot_to_json
from echo_desktop.cases.findings import PhiKind
from echo_desktop.cases.model import MAX_CASE_TEXT_BYTES, Case, CaseForm, CaseStatus, SessionSlot
from echo_desktop.cases.ports import HubFinding, ReviewItem
from echo_desktop.net.program_client import (
    Failure,
    ProgramClient,
    ProgramServiceError,
    bad_answer,
    status_error,
)
from echo_desktop.schedule.lobby import ApprovedCase

MAX_CASES_BYTES = 16 * 1024 * 1024  # a list of cases: many of up to 64 KB of text each
_FIELD_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,64}")  # a form field's key, as a message may name it


class CaseClient:
    """The case calls of one hub; `label` names the program (or the hub) in every message."""

    def __init__(self, http: ProgramClient) -> None:
        self._http = http

    async def case_form(self, service: str, token: str, program_id: int, label: str) -> CaseForm:
        answer = await self._call("GET", service, f"/api/programs/{program_id}/case-form", token, label)
        try:
            return form_from_json(answer)
        except ValueError:
            raise bad_answer(label) from None

    async def put_case(self, service: str, token: str, case: Case, label: str) -> Case:
        """Submit or resubmit: the same client id and base version on every retry, so a retry after
        a lost reply gets the same answer and changes nothing."""
        body = case_to_json(case)
        request = {
            "program_id": case.program_id,
            "values": body["values"],
            "dismissals": body["dismissals"],
            "base_version": case.version,
        }
        return await self._case("PUT", service, _case_path(case.client_id), token, label, request)

    async def get_case(self, service: str, token: str, client_id: str, label: str) -> Case:
        return await self._case("GET", service, _case_path(client_id), token, label)

    async def my_cases(self, service: str, token: str, label: str) -> list[Case]:
        """The caller's own cases (as presenter)."""
        answer = await self._call("GET", service, "/api/cases", token, label, limit=MAX_CASES_BYTES)
        try:
            return [case_from_json(c) for c in _list(answer.get("cases"))]
        except ValueError:
            raise bad_answer(label) from None

    async def approved_cases(
        self, service: str, token: str, program_id: int, start: datetime, end: datetime, label: str
    ) -> list[ApprovedCase]:
        """The approved cases of the program's sessions starting in [start, end), with titles."""
        window = "&".join(
            f"{name}={quote(moment.astimezone(UTC).isoformat(), safe='')}"
            for name, moment in (("from", start), ("to", end))
        )
        path = f"/api/programs/{program_id}/approved-cases?{window}"
        answer = await self._call("GET", service, path, token, label, limit=MAX_CASES_BYTES)
        try:
            return [_approved(item) for item in _list(answer.get("cases"))]
        except ValueError:
            raise bad_answer(label) from None

    async def review_queue(
        self, service: str, token: str, program_id: int, label: str, status: CaseStatus = CaseStatus.SUBMITTED
    ) -> list[ReviewItem]:
        """A program's cases in one status (submitted: the review queue; presented: waiting for
        recommendations), each with the hub guard's findings (offsets only)."""
        path = f"/api/programs/{program_id}/cases?status={status.value}"
        answer = await self._call("GET", service, path, token, label, limit=MAX_CASES_BYTES)
        try:
            return [
                ReviewItem(case_from_json(c), _findings(c.get("findings", [])))
                for c in _list(answer.get("cases"))
            ]
        except (ValueError, AttributeError):
            raise bad_answer(label) from None

    async def approve(self, service: str, token: str, case: Case, session: SessionSlot, label: str) -> Case:
        body = {"version": case.version, "action": "approve", "session": slot_to_json(session)}
        return await self._case("POST", service, _case_path(case.client_id, "review"), token, label, body)

    async def return_case(self, service: str, token: str, case: Case, comments: str, label: str) -> Case:
        body = {"version": case.version, "action": "return", "comments": comments}
        return await self._case("POST", service, _case_path(case.client_id, "review"), token, label, body)

    async def recommend(self, service: str, token: str, case: Case, text: str, label: str) -> Case:
        body = {"version": case.version, "text": text}
        path = _case_path(case.client_id, "recommendations")
        return await self._case("POST", service, path, token, label, body)

    async def _case(
        self, method: str, service: str, path: str, token: str, label: str, body: object = None
    ) -> Case:
        answer = await self._call(method, service, path, token, label, body)
        try:
            return case_from_json(answer)
        except ValueError:
            raise bad_answer(label) from None

    async def _call(
        self,
        method: str,
        service: str,
        path: str,
        token: str,
        label: str,
        body: object = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        extra = {} if limit is None else {"limit": limit}
        status, answer = await self._http.call_json(method, service, path, token, label, body, **extra)
        if 200 <= status < 300:
            return answer
        raise refusal(label, status, answer)


def refusal(label: str, status: int, answer: dict[str, Any]) -> ProgramServiceError:
    """The error for a hub's answer to a case call that was not a success."""
    code = answer.get("error")
    if status == 400:
        return ProgramServiceError(
            f"{label}: the hub could not read the case (a malformed request)", Failure.MALFORMED
        )
    if status == 403:
        return ProgramServiceError(
            f"{label}: only the case's presenter and the program's facilitators may do this",
            Failure.FORBIDDEN,
        )
    if status == 404:
        return ProgramServiceError(f"{label}: the hub does not know this case", Failure.NOT_FOUND)
    if status == 413:
        limit = MAX_CASE_TEXT_BYTES // 1024
        return ProgramServiceError(
            f"{label}: the case is longer than the hub takes ({limit} KB of text); shorten it",
            Failure.TOO_LARGE,
        )
    if status == 409 and code == "stale":
        version = answer.get("version")
        version = version if isinstance(version, int) and not isinstance(version, bool) else None
        return ProgramServiceError(
            f"{label}: the case was changed on the hub since this copy was made",
            Failure.STALE,
            version=version,
        )
    if status == 409 and code == "wrong_status":
        return ProgramServiceError(
            f"{label}: the case cannot be changed that way in its present state", Failure.WRONG_STATUS
        )
    if status == 422 and code == "phi":
        return _phi_refusal(label, answer.get("findings"))
    if status == 422 and code == "unknown_field":
        fields = _field_keys(answer)
        named = f" ({', '.join(fields)})" if fields else ""
        return ProgramServiceError(
            f"{label}: the program's case form has no such field{named}", Failure.UNKNOWN_FIELD, fields=fields
        )
    return status_error(label, status, answer, what="hub")


def _phi_refusal(label: str, findings: object) -> ProgramServiceError:
    pairs: list[tuple[str, str]] = []
    for finding in findings if isinstance(findings, list) else []:
        if not isinstance(finding, dict):
            continue
        key, kind = finding.get("field"), finding.get("kind")
        if isinstance(key, str) and _FIELD_KEY.fullmatch(key) and kind in PhiKind.__members__:
            pair = (key, str(kind))
            if pair not in pairs:
                pairs.append(pair)
    named = "; ".join(f"{kind.lower()} in {key}" for key, kind in pairs)
    detail = f": {named}" if named else ""
    fields = tuple(dict.fromkeys(key for key, _ in pairs))
    return ProgramServiceError(
        f"{label}: the hub's check found what may identify the patient{detail}. Fix or dismiss it "
        "and submit again",
        Failure.PHI,
        fields=fields,
    )


def _field_keys(answer: dict[str, Any]) -> tuple[str, ...]:
    """The field keys a refusal names (`field` or `fields`), only those that look like keys."""
    named = answer.get("fields", [answer.get("field")])
    if not isinstance(named, list):
        return ()
    return tuple(k for k in named if isinstance(k, str) and _FIELD_KEY.fullmatch(k))


def _findings(value: object) -> tuple[HubFinding, ...]:
    found: list[HubFinding] = []
    for item in _list(value):
        if not isinstance(item, dict):
            raise ValueError("a finding is not an object")
        start, end = item.get("start"), item.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end):
            raise ValueError("a finding's offsets are not whole numbers")
        try:
            kind = PhiKind(str(item.get("kind")))
        except ValueError:
            raise ValueError("a finding's kind is not an identifier kind") from None
        key = item.get("field")
        if not isinstance(key, str):
            raise ValueError("a finding names no field")
        found.append(HubFinding(key, kind, start, end))
    return tuple(found)


def _approved(item: object) -> ApprovedCase:
    if not isinstance(item, dict):
        raise ValueError("an approved case is not an object")
    uid, start, client_id, title = (item.get(k) for k in ("uid", "start", "client_id", "title"))
    if not all(isinstance(v, str) for v in (uid, start, client_id, title)):
        raise ValueError("an approved case's fields are not text")
    moment = datetime.fromisoformat(str(start))
    if moment.tzinfo is None:
        raise ValueError("an approved case's start has no offset")
    return ApprovedCase(str(uid), moment, str(client_id), str(title))


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return value


def _case_path(client_id: str, *rest: str) -> str:
    return "/".join(("/api/cases", quote(client_id, safe=""), *rest))
