"""BackgroundSettingsStore: saves return at once, the disk gets the newest values, failures are logged."""

from __future__ import annotations

import logging
import stat
import threading
from pathlib import Path

import pytest

from echo_desktop.storage.background_settings import BackgroundSettingsStore
from echo_desktop.storage.settings_file import JsonSettingsStore


class SlowStore:
    """An inner store whose writes block until the test lets them through."""

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        self.initial = dict(initial or {})
        self.written: list[dict[str, str]] = []
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.fail_next = False

    def load(self) -> dict[str, str]:
        return dict(self.initial)

    def save(self, values: dict[str, str]) -> None:
        self.entered.set()
        assert self.gate.wait(10)
        if self.fail_next:
            self.fail_next = False
            raise OSError("disk full")
        self.written.append(dict(values))


def test_save_returns_while_the_disk_write_is_blocked_and_newest_values_win() -> None:
    inner = SlowStore({"room": "1"})
    store = BackgroundSettingsStore(inner)
    try:
        assert store.load() == {"room": "1"}
        store.save({"room": "2"})
        assert inner.entered.wait(5)  # the writer thread is stuck in the disk write...
        store.save({"room": "3"})  # ...yet saving returns, and the new values show at once
        store.save({"room": "4"})
        assert store.load() == {"room": "4"}
        assert not store.flush(timeout=0.2)  # honest: not on disk yet
        inner.gate.set()
        assert store.flush(timeout=5)
        # "3" was overtaken while waiting: it is never written after "4", nor at all.
        assert inner.written == [{"room": "2"}, {"room": "4"}]
    finally:
        inner.gate.set()
        store.close()


def test_a_failed_write_is_logged_and_later_saves_still_land(caplog: pytest.LogCaptureFixture) -> None:
    inner = SlowStore()
    inner.fail_next = True
    inner.gate.set()
    store = BackgroundSettingsStore(inner)
    try:
        with caplog.at_level(logging.WARNING):
            store.save({"name": "Dana"})
            assert store.flush(timeout=5)
        assert "Could not save the settings" in caplog.text
        assert store.load() == {"name": "Dana"}  # kept in memory for this run
        store.save({"name": "Dana", "room": "7"})
        assert store.flush(timeout=5)
        assert inner.written == [{"name": "Dana", "room": "7"}]
    finally:
        store.close()


def test_close_writes_what_is_pending_to_the_real_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    store = BackgroundSettingsStore(JsonSettingsStore(path))
    store.save({"server": "wss://hub.example", "room": "1234"})
    store.close()
    assert JsonSettingsStore(path).load() == {"server": "wss://hub.example", "room": "1234"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(RuntimeError):
        store.save({"room": "5"})


def test_a_settings_file_that_cannot_be_read_or_set_aside_does_not_stop_the_app(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Unreadable(SlowStore):
        def load(self) -> dict[str, str]:
            raise PermissionError("read-only config folder")

    inner = Unreadable()
    inner.gate.set()
    with caplog.at_level(logging.WARNING):
        store = BackgroundSettingsStore(inner)
    try:
        assert store.load() == {}
        assert "Could not load the saved settings" in caplog.text
        store.save({"room": "9"})  # and saving still works
        assert store.flush(timeout=5)
        assert inner.written == [{"room": "9"}]
    finally:
        store.close()
