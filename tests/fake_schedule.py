"""A typed, scripted ScheduleSource and CalendarExport for the lobby's tests and screenshots.

No network, no disk (unless an export is asked to write): the test sets the snapshot, the join
details or the error each call gets, and reads back what was asked.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from echo_desktop.schedule.lobby import JoinDetails, JoinRef, ScheduledSession, ScheduleSnapshot
from echo_desktop.schedule.ports import ScheduleError, ScheduleSource, SnapshotListener

SERVICE = "https://hub.example.org:8090"
JANUS = "ws://127.0.0.1:8188"


class FakeScheduleSource:
    """A ScheduleSource whose every answer is set by the test."""

    def __init__(self, snapshot: ScheduleSnapshot | None = None) -> None:
        self.current = snapshot if snapshot is not None else ScheduleSnapshot()
        self.listener: SnapshotListener | None = None
        self.refreshes = 0
        self.refreshed_snapshot: ScheduleSnapshot | None = None  # what refresh() lands, if set
        self.hub_subscriptions: list[tuple[str, str]] = []
        self.feed_subscriptions: list[str] = []
        self.subscribe_error: ScheduleError | None = None
        self.subscribed_snapshot: ScheduleSnapshot | None = None
        self.join_refs: list[JoinRef] = []
        self.details: JoinDetails = JoinDetails(JANUS, 1234, "7391", "Dr. Ana Ruiz", "hub")
        self.join_error: ScheduleError | None = None
        self.join_gate: asyncio.Event | None = None  # join_details waits for it when set
        self.network: list[bool] = []

    # --- ScheduleSource ----------------------------------------------------------------------

    def snapshot(self) -> ScheduleSnapshot:
        return self.current

    def set_listener(self, listener: SnapshotListener | None) -> None:
        self.listener = listener

    async def refresh(self) -> ScheduleSnapshot:
        self.refreshes += 1
        if self.refreshed_snapshot is not None:
            self.publish(self.refreshed_snapshot)
        return self.current

    async def subscribe_hub(self, service_url: str, token: str) -> ScheduleSnapshot:
        self.hub_subscriptions.append((service_url, token))
        return self._subscribed(service_url)

    async def subscribe_feed(self, url_or_path: str) -> ScheduleSnapshot:
        self.feed_subscriptions.append(url_or_path)
        return self._subscribed(url_or_path)

    async def join_details(self, ref: JoinRef) -> JoinDetails:
        self.join_refs.append(ref)
        if self.join_gate is not None:
            await self.join_gate.wait()
        if self.join_error is not None:
            raise self.join_error
        return self.details

    def network_changed(self, reachable: bool) -> None:
        self.network.append(reachable)

    # --- the test's side ---------------------------------------------------------------------

    def publish(self, snapshot: ScheduleSnapshot) -> None:
        """A new snapshot, as after a background refresh: the listener hears of it."""
        self.current = snapshot
        if self.listener is not None:
            self.listener(snapshot)

    def _subscribed(self, name: str) -> ScheduleSnapshot:
        if self.subscribe_error is not None:
            raise self.subscribe_error
        snapshot = self.subscribed_snapshot or replace(
            self.current, subscriptions=(*self.current.subscriptions, name)
        )
        self.publish(snapshot)
        return snapshot


def _check_protocol(source: FakeScheduleSource) -> ScheduleSource:
    return source  # mypy checks that the fake keeps to the port


class RecordingExport:
    """A CalendarExport that writes a small file (or raises `fail_with`) and records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[ScheduledSession, Path]] = []
        self.fail_with: Exception | None = None

    def __call__(self, session: ScheduledSession, path: Path) -> None:
        self.calls.append((session, path))
        if self.fail_with is not None:
            raise self.fail_with
        path.write_text(f"BEGIN:VCALENDAR\nSUMMARY:{session.title}\nEND:VCALENDAR\n", encoding="utf-8")


class MovableClock:
    """An injectable clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, moment: datetime) -> None:
        self.now = moment


def hub_session(
    start: datetime,
    *,
    title: str = "Cirrhosis care in primary care",
    program: str = "Hepatitis C ECHO",
    uid: str = "hcv-weekly",
    minutes: int = 60,
    **more: object,
) -> ScheduledSession:
    """A session from a hub (it has a Join reference)."""
    return ScheduledSession(
        start=start,
        end=start + timedelta(minutes=minutes),
        title=title,
        program=program,
        uid=uid,
        join=JoinRef(SERVICE, uid, start),
        **more,  # type: ignore[arg-type]
    )
