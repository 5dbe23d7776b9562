"""The program service over TLS, and its refusal to serve plain HTTP beyond loopback."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from echo_desktop.hub.program_service.server import ProgramServer, Tls
from echo_desktop.hub.program_service.store import ProgramStore
from echo_desktop.session.errors import HubLaunchError
from echo_desktop.session.models import Role
from tests.program_hubs import self_signed


def _self_signed(folder: Path) -> Tls:
    """A certificate for 127.0.0.1, signed by its own key, as a small hub might use."""
    return Tls(*self_signed(folder))


def test_the_service_serves_https_that_only_a_client_trusting_its_certificate_accepts(tmp_path: Path) -> None:
    tls = _self_signed(tmp_path)
    store = ProgramStore.open(tmp_path / "programs.db")
    dana = store.add_person("Dana", "Taos", Role.SPOKE)
    store.close()
    server = ProgramServer(tmp_path / "programs.db", "127.0.0.1", 0, tls=tls).start()
    try:
        assert server.url.startswith("https://127.0.0.1:")
        request = urllib.request.Request(
            f"{server.url}/api/me", headers={"Authorization": f"Bearer {dana.api_token}"}
        )
        with pytest.raises(urllib.error.URLError) as refused:  # verification is on by default
            urllib.request.urlopen(request, timeout=10, context=ssl.create_default_context())
        assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
        trusting = ssl.create_default_context(cafile=str(tls.cert))
        with urllib.request.urlopen(request, timeout=10, context=trusting) as answer:
            assert answer.status == 200 and b'"name": "Dana"' in answer.read()
        with pytest.raises(OSError):  # plain HTTP on the TLS port gets no answer
            urllib.request.urlopen(server.url.replace("https", "http") + "/api/me", timeout=10)
    finally:
        server.stop()


def test_without_a_certificate_the_service_stays_on_loopback_unless_told(tmp_path: Path) -> None:
    with pytest.raises(HubLaunchError, match=r"loopback only, not on 0\.0\.0\.0: give it a certificate"):
        ProgramServer(tmp_path / "programs.db", "0.0.0.0", 0)
    with pytest.raises(HubLaunchError, match="--insecure-http"):
        ProgramServer(tmp_path / "programs.db", "192.0.2.10", 0)
    assert not (tmp_path / "programs.db").exists()  # refused before anything was opened
    for loopback in ("127.0.0.1", "::1", "localhost"):
        ProgramServer(tmp_path / "programs.db", loopback, 0)  # accepted (not started)
    server = ProgramServer(tmp_path / "programs.db", "0.0.0.0", 0, insecure_http=True).start()
    try:
        port = server.url.rsplit(":", 1)[1]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/me", timeout=10)
        assert refused.value.code == 401
    finally:
        server.stop()
