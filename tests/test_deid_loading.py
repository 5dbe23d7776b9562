"""The gazetteers load once, on first use, even when threads race for them; importing is cheap."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from echo_desktop.cases.deid import gazetteers as gazetteer_module
from echo_desktop.cases.deid.gazetteers import Gazetteers

ROOT = Path(__file__).resolve().parents[1]


def test_importing_the_guard_loads_no_gazetteer_and_no_phone_library() -> None:
    code = (
        "import sys, echo_desktop.cases.deid as d, echo_desktop.cases.deid.gazetteers as g;"
        "print(g._loaded is None, 'phonenumbers' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.split() == ["True", "False"], done.stderr


def test_racing_threads_load_the_gazetteers_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_load = gazetteer_module._load
    release = threading.Event()

    def counting_load() -> Gazetteers:
        calls.append(1)
        release.wait(10)  # hold the first loader so the others arrive while it works
        return real_load()

    monkeypatch.setattr(gazetteer_module, "_loaded", None)
    monkeypatch.setattr(gazetteer_module, "_load", counting_load)
    results: list[Gazetteers] = []
    threads = [
        threading.Thread(target=lambda: results.append(gazetteer_module.gazetteers())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(30)
    assert len(results) == 8
    assert all(r is results[0] for r in results)
    assert calls == [1]
    assert "gallup" in results[0].places and "maria" in results[0].first_names
