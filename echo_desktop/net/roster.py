"""Who is publishing in the room, as Janus's events tell it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from echo_desktop.net.display_name import parse_display
from echo_desktop.session.models import Participant


@dataclass(frozen=True)
class Arrival:
    """A publisher new to us, and the display string Janus gave it."""

    participant: Participant
    display: str


class Roster:
    """The remote publishers, by feed id. Plain data: the conference emits the events."""

    def __init__(self) -> None:
        self._participants: dict[int, Participant] = {}
        self.my_id: int | None = None

    def __contains__(self, feed: object) -> bool:
        return feed in self._participants

    def add_publishers(self, publishers: object) -> tuple[list[Arrival], list[Participant]]:
        """Read a Janus `publishers` list: (the new publishers, the known ones that changed).

        Entries that are not well-formed publishers, and our own feed, are ignored.
        """
        if not isinstance(publishers, list):
            return [], []
        arrivals: list[Arrival] = []
        changed: list[Participant] = []
        for entry in publishers:
            if not isinstance(entry, dict):
                continue
            feed = entry.get("id")
            if not _is_feed(feed) or feed == self.my_id:
                continue
            display = entry.get("display")
            if feed in self._participants:
                update = self.update_display(feed, display)
                if update is not None:
                    changed.append(update)
                continue
            text = display if isinstance(display, str) else None
            participant = _participant(feed, text)
            self._participants[feed] = participant
            arrivals.append(Arrival(participant, text or participant.display_name))
        return arrivals, changed

    def update_display(self, feed: object, display: object) -> Participant | None:
        """A publisher changed its display; returns it when its name, role or media state changed."""
        if not _is_feed(feed) or not isinstance(display, str) or feed not in self._participants:
            return None
        participant = _participant(feed, display)
        if participant == self._participants[feed]:
            return None
        self._participants[feed] = participant
        return participant

    def departures(self, data: dict[str, object]) -> list[int]:
        """The known feeds that an event says have unpublished or left."""
        gone: list[int] = []
        for key in ("unpublished", "leaving"):
            feed = data.get(key)
            if _is_feed(feed) and feed in self._participants and feed not in gone:
                gone.append(feed)
        return gone

    def remove(self, feed: int) -> bool:
        """Forget a feed; False if it was not known."""
        return self._participants.pop(feed, None) is not None

    def clear(self) -> None:
        self._participants.clear()
        self.my_id = None


def _is_feed(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _participant(feed: int, display: str | None) -> Participant:
    info = parse_display(display)
    return Participant(feed, info.name, info.role, camera_on=not info.camera_off, muted=info.muted)
