"""The client's case tests' setting: the real program service (`tests/program_hubs.running_hub`,
screening with the real guard unless told otherwise) behind a `LinkProxy`, a facilitator of its
program, and `CaseSync`s for the presenter (Dana) and the facilitator (Fran), each over its own
store and with its own hub subscription, as on their own computers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from echo_desktop.cases.model import Case, CaseStatus
from echo_desktop.cases.ports import HubProgram
from echo_desktop.hub.program_service.store import IssuedPerson
from echo_desktop.schedule.refresh_policy import RefreshPolicy
from echo_desktop.session.models import Role
from echo_desktop.storage.subscriptions_file import Subscription, SubscriptionKind
from echo_desktop.sync.case_sync import CaseSync
from tests.link_proxy import LinkProxy
from tests.program_hubs import Hub, running_hub

QUESTION = "How should we treat HCV in a pregnant patient?"
CLEAN = {  # the default form's required fields, nothing the real guard flags
    "case_type": "New",
    "question": QUESTION,
    "age_band": "30–39",
    "sex": "Female",
    "chief_complaint": "Positive HCV antibody at the first prenatal visit",
    "hpi": "G2P1 at 14 weeks; HCV RNA 1.2 million IU/mL in 2024.",
}


@dataclass
class Clinic:
    """A running hub behind a link, and its program's facilitator."""

    hub: Hub
    link: LinkProxy
    fran: IssuedPerson

    @property
    def service(self) -> str:
        """Where clients reach the hub: through the link."""
        return self.link.url

    def program(self) -> HubProgram:
        return HubProgram(self.service, self.hub.program.id, self.hub.program.name)

    def hubs(self, who: IssuedPerson) -> Callable[[], list[Subscription]]:
        """`who`'s subscription to the program (what subscribing to the hub would have saved)."""
        hub = Subscription(
            1,
            SubscriptionKind.HUB,
            f"{self.service}/api/programs/{self.hub.program.id}/feed.ics",
            self.hub.program.name,
            self.service,
            who.api_token,
            self.hub.program.id,
            "America/Denver",
        )
        return lambda: [hub]

    def hub_cases(self) -> list[str]:
        """The client ids of Dana's cases as the hub's store holds them."""
        return [c.case.client_id for c in self.hub.store.cases_presented_by(self.hub.dana.person.id)]


@contextlib.asynccontextmanager
async def clinic(path: Path, *, link_up: bool = True, link_port: int = 0) -> AsyncIterator[Clinic]:
    """The real service (real guard) over a store at `path`, behind a link on `link_port`,
    which is down until `link.start()` unless `link_up`."""
    async with running_hub(path) as hub:
        fran = hub.store.add_person("Fran Oyelaran", "UNM", Role.FACILITATOR)
        hub.store.add_member(fran.person.id, hub.program.id)
        link = LinkProxy(int(hub.url.rsplit(":", 1)[1]), link_port)
        if link_up:
            await link.start()
        try:
            yield Clinic(hub, link, fran)
        finally:
            await link.stop()


def ids(prefix: str = "case") -> Callable[[], str]:
    numbers = iter(range(1, 1000))
    return lambda: f"{prefix}-{next(numbers)}"


@contextlib.asynccontextmanager
async def case_sync(
    path: Path, hubs: Callable[[], list[Subscription]], *, running: bool = False
) -> AsyncIterator[CaseSync]:
    """A CaseSync over the store at `path`; with `running`, its background rounds too."""
    # Fast retries: the tests wait for the outcome, never for a time.
    policy = RefreshPolicy(time.monotonic, first_retry_s=0.05, max_retry_s=0.2)
    sync = await CaseSync.open(path, hubs=hubs, new_id=ids(path.stem), policy=policy)
    runner = asyncio.create_task(sync.run()) if running else None
    try:
        yield sync
    finally:
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        await sync.aclose()


def status(sync: CaseSync, client_id: str) -> CaseStatus | None:
    return next((c.case.status for c in sync.snapshot().cases if c.case.client_id == client_id), None)


async def draft(sync: CaseSync, program: HubProgram, **values: str) -> Case:
    """A new draft in `program`, saved with `values` (default: the clean case)."""
    case = await sync.new_draft(program)
    filled = Case(case.client_id, case.program_id, values or dict(CLEAN))
    await sync.save_draft(filled)
    return filled
