"""The program service's HTTP API (aiohttp): what the clients and calendar apps ask the hub.

docs/hub-api.md is the contract. With an API token (`Authorization: Bearer`):
- `GET /api/me`: who the token belongs to;
- `GET /api/programs`: the person's programs;
- `GET /api/programs/{id}/feed.ics`: one of their programs' iCalendar feed;
- `GET /api/join/{uid}/{start}`: a session's join details (Janus, room, PIN), once its room is open;
- the case endpoints (`cases_api`): the case form, submission, review, recommendations.
And `GET /feed/{feed token}/{program id}.ics`: the same feed at a secret URL that calendar apps can
poll (they cannot send headers). Feeds have ETag and Last-Modified, and 304 on a conditional GET.

A missing, wrong or revoked token gets 401 with a body that says nothing about any program; a
person sees only the programs they belong to. Tokens and PINs never reach a log: the access log
writes each path with its secret part blanked, and nothing here logs a request's answer.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Protocol

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler

from echo_desktop.cases.deid import scan
from echo_desktop.cases.validation import Guard
from echo_desktop.hub.program_service.sessions import HubSession, find_session
from echo_desktop.hub.program_service.store import Person, ProgramStore, SessionRoom, StoreError
from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.schedule.feed import build_feed
from echo_desktop.session.errors import EchoError

logger = logging.getLogger(__name__)


class RoomOpener(Protocol):
    """Makes sure a session's room exists on Janus (the room keeper)."""

    async def ensure_open(self, session: HubSession) -> SessionRoom:
        """The session's room record, once its room exists on Janus (raises EchoError or OSError
        when Janus cannot be reached)."""
        ...


@dataclass(frozen=True)
class Rooms:
    """Where sessions are held: the Janus URL clients use, and what opens rooms on it."""

    janus_url: str
    opener: RoomOpener


@dataclass(frozen=True)
class Service:
    """What the handlers share: the store, the clock, the rooms (None: no Janus configured), and
    the de-identification guard run on every case received."""

    store: ProgramStore
    now: Callable[[], datetime]
    rooms: Rooms | None
    guard: Guard = scan


SERVICE: web.AppKey[Service] = web.AppKey("service", Service)
PERSON: web.RequestKey[Person] = web.RequestKey("person", Person)
_UNAUTHORIZED = {"error": "unauthorized"}
_START_FORMAT = "%Y%m%dT%H%M%SZ"
_FEED_PATH = re.compile(r"^/feed/[^/]+/")


class _BlankFeedSecrets(logging.Filter):
    """Blanks feed secrets in aiohttp's own error records (a request line it could not parse, a
    traceback): the message and its traceback are formatted here, then blanked."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if "/feed/" in text:
            record.msg, record.args = _FEED_SECRET.sub("/feed/…", text), ()
            record.exc_info = record.exc_text = None
        return True


_FEED_SECRET = re.compile(r"/feed/[^/\s'\"]+")
_SECRET_FILTER = _BlankFeedSecrets()


def blank_feed_secrets_in_aiohttp_logs() -> None:
    """Install the filter on aiohttp's loggers (idempotent)."""
    for name in ("aiohttp.server", "aiohttp.web", "aiohttp.internal", "aiohttp.access", "aiohttp.client"):
        logging.getLogger(name).addFilter(_SECRET_FILTER)  # a logger keeps one copy of a filter


