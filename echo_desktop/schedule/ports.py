"""The lobby's port: where the schedule comes from, as the UI sees it.

The app plugs in the real source (the program service's client and the local cache, in
`echo_desktop.sync`); tests plug in fakes. Coroutines run on the caller's loop (the Qt loop
through qasync) and never block it: disk and parsing go to threads inside the source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from echo_desktop.schedule.lobby import JoinDetails, JoinRef, ScheduledSession, ScheduleSnapshot

SnapshotListener = Callable[[ScheduleSnapshot], None]


class ScheduleError(Exception):
    """A schedule request that failed; the message is for the user (it names the program or
    feed and the problem, never a token)."""


class ScheduleSource(Protocol):
    """The subscribed programs' sessions, cached so they show offline, refreshed in the background."""

    def snapshot(self) -> ScheduleSnapshot:
        """What is known now (the cache, until a refresh lands). Never blocks on the network."""
        ...

    def set_listener(self, listener: SnapshotListener | None) -> None:
        """Called on the source's loop with each new snapshot (after a refresh or a subscribe)."""
        ...

    async def refresh(self) -> ScheduleSnapshot:
        """Fetch every subscription now (a conditional GET each); raises nothing: failures end up
        in the snapshot's `problems`, and the cached sessions stay."""
        ...

    async def subscribe_hub(self, service_url: str, token: str) -> ScheduleSnapshot:
        """Subscribe to every program a person belongs to on a hub; raises ScheduleError."""
        ...

    async def subscribe_feed(self, url_or_path: str) -> ScheduleSnapshot:
        """Subscribe to any iCalendar feed, by http(s) URL or file path; raises ScheduleError."""
        ...

    async def join_details(self, ref: JoinRef) -> JoinDetails:
        """Ask the hub for a session's room and PIN with the person's token; raises ScheduleError
        (not open yet, ended, refused, hub unreachable) with a message for the user."""
        ...

    def network_changed(self, reachable: bool) -> None:
        """The OS says the network came back (or went): refresh soon instead of waiting."""
        ...


class CalendarExport(Protocol):
    """Writes one session as an .ics file the user's calendar app can import."""

    def __call__(self, session: ScheduledSession, path: Path) -> None: ...
