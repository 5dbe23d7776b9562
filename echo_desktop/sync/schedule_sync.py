"""The lobby's `ScheduleSource`: the subscribed programs, from the cache at once and from the hubs
and feeds as they answer.

- `load()` reads the cache (disk and parsing in a thread), so the lobby shows the last known
  schedule with no network at all, marked offline with its last update time.
- `refresh()` fetches every subscription with a conditional GET: a 304 changes nothing but the
  fetched time; a new body is parsed before it replaces the last good one, so a malformed or
  oversized feed keeps the old schedule and adds a problem naming the program.
- `run()` refreshes in the background, as the `RefreshPolicy` says (every 15 minutes, backing off
  while a hub is down, at once after `network_changed(True)`).

aiohttp and icalendar are imported on first use, off the path to the lobby's first frame.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from echo_desktop.schedule.lobby import (
    LOBBY_DAYS,
    ApprovedCase,
    JoinDetails,
    JoinRef,
    ScheduledSession,
    ScheduleSnapshot,
    upcoming,
    with_approved_cases,
)
from echo_desktop.schedule.ports import ScheduleError, SnapshotListener
from echo_desktop.schedule.refresh_policy import RefreshPolicy
from echo_desktop.storage.schedule_cache import (
    CachedFeed,
    FeedUpdate,
    ScheduleCache,
    Subscription,
    SubscriptionKind,
)
from echo_desktop.sync.local_zone import system_zone
from echo_desktop.sync.network_modules import load_network_modules
from echo_desktop.sync.rounds import Rounds

if TYPE_CHECKING:
    from echo_desktop.net.program_client import FeedResponse, ProgramClient, ProgramServiceError
    from echo_desktop.schedule.occurrences import Occurrence

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SAVE_FAILED = "Could not save the schedule: "
ClientFactory = Callable[[], "ProgramClient"]


@dataclass(frozen=True)
class _Outcome:
    """One subscription's refresh: what to write, and whether its source could be reached."""

    update: FeedUpdate
    reached: bool


