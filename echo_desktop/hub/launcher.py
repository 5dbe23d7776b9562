"""Start the project's Janus with its own config, wait until it answers, and stop it cleanly."""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from echo_desktop.hub.child_process import die_with_parent
from echo_desktop.session.errors import HubLaunchError, JanusNotInstalledError

logger = logging.getLogger(__name__)

# The Janus config templates: package data, found the same way in a checkout and in a wheel.
RESOURCES: Traversable = files("echo_desktop.resources") / "janus"
READY_TIMEOUT_S = 15.0


@dataclass
class HubConfig:
    """Where the local hub listens. Secrets are generated per run, never stored."""

    bind_ip: str = "127.0.0.1"
    ws_port: int = 8188
    http_port: int = 8088
    rtp_port_range: str = "20000-20999"
    # Interfaces (or address prefixes) that ICE may use; empty lets Janus gather them all.
    ice_enforce_list: str = ""
    debug_level: int = 4
    admin_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def ws_url(self) -> str:
        return f"ws://{self.bind_ip}:{self.ws_port}"

    @property
    def info_url(self) -> str:
        return f"http://{self.bind_ip}:{self.http_port}/janus/info"


def find_janus() -> str:
    """Return the janus executable, or raise an error that names the install command."""
    path = shutil.which("janus") or next(
        (p for p in ("/usr/bin/janus", "/usr/local/bin/janus") if os.access(p, os.X_OK)), None
    )
    if path is None:
        raise JanusNotInstalledError()
    return path


def render_config(config: HubConfig, folder: Path, resources: Traversable = RESOURCES) -> None:
    """Write the project's Janus config templates, filled in, to a private folder.

    Raises HubLaunchError if `resources` holds no templates (an install without its data files).
    """
    values = {
        "configs_folder": str(folder),
        "debug_level": str(config.debug_level),
        "rtp_port_range": config.rtp_port_range,
        "ice_enforce_line": (
            f'ice_enforce_list = "{config.ice_enforce_list}"' if config.ice_enforce_list else ""
        ),
        "ws_port": str(config.ws_port),
        "http_port": str(config.http_port),
        "bind_ip": config.bind_ip,
        "admin_key": config.admin_key,
    }
    templates = [t for t in resources.iterdir() if t.name.endswith(".jcfg")] if resources.is_dir() else []
    if not templates:
        raise HubLaunchError(f"no Janus config templates in {resources}")
    for template in sorted(templates, key=lambda t: t.name):
        text = Template(template.read_text(encoding="utf-8")).substitute(values)
        target = folder / template.name
        target.write_text(text)
        target.chmod(0o600)  # it holds this run's admin key


class JanusHub:
    """One running Janus process with the project's config."""

    def __init__(self, config: HubConfig | None = None) -> None:
        self.config = config or HubConfig()
        self._process: subprocess.Popen[bytes] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    @property
    def log_path(self) -> Path | None:
        return Path(self._folder.name) / "janus.log" if self._folder else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> JanusHub:
        """Start Janus and return once it answers /janus/info (or raise HubLaunchError)."""
        executable = find_janus()
        self._folder = tempfile.TemporaryDirectory(prefix="echo-hub-")
        folder = Path(self._folder.name)
        render_config(self.config, folder)
        log_path = folder / "janus.log"
        command = [
            executable,
            "--configs-folder", str(folder),
            "--config", str(folder / "janus.jcfg"),
            "--disable-stdout",
            "--log-file", str(log_path),
        ]  # fmt: skip
        logger.info("Starting Janus on %s", self.config.ws_url)
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent(),  # only prctl: safe between fork and exec
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise HubLaunchError(
                    f"Janus exited with status {self._process.returncode}: {self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.config.info_url, timeout=1) as response:  # noqa: S310
                    info = json.load(response)
                if info.get("janus") == "server_info":
                    logger.info("Janus %s is ready", info.get("version_string"))
                    return
            except (OSError, ValueError, urllib.error.URLError):
                pass
            time.sleep(0.05)
        raise HubLaunchError(f"Janus did not answer within {READY_TIMEOUT_S:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 8) -> str:
        path = self.log_path
        if path is None or not path.exists():
            return "(no log)"
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 5.0) -> None:
        """Stop Janus (SIGTERM, then SIGKILL) and remove its runtime folder."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> JanusHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
