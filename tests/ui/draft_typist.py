"""A tiny app for the crash test of the case form: the real `CaseFormView` over the real
`CaseSync` and `CaseStore` (at the path given), offscreen. It starts a new draft, types into
"History of present illness" with QTest, and prints `saved <client id>` once the form says the
draft is saved; then it idles until it is killed.

Run as `python -m tests.ui.draft_typist CASE_DB TEXT` (tests/ui/test_case_form_crash.py).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from echo_desktop.app import guard
from echo_desktop.cases.ports import HubProgram
from echo_desktop.sync.case_sync import CaseSync
from echo_desktop.ui.cases.case_form_view import CaseFormView
from echo_desktop.ui.style import apply_style

PROGRAM = HubProgram("https://hub.example.org", 7, "Hepatitis C ECHO")
SAVED_TEXT = "Draft saved on this computer"


async def type_and_wait(path: Path, text: str) -> None:
    sync = await CaseSync.open(path, hubs=list)  # no hub: nothing here touches the network
    case = await sync.new_draft(PROGRAM)
    form = await sync.case_form(PROGRAM)
    view = CaseFormView(sync, guard, form, case, program_name=PROGRAM.name)
    view.resize(1100, 800)
    view.show()
    editor = view.editors["hpi"]
    editor.setFocus()
    QTest.keyClicks(editor, text)
    saved = asyncio.Event()

    def check() -> None:
        # Saved once the debounced save has finished with nothing typed since (the label says so).
        if view.saved_label.text() == SAVED_TEXT:
            saved.set()

    poll = QTimer()
    poll.timeout.connect(check)
    poll.start(20)
    await saved.wait()
    print(f"saved {case.client_id}", flush=True)
    await asyncio.Event().wait()  # until killed


def main() -> int:
    path, text = Path(sys.argv[1]), sys.argv[2]
    app = QApplication(sys.argv[:1])
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(type_and_wait(path, text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