class ScheduleSync:
    """A `schedule.ports.ScheduleSource` over the program service's client and the local cache.

    Use it on one event loop (the app's); `aclose()` at the end.
    """

    def __init__(
        self,
        cache: ScheduleCache,
        *,
        now: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        client: ClientFactory | None = None,
        days: int = LOBBY_DAYS,
        local_zone: tzinfo | None = None,
        ca_file: Path | None = None,
    ) -> None:
        """`client` makes the HTTP client (default: a `ProgramClient` that verifies TLS with the
        system's CAs, plus `ca_file` when given: a hub with a certificate of its own CA)."""
        if ca_file is not None:
            _check_ca_file(ca_file)
        self._cache = cache
        # Floating and all-day times in feeds are the viewer's wall clock (default: the system's).
        self._zone = local_zone or system_zone()
        self._now = now or (lambda: datetime.now(UTC))
        self._new_client = client or (lambda: _default_client(ca_file))
        self._client: ProgramClient | None = None
        self._days = days
        self._rounds = Rounds(self._refresh_once, RefreshPolicy(monotonic), "schedule refresh")
        self._snapshot = ScheduleSnapshot(notices=cache.notices)
        self._listener: SnapshotListener | None = None
        self._online = False

    @classmethod
    async def open(
        cls,
        path: Path | None = None,
        *,
        now: Clock | None = None,
        client: ClientFactory | None = None,
        days: int = LOBBY_DAYS,
        local_zone: tzinfo | None = None,
        ca_file: Path | None = None,
        subscriptions_path: Path | None = None,
    ) -> ScheduleSync:
        """Open the cache at `path` (default: the user data folder) and the subscriptions file
        (default: see `ScheduleCache.open`) in a thread, and load them."""
        if ca_file is not None:
            _check_ca_file(ca_file)  # before the cache is open, so a refusal leaves nothing open
        cache = await asyncio.to_thread(ScheduleCache.open, path, None, subscriptions_path)
        sync = cls(cache, now=now, client=client, days=days, local_zone=local_zone, ca_file=ca_file)
        await sync.load()
        return sync

    async def aclose(self) -> None:
        await self._rounds.cancel()
        if self._client is not None:
            await self._client.close()
            self._client = None
        await asyncio.to_thread(self._cache.close)

    # --- ScheduleSource ------------------------------------------------------------------------

    def snapshot(self) -> ScheduleSnapshot:
        return self._snapshot

    def set_listener(self, listener: SnapshotListener | None) -> None:
        self._listener = listener

    async def load(self) -> ScheduleSnapshot:
        """The schedule from the cache alone (as at start, before any network)."""
        return await self._publish(await asyncio.to_thread(self._build))

    async def refresh(self) -> ScheduleSnapshot:
        """Fetch everything now; a refresh asked for while one is under way (the window's at start
        and `run()`'s) waits for that one and gets its snapshot, with no second fetch. Raises
        nothing: an unexpected failure (the disk full or locked) is logged, counted as a failed
        refresh and shown as a problem."""
        return await self._rounds.refresh()

    async def subscribe_hub(
        self, service_url: str, token: str, *, allow_insecure_http: bool = False
    ) -> ScheduleSnapshot:
        """Subscribe to the person's programs on a hub. The token goes with every request, so
        plain http:// is refused unless the hub is on this computer (or `allow_insecure_http`,
        for tests and labs)."""
        await load_network_modules()
        from echo_desktop.net.feed_urls import is_loopback, redact_url
        from echo_desktop.net.program_client import ProgramServiceError

        service = service_url.strip().rstrip("/")
        token = token.strip()
        if not service.lower().startswith(("http://", "https://")):
            raise ScheduleError("The hub's address starts with https:// (or http:// on this computer)")
        if service.lower().startswith("http://") and not (allow_insecure_http or is_loopback(service)):
            raise ScheduleError(
                f"The hub at {redact_url(service)} is not on this computer, so use its https:// "
                "address: over http:// your token would cross the network unencrypted"
            )
        if not token:
            raise ScheduleError("A token is needed to subscribe to a hub")
        client = self._http()
        try:
            me = await client.me(service, token)
            programs = await client.programs(service, token)
        except ProgramServiceError as exc:
            raise ScheduleError(str(exc)) from None
        if not programs:
            raise ScheduleError(f"{me.name} belongs to no program on this hub yet; ask your facilitator")
        # Every program's feed must read as the lobby will read it before anything is stored.
        feeds = [f"{service}/api/programs/{p.id}/feed.ics" for p in programs]
        responses = await asyncio.gather(
            *(self._first_fetch(feed, p.name, token) for feed, p in zip(feeds, programs, strict=True))
        )
        wanted = [
            Subscription(
                0,
                SubscriptionKind.HUB,
                feed,
                p.name,
                service=service,
                token=token,
                program_id=p.id,
                time_zone=p.time_zone,
            )
            for feed, p in zip(feeds, programs, strict=True)
        ]
        subscribed = await self._store(wanted)
        await self._record_first(subscribed, dict(zip(feeds, responses, strict=True)))
        logger.info("Subscribed to %d program(s) on a hub", len(wanted))
        return await self.refresh()

    async def subscribe_feed(self, url_or_path: str) -> ScheduleSnapshot:
        await load_network_modules()
        from echo_desktop.net.feed_urls import local_path, redact_url

        text = url_or_path.strip()
        try:
            path = local_path(text)
        except ValueError as exc:
            raise ScheduleError(str(exc)) from None
        feed = str(path.resolve()) if path is not None else text
        label = path.name if path is not None else redact_url(text)
        response = await self._first_fetch(feed, label)
        assert response.body is not None  # no validators were sent, so no 304
        name = await asyncio.to_thread(_calendar_name, response.body) or label
        subscribed = await self._store([Subscription(0, SubscriptionKind.FEED, feed, name)])
        await self._record_first(subscribed, {feed: response})
        return await self._publish(await asyncio.to_thread(self._build))

    async def join_details(self, ref: JoinRef) -> JoinDetails:
        await load_network_modules()
        from echo_desktop.net.program_client import Failure, ProgramServiceError

        subscriptions = await asyncio.to_thread(self._cache.subscriptions)
        hub = next(
            (s for s in subscriptions if s.kind is SubscriptionKind.HUB and s.service == ref.service), None
        )
        if hub is None or not hub.token:
            raise ScheduleError("This session is not on a hub you are subscribed to, so it has no Join")
        label = next((s.program for s in self._snapshot.sessions if s.join == ref), hub.name)
        try:
            return await self._http().join_details(ref, hub.token, label)
        except ProgramServiceError as exc:
            if exc.failure is Failure.NOT_OPEN_YET and exc.opens is not None:
                opens = exc.opens.astimezone()  # the user's zone, as the lobby shows times
                raise ScheduleError(f"{label}: the room opens at {opens:%H:%M}; try again then") from None
            raise ScheduleError(_join_message(label, exc)) from None

    def network_changed(self, reachable: bool) -> None:
        self._rounds.network_changed(reachable)

    # --- the background refresh ----------------------------------------------------------------

    async def run(self) -> None:
        """Refresh whenever the policy says, until cancelled; a failed round (whatever the cause)
        backs off and tries again, it never ends the loop."""
        await self._rounds.run()

    async def wait_checked(self) -> None:
        """Return once a refresh has finished in this process (at once if one has), whether it
        reached the hubs or not: the app starts its later background work after it."""
        await self._rounds.wait_checked()

    @property
    def policy(self) -> RefreshPolicy:
        return self._rounds.policy

    # --- inside -------------------------------------------------------------------------------

    def _http(self) -> ProgramClient:
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _window(self) -> tuple[datetime, datetime]:
        """The time the lobby reads feeds over (a margin each side of the days it shows)."""
        now = self._now()
        return now - timedelta(days=1), now + timedelta(days=self._days + 1)

    async def _first_fetch(self, feed: str, label: str, token: str | None = None) -> FeedResponse:
        """A feed about to be subscribed to, fetched and read as the lobby will read it; raises
        ScheduleError naming `label` and the problem (so nothing unreadable is ever stored)."""
        from echo_desktop.net.program_client import ProgramServiceError

        try:
            response = await self._http().fetch_feed(feed, label, token=token)
        except ProgramServiceError as exc:
            raise ScheduleError(str(exc)) from None
        assert response.body is not None  # no validators were sent, so no 304
        problem = await asyncio.to_thread(_feed_problem, response.body, *self._window(), self._zone)
        if problem is not None:
            raise ScheduleError(f"{label}: {problem}")
        return response

    async def _store(self, wanted: list[Subscription]) -> list[Subscription]:
        try:
            return await asyncio.to_thread(self._cache.subscribe, wanted, self._now())
        except OSError as exc:
            folder = self._cache.subscriptions_path.parent
            reason = exc.strerror or type(exc).__name__
            raise ScheduleError(f"The subscription cannot be saved in {folder} ({reason})") from None

    async def _record_first(self, subscribed: list[Subscription], responses: dict[str, FeedResponse]) -> None:
        """The bodies fetched while subscribing (by feed), so the next refresh is a conditional GET."""
        now = self._now()
        updates = [
            FeedUpdate(s.id, r.body, r.etag, r.last_modified, now)
            for s in subscribed
            if (r := responses.get(s.feed)) is not None
        ]
        await asyncio.to_thread(self._cache.record_refresh, updates, now, False)

    async def _refresh_once(self) -> ScheduleSnapshot:
        await load_network_modules()
        try:
            subscriptions, feeds = await asyncio.to_thread(self._cached)
            outcomes = await asyncio.gather(*(self._fetch(s, feeds.get(s.id)) for s in subscriptions))
            now = self._now()
            reached = all(o.reached for o in outcomes)
            complete = reached and all(o.update.error is None for o in outcomes)
            await asyncio.to_thread(self._cache.record_refresh, [o.update for o in outcomes], now, complete)
            self._online = reached
            self._rounds.mark_checked()
            if reached:
                self._rounds.policy.succeeded()
            else:
                self._rounds.policy.failed()
            return await self._publish(await asyncio.to_thread(self._build))
        except Exception as exc:  # noqa: BLE001 - the background refresh must outlive anything
            # The reason only: an unexpected exception's traceback or arguments could quote a
            # feed's secret URL. SQLite's and the OS's messages name no secret.
            reason = str(exc) if isinstance(exc, sqlite3.Error | OSError) else type(exc).__name__
            logger.error("The schedule refresh failed (%s): %s", type(exc).__name__, reason)
            self._rounds.mark_checked()
            self._rounds.policy.failed()
            problem = f"{SAVE_FAILED}{reason}"
            kept = tuple(p for p in self._snapshot.problems if not p.startswith(SAVE_FAILED))
            return await self._publish(replace(self._snapshot, problems=(*kept, problem), checked=True))

    def _cached(self) -> tuple[list[Subscription], dict[int, CachedFeed]]:
        return self._cache.subscriptions(), self._cache.feeds()

    async def _fetch(self, subscription: Subscription, cached: CachedFeed | None) -> _Outcome:
        from echo_desktop.net.program_client import Failure, ProgramServiceError

        has_copy = cached is not None and cached.body is not None
        try:
            response = await self._http().fetch_feed(
                subscription.feed,
                subscription.name,
                token=subscription.token,
                etag=cached.etag if has_copy and cached else None,
                last_modified=cached.last_modified if has_copy and cached else None,
            )
        except ProgramServiceError as exc:
            reached = exc.failure not in (Failure.UNREACHABLE, Failure.TLS)
            return _Outcome(FeedUpdate(subscription.id, error=_kept(str(exc), has_copy)), reached)
        now = self._now()
        if response.body is None:  # the feed has not changed; its sessions' cases may have
            cases = await self._approved_cases(subscription)
            return _Outcome(FeedUpdate(subscription.id, fetched_at=now, cases=cases), True)
        problem = await asyncio.to_thread(_feed_problem, response.body, *self._window(), self._zone)
        if problem is not None:
            error = _kept(f"{subscription.name}: {problem}", has_copy)
            return _Outcome(FeedUpdate(subscription.id, fetched_at=now, error=error), True)
        update = FeedUpdate(subscription.id, response.body, response.etag, response.last_modified, now)
        return _Outcome(replace(update, cases=await self._approved_cases(subscription)), True)

    async def _approved_cases(self, subscription: Subscription) -> list[ApprovedCase] | None:
        """A hub program's approved cases over the lobby's window (one request for the program),
        or None (not a hub's program, or the hub did not answer: the cached ones stay)."""
        from echo_desktop.net.case_client import CaseClient
        from echo_desktop.net.program_client import ProgramServiceError

        service, token, program_id = subscription.service, subscription.token, subscription.program_id
        if subscription.kind is not SubscriptionKind.HUB or not service or not token or program_id is None:
            return None
        try:
            return await CaseClient(self._http()).approved_cases(
                service, token, program_id, *self._window(), subscription.name
            )
        except ProgramServiceError as exc:
            # The feed answered, so the sessions show; their cases stay as cached (the failure
            # kind only: the message names the program, which is fine, but says nothing more).
            logger.info("The approved cases of a program were not fetched (%s)", exc.failure)
            return None

    def _build(self) -> ScheduleSnapshot:
        """The snapshot from the cache (runs in a thread: it parses every cached feed)."""
        from echo_desktop.schedule.occurrences import FeedError, read_occurrences

        now = self._now()
        subscriptions, feeds = self._cached()
        approved = self._cache.approved_cases()
        sessions: list[ScheduledSession] = []
        problems: list[str] = []
        for subscription in subscriptions:
            cached = feeds.get(subscription.id)
            if cached is not None and cached.error:
                problems.append(cached.error)
            if cached is None or cached.body is None:
                continue
            try:
                reading = read_occurrences(cached.body, *self._window(), self._zone)
            except FeedError as exc:
                problems.append(f"{subscription.name}: {exc}")
                continue
            problems.extend(f"{subscription.name}: {warning}" for warning in reading.warnings)
            titles = _titles(approved.get(subscription.id, ()))
            sessions.extend(_session(subscription, o, titles) for o in reading.occurrences)
        return ScheduleSnapshot(
            sessions=tuple(upcoming(sessions, now, self._days)),
            updated=self._cache.last_refresh(),
            online=self._online,
            checked=self._rounds.checked,
            problems=tuple(problems),
            notices=self._cache.notices,
            subscriptions=tuple(s.name for s in subscriptions),
        )

    async def _publish(self, snapshot: ScheduleSnapshot) -> ScheduleSnapshot:
        self._snapshot = snapshot
        if self._listener is not None:
            self._listener(snapshot)
        return snapshot


