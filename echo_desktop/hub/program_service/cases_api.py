"""The program service's case endpoints (docs/hub-api.md, "Cases"), registered by `make_app`.

The rules are plain Python in `echo_desktop.cases` and the SQL is in `store`; this module is who
may do what, and HTTP. Case text is clinical data: nothing here logs it, and no error echoes it
(a refusal names a field, a kind, a version, never the text). The hub runs the de-identification
guard (`Service.guard`, by default `echo_desktop.cases.deid.scan`) on every submission.

Access: a member submits (and is then the case's presenter); the presenter and the program's
facilitators read a case; only facilitators review; facilitators and hub specialists recommend.
An approved case becomes presented once its session has ended: checked whenever it is read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from echo_desktop.cases.model import CaseStatus, SessionSlot
from echo_desktop.cases.review import (
    HubCase,
    accept_submission,
    approve,
    presented_if_ended,
    recommend,
    return_case,
)
from echo_desktop.cases.validation import CaseRefusal, check_guard, check_values
from echo_desktop.cases.wire import case_to_json, form_to_json, slot_from_json, submission_from_json
from echo_desktop.hub.program_service.app import PERSON, SERVICE
from echo_desktop.hub.program_service.sessions import find_session
from echo_desktop.hub.program_service.store import Person, SlotsTaken, StoreError
from echo_desktop.session.models import Role

logger = logging.getLogger(__name__)

HTTP_STATUS = {
    "malformed": 400,
    "not_a_member": 403,
    "not_the_presenter": 403,
    "not_allowed": 403,
    "not_a_facilitator": 403,
    "no_such_program": 404,
    "no_such_case": 404,
    "no_such_session": 404,
    "stale": 409,
    "wrong_status": 409,
    "no_free_slot": 409,
    "ended": 410,
    "too_large": 413,
    "unknown_field": 422,
    "missing_field": 422,
    "invalid_choice": 422,
    "phi": 422,
}
"""Each refusal's HTTP status (docs/hub-api.md)."""

MAX_APPROVED_WINDOW = timedelta(days=100)
"""The longest window `approved-cases` answers for (the lobby asks for about 16 days)."""

_CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_START_FORMAT = "%Y%m%dT%H%M%SZ"


def add_case_routes(app: web.Application) -> None:
    """Register the case endpoints on the service's application."""
    app.router.add_get("/api/programs/{program_id:\\d+}/case-form", _case_form)
    app.router.add_put("/api/cases/{client_id}", _put_case)
    app.router.add_get("/api/cases/{client_id}", _get_case)
    app.router.add_get("/api/cases", _own_cases)
    app.router.add_get("/api/programs/{program_id:\\d+}/cases", _program_cases)
    app.router.add_post("/api/cases/{client_id}/review", _review)
    app.router.add_post("/api/cases/{client_id}/recommendations", _recommendations)
    app.router.add_get("/api/programs/{program_id:\\d+}/sessions/{uid}/{start}/cases", _session_cases)
    app.router.add_get("/api/programs/{program_id:\\d+}/approved-cases", _approved_cases)


Handler = Callable[[web.Request], Any]


def _refusals(handler: Handler) -> Handler:
    """Answer a CaseRefusal with its documented status and JSON body; log only its code."""

    async def answer(request: web.Request) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except CaseRefusal as refusal:
            logger.info("%s %s refused: %s", request.method, request.path, refusal.code)
            body = {"error": refusal.code, "message": refusal.message, **refusal.details}
            return web.json_response(body, status=HTTP_STATUS.get(refusal.code, 400))

    return answer


# --- the form and submission ---------------------------------------------------------------------


@_refusals
async def _case_form(request: web.Request) -> web.Response:
    program_id = _member_program(request)
    form = request.app[SERVICE].store.case_form(program_id)
    return web.json_response(form_to_json(form))


@_refusals
async def _put_case(request: web.Request) -> web.Response:
    person, service = request[PERSON], request.app[SERVICE]
    client_id = _client_id(request)
    submission = submission_from_json(await _json_body(request))
    _require_member(request, person, submission.program_id)
    form = service.store.case_form(submission.program_id)
    check_values(form, submission.values, submission.dismissals)
    # The guard is CPU work (tens of milliseconds for a long case): off the loop.
    guard = await asyncio.to_thread(
        check_guard, form, submission.values, submission.dismissals, service.guard
    )
    now = service.now()
    created = False

    def submit(current: HubCase | None, _taken: SlotsTaken) -> HubCase:
        nonlocal created
        presenter = f"{person.name}, {person.site}" if person.site else person.name
        accepted = accept_submission(current, client_id, submission, person.id, presenter, guard, now)
        created = accepted.created
        return accepted.case

    stored = service.store.change_case(client_id, submit)
    logger.info("Case %s is at version %d (person %d)", client_id, stored.case.version, person.id)
    return web.json_response(case_to_json(stored), status=201 if created else 200)


