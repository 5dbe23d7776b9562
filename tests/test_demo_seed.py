"""The demo's seed: a program whose next session opens now, idempotent for the same store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from echo_desktop.hub.demo_seed import PROGRAM, seed_demo
from echo_desktop.hub.program_service.sessions import find_session, sessions_with_open_rooms
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.schedule.series import Agenda, Frequency
from echo_desktop.session.models import Role

NOW = datetime(2026, 11, 26, 17, 3, 27, tzinfo=UTC)  # 10:03:27 in Denver


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProgramStore]:
    opened = ProgramStore.open(tmp_path / "programs.db", now=lambda: NOW)
    yield opened
    opened.close()


def test_the_demo_session_opens_now_with_an_agenda_and_a_member_to_join_it(store: ProgramStore) -> None:
    seed = seed_demo(store, NOW)
    (program,) = store.programs()
    assert (program.id, program.name, program.time_zone) == (seed.program_id, PROGRAM, "America/Denver")
    assert seed.session_start == datetime(2026, 11, 26, 17, 23, tzinfo=UTC)  # now + 20 min, whole minutes
    session = find_session(store, seed.session_uid, seed.session_start)
    assert session is not None and session.opens <= NOW < session.end
    assert session.end - session.start == timedelta(minutes=60)
    assert sessions_with_open_rooms(store, NOW) == [session]

    one_off, weekly = sorted((s for _, s in store.schedule(program.id).series), key=lambda s: s.first_start)
    assert one_off.uid == seed.session_uid and one_off.frequency is Frequency.ONCE
    assert one_off.agenda == Agenda("Treating hepatitis C in primary care", "Dr. Ana Ruiz", 2)
    assert weekly.frequency is Frequency.WEEKLY and weekly.agenda.case_slots == 2
    assert weekly.first_start == one_off.first_start + timedelta(weeks=1) and weekly.until is not None
    assert find_session(store, weekly.uid, seed.session_start + timedelta(weeks=2)) is not None

    clinician = store.person_for(seed.api_token, TokenKind.API)
    assert clinician is not None and (clinician.name, clinician.role) == ("Demo Clinician", Role.SPOKE)
    assert store.is_member(clinician.id, program.id)
    assert seed.api_token not in repr(seed)


def test_seeding_again_reuses_what_is_there(store: ProgramStore) -> None:
    first = seed_demo(store, NOW)
    again = seed_demo(store, NOW)
    assert (again.program_id, again.session_uid, again.session_start) == (
        first.program_id, first.session_uid, first.session_start,
    )  # fmt: skip
    assert len(store.programs()) == 1 and len(store.schedule(first.program_id).series) == 2
    assert len(store.people()) == 1
    assert store.person_for(first.api_token, TokenKind.API) is None  # replaced by a fresh token
    assert store.person_for(again.api_token, TokenKind.API) is not None

    later = seed_demo(store, NOW + timedelta(hours=3))  # a demo run later: a session opening then
    assert later.program_id == first.program_id and later.session_uid != first.session_uid
    assert later.session_start == first.session_start + timedelta(hours=3)
    series = [s for _, s in store.schedule(first.program_id).series]
    assert [s.frequency for s in series].count(Frequency.WEEKLY) == 1 and len(series) == 3
    assert len(store.people()) == 1
