"""Settings kept in memory and written to disk on a worker thread.

The GUI saves settings when the user presses Join; the write ends in an fsync, which on a busy or
network-mounted home folder can take long enough to freeze the window. Here a save updates the
in-memory copy at once and hands the disk write to one writer thread. Saves that arrive while a
write is under way are coalesced: the newest values win, and nothing older is written after them.
"""

from __future__ import annotations

import logging
import threading

from echo_desktop.session.ports import SettingsStore

logger = logging.getLogger(__name__)


class BackgroundSettingsStore:
    """A SettingsStore whose `save` never blocks on the disk; call `close` before exiting."""

    def __init__(self, inner: SettingsStore) -> None:
        self._inner = inner
        try:
            self._values = dict(inner.load())  # once, at start-up, before any window is shown
        except Exception:
            # An unreadable settings file (one that cannot even be set aside) must not stop the
            # app: start from the defaults, as with no file.
            logger.warning("Could not load the saved settings", exc_info=True)
            self._values = {}
        self._lock = threading.Condition()
        self._pending: dict[str, str] | None = None
        self._writing = False
        self._closed = False
        self._thread = threading.Thread(target=self._write_loop, name="settings-writer", daemon=True)
        self._thread.start()

    def load(self) -> dict[str, str]:
        with self._lock:
            return dict(self._values)

    def save(self, values: dict[str, str]) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the settings store is closed")
            self._values = dict(values)
            self._pending = dict(values)
            self._lock.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every save so far is on disk (or has failed); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending is None and not self._writing, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is pending, then stop the writer thread."""
        self.flush(timeout)
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._thread.join(timeout)

    def _write_loop(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._pending is not None or self._closed)
                if self._pending is None:
                    return  # closed with nothing left to write
                values, self._pending = self._pending, None
                self._writing = True
            try:
                self._inner.save(values)
            except Exception:
                logger.warning("Could not save the settings", exc_info=True)
            finally:
                with self._lock:
                    self._writing = False
                    self._lock.notify_all()
