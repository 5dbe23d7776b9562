"""The schedule's notices (a damaged cache set aside, ...): each told once, and kept until read.

A snapshot repeats its notices on every refresh; the user must see each one once, on whatever
screen is showing, and it must not vanish before they had a chance to read it. Plain Python:
the main window decides where the waiting notices are shown.
"""

from __future__ import annotations

from collections.abc import Iterable


class NoticeBoard:
    """Which notices are new, and which wait to be read.

    A notice is new the first time a snapshot carries it. It then waits until the user dismisses
    it (`clear`), or acts on a screen that showed it (`acknowledge`: it was shown, then they
    joined a call). A notice is never new twice, so a dismissed one does not come back.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._waiting: list[str] = []
        self._shown = 0  # how many of the waiting notices (the first ones) have been on a screen

    def add(self, notices: Iterable[str]) -> bool:
        """Take a snapshot's notices; True when one of them is new."""
        new = [n for n in dict.fromkeys(notices) if n not in self._seen]
        self._seen.update(new)
        self._waiting.extend(new)
        return bool(new)

    @property
    def waiting(self) -> tuple[str, ...]:
        """The notices not yet read, oldest first."""
        return tuple(self._waiting)

    def mark_shown(self) -> None:
        """Every waiting notice is now on the screen the user sees."""
        self._shown = len(self._waiting)

    def acknowledge(self) -> None:
        """The user acted on the screen that showed the notices: those are read."""
        del self._waiting[: self._shown]
        self._shown = 0

    def clear(self) -> None:
        """The user dismissed the notices."""
        self._waiting.clear()
        self._shown = 0
