"""The UI may talk to the session layer only: never to the network or media layers directly.

Nor does it parse calendars: the lobby reads the schedule's plain values and its port, so it can
appear before icalendar loads.
"""

from __future__ import annotations

from pathlib import Path

import echo_desktop.ui
from tests.import_scan import offending_imports

FORBIDDEN = (
    "echo_desktop.net",
    "echo_desktop.media",
    "aiortc",
    "av",
    "icalendar",
    "recurring_ical_events",
    "echo_desktop.schedule.feed",
    "echo_desktop.schedule.occurrences",
    "echo_desktop.schedule.series",
)
UI_DIR = Path(echo_desktop.ui.__file__).parent


def test_ui_modules_do_not_import_net_or_media() -> None:
    files = sorted(UI_DIR.rglob("*.py"))
    assert any(path.parent.name == "schedule" for path in files)
    for path in files:
        bad = offending_imports(path, FORBIDDEN)
        assert not bad, f"{path.relative_to(UI_DIR)} imports {sorted(bad)}"