def _check_ca_file(path: Path) -> None:
    """A CA file that cannot be used is bad input, said at once (not at the first refresh)."""
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(path))
    except ssl.SSLError:  # (an OSError too, so first)
        raise ScheduleError(f"The CA file {path} cannot be used (not a PEM certificate)") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScheduleError(f"The CA file {path} cannot be used ({reason})") from None


def _default_client(ca_file: Path | None) -> ProgramClient:
    from echo_desktop.net.program_client import ProgramClient

    return ProgramClient(ca_file=ca_file)


def _titles(cases: Iterable[ApprovedCase]) -> dict[tuple[str, datetime], list[str]]:
    """The approved cases' titles by session (its UID and its start in UTC)."""
    titles: dict[tuple[str, datetime], list[str]] = {}
    for case in cases:
        titles.setdefault((case.uid, case.start.astimezone(UTC)), []).append(case.title)
    return titles


def _session(
    subscription: Subscription,
    occurrence: Occurrence,
    titles: dict[tuple[str, datetime], list[str]] | None = None,
) -> ScheduledSession:
    hub = subscription.kind is SubscriptionKind.HUB and subscription.service is not None
    approved = (titles or {}).get((occurrence.uid, occurrence.start.astimezone(UTC)), [])
    return ScheduledSession(
        start=occurrence.start,
        end=occurrence.end,
        title=occurrence.title,
        # A hub names its program; another calendar may name itself better than its address does.
        program=subscription.name if hub else occurrence.program or subscription.name,
        uid=occurrence.uid,
        program_time_zone=subscription.time_zone or occurrence.time_zone,
        didactic=occurrence.didactic,
        presenter=occurrence.presenter,
        cases=with_approved_cases(occurrence.cases, approved),
        description=occurrence.description,
        room=occurrence.room,
        join=JoinRef(subscription.service, occurrence.uid, occurrence.start)
        if hub and subscription.service
        else None,
        moved=occurrence.moved,
    )