# --- reading -------------------------------------------------------------------------------------


@_refusals
async def _get_case(request: web.Request) -> web.Response:
    person = request[PERSON]
    hub_case = _existing_case(request)
    if hub_case.presenter_id != person.id and not _is_facilitator(request, person, hub_case.case.program_id):
        raise CaseRefusal(
            "not_allowed", "only the case's presenter and the program's facilitators can read it"
        )
    return web.json_response(case_to_json(_settled(request, hub_case)))


@_refusals
async def _own_cases(request: web.Request) -> web.Response:
    cases = request.app[SERVICE].store.cases_presented_by(request[PERSON].id)
    return web.json_response({"cases": [case_to_json(_settled(request, c)) for c in cases]})


@_refusals
async def _program_cases(request: web.Request) -> web.Response:
    """The review queue (`?status=submitted`), or every case of the program."""
    store = request.app[SERVICE].store
    program_id = _program(request)
    if not _is_facilitator(request, request[PERSON], program_id):
        raise CaseRefusal("not_a_facilitator", "only the program's facilitators see its cases")
    status = None
    if "status" in request.query:
        try:
            status = CaseStatus(request.query["status"])
        except ValueError as exc:
            raise CaseRefusal("malformed", "status is not one of the hub's case statuses") from exc
    for approved in store.program_cases(program_id, CaseStatus.APPROVED):
        _settled(request, approved)
    cases = store.program_cases(program_id, status)
    return web.json_response({"cases": [case_to_json(c) for c in cases]})


