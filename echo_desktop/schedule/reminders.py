"""Which sessions are due a reminder: the rule behind the desktop notification.

Plain Python: "now" is passed in, and the tracker only remembers which sessions it has already
reminded the user of, so each session is announced once however often the lobby asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from echo_desktop.schedule.lobby import REMIND_BEFORE, ScheduledSession

ReminderKey = tuple[str, str, datetime]
"""A session as the tracker knows it: program, series UID and this occurrence's start."""


def reminder_key(session: ScheduledSession) -> ReminderKey:
    """What makes a session the same one across snapshots (a moved session is a new one)."""
    return (session.program, session.uid, session.start)


def is_due(session: ScheduledSession, now: datetime) -> bool:
    """A session is due its reminder from REMIND_BEFORE its start until it starts.

    Once it has started the lobby shows it as live, so a late reminder would only be noise (the
    app was closed, or the session was added, inside that window).
    """
    return session.start - REMIND_BEFORE <= now < session.start


class ReminderTracker:
    """Hands out each session's reminder once."""

    def __init__(self) -> None:
        self._reminded: set[ReminderKey] = set()

    def due(self, sessions: Iterable[ScheduledSession], now: datetime) -> list[ScheduledSession]:
        """The sessions to remind the user of now, in start order; each is returned only once."""
        found = sorted(
            (s for s in sessions if is_due(s, now) and reminder_key(s) not in self._reminded),
            key=lambda s: (s.start, s.program),
        )
        self._reminded.update(reminder_key(s) for s in found)
        # Forget sessions long past, so a window left open for weeks does not keep them all.
        self._reminded = {key for key in self._reminded if key[2] > now - 2 * REMIND_BEFORE}
        return found

    def was_reminded(self, session: ScheduledSession) -> bool:
        """Whether this session's reminder has been handed out."""
        return reminder_key(session) in self._reminded
