"""A recording fake of the room keeper's `JanusRooms` port (create, exists, destroy).

It stands in for Janus only, never for the program service: the service's tests run the real
service over it, and the real Janus (a restart included) is in tests/test_session_rooms.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from echo_desktop.session.errors import ServerUnreachableError


@dataclass
class FakeJanusRooms:
    """Rooms by number, with their PIN and secret; `down` makes every request fail; `log` records
    each create and destroy, in order."""

    rooms: dict[int, tuple[str, str]] = field(default_factory=dict)
    down: bool = False
    log: list[str] = field(default_factory=list)

    def _check(self) -> None:
        if self.down:
            raise ServerUnreachableError("ws://janus: connection refused")

    async def create(self, room: int, pin: str, secret: str, description: str) -> None:
        self._check()
        self.log.append(f"create {room}")
        self.rooms.setdefault(room, (pin, secret))

    async def exists(self, room: int) -> bool:
        self._check()
        return room in self.rooms

    async def destroy(self, room: int, secret: str) -> None:
        self._check()
        self.log.append(f"destroy {room}")
        assert self.rooms.pop(room)[1] == secret
