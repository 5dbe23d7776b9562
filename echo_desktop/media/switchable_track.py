"""A track whose source can be swapped or removed while a sender reads it.

aiortc's sender ends for good when its track's recv() raises, and replaceTrack() cannot
interrupt a recv() already waiting on the old track. So each sender reads one SwitchableTrack
for the whole call; camera off, camera on, another device, or a device that dies only change the
source behind it. With no source it simply waits: nothing is encoded and nothing is sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

logger = logging.getLogger(__name__)

Frame = av.VideoFrame | av.AudioFrame


class SwitchableTrack(MediaStreamTrack):
    """Relays frames from the current source; `on_frame` sees every frame relayed."""

    def __init__(self, kind: str, on_frame: Callable[[Frame], None] | None = None) -> None:
        super().__init__()
        self.kind = kind
        self._source: MediaStreamTrack | None = None
        self._changed = asyncio.Event()
        self._on_frame = on_frame
        # The source that ended by itself (unplugged, failed), until another source is set.
        self.failed_source: MediaStreamTrack | None = None

    @property
    def source(self) -> MediaStreamTrack | None:
        return self._source

    def set_source(self, source: MediaStreamTrack | None) -> MediaStreamTrack | None:
        """Relay from `source` from now on (None: send nothing); returns the previous source."""
        previous, self._source = self._source, source
        if source is not None:
            self.failed_source = None
        self._changed.set()
        return previous

    async def recv(self) -> Frame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            source = self._source
            if source is None:
                self._changed.clear()
                await self._changed.wait()
                continue
            try:
                frame = await source.recv()
            except MediaStreamError:
                if source is self._source:
                    # The device ended by itself (unplugged, failed): stop relaying, keep the call.
                    logger.warning("The %s source ended", self.kind)
                    self._source = None
                    self.failed_source = source
                continue
            if source is not self._source:
                continue  # switched while this frame was on its way: drop it
            if not isinstance(frame, av.VideoFrame | av.AudioFrame):
                continue
            if self._on_frame is not None:
                self._on_frame(frame)
            return frame

    def stop(self) -> None:
        super().stop()
        source, self._source = self._source, None
        if source is not None:
            source.stop()
        self._changed.set()
