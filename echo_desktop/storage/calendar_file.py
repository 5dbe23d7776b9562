"""Write one session's .ics file where the user chose (the lobby's "Add to my calendar")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from echo_desktop.schedule.lobby import ScheduledSession
from echo_desktop.storage.atomic_file import write_private


class CalendarFileExport:
    """The CalendarExport port: an atomic, user-only .ics file (it may hold a clinic's agenda)."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))

    def __call__(self, session: ScheduledSession, path: Path) -> None:
        """Write the file; raises OSError (with the reason) if it cannot be written."""
        from echo_desktop.schedule.export import session_ics  # icalendar: not on the way to the lobby

        write_private(path, session_ics(session, self._now()))
