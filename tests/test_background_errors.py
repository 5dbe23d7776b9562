"""A test that leaves an exception behind in the background fails: proven on inner test runs.

Each case runs a small test file in a fresh pytest process, with this project's warning filters
(read from pyproject.toml) and its loop-error plugin (tests/background_errors.py), and checks
that the inner test fails and says why; a control shows that a clean inner test still passes.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose runs use the project's filterwarnings and loop-error plugin."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    filters = "\n".join(f'    "{line}",' for line in options["filterwarnings"])
    pytester.makepyprojecttoml(f"[tool.pytest.ini_options]\nfilterwarnings = [\n{filters}\n]\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return pytester


def _run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makepyfile(test_inner=source)
    return pytester.runpytest_subprocess("-p", "tests.background_errors", "-p", "no:cacheprovider")


def test_the_project_registers_the_loop_error_plugin(request: pytest.FixtureRequest) -> None:
    assert request.config.pluginmanager.has_plugin("tests.background_errors")
    assert "fail_on_loop_errors" in request.fixturenames


def test_an_exception_in_a_thread_fails_the_test(inner: pytest.Pytester) -> None:
    result = _run(
        inner,
        """
import threading

def test_thread() -> None:
    def work() -> None:
        raise RuntimeError("lost in a thread")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*RuntimeError: lost in a thread*"])


def test_an_unraisable_exception_fails_the_test(inner: pytest.Pytester) -> None:
    result = _run(
        inner,
        """
class Leaky:
    def __del__(self) -> None:
        raise RuntimeError("lost in __del__")

def test_unraisable() -> None:
    leaky = Leaky()
    del leaky
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*RuntimeError: lost in __del__*"])


def test_a_task_exception_never_retrieved_fails_the_test(inner: pytest.Pytester) -> None:
    result = _run(
        inner,
        """
import asyncio

async def fail() -> None:
    raise RuntimeError("lost in a task")

def test_dropped_task() -> None:
    async def main() -> None:
        task = asyncio.get_running_loop().create_task(fail())
        await asyncio.sleep(0)
        assert task.done()

    asyncio.run(main())

def test_dropped_task_in_a_reference_cycle() -> None:
    # Only the garbage collector frees this task: the teardown's gc.collect() finds it.
    async def main() -> None:
        task = asyncio.get_running_loop().create_task(fail())
        cycle: list[object] = [task]
        cycle.append(cycle)
        await asyncio.sleep(0)
        assert task.done()

    asyncio.run(main())

def test_retrieved_task_exception_is_fine() -> None:
    async def main() -> None:
        task = asyncio.get_running_loop().create_task(fail())
        await asyncio.sleep(0)
        assert isinstance(task.exception(), RuntimeError)

    asyncio.run(main())
""",
    )
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_dropped_task *",
            "*Task exception was never retrieved*",
            "*RuntimeError: lost in a task*",
        ]
    )
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_dropped_task_in_a_reference_cycle*"])


def test_a_clean_test_still_passes(inner: pytest.Pytester) -> None:
    result = _run(
        inner,
        """
import asyncio
import threading

def test_clean() -> None:
    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()

    async def ok() -> int:
        return 1

    assert asyncio.run(ok()) == 1
""",
    )
    result.assert_outcomes(passed=1)


def test_a_skipped_test_fails(inner: pytest.Pytester) -> None:
    result = _run(
        inner,
        """
import pytest

def test_skips() -> None:
    pytest.skip("a required part is missing")


@pytest.mark.skipif(True, reason="not here")
def test_skipped_by_mark() -> None:
    pass
""",
    )
    result.assert_outcomes(failed=1, errors=1)  # a skip in the call fails; one at setup errors
    result.stdout.fnmatch_lines(["*skipped, which this suite does not allow*a required part is missing*"])