@_refusals
async def _session_cases(request: web.Request) -> web.Response:
    """The approved cases of one session, for the lobby: their ids and titles."""
    store = request.app[SERVICE].store
    program_id = _member_program(request)
    uid = request.match_info["uid"]
    try:
        start = datetime.strptime(request.match_info["start"], _START_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise CaseRefusal("no_such_session", "no session of this program starts then") from exc
    if store.program_of_series(uid) != program_id:
        raise CaseRefusal("no_such_session", "no session of this program starts then")
    form = store.case_form(program_id)
    cases = store.session_cases(SessionSlot(uid, start))
    return web.json_response(
        {"cases": [{"client_id": c.case.client_id, "title": c.case.title(form)} for c in cases]}
    )


@_refusals
async def _approved_cases(request: web.Request) -> web.Response:
    """The approved cases of a program's sessions starting in [from, to), for the lobby: one request
    per program instead of one per session. Titles are the form's title field, screened by the
    guard when the case was accepted."""
    store = request.app[SERVICE].store
    program_id = _member_program(request)
    start = _moment(request.query.get("from"), "from")
    end = _moment(request.query.get("to"), "to")
    if not start <= end <= start + MAX_APPROVED_WINDOW:
        raise CaseRefusal(
            "malformed", f"to must be after from, at most {MAX_APPROVED_WINDOW.days} days later"
        )
    form = store.case_form(program_id)
    cases = [
        {
            "uid": c.case.session.uid,
            "start": c.case.session.start.astimezone(UTC).isoformat(),
            "client_id": c.case.client_id,
            "title": c.case.title(form),
        }
        for c in store.approved_cases(program_id, start, end)
        if c.case.session is not None
    ]
    return web.json_response({"cases": cases})


def _moment(text: str | None, name: str) -> datetime:
    """A query parameter's time: ISO-8601 with an offset."""
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError as exc:
        raise CaseRefusal("malformed", f"{name} must be an ISO-8601 time with an offset") from exc
    if moment.tzinfo is None:
        raise CaseRefusal("malformed", f"{name} must be an ISO-8601 time with an offset")
    return moment


# --- review and recommendations --------------------------------------------------------------------


@_refusals
async def _review(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    hub_case = _existing_case(request)
    program_id = hub_case.case.program_id
    if not _is_facilitator(request, request[PERSON], program_id):
        raise CaseRefusal("not_a_facilitator", "only the program's facilitators review its cases")
    body = _object(await _json_body(request))
    version = _version(body)
    now = service.now()
    action = body.get("action")
    if action == "return":
        comments = body.get("comments")
        if not isinstance(comments, str):
            raise CaseRefusal("malformed", "comments must be a string")
        stored = service.store.change_case(
            hub_case.case.client_id,
            lambda current, _taken: return_case(_present(current), version, comments, now),
        )
    elif action == "approve":
        slot, slots = _open_slot(request, program_id, body.get("session"), now)
        stored = service.store.change_case(
            hub_case.case.client_id,
            lambda current, taken: approve(_present(current), version, slot, slots, taken(slot), now),
        )
    else:
        raise CaseRefusal("malformed", 'action must be "approve" or "return"')
    logger.info(
        "Case %s %s at version %d", stored.case.client_id, stored.case.status.value, stored.case.version
    )
    return web.json_response(case_to_json(stored))


@_refusals
async def _recommendations(request: web.Request) -> web.Response:
    service, person = request.app[SERVICE], request[PERSON]
    hub_case = _existing_case(request)
    if person.role not in (Role.FACILITATOR, Role.HUB) or not service.store.is_member(
        person.id, hub_case.case.program_id
    ):
        raise CaseRefusal("not_allowed", "only the program's facilitators and hub specialists recommend")
    body = _object(await _json_body(request))
    version = _version(body)
    text = body.get("text")
    if not isinstance(text, str):
        raise CaseRefusal("malformed", "text must be a string")
    _settled(request, hub_case)
    now = service.now()
    stored = service.store.change_case(
        hub_case.case.client_id, lambda current, _taken: recommend(_present(current), version, text, now)
    )
    logger.info("Case %s has recommendations at version %d", stored.case.client_id, stored.case.version)
    return web.json_response(case_to_json(stored))


def _open_slot(request: web.Request, program_id: int, data: object, now: datetime) -> tuple[SessionSlot, int]:
    """The session a case is approved into (of its program, not ended) and its number of slots."""
    store = request.app[SERVICE].store
    asked = slot_from_json(data)
    session = find_session(store, asked.uid, asked.start)
    if session is None or session.program_id != program_id:
        raise CaseRefusal("no_such_session", "the case's program has no session then")
    if now >= session.end:
        raise CaseRefusal("ended", "that session has ended")
    series = next(s for _, s in store.schedule(program_id).series if s.uid == session.uid)
    return SessionSlot(session.uid, session.start), series.agenda.case_slots


def _settled(request: web.Request, hub_case: HubCase) -> HubCase:
    """The case, marked presented if it was approved into a session that has since ended."""
    service = request.app[SERVICE]
    slot = hub_case.case.session
    if hub_case.case.status is not CaseStatus.APPROVED or slot is None:
        return hub_case
    session = find_session(service.store, slot.uid, slot.start)
    now = service.now()
    if session is None or now < session.end:
        return hub_case  # not over yet (or cancelled since: it stays approved)
    return service.store.change_case(
        hub_case.case.client_id,
        lambda current, _taken: presented_if_ended(_present(current), session.end, now),
    )


# --- checks shared by the handlers -------------------------------------------------------------------


def _present(current: HubCase | None) -> HubCase:
    if current is None:  # cases are never deleted; this is a client_id nobody has
        raise CaseRefusal("no_such_case", "the hub has no such case")
    return current


def _existing_case(request: web.Request) -> HubCase:
    return _present(request.app[SERVICE].store.case(_client_id(request)))


def _client_id(request: web.Request) -> str:
    client_id = request.match_info["client_id"]
    if not _CLIENT_ID.match(client_id):
        raise CaseRefusal("malformed", "a case id is 1 to 128 letters, digits, '.', '_', ':' or '-'")
    return client_id


def _program(request: web.Request) -> int:
    """The path's program, which must exist."""
    program_id = int(request.match_info["program_id"])
    try:
        request.app[SERVICE].store.case_form(program_id)
    except StoreError as exc:
        raise CaseRefusal("no_such_program", "there is no such program") from exc
    return program_id


def _member_program(request: web.Request) -> int:
    program_id = _program(request)
    _require_member(request, request[PERSON], program_id)
    return program_id


def _require_member(request: web.Request, person: Person, program_id: int) -> None:
    store = request.app[SERVICE].store
    if not store.is_member(person.id, program_id):
        if program_id not in store.program_ids():
            raise CaseRefusal("no_such_program", "there is no such program")
        raise CaseRefusal("not_a_member", "you are not a member of that program")


def _is_facilitator(request: web.Request, person: Person, program_id: int) -> bool:
    return person.role is Role.FACILITATOR and request.app[SERVICE].store.is_member(person.id, program_id)


async def _json_body(request: web.Request) -> object:
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise CaseRefusal("too_large", "the request is too large") from exc
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CaseRefusal("malformed", "the request is not JSON") from exc


def _object(data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CaseRefusal("malformed", "the request must be a JSON object")
    return data


def _version(body: dict[str, Any]) -> int:
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CaseRefusal("malformed", "version must be an integer")
    return version
