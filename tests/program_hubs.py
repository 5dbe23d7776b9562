"""The real program service on loopback for the schedule's client tests, over a temporary store.

`running_hub` serves `make_app(store, rooms, now)`: the whole API (`/api/me`, programs, feeds, join
details) with a clock the test moves, and rooms kept by the real `RoomKeeper` on a recording fake
of its `JanusRooms` port (the real Janus is in tests/test_session_rooms.py). `serving` serves any
other small app, for what no hub would answer (a stalled, endless or malformed reply).
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from echo_desktop.cases.validation import Guard
from echo_desktop.hub.program_service.app import RedactingAccessLogger, Rooms, make_app
from echo_desktop.hub.program_service.room_keeper import RoomKeeper
from echo_desktop.hub.program_service.store import IssuedPerson, Program, ProgramStore
from echo_desktop.schedule.series import Agenda, Frequency
from echo_desktop.session.models import Role
from tests.fake_janus_rooms import FakeJanusRooms

JANUS_URL = "ws://127.0.0.1:8188/janus"  # what the service tells clients; the fake answers for it


@dataclass
class Hub:
    """A running program service with one program, one weekly series and one member (Dana).

    `clock[0]` is the service's and its store's time: move it to open or end a session's room.
    `janus` is the fake Janus its room keeper makes rooms on (`janus.down` makes it fail).
    """

    url: str
    store: ProgramStore
    program: Program
    series_uid: str
    dana: IssuedPerson
    clock: list[datetime]
    janus: FakeJanusRooms
    runner: web.AppRunner = field(repr=False)

    def feed_url(self, token: str | None = None) -> str:
        """The secret feed URL (the person's feed token in its path)."""
        return f"{self.url}/feed/{token or self.dana.feed_token}/{self.program.id}.ics"

    async def stop(self) -> None:
        await self.runner.cleanup()


def add_weekly_clinic(store: ProgramStore, first: datetime, weeks: int) -> tuple[Program, str]:
    """A program in Denver with a weekly 9:00 clinic from `first` (naive, Denver wall clock)."""
    program = store.add_program("Hepatitis C", "America/Denver")
    series = store.add_series(
        program.id,
        "Hepatitis C teleECHO",
        first,
        timedelta(hours=1),
        Frequency.WEEKLY,
        until=(first + timedelta(weeks=weeks - 1)).date(),
        agenda=Agenda("Treating HCV in pregnancy", "Dr. Ana Ruiz", 2),
    )
    return program, series.uid


@asynccontextmanager
async def running_hub(
    path: Path,
    first: datetime = datetime(2026, 10, 22, 9, 0),
    weeks: int = 9,
    port: int = 0,
    tls: ssl.SSLContext | None = None,
    guard: Guard | None = None,
) -> AsyncIterator[Hub]:
    """The real service on 127.0.0.1 (`port`, 0: any free one) over a new store at `path`, its
    clock at 1 October 2026, 12:00 UTC (before the first session of the default series); over
    HTTPS with `tls` (see `self_signed`); screening cases with `guard` (default: the real one)."""
    clock = [datetime(2026, 10, 1, 12, 0, tzinfo=UTC)]
    store = ProgramStore.open(path, now=lambda: clock[0])
    program, uid = add_weekly_clinic(store, first, weeks)
    dana = store.add_person("Dana Whitehorse, NP", "Taos Clinic", Role.SPOKE)
    store.add_member(dana.person.id, program.id)
    janus = FakeJanusRooms()
    keeper = RoomKeeper(store, janus, lambda: clock[0])
    app = make_app(store, Rooms(JANUS_URL, keeper), lambda: clock[0], guard)
    runner = web.AppRunner(app, access_log_class=RedactingAccessLogger)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, ssl_context=tls).start()
    port = runner.addresses[0][1]
    try:
        yield Hub(
            f"{'https' if tls else 'http'}://127.0.0.1:{port}",
            store,
            program,
            uid,
            dana,
            clock,
            janus,
            runner,
        )
    finally:
        await runner.cleanup()
        store.close()


@asynccontextmanager
async def serving(app: web.Application, port: int = 0) -> AsyncIterator[str]:
    """Serve an app on 127.0.0.1 (`port`, 0: any free one); yields its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself (its own CA) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "echo test hub")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "hub.pem", folder / "hub.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    return cert_file, key_file


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side of `self_signed`'s certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
