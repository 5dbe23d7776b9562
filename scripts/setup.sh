#!/usr/bin/env bash
# ECHO Desktop set-up for a fresh Debian/Ubuntu machine.
#   scripts/setup.sh app    install what the app needs, then open it joined to a local demo hub
#   scripts/setup.sh test   install what the tests need, then run every check and the whole suite
# Python packages come from requirements/constraints.txt: the exact versions CI tests.
set -euo pipefail

mode="${1:-}"
case "$mode" in app|test) ;; *) echo "usage: scripts/setup.sh app|test" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

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

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Python environment (Debian's Python refuses system-wide pip installs: PEP 668).
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "$mode" = test ]; then
  .venv/bin/python -m pip install -q -c requirements/constraints.txt -e ".[dev]"
else
  .venv/bin/python -m pip install -q -c requirements/constraints.txt -e .
fi

if [ "$mode" = app ]; then
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "No display found: starting the app on a virtual screen (Xvfb)." >&2
    $SUDO apt-get install -y -q --no-install-recommends xvfb xauth >/dev/null
    exec xvfb-run -a .venv/bin/echo-desktop demo
  fi
  exec .venv/bin/echo-desktop demo
fi

exec bash scripts/check.sh
