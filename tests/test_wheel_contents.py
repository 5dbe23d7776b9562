"""The wheel carries the app and its data files, and none of the test and benchmark tooling.

The wheel is built offline (no build isolation, no index) from a clean copy of the checkout, so a
stale build/ folder in the checkout can neither hide nor add a file. Then the built wheel is
unpacked on its own, away from the checkout, to show that its code finds its data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JANUS_FILES = sorted(p.name for p in (ROOT / "resources" / "janus").glob("*.jcfg"))
DESKTOP_FILES = ["echo-desktop.desktop.in", "echo-desktop.svg"]
TOOLING = ("chromium_peer", "netns", "virtual_audio", "virtual_camera", "devtools", "testkit")
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)


def build_wheel(project: Path, out: Path) -> Path:
    """Build `project`'s wheel into `out` with the installed build backend and no network."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "--wheel-dir", str(out), str(project)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = out.glob("echo_desktop-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    project = work / "project"
    shutil.copytree(ROOT, project, ignore=NOT_COPIED, symlinks=True)
    return build_wheel(project, work / "out")


def test_the_wheel_holds_the_janus_config_and_the_desktop_files(wheel: Path) -> None:
    assert len(JANUS_FILES) >= 4  # janus.jcfg, the VideoRoom plugin, both transports
    with zipfile.ZipFile(wheel) as archive:
        for name in JANUS_FILES:
            packed = archive.read(f"echo_desktop/resources/janus/{name}")
            assert packed == (ROOT / "resources" / "janus" / name).read_bytes(), name
        for name in DESKTOP_FILES:
            packed = archive.read(f"echo_desktop/resources/desktop/{name}")
            assert packed == (ROOT / "resources" / "desktop" / name).read_bytes(), name


def test_the_wheel_holds_no_test_or_benchmark_tooling(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert any(n.startswith("echo_desktop/") for n in names)
    top_level = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"echo_desktop"}
    leaked = [n for n in names if any(part in n for part in TOOLING)]
    assert leaked == []


def test_the_wheel_holds_every_module_of_the_package(wheel: Path) -> None:
    # pyproject.toml lists the subpackages by hand: a new one left out of it fails here.
    on_disk = {p.relative_to(ROOT).as_posix() for p in (ROOT / "echo_desktop").rglob("*.py")}
    with zipfile.ZipFile(wheel) as archive:
        packed = {n for n in archive.namelist() if n.endswith(".py")}
    assert on_disk - packed == set()
    assert packed - on_disk == {"echo_desktop/resources/__init__.py"}


def test_the_unpacked_wheel_finds_its_janus_config(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    rendered = tmp_path / "rendered"
    rendered.mkdir()
    script = (
        "import sys\n"
        "from echo_desktop.hub.launcher import RESOURCES, HubConfig, render_config\n"
        "render_config(HubConfig(ws_port=8765), __import__('pathlib').Path(sys.argv[1]))\n"
        "print(RESOURCES)\n"
    )
    # -S: no site-packages, so neither the editable install nor the checkout can answer.
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(site)}
    ran = subprocess.run(
        [sys.executable, "-S", "-c", script, str(rendered)], cwd=tmp_path, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip() == str(site / "echo_desktop" / "resources" / "janus")
    assert sorted(p.name for p in rendered.iterdir()) == JANUS_FILES
    assert "ws_port = 8765" in (rendered / "janus.transport.websockets.jcfg").read_text()


def test_the_unpacked_wheel_guard_finds_its_gazetteers(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    # A name and a town only the shipped gazetteers know: found only if the data files came along.
    script = (
        "import echo_desktop.cases.deid as d\n"
        "print(d.__file__)\n"
        "print([f.kind.value for f in d.scan('Plan discussed with Angela Reyes. Seen in Farmington.')])\n"
        "from echo_desktop.cases.deid.token_model import token_model\n"
        "print(len(token_model().scores(['bias'])))\n"  # the learned check's weights came along too
    )
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(site)}
    ran = subprocess.run(
        [sys.executable, "-S", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    where, kinds, labels = ran.stdout.splitlines()
    assert where.startswith(str(site))
    assert kinds == "['NAME', 'LOCATION']"
    assert labels == "3"
