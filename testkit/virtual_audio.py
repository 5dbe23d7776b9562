"""A private PulseAudio server with a null sink: paced 48 kHz audio on a machine with no sound card.

The null sink's monitor is the default source, so what the speakers play comes back on the
microphone: a loopback for tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _reinitialise_portaudio() -> None:
    import sounddevice

    sounddevice._terminate()
    sounddevice._initialize()


@contextmanager
def pulse_null_sink() -> Iterator[Path]:
    """Start PulseAudio with a null sink; PortAudio (through ALSA's pulse plugin) uses it."""
    if shutil.which("pulseaudio") is None:
        raise RuntimeError("pulseaudio is not installed: apt-get install pulseaudio libasound2-plugins")
    runtime = Path(tempfile.mkdtemp(prefix="echo-pulse-"))
    runtime.chmod(0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), HOME=str(runtime))
    server = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
         "--use-pid-file=no", "--load=module-native-protocol-unix",
         "--load=module-null-sink sink_name=echo_null rate=48000 channels=1",
         "--load=module-always-sink"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    socket = runtime / "pulse" / "native"
    deadline = time.monotonic() + 10
    while not socket.exists():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("PulseAudio did not start")
        time.sleep(0.05)
    saved = {k: os.environ.get(k) for k in ("PULSE_SERVER", "PULSE_RUNTIME_PATH")}
    os.environ["PULSE_SERVER"] = f"unix:{socket}"
    _reinitialise_portaudio()
    try:
        yield socket
    finally:
        server.terminate()
        server.wait(5)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reinitialise_portaudio()
        shutil.rmtree(runtime, ignore_errors=True)
