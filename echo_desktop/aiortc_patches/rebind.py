"""Replacing one name in an aiortc module, only on the aiortc version the replacements were read against.

aiortc offers no hooks for its jitter buffer, its decoder threads or its encoders, but its receiver
and sender look each up by module-level name when they need one. A `Rebinding` swaps such a name,
refuses to on any other aiortc version (it says why, once, and changes nothing), and can put
aiortc's own object back for before-and-after measurements.

There is one gate for every replacement, `CHECKED_AIORTC`, and it equals the pin in pyproject.toml
(a test holds the two together): to move to a new aiortc, read its sources against each
replacement, then change both.
"""

from __future__ import annotations

import logging
from types import ModuleType

import aiortc

logger = logging.getLogger(__name__)

CHECKED_AIORTC = "1.16."
"""The aiortc release series whose sources every replacement here was read against."""

_refusals_logged: set[str] = set()


def aiortc_version() -> str:
    """The installed aiortc's version string."""
    return str(getattr(aiortc, "__version__", "unknown"))


def aiortc_is_checked() -> bool:
    """Whether the installed aiortc is the series the replacements were read against."""
    return aiortc_version().startswith(CHECKED_AIORTC)


def log_refusal_once(name: str, reason: str) -> None:
    """Warn that a replacement is not in place, once per replacement and process."""
    if name in _refusals_logged:
        return
    _refusals_logged.add(name)
    logger.warning("aiortc replacement %s is not installed: %s", name, reason)


class Rebinding:
    """`module.name` becomes `replacement` on `install()`, on the checked aiortc version only."""

    def __init__(self, module: ModuleType, name: str, replacement: object, keeping: str) -> None:
        """keeping: what stays in use when the replacement is refused, for the log."""
        self._module = module
        self._name = name
        self._replacement = replacement
        self._stock = getattr(module, name)
        self._keeping = keeping

    @property
    def where(self) -> str:
        """The dotted name this rebinding replaces."""
        return f"{self._module.__name__}.{self._name}"

    def install(self) -> bool:
        """Idempotent; returns whether the replacement is in place."""
        if not aiortc_is_checked():
            log_refusal_once(
                self.where,
                f"aiortc {aiortc_version()} is not {CHECKED_AIORTC}x, the version it was read against; "
                f"keeping {self._keeping}",
            )
            return False
        current = getattr(self._module, self._name)
        if current is self._replacement:
            return True
        if current is not self._stock:
            log_refusal_once(self.where, f"it was already replaced by {current!r}; leaving it")
            return False
        setattr(self._module, self._name, self._replacement)
        return True

    def uninstall(self) -> None:
        """Give aiortc its own object back."""
        if self.installed():
            setattr(self._module, self._name, self._stock)

    def installed(self) -> bool:
        """Whether aiortc now looks up the replacement."""
        return getattr(self._module, self._name) is self._replacement
