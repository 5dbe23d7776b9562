"""The issue's test: a draft survives killing the app's process. A subprocess types into the real
case form over the real case sync and store; once the form says the draft is saved, it is
SIGKILLed (no shutdown, no close), and the store, opened again, holds the typed text."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from echo_desktop.cases.model import CaseStatus
from echo_desktop.storage.case_store import CaseStore
from tests.waiting import wait_until

TYPED = "Six months of fatigue; ALT 180 and HCV RNA positive in 2024."


def test_a_draft_survives_killing_the_apps_process(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    typist = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.draft_typist", str(path), TYPED],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(typist.stdout or ()))
    reader.start()
    try:
        wait_until(lambda: bool(lines) or typist.poll() is not None, timeout=60, what="the draft saved")
    finally:
        os.kill(typist.pid, signal.SIGKILL)
        typist.wait()
        reader.join()
    assert typist.returncode == -signal.SIGKILL  # killed, not finished on its own
    word, client_id = lines[0].split()
    assert word == "saved"

    store = CaseStore.open(path)
    try:
        stored = store.draft(client_id)
        assert stored is not None
        assert stored.case.status is CaseStatus.DRAFT
        assert stored.case.values["hpi"] == TYPED
    finally:
        store.close()
