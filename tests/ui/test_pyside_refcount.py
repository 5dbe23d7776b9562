"""Guards against the PySide6 6.12.0 bug that drops a reference to None on every setText.

On Python 3.11, None is not immortal: the leak walks its refcount to zero and the interpreter
aborts in none_dealloc. pyproject pins PySide6 below 6.12 for this reason.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

CALLS = 2000
TOLERANCE = 50


def test_refcount_of_none_is_steady_across_set_text(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    texts = [f"Participant {i}" for i in range(CALLS)]
    label.setText("warm-up")
    before = sys.getrefcount(None)
    for text in texts:
        label.setText(text)
    after = sys.getrefcount(None)
    assert abs(after - before) <= TOLERANCE, f"None refcount moved by {after - before}"
