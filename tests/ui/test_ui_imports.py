"""The UI may talk to the session layer only: never to the network or media layers directly."""

from __future__ import annotations

import ast
from pathlib import Path

import echo_desktop.ui

FORBIDDEN = ("echo_desktop.net", "echo_desktop.media", "aiortc", "av")
UI_DIR = Path(echo_desktop.ui.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_ui_modules_do_not_import_net_or_media() -> None:
    files = sorted(UI_DIR.glob("*.py"))
    assert files
    for path in files:
        bad = {
            name
            for name in imported_modules(path)
            if any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)
        }
        assert not bad, f"{path.name} imports {sorted(bad)}"
