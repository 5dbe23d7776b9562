"""The HTTP client's modules, imported off the caller's loop.

The syncs run on the Qt loop. aiohttp takes about 0.4 s to import here, and the first refresh
starts as the window opens: imported there, it froze the just-shown window (and, measured with
bench.startup, held back the lobby's first frame). Each network entry point awaits this first.
"""

from __future__ import annotations

import asyncio
import importlib
import sys

_MODULE = "echo_desktop.net.case_client"  # it imports program_client, and so aiohttp


async def load_network_modules() -> None:
    """Import the program service's clients in a worker thread, once."""
    if _MODULE not in sys.modules:
        await asyncio.to_thread(importlib.import_module, _MODULE)
