"""The desktop app's composition root: real engine, worker loop, settings and the Qt window.

Qt runs on the main thread with qasync (the UI's asyncio). The conference engine runs on its own
asyncio loop in a worker thread (WorkerLoop); the session awaits it across threads.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from echo_desktop.cases.findings import Finding
from echo_desktop.deferred_engine import DeferredDevices, DeferredEngine
from echo_desktop.schedule.ports import ScheduleError
from echo_desktop.session.clinic_session import ClinicSession
from echo_desktop.session.ports import ConferenceEngine, DevicePort
from echo_desktop.session.task_failures import report_failure
from echo_desktop.session.worker_loop import WorkerLoop
from echo_desktop.storage import case_store
from echo_desktop.storage.calendar_file import CalendarFileExport
from echo_desktop.storage.schedule_cache import subscriptions_path_for
from echo_desktop.sync.case_sync import CaseSync
from echo_desktop.sync.schedule_sync import ScheduleSync

if TYPE_CHECKING:
    from echo_desktop.ui.main_window import MainWindow
from echo_desktop.storage.background_settings import BackgroundSettingsStore
from echo_desktop.storage.settings_file import JsonSettingsStore

logger = logging.getLogger(__name__)


MEDIA_LIBRARIES = frozenset({"aiortc", "av", "cv2", "sounddevice"})
# Text that takes the guard through every lazy part (gazetteers, libphonenumber) before it matters.
GUARD_WARM_UP_TEXT = "Seen in Taos on March 3, 2024; call +1 505 555 0134."
StartupReport = Literal["shown", "refreshed"]


@dataclass(frozen=True)
class HubSubscription:
    """A hub to subscribe the schedule to at start: its program service and a person's token."""

    service: str
    token: str
    allow_insecure_http: bool = False  # the demo's own hub, on plain http wherever it listens


@dataclass(frozen=True)
class Prefill:
    """Join-form values to show (the demo hub's address, room and PIN)."""

    server: str
    room: int
    pin: str
    name: str | None = None
    role: str | None = None
    auto_join: bool = False


def run_app(
    prefill: Prefill | None = None,
    devices: bool = True,
    test_capture: bool = False,
    *,
    schedule_path: Path | None = None,
    subscribe: HubSubscription | None = None,
    startup_report: StartupReport | None = None,
    ca_file: Path | None = None,
    settings_path: Path | None = None,
) -> int:
    """Open the window and run until it closes; returns the process exit status.

    devices: the camera, microphone and speakers (otherwise a test card and tone, no sound out).
    test_capture: the test card and tone instead of the camera and microphone, but the speakers
    and echo cancellation as with devices.
    schedule_path: the schedule cache (default: the user data folder; the demo uses its own); the
    cases' store (drafts, the outbox, the hub's copies) is `case.db` beside it.
    subscribe: a hub to subscribe to before the window opens (the demo's).
    startup_report: print one JSON line once the first screen is shown ("shown") or once the
    first refresh has finished too ("refreshed"), and quit (bench.startup, tests).
    ca_file: a CA (PEM) to trust for hubs' certificates, besides the system's.
    settings_path: the settings file (default: the user's; the demo uses a copy).
    """
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from echo_desktop.ui.main_window import MainWindow
    from echo_desktop.ui.schedule.local_zone import system_zone
    from echo_desktop.ui.style import apply_style

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("ECHO Desktop")
    app.setOrganizationName("Project ECHO")
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    engine = DeferredEngine(lambda: _build_engine(devices, test_capture))
    settings = BackgroundSettingsStore(JsonSettingsStore(settings_path))  # writes off the GUI thread
    # One zone for the whole app: the lobby shows times in it and the schedule reads a feed's
    # floating times in it. Qt knows the system's zone by its IANA name on every platform.
    zone = system_zone()
    # Closed last, whatever happens: it writes what is still pending (the prefill, a join).
    try:
        if prefill is not None:
            values = settings.load()
            values.update(server=prefill.server, room=str(prefill.room), pin=prefill.pin)
            if prefill.name:
                values["name"] = prefill.name
            if prefill.role:
                values["role"] = prefill.role
            values.setdefault("name", "Demo Clinician")
            settings.save(values)
        session = ClinicSession(engine, engine.run)
        listed = DeferredDevices(_media_devices) if devices and not test_capture else None
        # The cache is read before the window opens, so the first screen is the right one (the
        # lobby once a program is subscribed); it needs no network.
        try:
            schedule = loop.run_until_complete(
                ScheduleSync.open(schedule_path, ca_file=ca_file, local_zone=zone)
            )
        except ScheduleError as exc:  # a CA file that cannot be used
            print(f"echo-desktop: {exc}", file=sys.stderr)
            return 2
        if subscribe is not None:
            try:
                loop.run_until_complete(
                    schedule.subscribe_hub(
                        subscribe.service, subscribe.token, allow_insecure_http=subscribe.allow_insecure_http
                    )
                )
            except ScheduleError as exc:
                logger.warning("Could not subscribe to the hub: %s", exc)
        cases = loop.run_until_complete(_open_cases(schedule_path, ca_file))
        window = MainWindow(
            session,
            settings,
            devices=listed,
            schedule=schedule,
            local_zone=zone,
            calendar_export=CalendarFileExport(),
            cases=cases,
            guard=guard if cases is not None else None,
        )
        window.show()
        if prefill is not None and prefill.auto_join:
            QTimer.singleShot(0, window.join_view.submit)
        if startup_report is not None:
            _report_when(startup_report, window, schedule)
        refresher = loop.create_task(schedule.run())
        # run() survives a failed round by itself; anything that still ends it must not go unseen.
        refresher.add_done_callback(report_failure("The schedule's background refresh"))
        case_sender = loop.create_task(_run_cases(schedule, cases)) if cases is not None else None
        if case_sender is not None:
            # Like the schedule's: run() survives a failed round; anything that ends it is reported.
            case_sender.add_done_callback(report_failure("The cases' background sync"))

        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        # Ctrl-C or a polite kill closes the window the normal way, so the call is left cleanly and
        # the demo hub is stopped. Python only sees signals between bytecodes, so a timer wakes it.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: window.close())
        wake = QTimer()
        wake.timeout.connect(lambda: None)
        wake.start(250)
        try:
            with loop:
                loop.run_until_complete(closed.wait())
                # Shutdown order from the field guide: leave on the worker loop first, then stop it.
                loop.run_until_complete(session.leave())
                refresher.cancel()
                if case_sender is not None:
                    case_sender.cancel()
                loop.run_until_complete(
                    asyncio.gather(refresher, *filter(None, [case_sender]), return_exceptions=True)
                )
                loop.run_until_complete(schedule.aclose())
                if cases is not None:
                    loop.run_until_complete(cases.aclose())
        finally:
            engine.stop()
    finally:
        settings.close()
    return 0


