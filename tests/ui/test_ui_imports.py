"""The UI may talk to the session layer only: never to the network or media layers directly."""

from __future__ import annotations

from pathlib import Path

import echo_desktop.ui
from tests.import_scan import offending_imports

FORBIDDEN = ("echo_desktop.net", "echo_desktop.media", "aiortc", "av")
UI_DIR = Path(echo_desktop.ui.__file__).parent


def test_ui_modules_do_not_import_net_or_media() -> None:
    files = sorted(UI_DIR.glob("*.py"))
    assert files
    for path in files:
        bad = offending_imports(path, FORBIDDEN)
        assert not bad, f"{path.name} imports {sorted(bad)}"
