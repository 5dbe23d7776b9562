"""A small TCP proxy in front of the real program service, standing for the network link between a
client and its hub: it can be down (not listening yet), forward everything, or lose replies.

With `drop_replies` set, each request is forwarded whole and the hub answers it (so it has stored
the case), then the proxy closes the client's connection as soon as the reply starts, without
relaying a byte: a reply lost after the hub committed. Every byte a client sent on each connection
is kept (`sent`), so a test can check what each retry carried.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

_CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass
class LinkProxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`upstream_port` once started."""

    upstream_port: int
    port: int = 0
    drop_replies: bool = False
    sent: list[bytearray] = field(default_factory=list)  # per connection, what the client sent
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """The link comes up (on `port`, or any free port when it is 0)."""
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
            await asyncio.wait([task])

    def request_bodies(self, method_and_path: bytes) -> list[bytes]:
        """The body of every request whose request line starts with `method_and_path`."""
        bodies = []
        for raw in self.sent:
            data = bytes(raw)
            while b"\r\n\r\n" in data:
                head, rest = data.split(b"\r\n\r\n", 1)
                found = _CONTENT_LENGTH.search(head)
                length = int(found.group(1)) if found else 0
                if head.startswith(method_and_path):
                    bodies.append(rest[:length])
                data = rest[length:]
        return bodies

    async def _connected(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._forward(client_reader, client_writer)
        except asyncio.CancelledError:
            # `stop()` cut the link. asyncio's server callback asks this task for its exception,
            # which a cancelled task raises: end normally instead.
            client_writer.close()
        finally:
            self._tasks.discard(task)

    async def _forward(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        try:
            hub_reader, hub_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.close()
            return
        sent = bytearray()
        self.sent.append(sent)
        upward = asyncio.create_task(self._pump(client_reader, hub_writer, sent))
        try:
            while data := await hub_reader.read(65536):
                if self.drop_replies:
                    break  # the hub has answered (so it has stored the case): lose the reply
                client_writer.write(data)
                await client_writer.drain()
        except ConnectionError:
            pass
        finally:
            upward.cancel()
            await asyncio.wait([upward])
            for writer in (client_writer, hub_writer):
                writer.close()

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, kept: bytearray) -> None:
        try:
            while data := await reader.read(65536):
                kept.extend(data)
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        writer.close()
