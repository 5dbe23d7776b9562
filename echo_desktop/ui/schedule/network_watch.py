"""The operating system's word on the network, handed to the schedule so it refreshes at once."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QNetworkInformation

logger = logging.getLogger(__name__)

Reachability = QNetworkInformation.Reachability
# A hub is often on the clinic's own network, so "site" reachability counts as reachable.
_REACHABLE = {Reachability.Online, Reachability.Site}


def is_reachable(reachability: QNetworkInformation.Reachability) -> bool:
    """Whether a hub could answer: the internet, or at least the local site, is reachable."""
    return reachability in _REACHABLE


class NetworkWatch(QObject):
    """Calls `on_change(reachable)` when the system's reachability changes.

    It needs one of Qt's network-information backends (NetworkManager, glib, the platform's own);
    where none loads, `start()` returns False and the schedule keeps to its own timer and backoff.
    """

    def __init__(self, on_change: Callable[[bool], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_change = on_change
        self._info: QNetworkInformation | None = None
        self._last: bool | None = None

    def start(self) -> bool:
        """Load a backend that reports reachability and listen to it; False when there is none."""
        try:
            loaded = QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability)
        except Exception:
            logger.info("No network information backend could be loaded", exc_info=True)
            return False
        info = QNetworkInformation.instance() if loaded else None
        if info is None:
            logger.info("No network information backend; the schedule refreshes on its own timer")
            return False
        self._info = info
        self._last = is_reachable(info.reachability())
        info.reachabilityChanged.connect(self.on_reachability)
        logger.debug("Watching the network with the %s backend", info.backendName())
        return True

    def on_reachability(self, reachability: QNetworkInformation.Reachability) -> None:
        """The system reports a new reachability: tell the schedule when it changes."""
        reachable = is_reachable(reachability)
        if reachable == self._last:
            return
        self._last = reachable
        try:
            self._on_change(reachable)
        except Exception:
            logger.warning("The schedule did not take the network change", exc_info=True)

    def stop(self) -> None:
        """Stop listening (the backend is the application's and outlives the window)."""
        if self._info is not None:
            try:
                self._info.reachabilityChanged.disconnect(self.on_reachability)
            except (RuntimeError, TypeError):
                logger.debug("The network watch was already disconnected", exc_info=True)
            self._info = None
