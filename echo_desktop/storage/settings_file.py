"""Settings persisted as JSON in the user's config folder."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from echo_desktop.storage.atomic_file import write_private
from echo_desktop.storage.paths import config_dir

logger = logging.getLogger(__name__)


class JsonSettingsStore:
    """A SettingsStore backed by a private JSON file; a corrupt file is set aside, not fatal."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "settings.json"

    def load(self) -> dict[str, str]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            backup = self.path.with_suffix(".corrupt")
            logger.warning("Settings file was unreadable; kept it as %s and started fresh", backup.name)
            self.path.replace(backup)
            return {}
        if not isinstance(raw, dict):
            return {}
        return {str(k): str(v) for k, v in raw.items() if isinstance(v, str | int | float | bool)}

    def save(self, values: dict[str, str]) -> None:
        write_private(self.path, json.dumps(values, indent=2, sort_keys=True).encode("utf-8"))
