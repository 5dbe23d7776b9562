"""The client of a hub's program service (docs/hub-api.md), and the reader of any calendar feed.

- `fetch_feed`: a conditional GET (If-None-Match / If-Modified-Since, 304 means "unchanged") of an
  http(s) feed, or a read of a local .ics file off the event loop; a body stops being read at
  5 MB and nothing of it is kept.
- `me`, `programs`, `join_details`: the API, with `Authorization: Bearer`.

Every failure is a `ProgramServiceError` whose message is for people: it names the program or
feed and the problem, and never holds a token (a feed's secret URL is shown redacted). TLS is
verified by default; a CA file can be trusted, and `insecure=True` turns verification off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from echo_desktop.net.feed_urls import local_path, redact_url, web_url
from echo_desktop.schedule.lobby import JoinDetails, JoinRef
from echo_desktop.schedule.occurrences import MAX_FEED_BYTES

logger = logging.getLogger(__name__)

TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10.0
MAX_API_BYTES = 256 * 1024  # an API answer is a few hundred bytes; more is not our service
USER_AGENT = "ECHO-Desktop"


class Failure(StrEnum):
    """What kind of failure a ProgramServiceError is (the caller words some of them its own way)."""

    UNREACHABLE = "unreachable"  # no connection, a timeout, a dropped connection
    TLS = "tls"  # the certificate was not trusted
    UNAUTHORIZED = "unauthorized"  # 401: the token or feed link is wrong or revoked
    FORBIDDEN = "forbidden"  # 403: not a member of the program
    NOT_FOUND = "not_found"  # 404 (or a missing local file)
    NOT_OPEN_YET = "not_open_yet"  # 409: the room opens later (`opens`)
    ENDED = "ended"  # 410
    ROOMS_UNAVAILABLE = "rooms_unavailable"  # 503: the hub cannot make the room on Janus just now
    TOO_LARGE = "too_large"  # over the size limit
    BAD_ANSWER = "bad_answer"  # another status, or an answer that is not what the API promises
    BAD_ADDRESS = "bad_address"  # not an address we can fetch
    # The hub's refusals of a case (docs/hub-api.md, "Cases"); the client keeps the draft.
    MALFORMED = "malformed"  # 400: the hub could not read the request
    UNKNOWN_FIELD = "unknown_field"  # 422: a field the program's form does not have (`fields`)
    PHI = "phi"  # 422: the hub's guard found identifiers (`fields`, `kinds`; never the text)
    STALE = "stale"  # 409: the hub has a newer version (`version`)
    WRONG_STATUS = "wrong_status"  # 409: not possible in the case's present state


class ProgramServiceError(Exception):
    """A request to a hub or a feed that failed; str() is a message for people, with no secret."""

    def __init__(
        self,
        message: str,
        failure: Failure,
        opens: datetime | None = None,
        *,
        version: int | None = None,
        fields: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.failure = failure
        self.opens = opens  # for NOT_OPEN_YET: when the room opens, if the hub said
        self.version = version  # for STALE: the hub's version of the case, if it said
        self.fields = fields  # for UNKNOWN_FIELD and PHI: the form fields the hub named


@dataclass(frozen=True)
class FeedResponse:
    """A feed fetched: its body, or None when it has not changed since the validators sent."""

    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


@dataclass(frozen=True)
class Me:
    """The person a token belongs to (GET /api/me)."""

    id: int
    name: str
    site: str
    role: str


@dataclass(frozen=True)
class ProgramInfo:
    """A program the person belongs to (GET /api/programs)."""

    id: int
    name: str
    time_zone: str


def ssl_setting(ca_file: Path | None = None, insecure: bool = False) -> ssl.SSLContext | bool:
    """What aiohttp's `ssl=` gets: verification on (the system's CAs, plus `ca_file`), or off."""
    if insecure:
        return False
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


class ProgramClient:
    """One HTTP client for all hubs and feeds; use `async with`, or call `close()`."""

    def __init__(
        self,
        *,
        ca_file: Path | None = None,
        insecure: bool = False,
        timeout_s: float = TIMEOUT_S,
        max_feed_bytes: int = MAX_FEED_BYTES,
    ) -> None:
        self._ssl = ssl_setting(ca_file, insecure)
        if insecure:
            logger.warning("TLS certificates of hubs and feeds are not verified (insecure mode)")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=CONNECT_TIMEOUT_S)
        self._max_feed_bytes = max_feed_bytes
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> ProgramClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _session(self) -> aiohttp.ClientSession:
        # Made on first use, so that it belongs to the loop that uses it.
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={"User-Agent": USER_AGENT},
                connector=aiohttp.TCPConnector(ssl=self._ssl),
            )
        return self._http

    # --- feeds ---------------------------------------------------------------------------------

    async def fetch_feed(
        self,
        url_or_path: str,
        label: str,
        *,
        token: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FeedResponse:
        """A feed by http(s)/webcal URL or by file; `label` names it in errors (the program's name).

        The token goes only to the hub's API paths (`/api/...`), never to another feed's server.
        """
        try:
            path = local_path(url_or_path)
        except ValueError as exc:
            raise ProgramServiceError(f"{label}: {exc}", Failure.BAD_ADDRESS) from None
        if path is not None:
            body = await asyncio.to_thread(_read_file, path, label, self._max_feed_bytes)
            return FeedResponse(body)
        url = web_url(url_or_path)
        headers = {"Accept": "text/calendar, */*;q=0.5"}
        if token and urlsplit(url).path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {token}"
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._request(url, label, headers) as response:
            if response.status == 304:
                return FeedResponse(None, etag, last_modified)
            if response.status != 200:
                # A 401 means the token when one was sent (a hub's API feed), else the feed's link.
                what = "hub" if "Authorization" in headers else "feed"
                raise status_error(label, response.status, await _error_code(response), what=what)
            body = await _read_limited(response, self._max_feed_bytes, label)
            return FeedResponse(
                body,
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
            )

    # --- the API -------------------------------------------------------------------------------

    async def me(self, service: str, token: str) -> Me:
        """Who the token belongs to; raises ProgramServiceError (UNAUTHORIZED for a bad token)."""
        answer = await self._get_json(service, "/api/me", token, hub_label(service))
        try:
            return Me(int(answer["id"]), str(answer["name"]), str(answer["site"]), str(answer["role"]))
        except (KeyError, TypeError, ValueError):
            raise bad_answer(hub_label(service)) from None

    async def programs(self, service: str, token: str) -> list[ProgramInfo]:
        """The person's programs on a hub."""
        answer = await self._get_json(service, "/api/programs", token, hub_label(service))
        try:
            return [
                ProgramInfo(int(p["id"]), str(p["name"]), str(p["time_zone"])) for p in answer["programs"]
            ]
        except (KeyError, TypeError, ValueError):
            raise bad_answer(hub_label(service)) from None

    async def join_details(self, ref: JoinRef, token: str, label: str) -> JoinDetails:
        """A session's Janus URL, room and PIN; `label` names the session in errors.

        Raises NOT_OPEN_YET (with `opens`) before the room opens, ENDED after the session,
        ROOMS_UNAVAILABLE when the hub cannot open the room just now (worth a retry),
        UNAUTHORIZED, FORBIDDEN, NOT_FOUND (an unknown or cancelled session), UNREACHABLE, and
        BAD_ANSWER for a 200 that does not hold usable details.
        """
        start = ref.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = f"/api/join/{quote(ref.uid, safe='')}/{start}"
        answer = await self._get_json(ref.service, path, token, label, what="session")
        try:
            details = JoinDetails(
                server_url=str(answer["janus"]),
                room=int(answer["room"]),
                pin=str(answer["pin"]),
                display_name=str(answer["display_name"]),
                role=str(answer["role"]),
            )
        except (KeyError, TypeError, ValueError):
            raise bad_answer(label) from None
        if urlsplit(details.server_url).scheme not in ("ws", "wss"):
            raise bad_answer(label)
        return details

    async def _get_json(
        self, service: str, path: str, token: str, label: str, what: str = "hub"
    ) -> dict[str, Any]:
        url = service.rstrip("/") + path
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        async with self._request(url, label, headers) as response:
            if response.status != 200:
                code = await _error_code(response)
                raise status_error(label, response.status, code, what=what)
            body = await _read_limited(response, MAX_API_BYTES, label)
        try:
            answer = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise bad_answer(label) from None
        if not isinstance(answer, dict):
            raise bad_answer(label)
        return answer

    async def call_json(
        self,
        method: str,
        service: str,
        path: str,
        token: str,
        label: str,
        body: object = None,
        limit: int = MAX_API_BYTES,
    ) -> tuple[int, dict[str, Any]]:
        """An API call with an optional JSON body: the status and the JSON object answered (an error
        answer's too; {} when it is not JSON). Raises ProgramServiceError only when no usable answer
        came (UNREACHABLE, TLS, BAD_ADDRESS, TOO_LARGE, or BAD_ANSWER: a 2xx that is not an object)."""
        url = service.rstrip("/") + path
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, ensure_ascii=False).encode()
        async with self._request(url, label, headers, method, data) as response:
            if not 200 <= response.status < 300:
                return response.status, await _error_code(response)
            raw = await _read_limited(response, limit, label)
        try:
            answer = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise bad_answer(label) from None
        if not isinstance(answer, dict):
            raise bad_answer(label)
        return response.status, answer

    def _request(
        self, url: str, label: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None
    ) -> _Request:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise ProgramServiceError(
                f"{label}: {redact_url(url)} is not an http(s) address", Failure.BAD_ADDRESS
            )
        return _Request(self._session(), url, label, headers, method, body)


