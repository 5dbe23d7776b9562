"""Where ECHO Desktop keeps its files (XDG on Linux; overridable for tests)."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """The per-user configuration folder, created with user-only permissions."""
    override = os.environ.get("ECHO_DESKTOP_CONFIG_DIR")
    base = (
        Path(override)
        if override
        else Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "echo-desktop"
    )
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return base
