"""Build the ECHO Desktop bundle that a clinician installs, with no network needed at install time.

The bundle is a folder (and a .tar.gz of it) holding:
- wheels/: the app and every dependency, as wheels for this platform and Python, at the versions
  in requirements/constraints.txt;
- install.sh: creates a private virtual environment from those wheels only (--no-index), puts an
  `echo-desktop` launcher in ~/.local/bin and a menu entry with the icon, for the current user;
- uninstall.sh, and the Janus config the local hub uses.

    python build_installer.py                 # -> dist/echo-desktop-<version>-<platform>/
    python build_installer.py --out /tmp/dist
"""

from __future__ import annotations

import argparse
import logging
import platform
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The exact versions CI tests: the bundle ships those (see the README's "Pinned versions").
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
logger = logging.getLogger("build_installer")

INSTALL_SH = r"""#!/usr/bin/env bash
# Install ECHO Desktop for the current user from the wheels beside this script (no network).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${ECHO_DESKTOP_PREFIX:-$HOME/.local/share/echo-desktop}"
bindir="${ECHO_DESKTOP_BINDIR:-$HOME/.local/bin}"
appsdir="${ECHO_DESKTOP_APPSDIR:-$HOME/.local/share/applications}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (@PYMAJOR@, @PYMINOR@) else 1)'; then
  echo "This bundle needs Python @PYMAJOR@.@PYMINOR@ ($python is $("$python" --version 2>&1))." >&2
  exit 1
fi
if ! "$python" -m venv --help >/dev/null 2>&1; then
  echo "Python's venv module is missing. On Debian or Ubuntu: sudo apt-get install python3-venv" >&2
  exit 1
fi
echo "Installing ECHO Desktop into $prefix"
rm -rf "$prefix.new"
"$python" -m venv "$prefix.new"
"$prefix.new/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" echo-desktop
rm -rf "$prefix"
mv "$prefix.new" "$prefix"
# The venv was built under another name: re-point its scripts' interpreter lines.
sed -i "1s|^#!.*python.*$|#!$prefix/bin/python|" "$prefix"/bin/echo-desktop
mkdir -p "$bindir" "$appsdir" "$prefix/share"
ln -sf "$prefix/bin/echo-desktop" "$bindir/echo-desktop"
cp "$here/echo-desktop.svg" "$prefix/share/echo-desktop.svg"
sed -e "s|@BIN@|$prefix/bin/echo-desktop|" -e "s|@ICON@|$prefix/share/echo-desktop.svg|" \
  "$here/echo-desktop.desktop.in" > "$appsdir/echo-desktop.desktop"
missing=""
for lib in libportaudio.so.2 libxcb-cursor.so.0 libEGL.so.1; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $lib"
done
if [ -n "$missing" ]; then
  echo "Note: some system libraries were not found:$missing"
  echo "On Debian or Ubuntu: sudo apt-get install libportaudio2 libxcb-cursor0 libegl1"
fi
if ! command -v janus >/dev/null 2>&1; then
  echo "Note: the local demo hub needs Janus: sudo apt-get install janus"
fi
echo "Done. Start it from your applications menu, or run: $bindir/echo-desktop"
"""

UNINSTALL_SH = r"""#!/usr/bin/env bash
# Remove ECHO Desktop for the current user. Settings in ~/.config/echo-desktop are kept.
set -euo pipefail
prefix="${ECHO_DESKTOP_PREFIX:-$HOME/.local/share/echo-desktop}"
rm -rf "$prefix"
rm -f "${ECHO_DESKTOP_BINDIR:-$HOME/.local/bin}/echo-desktop"
rm -f "${ECHO_DESKTOP_APPSDIR:-$HOME/.local/share/applications}/echo-desktop.desktop"
echo "ECHO Desktop removed. Your settings in ~/.config/echo-desktop were kept."
"""


def project_version() -> str:
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def build(out: Path) -> Path:
    """Build the bundle folder and its tarball under `out`; return the tarball's path."""
    tag = f"{sys.platform}-{platform.machine()}-py{sys.version_info.major}{sys.version_info.minor}"
    name = f"echo-desktop-{project_version()}-{tag}"
    bundle = out / name
    if bundle.exists():
        shutil.rmtree(bundle)
    wheels = bundle / "wheels"
    wheels.mkdir(parents=True)
    # setuptools packs whatever an earlier build left in build/lib, removed modules included.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    logger.info("Collecting wheels for the app and its dependencies")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(wheels),
         "--constraint", str(CONSTRAINTS), str(ROOT)],
        check=True,
    )  # fmt: skip
    install = INSTALL_SH.replace("@PYMAJOR@", str(sys.version_info.major)).replace(
        "@PYMINOR@", str(sys.version_info.minor)
    )
    for filename, text in (("install.sh", install), ("uninstall.sh", UNINSTALL_SH)):
        path = bundle / filename
        path.write_text(text)
        path.chmod(0o755)
    # The icon and menu entry come from the app's own wheel: its package data, as installed.
    (app_wheel,) = wheels.glob("echo_desktop-*.whl")
    desktop = zipfile.Path(app_wheel, "echo_desktop/resources/desktop/")
    for filename in ("echo-desktop.svg", "echo-desktop.desktop.in"):
        (bundle / filename).write_bytes((desktop / filename).read_bytes())
    tarball = out / f"{name}.tar.gz"
    logger.info("Packing %s", tarball)
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(bundle, arcname=name)
    return tarball


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    tarball = build(args.out.resolve())
    print(tarball)
    return 0


if __name__ == "__main__":
    sys.exit(main())
