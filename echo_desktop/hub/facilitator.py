"""What a facilitator does from the command line, on the program store: programs, sessions, people,
and the cases (to see the review queue without the app).

Each command takes the parsed arguments and an open store, and returns its answer as plain data
(what `--json` prints) with the lines a person reads. The store is opened on its file directly:
SQLite's WAL mode lets this run while the service serves the same file.

Tokens are printed once, to the facilitator who issues them (stdout), and never logged.
"""

from __future__ import annotations

import argparse
import calendar
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from echo_desktop.cases.model import CaseStatus
from echo_desktop.cases.wire import case_to_json
from echo_desktop.hub.program_service.sessions import (
    cancel_session,
    move_session,
    real_wall_clock,
    shifted_sessions,
)
from echo_desktop.hub.program_service.store import Program, ProgramStore, StoreError
from echo_desktop.hub.program_service.tokens import TokenKind
from echo_desktop.schedule.series import Agenda, Frequency, Series
from echo_desktop.session.models import Role


@dataclass(frozen=True)
class Answer:
    """A command's result: the data `--json` prints, the text a person reads, and warnings
    (printed on stderr, so that stdout stays the answer alone)."""

    data: dict[str, object]
    text: list[str]
    warnings: list[str] = field(default_factory=list)


Command = Callable[[argparse.Namespace, ProgramStore], Answer]


def program_add(args: argparse.Namespace, store: ProgramStore) -> Answer:
    program = store.add_program(args.name, args.time_zone)
    return Answer(_program(program), [f"Program {program.id}: {program.name} ({program.time_zone})"])


def program_list(args: argparse.Namespace, store: ProgramStore) -> Answer:
    programs = store.programs()
    text = [f"{p.id}\t{p.name}\t{p.time_zone}" for p in programs] or ["No programs yet."]
    return Answer({"programs": [_program(p) for p in programs]}, text)


def session_add(args: argparse.Namespace, store: ProgramStore) -> Answer:
    frequency, interval = Frequency.ONCE, 1
    if args.weekly or args.every_weeks:
        frequency, interval = Frequency.WEEKLY, args.every_weeks or 1
    elif args.monthly:
        frequency = Frequency.MONTHLY
    if args.until is not None and frequency is Frequency.ONCE:
        raise StoreError("--until is for a repeating session (--weekly, --every-weeks or --monthly)")
    program = store.schedule(args.program).program
    _refuse_skipped_time(args.start, program.time_zone)
    series = store.add_series(
        args.program,
        args.title,
        args.start,
        timedelta(minutes=args.duration),
        frequency,
        interval,
        args.until,
        Agenda(args.didactic, args.presenter, args.cases),
    )
    warnings = [
        f"the session of {wall:%Y-%m-%d} is at {wall:%H:%M}: {series.first_start:%H:%M} does not exist "
        f"that day in {program.time_zone} (the clocks go forward)"
        for wall in shifted_sessions(series, program.name, program.time_zone)
    ]
    if frequency is Frequency.MONTHLY and (missing := _months_without(series.first_start.day)):
        warnings.append(
            f"a monthly session on day {series.first_start.day} has none in the months without that "
            f"day: {missing}"
        )
    return Answer(
        _series(series, args.program),
        [f"Session {series.uid}: {series.title}, {_when(series)}, room {series.room}"],
        warnings,
    )


def session_list(args: argparse.Namespace, store: ProgramStore) -> Answer:
    schedule = store.schedule(args.program)
    sessions = [_series(series, args.program) for _, series in schedule.series]
    text = [f"{s.uid}\t{s.title}\t{_when(s)}\troom {s.room}" for _, s in schedule.series]
    return Answer(
        {"program": _program(schedule.program), "sessions": sessions},
        text or [f"No sessions in {schedule.program.name} yet."],
    )


def session_cancel(args: argparse.Namespace, store: ProgramStore) -> Answer:
    cancel_session(store, args.uid, args.date)
    return Answer(
        {"uid": args.uid, "cancelled": args.date.isoformat()},
        [f"Cancelled the session of {args.date.isoformat()}."],
    )


def session_move(args: argparse.Namespace, store: ProgramStore) -> Answer:
    program_id = store.program_of_series(args.uid)
    if program_id is None:
        raise StoreError(f"there is no series {args.uid!r}")
    _refuse_skipped_time(args.to, store.schedule(program_id).program.time_zone)
    move_session(store, args.uid, args.date, args.to)
    moved = args.to.isoformat(timespec="minutes")
    return Answer(
        {"uid": args.uid, "moved": args.date.isoformat(), "to": moved},
        [f"Moved the session of {args.date.isoformat()} to {moved.replace('T', ' ')}."],
    )


def person_add(args: argparse.Namespace, store: ProgramStore) -> Answer:
    for program_id in args.program:  # check them all before anyone is added
        store.schedule(program_id)
    issued = store.add_person(args.name, args.site, Role(args.role))
    for program_id in args.program:
        store.add_member(issued.person.id, program_id)
    feeds = _feeds(store, issued.person.id, issued.feed_token, args.service_url)
    person = issued.person
    data: dict[str, object] = {
        "id": person.id,
        "name": person.name,
        "site": person.site,
        "role": person.role.value,
        "programs": list(args.program),
        "api_token": issued.api_token,
        "feeds": feeds,
    }
    text = [
        f"Person {person.id}: {person.name}, {person.site} ({person.role.label})",
        f"API token (give it to them; it is shown only now): {issued.api_token}",
        *(f"Calendar feed for {f['name']}: {f['url']}" for f in feeds),
    ]
    return Answer(data, text)


