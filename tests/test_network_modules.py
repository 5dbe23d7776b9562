"""The first refresh imports the HTTP client in a worker thread, never on the caller's loop (the
Qt thread, in the app), where aiohttp's import froze the just-shown window."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import asyncio, importlib.abc, sys, tempfile, threading
from pathlib import Path

seen = []

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "aiohttp":
            seen.append(threading.current_thread() is threading.main_thread())
        return None

sys.meta_path.insert(0, Watch())
from echo_desktop.sync.schedule_sync import ScheduleSync

async def main():
    folder = Path(tempfile.mkdtemp())
    sync = await ScheduleSync.open(folder / "schedule.db", subscriptions_path=folder / "subs.json")
    assert "aiohttp" not in sys.modules
    await sync.refresh()
    await sync.aclose()

asyncio.run(main())
print("aiohttp imported on the loop's thread:", seen)
"""


def test_the_first_refresh_imports_aiohttp_off_the_loop_thread() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "aiohttp imported on the loop's thread: [False]", result.stdout
