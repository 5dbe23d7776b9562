#!/usr/bin/env bash
# ECHO Desktop set-up for a fresh Debian/Ubuntu machine.
#   scripts/setup.sh app              install what the app needs, then open it on a local demo hub
#   scripts/setup.sh test [ARGS...]   install what the tests need, then run every check and the
#                                     whole suite (ARGS go to pytest, e.g. a smaller selection)
# Python packages come from requirements/constraints.txt: the exact versions CI tests.
# Root is used only where it is needed: to install missing Debian packages, and for the test suite
# (the integration tests build network namespaces). As root it runs everything directly and needs
# no sudo; as another user it asks sudo for just those steps. The app needs no root at all once
# its Debian packages are installed.
set -euo pipefail

mode="${1:-}"
case "$mode" in app|test) ;; *) echo "usage: scripts/setup.sh app|test [pytest args...]" >&2; exit 2 ;; esac
shift
cd "$(dirname "$0")/.."

is_root() { [ "$(id -u)" -eq 0 ]; }

# Stop with a clear message when a step needs root, we are not root, and there is no sudo.
need_sudo() {
  if ! command -v sudo >/dev/null 2>&1; then
    echo "scripts/setup.sh: $1 needs root, and sudo is not installed." >&2
    echo "Run this script as root, or install sudo and give your user sudo rights." >&2
    exit 1
  fi
}

# Run a command as root: directly when we are root, otherwise through sudo.
as_root() {
  if is_root; then "$@"; else need_sudo "'$*'"; sudo "$@"; fi
}

has_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${QT_QPA_PLATFORM:-}" ]; }

# System packages. Janus is the SFU; PortAudio for sounddevice; the Qt runtime libraries;
# Xvfb for a screen where there is none. The tests add Chromium (the browser peer), PulseAudio
# (a null sink) and the network tools for namespaces and impairment.
app_pkgs=(janus libportaudio2 libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
  libglib2.0-0 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core
  python3 python3-venv python3-pip iproute2)
test_pkgs=(chromium libjs-janus-gateway libjs-webrtc-adapter pulseaudio libasound2-plugins
  xvfb xauth iptables openssl espeak-ng)
pkgs=("${app_pkgs[@]}")
if [ "$mode" = test ]; then pkgs+=("${test_pkgs[@]}"); fi
# With no screen the app opens on a virtual one.
if [ "$mode" = app ] && ! has_display; then pkgs+=(xvfb xauth); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Python environment (Debian's Python refuses system-wide pip installs: PEP 668).
# It belongs to whoever runs this script, never to root on their behalf.
if ! is_root; then
  root_owned="$(find . -xdev -user 0 -print -quit)"
  if [ -n "$root_owned" ]; then
    echo "scripts/setup.sh: files in this checkout belong to root (from a run with sudo?), e.g. $root_owned" >&2
    echo "Give them back to yourself, then run this script again:" >&2
    echo "  sudo chown -R --from=0 $(id -u):$(id -g) ." >&2
    exit 1
  fi
fi
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "$mode" = test ]; then
  .venv/bin/python -m pip install -q -c requirements/constraints.txt -e ".[dev]"
else
  .venv/bin/python -m pip install -q -c requirements/constraints.txt -e .
fi

if [ "$mode" = app ]; then
  if ! has_display; then
    echo "No display found: starting the app on a virtual screen (Xvfb)." >&2
    exec xvfb-run -a .venv/bin/echo-desktop demo
  fi
  exec .venv/bin/echo-desktop demo
fi

if is_root; then exec bash scripts/check.sh "$@"; fi
# The integration tests need root. The checks run as root through sudo, on this checkout's .venv;
# what that run writes here (caches, bytecode, build output) is handed back to you afterwards.
need_sudo "the test suite (it builds network namespaces)"
echo "The test suite builds network namespaces, so it runs as root: asking sudo."
status=0
sudo --preserve-env=CI,QT_QPA_PLATFORM,PYTEST_ADDOPTS bash scripts/check.sh "$@" || status=$?
sudo chown -R --from=0 "$(id -u):$(id -g)" . || status=1
exit "$status"
