"""Our aiortc replacements are installed on purpose, by the composition root only, on the pinned aiortc."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import aiortc
import pytest

from echo_desktop import aiortc_patches
from echo_desktop.aiortc_patches import rebind

ROOT = Path(__file__).resolve().parents[1]

# Runs in a fresh interpreter: imports every module of the package, reports what aiortc looks up,
# then builds an engine loop the way the app does and reports again.
_IMPORT_EVERYTHING = r"""
import asyncio, importlib, json, pkgutil
import echo_desktop
# __main__ runs the app when imported; everything else must be inert.
modules = sorted(
    info.name for info in pkgutil.walk_packages(echo_desktop.__path__, "echo_desktop.")
    if info.name != "echo_desktop.__main__"
)
for name in modules:
    importlib.import_module(name)

import aiortc.codecs, aiortc.jitterbuffer, aiortc.rtcrtpreceiver, aiortc.rtcrtpsender

def looked_up():
    return {
        "jitter": aiortc.rtcrtpreceiver.JitterBuffer.__module__,
        "decoder_worker": aiortc.rtcrtpreceiver.decoder_worker.__module__,
        "get_encoder": aiortc.rtcrtpsender.get_encoder.__module__,
    }

after_import = looked_up()
loop = asyncio.new_event_loop()
plain_loop_executor = type(loop._default_executor).__name__
from echo_desktop.composition import engine_loop
worker = engine_loop()
executor = type(worker.loop._default_executor).__name__
worker.stop()
print(json.dumps({
    "modules": modules, "after_import": after_import, "plain_loop_executor": plain_loop_executor,
    "after_root": looked_up(), "engine_executor": executor,
}))
"""


def test_importing_every_module_patches_nothing_and_the_composition_root_patches_all() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert (
        "echo_desktop.net.conference" in report["modules"]
        and "echo_desktop.ui.main_window" in report["modules"]
    )
    assert report["after_import"] == {
        "jitter": "aiortc.jitterbuffer",
        "decoder_worker": "aiortc.rtcrtpreceiver",
        "get_encoder": "aiortc.codecs",
    }
    assert report["plain_loop_executor"] == "NoneType"
    assert report["after_root"] == {
        "jitter": "echo_desktop.aiortc_patches.low_latency_jitter",
        "decoder_worker": "echo_desktop.aiortc_patches.inline_audio_decode",
        "get_encoder": "echo_desktop.aiortc_patches.call_codecs",
    }
    assert report["engine_executor"] == "InlineAudioExecutor"


def test_the_one_gate_equals_the_pin() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d for d in dependencies if re.match(r"aiortc\b", d)]
    match = re.fullmatch(r"aiortc>=(\d+)\.(\d+),<(\d+)\.(\d+)", pin.split(";")[0].strip())
    assert match, f"aiortc must be pinned to one minor series, not {pin!r}"
    major, minor, upper_major, upper_minor = map(int, match.groups())
    assert (upper_major, upper_minor) == (major, minor + 1)
    assert f"{major}.{minor}." == rebind.CHECKED_AIORTC
    assert aiortc.__version__.startswith(rebind.CHECKED_AIORTC)


async def test_every_replacement_installs_on_the_pinned_aiortc() -> None:
    report = aiortc_patches.install(asyncio.get_running_loop())
    assert report.complete
    assert sorted(report.installed) == [
        "call_codecs",
        "inline_audio_decode",
        "inline_audio_encode",
        "low_latency_jitter",
    ]
    assert all(aiortc_patches.installed_process_wide().values())


def test_on_another_aiortc_each_refusal_is_logged_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    aiortc_patches.uninstall()
    monkeypatch.setattr(rebind, "_refusals_logged", set())
    monkeypatch.setattr(aiortc, "__version__", "9.0.0")
    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.WARNING):
            first = aiortc_patches.install(loop)
            second = aiortc_patches.install(loop)
    finally:
        loop.close()
    assert first == second and not first.complete and first.installed == ()
    assert len(first.refused) == 4
    refusals = [r for r in caplog.records if "is not installed" in r.getMessage()]
    assert len(refusals) == 4  # one line per replacement, however often it is asked
    assert not any(aiortc_patches.installed_process_wide().values())
