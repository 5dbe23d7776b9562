"""A guard for the tests of where and when the case screens run it: `fake_guard`'s findings,
each call's text and thread recorded, and a gate the test closes to hold the guard mid-scan (as
a slow scan of a long case would) and opens to let it answer."""

from __future__ import annotations

import threading

from echo_desktop.cases.findings import Finding
from tests.fake_cases import fake_guard

GATE_TIMEOUT_S = 30.0
"""A test that never opens the gate fails (the guard raises) instead of hanging the guard's thread."""


class GatedGuard:
    """`fake_guard`, recording every call; while the gate is closed, each call waits in it."""

    def __init__(self) -> None:
        self._gate = threading.Event()
        self._gate.set()
        self._lock = threading.Lock()
        self.calls: list[tuple[str, threading.Thread]] = []
        self.answered: list[str] = []  # the texts, in the order the guard finished them
        self.held = 0  # calls waiting at the closed gate now

    def __call__(self, text: str) -> list[Finding]:
        with self._lock:
            self.calls.append((text, threading.current_thread()))
            self.held += 1
        try:
            if not self._gate.wait(GATE_TIMEOUT_S):
                raise AssertionError("the test never opened the guard's gate")
        finally:
            with self._lock:
                self.held -= 1
        found = fake_guard(text)
        with self._lock:
            self.answered.append(text)
        return found

    def close(self) -> None:
        """Hold every later call until `open`."""
        self._gate.clear()

    def open(self) -> None:
        self._gate.set()

    @property
    def threads(self) -> set[threading.Thread]:
        with self._lock:
            return {thread for _text, thread in self.calls}

    def texts(self) -> list[str]:
        with self._lock:
            return [text for text, _thread in self.calls]