class RedactingAccessLogger(AbstractAccessLogger):
    """The access log, with the secret part of feed URLs blanked (and no headers at all)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = _FEED_PATH.sub("/feed/…/", request.path)
        self.logger.info("%s %s %d %.1f ms", request.method, path, response.status, time * 1000)


def make_app(
    store: ProgramStore,
    rooms: Rooms | None = None,
    now: Callable[[], datetime] | None = None,
    guard: Guard | None = None,
) -> web.Application:
    """The service's application over `store`; `rooms` lets it hand out join details, `now`
    (default: the store's clock) decides whether a room is open and a session over, `guard`
    (default: `echo_desktop.cases.deid.scan`) screens the cases it receives."""
    # Imported here: the case endpoints use this module's keys.
    from echo_desktop.hub.program_service.cases_api import add_case_routes

    blank_feed_secrets_in_aiohttp_logs()
    app = web.Application(middlewares=[_bearer_auth])
    app[SERVICE] = Service(store, now or store.now, rooms, guard or scan)
    app.router.add_get("/api/me", _me)
    app.router.add_get("/api/programs", _programs)
    app.router.add_get("/api/programs/{program_id:\\d+}/feed.ics", _member_feed)
    app.router.add_get("/api/join/{uid}/{start}", _join)
    app.router.add_get("/feed/{token}/{program_id:\\d+}.ics", _secret_feed)
    add_case_routes(app)
    return app


def _unauthorized() -> web.Response:
    return web.json_response(_UNAUTHORIZED, status=401, headers={"WWW-Authenticate": "Bearer"})


def _error(status: int, code: str, message: str | None = None, **extra: str) -> web.Response:
    body = {"error": code, **extra}
    if message:
        body["message"] = message
    return web.json_response(body, status=status)


@web.middleware
async def _bearer_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /api/ call needs a live API token; the person it names goes with the request."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized()
    person = request.app[SERVICE].store.person_for(token.strip(), TokenKind.API)
    if person is None:
        return _unauthorized()
    request[PERSON] = person
    return await handler(request)


async def _me(request: web.Request) -> web.Response:
    person = request[PERSON]
    return web.json_response(
        {"id": person.id, "name": person.name, "site": person.site, "role": person.role.value}
    )


async def _programs(request: web.Request) -> web.Response:
    person = request[PERSON]
    programs = request.app[SERVICE].store.programs_for(person.id)
    logger.debug("Programs listed for person %d", person.id)
    return web.json_response(
        {"programs": [{"id": p.id, "name": p.name, "time_zone": p.time_zone} for p in programs]}
    )


async def _member_feed(request: web.Request) -> web.Response:
    return _feed(request, request[PERSON], int(request.match_info["program_id"]))


async def _secret_feed(request: web.Request) -> web.Response:
    person = request.app[SERVICE].store.person_for(request.match_info["token"], TokenKind.FEED)
    if person is None:
        return _unauthorized()
    return _feed(request, person, int(request.match_info["program_id"]))


def _feed(request: web.Request, person: Person, program_id: int) -> web.Response:
    store = request.app[SERVICE].store
    try:
        schedule = store.schedule(program_id)
    except StoreError:
        return _error(404, "no_such_program")
    if not store.is_member(person.id, program_id):
        return _error(403, "not_a_member")
    changed = schedule.changed_at.astimezone(UTC).replace(microsecond=0)
    body = build_feed(
        schedule.program.name, schedule.program.time_zone, [s for _, s in schedule.series], changed
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(changed, usegmt=True),
        "Cache-Control": "private, no-cache",
    }
    if _not_modified(request, etag, changed):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=headers)


async def _join(request: web.Request) -> web.Response:
    """A session's join details, from the moment its room opens until it ends."""
    person = request[PERSON]
    service = request.app[SERVICE]
    uid = request.match_info["uid"]
    start = _utc_start(request.match_info["start"])
    program_id = service.store.program_of_series(uid)
    if program_id is None or start is None:
        return _error(404, "no_such_session")
    if not service.store.is_member(person.id, program_id):
        return _error(403, "not_a_member")
    session = find_session(service.store, uid, start)
    if session is None:
        return _error(404, "no_such_session")
    now = service.now()
    if now < session.opens:
        return _error(
            409, "not_open_yet", "the room opens 20 minutes before the start", opens=_iso(session.opens)
        )
    if now >= session.end:
        return _error(410, "ended")
    if service.rooms is None:
        return _error(503, "rooms_unavailable", "this hub has no video server configured")
    try:
        room = await service.rooms.opener.ensure_open(session)
    except (EchoError, OSError) as exc:
        logger.warning("The room for a session of %s could not be opened: %s", uid, exc)
        return _error(503, "rooms_unavailable", "the hub's video server is not answering; try again")
    logger.info("Join details for room %d given to person %d", room.room, person.id)
    return web.json_response(
        {
            "janus": service.rooms.janus_url,
            "room": room.room,
            "pin": room.pin,
            "display_name": person.name,
            "role": person.role.value,
            "opens": _iso(session.opens),
            "start": _iso(session.start),
            "end": _iso(session.end),
        }
    )


def _utc_start(text: str) -> datetime | None:
    """A start written YYYYMMDDTHHMMSSZ, as an aware UTC time; None for anything else."""
    try:
        return datetime.strptime(text, _START_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _not_modified(request: web.Request, etag: str, changed: datetime) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            return changed <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False
