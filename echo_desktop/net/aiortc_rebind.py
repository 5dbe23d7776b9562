"""Replacing one name in an aiortc module, only on aiortc versions the replacement was checked for.

aiortc offers no hooks for its jitter buffer or its decoder threads, but its receiver looks both
up by module-level name when it needs them. A `Rebinding` swaps such a name, refuses to on aiortc
versions nobody has read the replacement against (it logs why and changes nothing), and can put
aiortc's own object back for before-and-after measurements.
"""

from __future__ import annotations

import logging
from types import ModuleType

import aiortc

logger = logging.getLogger(__name__)


class Rebinding:
    """`module.name` becomes `replacement` on `install()`, on the checked aiortc versions only."""

    def __init__(
        self, module: ModuleType, name: str, replacement: object, checked: tuple[str, ...], keeping: str
    ) -> None:
        """checked: version prefixes such as "1.16."; keeping: what stays when it is refused."""
        self._module = module
        self._name = name
        self._replacement = replacement
        self._stock = getattr(module, name)
        self.checked = checked
        self._keeping = keeping

    def install(self) -> bool:
        """Idempotent; returns whether the replacement is in place."""
        version = getattr(aiortc, "__version__", "unknown")
        if not version.startswith(self.checked):
            logger.warning(
                "aiortc %s is not a version %s.%s was checked against (%s); keeping %s",
                version,
                self._module.__name__,
                self._name,
                ", ".join(v + "x" for v in self.checked),
                self._keeping,
            )
            return False
        current = getattr(self._module, self._name)
        if current is self._replacement:
            return True
        if current is not self._stock:
            where = f"{self._module.__name__}.{self._name}"
            logger.warning("%s was already replaced by %r; leaving it", where, current)
            return False
        setattr(self._module, self._name, self._replacement)
        return True

    def uninstall(self) -> None:
        """Give aiortc its own object back."""
        if self.installed():
            setattr(self._module, self._name, self._stock)

    def installed(self) -> bool:
        return getattr(self._module, self._name) is self._replacement
