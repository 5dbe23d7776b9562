"""The demo's program: a clinic whose room opens now, its weekly series, and a demo clinician.

`echo-desktop demo` seeds it so the app opens on a lobby with a session to join at once. Seeding
the same store again reuses the program, the series and the person (with a fresh API token: the
store keeps only hashes, so the old one cannot be shown again), and adds a one-off session only
if none starts at the new time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.schedule.lobby import ROOM_OPENS_BEFORE
from echo_desktop.schedule.series import Agenda, Frequency, Series
from echo_desktop.session.models import Role

PROGRAM = "Demo teleECHO: Hepatitis C"
TIME_ZONE = "America/Denver"
CLINICIAN = "Demo Clinician"
SITE = "Demo Spoke Clinic"
TITLE = "Hepatitis C teleECHO"
DURATION = timedelta(minutes=60)
AGENDA = Agenda("Treating hepatitis C in primary care", "Dr. Ana Ruiz", 2)
WEEKS_AHEAD = 12


@dataclass(frozen=True)
class DemoSeed:
    """What the demo needs to show the lobby and join: a token, and the session opening now."""

    api_token: str = field(repr=False)  # kept out of any log or traceback
    program_id: int
    session_uid: str
    session_start: datetime  # aware, UTC


def seed_demo(store: ProgramStore, now: datetime) -> DemoSeed:
    """Seed (or refresh) the demo program in `store`; `now` is aware."""
    zone = ZoneInfo(TIME_ZONE)
    # Whole minutes, rounded down: the room opens at `now` or just before, never after.
    start = (now + ROOM_OPENS_BEFORE).astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
    program = store.program_named(PROGRAM) or store.add_program(PROGRAM, TIME_ZONE)
    series = [s for _, s in store.schedule(program.id).series]
    session = next((s for s in series if s.frequency is Frequency.ONCE and s.first_start == start), None)
    if session is None:
        session = store.add_series(program.id, TITLE, start, DURATION, agenda=AGENDA)
    if not any(s.frequency is Frequency.WEEKLY for s in series):
        _add_weekly(store, program.id, start)
    return DemoSeed(
        api_token=_clinician_token(store, program.id),
        program_id=program.id,
        session_uid=session.uid,
        session_start=start.replace(tzinfo=zone).astimezone(UTC),
    )


def _add_weekly(store: ProgramStore, program_id: int, one_off: datetime) -> Series:
    first = one_off + timedelta(weeks=1)
    until: date = (first + timedelta(weeks=WEEKS_AHEAD)).date()
    return store.add_series(program_id, TITLE, first, DURATION, Frequency.WEEKLY, until=until, agenda=AGENDA)


def _clinician_token(store: ProgramStore, program_id: int) -> str:
    """The demo clinician's API token: a new person the first time, a fresh token after."""
    known = next(
        (r.person for r in store.people() if r.person.name == CLINICIAN and program_id in r.programs), None
    )
    if known is None:
        issued = store.add_person(CLINICIAN, SITE, Role.SPOKE)
        store.add_member(issued.person.id, program_id)
        return issued.api_token
    return store.reissue(known.id, TokenKind.API)