def _feed_problem(body: bytes, start: datetime, end: datetime, zone: tzinfo) -> str | None:
    """Why a fetched feed cannot replace the last good copy, or None (runs in a thread): it must
    read as the lobby will read it."""
    from echo_desktop.schedule.occurrences import FeedError, read_occurrences

    try:
        read_occurrences(body, start, end, zone)
    except FeedError as exc:
        return str(exc)
    return None


def _calendar_name(body: bytes) -> str:
    """A feed's own name (X-WR-CALNAME), or ""; raises FeedError for a feed that cannot be read."""
    from echo_desktop.schedule.occurrences import read_feed

    return str(read_feed(body).get("X-WR-CALNAME", "")).strip()


def _kept(problem: str, has_copy: bool) -> str:
    return f"{problem}; showing the schedule saved earlier" if has_copy else problem


def _join_message(label: str, exc: ProgramServiceError) -> str:
    from echo_desktop.net.program_client import Failure

    words = {
        Failure.ENDED: f"{label}: this session has ended",
        Failure.UNAUTHORIZED: f"{label}: the hub no longer accepts your token; ask your facilitator",
        Failure.FORBIDDEN: f"{label}: you are not a member of this program on the hub",
        Failure.NOT_FOUND: f"{label}: the hub does not know this session (it may have been cancelled)",
        Failure.NOT_OPEN_YET: f"{label}: the room is not open yet",
        Failure.UNREACHABLE: f"{label}: the hub cannot be reached; check the network and try again",
        Failure.TLS: f"{label}: the hub's certificate is not trusted",
    }
    # Any other failure (ROOMS_UNAVAILABLE: try again in a minute; BAD_ANSWER) keeps the
    # client's own words, which already name the session.
    return words.get(exc.failure, str(exc))
