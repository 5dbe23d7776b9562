"""A program's clinics as the hub keeps them: recurring series, their exceptions, and agendas."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum


class Frequency(StrEnum):
    """How a series repeats."""

    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Agenda:
    """What a session holds: the didactic talk, its presenter, and the number of case slots."""

    didactic: str = ""
    presenter: str = ""
    case_slots: int = 0

    def describe(self) -> str:
        """The agenda as plain text, for a calendar's DESCRIPTION."""
        lines = []
        if self.didactic:
            lines.append(f"Didactic: {self.didactic}" + (f" ({self.presenter})" if self.presenter else ""))
        if self.case_slots:
            lines.append(f"Case presentations: {self.case_slots}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Series:
    """A clinic that happens once, or every `interval` weeks or months until `until`.

    Times are wall-clock times in the program's time zone (naive): a 9:00 clinic stays at 9:00
    across a daylight-saving change. `cancelled` holds the dates of the first-start times that do
    not happen; `moved` maps such a date to where that one session went instead. `room` is the
    Janus room the hub holds the series' sessions in (each session has its own PIN).
    """

    uid: str
    title: str
    first_start: datetime
    duration: timedelta
    frequency: Frequency = Frequency.ONCE
    interval: int = 1
    until: date | None = None
    cancelled: frozenset[date] = frozenset()
    moved: dict[date, datetime] = field(default_factory=dict)
    agenda: Agenda = Agenda()
    room: int | None = None  # the hub's Janus room number for this series (not a secret)

    def __post_init__(self) -> None:
        if self.first_start.tzinfo is not None:
            raise ValueError("a series' times are wall-clock times in its program's time zone")
        if self.duration <= timedelta(0):
            raise ValueError("a session must last some time")
        if self.interval < 1:
            raise ValueError("the interval is at least 1")
        if self.until is not None and self.until < self.first_start.date():
            raise ValueError("the series ends before it starts")