def person_list(args: argparse.Namespace, store: ProgramStore) -> Answer:
    people = store.people()
    data = [
        {
            "id": r.person.id,
            "name": r.person.name,
            "site": r.person.site,
            "role": r.person.role.value,
            "programs": list(r.programs),
            "api_token_live": r.api_live,
            "feed_live": r.feed_live,
        }
        for r in people
    ]
    text = [
        f"{r.person.id}\t{r.person.name}\t{r.person.site}\t{r.person.role.value}"
        f"\tprograms {','.join(map(str, r.programs)) or '-'}"
        f"\ttoken {'live' if r.api_live else 'revoked'}, feed {'live' if r.feed_live else 'revoked'}"
        for r in people
    ]
    return Answer({"people": data}, text or ["No people yet."])


def person_revoke(args: argparse.Namespace, store: ProgramStore) -> Answer:
    kind = TokenKind.FEED if args.feed_only else None
    revoked = store.revoke(args.id, kind)
    what = "feed URL" if args.feed_only else "token and feed URL"
    return Answer({"id": args.id, "revoked": revoked}, [f"Revoked person {args.id}'s {what} ({revoked})."])


def person_reissue_feed(args: argparse.Namespace, store: ProgramStore) -> Answer:
    token = store.reissue_feed(args.id)
    feeds = _feeds(store, args.id, token, args.service_url)
    text = [f"New calendar feed for {f['name']}: {f['url']}" for f in feeds]
    return Answer({"id": args.id, "feeds": feeds}, text or ["New feed URL made (no programs yet)."])


def case_list(args: argparse.Namespace, store: ProgramStore) -> Answer:
    """A program's cases, the review queue first (oldest change first within each status)."""
    form = store.case_form(args.program)
    status = None if args.status is None else CaseStatus(args.status)
    cases = store.program_cases(args.program, status)
    order = list(CaseStatus)
    cases.sort(key=lambda c: order.index(c.case.status))
    text = [
        f"{c.case.client_id}\t{c.case.status.value}\tv{c.case.version}\t{c.case.presenter}\t{c.case.title(form)}"
        for c in cases
    ]
    return Answer({"cases": [case_to_json(c) for c in cases]}, text or ["No cases."])


def case_show(args: argparse.Namespace, store: ProgramStore) -> Answer:
    """One case, whole (its text goes to the facilitator's terminal only, never to a log)."""
    hub_case = store.case(args.client_id)
    if hub_case is None:
        raise StoreError(f"there is no case {args.client_id!r}")
    data = case_to_json(hub_case)
    return Answer(data, [json.dumps(data, indent=2, ensure_ascii=False)])


def _refuse_skipped_time(start: datetime, time_zone: str) -> None:
    """Refuse a start the program's zone skips (the hour the clocks go forward): rather than guess
    what the facilitator meant, ask for a time that exists."""
    real = real_wall_clock(start, time_zone)
    if real != start:
        raise StoreError(
            f"{start:%Y-%m-%d %H:%M} does not exist in {time_zone}: the clocks go forward that night "
            f"(calendars would show {real:%H:%M}); choose a time outside the skipped hour"
        )


def _months_without(day: int) -> str:
    """The months that have no `day` (a leap year's February has a 29th), in words; "" if none."""
    months = [calendar.month_name[m] for m in range(1, 13) if calendar.monthrange(2023, m)[1] < day]
    if day == 29:
        return "February, except in leap years"
    return ", ".join(months)


def feed_url(service_url: str, feed_token: str, program_id: int) -> str:
    """A person's secret calendar URL for one program."""
    return f"{service_url.rstrip('/')}/feed/{feed_token}/{program_id}.ics"


def _feeds(store: ProgramStore, person_id: int, token: str, service_url: str) -> list[dict[str, object]]:
    return [
        {"program": p.id, "name": p.name, "url": feed_url(service_url, token, p.id)}
        for p in store.programs_for(person_id)
    ]


def _program(program: Program) -> dict[str, object]:
    return {"id": program.id, "name": program.name, "time_zone": program.time_zone}


def _series(series: Series, program_id: int) -> dict[str, object]:
    return {
        "uid": series.uid,
        "program": program_id,
        "title": series.title,
        "room": series.room,
        "start": series.first_start.isoformat(timespec="minutes"),
        "duration_minutes": int(series.duration.total_seconds() // 60),
        "frequency": series.frequency.value,
        "interval": series.interval,
        "until": None if series.until is None else series.until.isoformat(),
        "didactic": series.agenda.didactic,
        "presenter": series.agenda.presenter,
        "cases": series.agenda.case_slots,
        "cancelled": sorted(day.isoformat() for day in series.cancelled),
        "moved": {
            day.isoformat(): to.isoformat(timespec="minutes") for day, to in sorted(series.moved.items())
        },
    }


def _when(series: Series) -> str:
    start = series.first_start.strftime("%Y-%m-%d %H:%M")
    if series.frequency is Frequency.ONCE:
        return start
    every = {Frequency.WEEKLY: "week", Frequency.MONTHLY: "month"}[series.frequency]
    repeat = f"every {every}" if series.interval == 1 else f"every {series.interval} {every}s"
    until = f" until {series.until.isoformat()}" if series.until else ""
    return f"from {start}, {repeat}{until}"
