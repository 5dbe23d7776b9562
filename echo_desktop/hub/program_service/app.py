"""The program service's HTTP API (aiohttp): what the clients and calendar apps ask the hub.

- `GET /api/programs`: the programs, for a person with an API token (`Authorization: Bearer`).
- `GET /feed/{feed token}/{program id}.ics`: one program's iCalendar feed, at a secret URL that
  calendar apps can poll (they cannot send headers), with ETag and Last-Modified, and 304 on a
  conditional GET.

A missing, wrong or revoked token gets 401 with a body that says nothing about any program.
Tokens never reach a log: the access log writes each path with its secret part blanked.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler

from echo_desktop.hub.program_service.store import Person, ProgramStore, StoreError
from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.schedule.feed import build_feed

logger = logging.getLogger(__name__)

STORE: web.AppKey[ProgramStore] = web.AppKey("store", ProgramStore)
PERSON: web.RequestKey[Person] = web.RequestKey("person", Person)
_UNAUTHORIZED = {"error": "unauthorized"}
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


def make_app(store: ProgramStore) -> web.Application:
    """The service's application over `store`."""
    blank_feed_secrets_in_aiohttp_logs()
    app = web.Application(middlewares=[_bearer_auth])
    app[STORE] = store
    app.router.add_get("/api/programs", _programs)
    app.router.add_get("/feed/{token}/{program_id:\\d+}.ics", _feed)
    return app


def _unauthorized() -> web.Response:
    return web.json_response(_UNAUTHORIZED, status=401, headers={"WWW-Authenticate": "Bearer"})


@web.middleware
async def _bearer_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /api/ call needs a live API token; the person it names goes with the request."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized()
    person = request.app[STORE].person_for(token.strip(), TokenKind.API)
    if person is None:
        return _unauthorized()
    request[PERSON] = person
    return await handler(request)


async def _programs(request: web.Request) -> web.Response:
    person = request[PERSON]
    programs = request.app[STORE].programs()
    logger.debug("Programs listed for person %d", person.id)
    return web.json_response(
        {"programs": [{"id": p.id, "name": p.name, "time_zone": p.time_zone} for p in programs]}
    )


async def _feed(request: web.Request) -> web.Response:
    store = request.app[STORE]
    if store.person_for(request.match_info["token"], TokenKind.FEED) is None:
        return _unauthorized()
    try:
        schedule = store.schedule(int(request.match_info["program_id"]))
    except StoreError:
        raise web.HTTPNotFound(text="no such program") from None
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
