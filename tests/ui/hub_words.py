"""The words the real schedule client uses, for the lobby's tests and screenshots.

The lobby shows what ScheduleSync says; a sample written by hand drifts from it (the offline
screenshot once said "Trying again in 2 minutes", which the product never says). So each sample
is made by the client's own code, on the path a real failure takes. Test tooling only: the UI
itself never imports net/ or sync/.
"""

from __future__ import annotations

from typing import cast

import aiohttp

from echo_desktop.net import program_client
from echo_desktop.net.program_client import Failure, ProgramServiceError
from echo_desktop.sync import schedule_sync

HUB = "https://echo-hub.unm.example.org:8090"


class _Unanswered:
    """An HTTP session whose every GET times out, as aiohttp's does when a hub is unreachable."""

    async def get(self, url: str, headers: dict[str, str]) -> aiohttp.ClientResponse:
        raise TimeoutError


def _unreachable_error(label: str, url: str) -> ProgramServiceError:
    """The client's error for a GET of `url` that timed out.

    The request fails before it ever waits, so its coroutine is stepped by hand rather than on an
    event loop: this runs the same inside a test's running loop and before the screenshots' one.
    """
    request = program_client._Request(cast(aiohttp.ClientSession, _Unanswered()), url, label, {})
    opening = request.__aenter__()
    try:
        opening.send(None)
    except ProgramServiceError as exc:
        assert exc.failure is Failure.UNREACHABLE
        return exc
    finally:
        opening.close()
    raise AssertionError("a GET that timed out did not fail")


def unreachable_problem(program: str, program_id: int, service: str = HUB) -> str:
    """A snapshot's problem line when `program`'s hub did not answer and its cached copy is shown."""
    feed = f"{service}/api/programs/{program_id}/feed.ics"  # the feed a hub subscription fetches
    error = _unreachable_error(program, feed)
    return schedule_sync._kept(str(error), True)


def rooms_unavailable_message(program: str) -> str:
    """What joining says when the hub cannot open the room on Janus (503 rooms_unavailable)."""
    error = program_client._status_error(program, 503, {"error": "rooms_unavailable"}, what="session")
    assert error.failure is Failure.ROOMS_UNAVAILABLE
    return schedule_sync._join_message(program, error)
