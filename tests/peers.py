"""In-process participants for integration tests: the real session and engine, synthetic media."""

from __future__ import annotations

from collections.abc import Callable

from echo_desktop.composition import conference, engine_loop
from echo_desktop.media.local_media import LocalMedia
from echo_desktop.media.remote_audio import AudioSink
from echo_desktop.media.track_sources import SyntheticSource
from echo_desktop.probe.card_reader import CardProgress, TestCardReader
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.models import FeedStats, JoinRequest, Participant, Role
from tests.waiting import wait_for

__all__ = ["Peer", "counters_advance", "wait_for"]


class Peer:
    """One participant: a ClinicSession over the real engine on its own engine loop, reading the
    test card's counters from everything it receives."""

    def __init__(
        self,
        name: str,
        role: Role = Role.SPOKE,
        size: tuple[int, int] = (320, 240),
        tone_hz: float = 440.0,
        audio_out: Callable[[JoinRequest], AudioSink] | None = None,
    ) -> None:
        self.name = name
        self.role = role
        self.worker = engine_loop(f"peer-{name}")
        source = SyntheticSource(name, size[0], size[1], tone_hz=tone_hz)
        self.cards = TestCardReader()
        self.engine = conference(
            lambda req: LocalMedia(source.open_audio(None), source.open_video(None), source=source),
            audio_out,
            frame_observer=self.cards,
        )
        self.session = ClinicSession(self.engine, self.worker.run)
        self.left_events: list[int] = []
        self.session.subscribe(participants=self._track_leaves)
        self._seen: set[int] = set()

    def _track_leaves(self, participants: list[Participant]) -> None:
        now = {p.feed_id for p in participants}
        self.left_events.extend(sorted(self._seen - now))
        self._seen = now

    async def join(self, server_url: str, room: int, pin: str) -> None:
        await self.session.join(JoinRequest(server_url, room, pin, self.name, self.role))

    async def leave(self) -> None:
        await self.session.leave()

    def close(self) -> None:
        self.worker.stop()

    def feeds_by_name(self) -> dict[str, FeedStats]:
        return {s.display.split(" [")[0]: s for s in self.session.stats()}

    def card_of(self, name: str) -> CardProgress:
        """The test card counters read from `name`'s video so far."""
        feed = self.feeds_by_name().get(name)
        return self.cards.progress(feed.feed_id) if feed is not None else CardProgress()

    def feed_id_of(self, name: str) -> int | None:
        for participant in self.session.participants:
            if participant.display_name == name:
                return participant.feed_id
        return None


def counters_advance(peer: Peer, name: str, frames: int) -> Callable[[], bool]:
    """True once `peer` decoded `frames` distinct counter steps from `name`'s test card."""

    def check() -> bool:
        return peer.card_of(name).advances >= frames

    return check
