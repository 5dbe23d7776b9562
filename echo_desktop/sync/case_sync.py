"""The cases' `CaseSource`: drafts and the outbox on this computer, sent and pulled whenever a hub
answers.

- `submit` moves the draft into the outbox in one transaction and returns at once; `run()` (or
  `refresh()`) sends each queued case with a PUT under its client-made id and base version, the
  same on every retry, so a reply lost after the hub stored the case never makes a second one.
  While a hub does not answer, the case stays queued and the rounds back off (`RefreshPolicy`).
- A refusal (PHI, an unknown field, too large, stale, malformed, not allowed) takes the case out
  of the outbox back to a draft with the hub's reason, its text kept. A stale one is rebased on the
  hub's version, so submitting it again is the person's informed choice.
- Each round then pulls the person's cases from every hub (statuses, comments, recommendations)
  and keeps them, so "My cases" and the recommendations show offline.
- Which hubs, and the token for each, come from the schedule's subscriptions (a HUB subscription
  has the service and the person's token).

Case text never goes to a log: only counts, client ids and failure kinds do.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from echo_desktop.cases.model import (
    DEFAULT_FORM,
    MAX_CASE_TEXT_BYTES,
    Case,
    CaseForm,
    CaseStatus,
    SessionSlot,
)
from echo_desktop.cases.ports import CaseError, CasesListener, CasesSnapshot, HubProgram, MyCase, ReviewItem
from echo_desktop.schedule.refresh_policy import RefreshPolicy
from echo_desktop.storage import subscriptions_file
from echo_desktop.storage.case_store import CaseStore, StoredCase
from echo_desktop.storage.subscriptions_file import Subscription, SubscriptionKind
from echo_desktop.sync.network_modules import load_network_modules
from echo_desktop.sync.rounds import Rounds

if TYPE_CHECKING:
    from echo_desktop.net.case_client import CaseClient
    from echo_desktop.net.program_client import Failure, ProgramClient, ProgramServiceError

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Hubs = Callable[[], Sequence[Subscription]]
SAVE_FAILED = "Could not save the cases: "
T = TypeVar("T")


class CaseSync:
    """A `cases.ports.CaseSource` over the case store and the hubs' program services.

    Use it on one event loop (the app's); `aclose()` at the end.
    """

    def __init__(
        self,
        store: CaseStore,
        hubs: Hubs,
        *,
        now: Clock | None = None,
        new_id: Callable[[], str] | None = None,
        client: Callable[[], ProgramClient] | None = None,
        policy: RefreshPolicy | None = None,
        ca_file: Path | None = None,
    ) -> None:
        """`hubs` gives the subscriptions (the schedule cache's `subscriptions`, or the file's);
        `new_id` makes client ids (default uuid4); `client` the HTTP client (default: one that
        verifies TLS with the system's CAs, plus `ca_file`)."""
        self._store = store
        self._hubs = hubs
        self._now = now or (lambda: datetime.now(UTC))
        self._new_id = new_id or (lambda: str(uuid.uuid4()))
        self._new_client = client or (lambda: _default_client(ca_file))
        self._http: ProgramClient | None = None
        self._rounds = Rounds(self._round, policy or RefreshPolicy(time.monotonic), "case sync")
        self._snapshot = CasesSnapshot(notices=store.notices)
        self._listener: CasesListener | None = None
        self._programs: dict[tuple[str, int], HubProgram] = {}
        self._roles: dict[str, str] = {}  # the person's role on each hub that answered `/api/me`
        self._services: dict[str, str] = {}  # client id -> its hub, for every case known here
        self._pending: dict[str, tuple[str, Case]] = {}  # drafts waiting for the writer
        self._save_lock = asyncio.Lock()
        self._online = False
        self._problems: tuple[str, ...] = ()

    @classmethod
    async def open(
        cls,
        path: Path | None = None,
        *,
        subscriptions_path: Path | None = None,
        hubs: Hubs | None = None,
        **options: object,
    ) -> CaseSync:
        """Open the store at `path` (default: `case.db` in the user data folder) in a thread and
        load it. Without `hubs`, the subscriptions are read from `subscriptions_path` (default: the
        user config folder's file) at each round."""
        store = await asyncio.to_thread(CaseStore.open, path)
        where = subscriptions_path or subscriptions_file.default_path()
        sync = cls(store, hubs or (lambda: read_hubs(where)), **options)  # type: ignore[arg-type]
        await sync.load()
        return sync

    async def aclose(self) -> None:
        await self._rounds.cancel()
        if self._http is not None:
            await self._http.close()
            self._http = None
        await asyncio.to_thread(self._store.close)

    # --- CaseSource: reading -------------------------------------------------------------------

    def snapshot(self) -> CasesSnapshot:
        return self._snapshot

    def set_listener(self, listener: CasesListener | None) -> None:
        self._listener = listener

    async def load(self) -> CasesSnapshot:
        """The cases from the store alone (as at start, before any network)."""
        return self._publish(await asyncio.to_thread(self._build))

    async def refresh(self) -> CasesSnapshot:
        """Send the outbox and pull now; a refresh asked for during one shares it. Raises nothing."""
        return await self._rounds.refresh()

    def network_changed(self, reachable: bool) -> None:
        self._rounds.network_changed(reachable)

    @property
    def policy(self) -> RefreshPolicy:
        return self._rounds.policy

    async def wait_checked(self) -> None:
        """Return once a round has finished in this process (at once if one has), whether it
        reached the hubs or not."""
        await self._rounds.wait_checked()

    async def run(self) -> None:
        """Send and pull whenever the policy says (at once after a submit), until cancelled."""
        await self._rounds.run()

    # --- CaseSource: the presenter -------------------------------------------------------------

    async def new_draft(self, program: HubProgram) -> Case:
        case = Case(self._new_id(), program.program_id, {})
        self._services[case.client_id] = program.service
        await self._write(asyncio.to_thread(self._store.save_draft, program.service, case, self._now()))
        self._publish(await asyncio.to_thread(self._build))
        return case

    async def load_draft(self, client_id: str) -> Case | None:
        drafts, queued, known = await self._write(asyncio.to_thread(self._store.all_cases))
        if any(s.case.client_id == client_id for s in queued):
            return None
        for stored in drafts:
            if stored.case.client_id == client_id:
                return stored.case
        for stored in known:
            if stored.case.client_id == client_id:
                # The hub's copy (a returned case) to edit: from its version, so a newer one wins.
                return replace(stored.case, status=CaseStatus.DRAFT)
        return None

    async def save_draft(self, case: Case) -> None:
        """Coalesced: while one write runs, newer saves replace each other; each save returns once
        its text (or a newer one) is committed."""
        service = self._services.get(case.client_id)
        if service is None:
            raise CaseError("This case is not on this computer any more; start a new one")
        self._pending[case.client_id] = (service, case)
        async with self._save_lock:
            item = self._pending.pop(case.client_id, None)
            if item is None:
                return  # a newer save of this draft was written by an earlier caller's turn
            await self._write(asyncio.to_thread(self._store.save_draft, item[0], item[1], self._now()))
        self._show(MyCase(replace(item[1], status=CaseStatus.DRAFT), self._program(item[0], item[1])))

    async def discard_draft(self, client_id: str) -> None:
        self._pending.pop(client_id, None)
        async with self._save_lock:
            await self._write(asyncio.to_thread(self._store.discard_draft, client_id))
        self._publish(await asyncio.to_thread(self._build))

    async def submit(self, case: Case) -> MyCase:
        service = self._services.get(case.client_id)
        if service is None:
            raise CaseError("This case is not on this computer any more; start a new one")
        size = sum(len(v.encode()) for v in case.values.values())
        if size > MAX_CASE_TEXT_BYTES:
            raise CaseError(
                f"The case is {size // 1024} KB of text; the hub takes at most "
                f"{MAX_CASE_TEXT_BYTES // 1024} KB. Shorten it and submit again."
            )
        self._pending.pop(case.client_id, None)
        async with self._save_lock:
            await self._write(asyncio.to_thread(self._store.queue, service, case, self._now()))
        logger.info("Case %s queued for its hub", case.client_id)
        self._publish(await asyncio.to_thread(self._build))
        self.network_changed(True)  # send now, not at the next period
        queued = replace(case, status=CaseStatus.QUEUED)
        return MyCase(queued, self._program(service, queued))

    async def case_form(self, program: HubProgram) -> CaseForm:
        from echo_desktop.net.program_client import Failure, ProgramServiceError

        token = self._token(program.service)
        if token is not None:
            try:
                form = await self._cases().case_form(program.service, token, program.program_id, program.name)
            except ProgramServiceError as exc:
                if exc.failure not in (Failure.UNREACHABLE, Failure.TLS):
                    raise CaseError(str(exc)) from None
            else:
                await self._write(
                    asyncio.to_thread(self._store.save_form, program.service, program.program_id, form)
                )
                return form
        kept = await asyncio.to_thread(self._store.form, program.service, program.program_id)
        return kept or DEFAULT_FORM

    # --- CaseSource: the facilitator -----------------------------------------------------------

    async def review_queue(self, program: HubProgram) -> list[ReviewItem]:
        token = self._need_token(program)
        return await self._ask(
            self._cases().review_queue(program.service, token, program.program_id, program.name)
        )

    async def approve(self, program: HubProgram, case: Case, session: SessionSlot) -> Case:
        token = self._need_token(program)
        return await self._ask(self._cases().approve(program.service, token, case, session, program.name))

    async def return_case(self, program: HubProgram, case: Case, comments: str) -> Case:
        token = self._need_token(program)
        return await self._ask(
            self._cases().return_case(program.service, token, case, comments, program.name)
        )

    async def recommend(self, program: HubProgram, case: Case, text: str) -> Case:
        token = self._need_token(program)
        return await self._ask(self._cases().recommend(program.service, token, case, text, program.name))

    async def presented_cases(self, program: HubProgram) -> list[ReviewItem]:
        token = self._need_token(program)
        return await self._ask(
            self._cases().review_queue(
                program.service, token, program.program_id, program.name, CaseStatus.PRESENTED
            )
        )

    # --- the round: send, then pull ------------------------------------------------------------

    async def _round(self) -> CasesSnapshot:
        await load_network_modules()
        try:
            hubs = await asyncio.to_thread(self._hubs)
            outbox = await asyncio.to_thread(self._store.outbox)
            problems: list[str] = []
            down: set[str] = set()
            for stored in outbox:
                await self._send(stored, hubs, problems, down)
            services = sorted({h.service for h in hubs if h.kind is SubscriptionKind.HUB and h.service})
            for service in services:
                if service not in down:
                    await self._pull(service, problems, down)
            self._online = not down
            self._rounds.mark_checked()
            self._problems = tuple(problems)
            if down:
                self._rounds.policy.failed()
            else:
                self._rounds.policy.succeeded()
                await asyncio.to_thread(self._store.record_pull, self._now())
            return self._publish(await asyncio.to_thread(self._build))
        except Exception as exc:  # noqa: BLE001 - the background round must outlive anything
            # The reason only: an unexpected exception's arguments could quote case text.
            reason = str(exc) if isinstance(exc, sqlite3.Error | OSError) else type(exc).__name__
            logger.error("The case sync failed (%s): %s", type(exc).__name__, reason)
            self._rounds.mark_checked()
            self._rounds.policy.failed()
            self._problems = (
                *(p for p in self._problems if not p.startswith(SAVE_FAILED)),
                SAVE_FAILED + reason,
            )
            return self._publish(replace(self._snapshot, problems=self._problems, checked=True))

    async def _send(
        self, stored: StoredCase, hubs: Sequence[Subscription], problems: list[str], down: set[str]
    ) -> None:
        from echo_desktop.net.program_client import Failure, ProgramServiceError

        service, case = stored.service, stored.case
        if service in down:
            return
        label = self._program(service, case).name
        token = _token(hubs, service)
        if token is None:
            problems.append(f"{label}: a case waits to be sent, but you are no longer subscribed to its hub")
            return
        try:
            copy = await self._cases().put_case(service, token, case, label)
        except ProgramServiceError as exc:
            if exc.failure in _refusals():
                base = exc.version if exc.failure is Failure.STALE else None
                await asyncio.to_thread(
                    self._store.refused, case.client_id, _refusal_words(exc), self._now(), base
                )
                logger.info("Case %s refused by its hub (%s); back to a draft", case.client_id, exc.failure)
            else:
                if exc.failure in (Failure.UNREACHABLE, Failure.TLS):
                    down.add(service)
                problems.append(f"{exc}; the case waits to be sent")
            return
        await asyncio.to_thread(self._store.sent, service, copy, self._now())
        logger.info("Case %s sent (hub version %d)", case.client_id, copy.version)

    async def _pull(self, service: str, problems: list[str], down: set[str]) -> None:
        from echo_desktop.net.program_client import Failure, ProgramServiceError, hub_label

        token = self._token(service)
        if token is None:
            return
        try:
            cases = await self._cases().my_cases(service, token, hub_label(service))
        except ProgramServiceError as exc:
            if exc.failure in (Failure.UNREACHABLE, Failure.TLS):
                down.add(service)
            problems.append(f"{exc}; showing your cases saved earlier")
            return
        await asyncio.to_thread(self._store.replace_known, service, cases, self._now())
        await self._learn_role(service, token)

    async def _learn_role(self, service: str, token: str) -> None:
        """The person's role on the hub, for the facilitator's screens; a hub that does not say
        leaves it unknown, which only hides those screens (never a problem for "My cases")."""
        from echo_desktop.net.program_client import ProgramServiceError

        try:
            me = await self._client().me(service, token)
        except ProgramServiceError as exc:
            logger.info("The hub did not say the person's role (%s)", exc.failure)
            return
        self._roles[service] = me.role

    # --- inside --------------------------------------------------------------------------------

    def _build(self) -> CasesSnapshot:
        """The snapshot from the store and the subscriptions (runs in a thread)."""
        drafts, queued, known = self._store.all_cases()
        programs = _programs(self._hubs(), self._roles)
        self._programs = {(p.service, p.program_id): p for p in programs}
        entries: dict[str, MyCase] = {}
        for stored in (*known, *drafts, *queued):  # a draft stands over the hub's copy; queued over both
            self._services[stored.case.client_id] = stored.service
            entries[stored.case.client_id] = MyCase(
                stored.case, self._program(stored.service, stored.case), stored.refusal
            )
        return CasesSnapshot(
            cases=tuple(sorted(entries.values(), key=_newest_first)),
            programs=programs,
            updated=self._store.last_pull(),
            online=self._online,
            checked=self._rounds.checked,
            problems=self._problems,
            notices=self._store.notices,
        )

    def _show(self, entry: MyCase) -> None:
        """One case changed here (a draft saved): the snapshot without reading the store again."""
        kept = [c for c in self._snapshot.cases if c.case.client_id != entry.case.client_id]
        refusal = next(
            (c.refusal for c in self._snapshot.cases if c.case.client_id == entry.case.client_id), ""
        )
        cases = tuple(sorted((replace(entry, refusal=refusal), *kept), key=_newest_first))
        self._publish(replace(self._snapshot, cases=cases))

    def _publish(self, snapshot: CasesSnapshot) -> CasesSnapshot:
        self._snapshot = snapshot
        if self._listener is not None:
            self._listener(snapshot)
        return snapshot

    def _program(self, service: str, case: Case) -> HubProgram:
        known = self._programs.get((service, case.program_id))
        return known or HubProgram(service, case.program_id, f"Program {case.program_id}")

    def _token(self, service: str) -> str | None:
        return _token(self._hubs(), service)

    def _need_token(self, program: HubProgram) -> str:
        token = self._token(program.service)
        if token is None:
            raise CaseError(f"{program.name}: you are not subscribed to its hub with a token")
        return token

    def _client(self) -> ProgramClient:
        if self._http is None:
            self._http = self._new_client()
        return self._http

    def _cases(self) -> CaseClient:
        from echo_desktop.net.case_client import CaseClient

        return CaseClient(self._client())

    async def _ask(self, call: Awaitable[T]) -> T:
        await load_network_modules()
        from echo_desktop.net.program_client import ProgramServiceError

        try:
            return await call
        except ProgramServiceError as exc:
            raise CaseError(str(exc)) from None

    async def _write(self, call: Awaitable[T]) -> T:
        """A store write; a disk that refuses it is a CaseError for people (no case text in it)."""
        try:
            return await call
        except (sqlite3.Error, OSError) as exc:
            logger.error("A case could not be saved (%s)", type(exc).__name__)
            raise CaseError(f"{SAVE_FAILED}{exc}") from None


def read_hubs(path: Path) -> list[Subscription]:
    """The subscriptions in the schedule's file, read only: a damaged file is the schedule's to set
    aside and tell, so here it just means no hub for now."""
    try:
        return subscriptions_file.parse(path.read_bytes())
    except (OSError, subscriptions_file.DamagedFile):
        return []


def _programs(hubs: Sequence[Subscription], roles: dict[str, str]) -> tuple[HubProgram, ...]:
    return tuple(
        HubProgram(h.service, h.program_id, h.name, roles.get(h.service, ""))
        for h in hubs
        if h.kind is SubscriptionKind.HUB and h.service and h.token and h.program_id is not None
    )


def _token(hubs: Sequence[Subscription], service: str) -> str | None:
    return next(
        (h.token for h in hubs if h.kind is SubscriptionKind.HUB and h.service == service and h.token), None
    )


def _newest_first(entry: MyCase) -> tuple[int, float]:
    """Drafts and queued cases first (being worked on), then the hub's by their last change."""
    local = entry.case.status in (CaseStatus.DRAFT, CaseStatus.QUEUED)
    stamp = entry.case.updated_at.timestamp() if entry.case.updated_at else 0.0
    return (0 if local else 1, -stamp)


def _refusal_words(exc: ProgramServiceError) -> str:
    from echo_desktop.net.program_client import Failure

    if exc.failure is Failure.STALE:
        return (
            f"{exc}. Your text is kept as a draft: check the hub's comments, then submit again to "
            "replace the hub's copy with it."
        )
    return f"{exc}. Your text is kept as a draft."


def _default_client(ca_file: Path | None) -> ProgramClient:
    from echo_desktop.net.program_client import ProgramClient

    return ProgramClient(ca_file=ca_file)


def _refusals() -> frozenset[Failure]:
    """The failures that are the hub's answer about the case itself: it goes back to a draft."""
    from echo_desktop.net.program_client import Failure

    return frozenset(
        {
            Failure.MALFORMED,
            Failure.UNKNOWN_FIELD,
            Failure.PHI,
            Failure.STALE,
            Failure.WRONG_STATUS,
            Failure.TOO_LARGE,
            Failure.FORBIDDEN,
            Failure.NOT_FOUND,
        }
    )