class _Request:
    """A request whose network failures become ProgramServiceError with a redacted message.

    aiohttp's own exceptions often quote the URL (and so a feed's secret), so they are never
    chained or logged whole: only their kind is. Nor is a request's body (case text) ever logged.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        url: str,
        label: str,
        headers: dict[str, str],
        method: str = "GET",
        body: bytes | None = None,
    ) -> None:
        self._http, self._url, self._label, self._headers = http, url, label, headers
        self._method, self._body = method, body
        self._response: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> aiohttp.ClientResponse:
        where = redact_url(self._url)
        try:
            if self._method == "GET":
                self._response = await self._http.get(self._url, headers=self._headers)
            else:
                self._response = await self._http.request(
                    self._method, self._url, headers=self._headers, data=self._body
                )
        except aiohttp.ClientSSLError:
            raise ProgramServiceError(
                f"{self._label}: the certificate of {where} is not trusted", Failure.TLS
            ) from None
        except (aiohttp.InvalidURL, ValueError):
            raise ProgramServiceError(
                f"{self._label}: {where} is not a valid address", Failure.BAD_ADDRESS
            ) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            logger.info("%s: %s unreachable (%s)", self._label, where, type(exc).__name__)
            raise ProgramServiceError(
                f"{self._label}: {_host(self._url)} cannot be reached ({_reason(exc)})", Failure.UNREACHABLE
            ) from None
        return self._response

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._response is not None:
            # Closing (not releasing) drops whatever of an over-long body is still unread.
            self._response.close()


def _host(url: str) -> str:
    """The server a URL names, for people ("echo-hub.example.org:8090"): no path (a feed's path
    holds its secret), no user name or password."""
    parts = urlsplit(url)
    if not parts.hostname:
        return redact_url(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "")


def _reason(exc: BaseException) -> str:
    """A short reason for a network failure, with no URL in it."""
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return exc.os_error.strerror or "connection failed"
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return "the connection dropped"
    return "network error"


async def _read_limited(response: aiohttp.ClientResponse, limit: int, label: str) -> bytes:
    """The body, or TOO_LARGE as soon as it passes `limit` (counting what was decompressed)."""
    too_large = _too_large(label, limit)
    if response.content_length is not None and response.content_length > limit:
        raise too_large
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in response.content.iter_chunked(64 * 1024):
            total += len(chunk)
            if total > limit:
                raise too_large
            chunks.append(chunk)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise ProgramServiceError(
            f"{label}: the download broke off ({_reason(exc)})", Failure.UNREACHABLE
        ) from None
    return b"".join(chunks)


async def _error_code(response: aiohttp.ClientResponse) -> dict[str, Any]:
    """The `{"error": code, ...}` of an error answer, or {} for any other body."""
    try:
        body = await _read_limited(response, MAX_API_BYTES, "")
        answer = json.loads(body)
    except (ProgramServiceError, ValueError, UnicodeDecodeError):
        return {}
    return answer if isinstance(answer, dict) else {}


def status_error(label: str, status: int, answer: dict[str, Any], what: str) -> ProgramServiceError:
    if status == 401:
        problem = (
            "the hub refused the sign-in token (wrong or revoked); ask your facilitator for a new one"
            if what != "feed"
            else "the feed link was refused (it may have been revoked); ask for a new one"
        )
        return ProgramServiceError(f"{label}: {problem}", Failure.UNAUTHORIZED)
    if status == 403:
        return ProgramServiceError(f"{label}: you are not a member of this program", Failure.FORBIDDEN)
    if status == 404:
        thing = "session" if what == "session" else "program or feed"
        return ProgramServiceError(f"{label}: the hub does not know this {thing}", Failure.NOT_FOUND)
    if status == 409:
        opens = _parse_time(answer.get("opens"))
        when = f" (it opens at {opens.isoformat(timespec='minutes')})" if opens else ""
        return ProgramServiceError(f"{label}: the room is not open yet{when}", Failure.NOT_OPEN_YET, opens)
    if status == 410:
        return ProgramServiceError(f"{label}: the session has ended", Failure.ENDED)
    if status == 503 and answer.get("error") == "rooms_unavailable":
        # The hub is up but its Janus is not (down, restarting): a retry soon may well work.
        return ProgramServiceError(
            f"{label}: the hub cannot open the room just now; try again in a minute",
            Failure.ROOMS_UNAVAILABLE,
        )
    if status >= 500:
        return ProgramServiceError(f"{label}: the hub had an error (HTTP {status})", Failure.UNREACHABLE)
    return ProgramServiceError(f"{label}: unexpected answer (HTTP {status})", Failure.BAD_ANSWER)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def bad_answer(label: str) -> ProgramServiceError:
    return ProgramServiceError(f"{label}: the hub's answer is not what its API promises", Failure.BAD_ANSWER)


def hub_label(service: str) -> str:
    return f"The hub at {redact_url(service).rstrip('/')}"


def _read_file(path: Path, label: str, limit: int) -> bytes:
    """A local calendar file, at most `limit` bytes (runs in a thread)."""
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)
    except FileNotFoundError:
        raise ProgramServiceError(f"{label}: the file {path} does not exist", Failure.NOT_FOUND) from None
    except OSError as exc:
        raise ProgramServiceError(
            f"{label}: the file {path} cannot be read ({exc.strerror or type(exc).__name__})",
            Failure.NOT_FOUND,
        ) from None
    if len(data) > limit:
        raise _too_large(label, limit)
    return data


def _too_large(label: str, limit: int) -> ProgramServiceError:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return ProgramServiceError(f"{label}: it is larger than {size}, so it was not read", Failure.TOO_LARGE)


_status_error = status_error  # the name tests/ui/hub_words.py makes the client's real words with