async def _open_cases(schedule_path: Path | None, ca_file: Path | None) -> CaseSync | None:
    """The cases' source: `case.db` beside the schedule cache, its hubs and tokens from the same
    subscriptions file. A store that cannot be opened at all leaves the app without its case
    screens (the schedule and calls still work); a damaged one is set aside by the store itself."""
    path = (
        case_store.default_path() if schedule_path is None else schedule_path.with_name(case_store.FILE_NAME)
    )
    try:
        return await CaseSync.open(
            path, subscriptions_path=subscriptions_path_for(schedule_path), ca_file=ca_file
        )
    except (OSError, sqlite3.Error) as exc:
        logger.error("The cases cannot be kept in %s (%s); the case screens are off", path.parent, exc)
        return None


async def _run_cases(schedule: ScheduleSync, cases: CaseSync) -> None:
    """The cases' background sync, started once the schedule's first refresh has finished, and
    the guard loaded in a thread once the cases' first round has: the lobby's start waits for
    neither (the case screens open later, and refresh when they do), and the first keystroke
    in a case is still screened at once."""
    await schedule.wait_checked()
    rounds = asyncio.create_task(cases.run(), name="case sync")
    started: list[asyncio.Task[Any]] = [rounds]
    try:
        await cases.wait_checked()
        # In the guard's own thread, the one the case screens scan in: it is started, and the
        # word lists are loaded, before the first keystroke needs them.
        from echo_desktop.ui.cases.guard_thread import run_guard

        warm = asyncio.create_task(run_guard(guard, GUARD_WARM_UP_TEXT), name="guard warm-up")
        warm.add_done_callback(report_failure("Loading the de-identification guard"))
        started.append(warm)
        await rounds
    finally:
        # Ended with the app (cancelled): both end here, so none is left pending when the loop
        # closes; a warm-up under way finishes in its thread and its result is dropped.
        for task in started:
            task.cancel()
        await asyncio.gather(*started, return_exceptions=True)


def guard(text: str) -> list[Finding]:
    """The de-identification guard (`cases.deid.scan`), imported on first use: its import and its
    first scan cost about 0.2 s on this class of machine (`python -X importtime`), which the
    lobby's start must not wait for."""
    from echo_desktop.cases.deid import scan

    return scan(text)


def _report_when(moment: StartupReport, window: MainWindow, schedule: ScheduleSync) -> None:
    """For bench.startup and the tests: one JSON line at `moment`, then the window closes. It says
    which screen is up, how many sessions it lists, and which media modules were loaded (none
    should be, before a join)."""
    from PySide6.QtCore import QTimer

    def report() -> None:
        media = sorted(
            name
            for name in sys.modules
            if name.split(".")[0] in MEDIA_LIBRARIES or name == "echo_desktop.media"
        )
        snapshot = schedule.snapshot()
        cards = window.lobby_view.cards if window.lobby_view is not None else []
        line = {
            "moment": moment,
            "screen": "lobby" if window.showing_lobby else "join",
            "sessions": len(cards),
            "joinable": sum(1 for card in cards if card.join_button.isEnabled()),
            "online": snapshot.online,
            "checked": snapshot.checked,
            "media_modules": media,
        }
        print(json.dumps(line), flush=True)
        window.close()

    if moment == "shown":
        QTimer.singleShot(0, report)  # the first turn of the event loop after show()
        return
    poll = QTimer(window)

    def check() -> None:
        if schedule.snapshot().checked:
            poll.stop()
            report()

    poll.timeout.connect(check)
    poll.start(10)


def _build_engine(devices: bool, test_capture: bool) -> tuple[ConferenceEngine, WorkerLoop]:
    """The real engine on its own loop: loads aiortc, av and the device libraries (on first join)."""
    from echo_desktop.composition import build_engine, engine_loop

    worker = engine_loop()
    try:
        return build_engine(devices=devices or test_capture, test_capture=test_capture), worker
    except BaseException:
        worker.stop()
        raise


def _media_devices() -> DevicePort:
    from echo_desktop.media.device_check import MediaDevices

    return MediaDevices()
