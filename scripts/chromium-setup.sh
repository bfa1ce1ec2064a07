#!/usr/bin/env bash
# Installs Debian's headless-capable `chromium` for the report's browser test (compare/), unless a
# chromium is already on PATH. Safe to run again: it does nothing when chromium is there. Needs root
# (or sudo) the first time. Prints the browser's path on its last line.
set -euo pipefail

find_chromium() {
  command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}

found="$(find_chromium)"
if [ -n "$found" ]; then
  echo "$found"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "chromium-setup: run as root to install Debian's chromium" >&2; exit 1; }
  sudo="sudo"
fi
command -v apt-get >/dev/null || { echo "chromium-setup: no apt-get here; install chromium yourself" >&2; exit 1; }

echo "chromium-setup: installing Debian package chromium" >&2
$sudo apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium >&2
found="$(find_chromium)"
[ -n "$found" ] || { echo "chromium-setup: chromium was installed but is not on PATH" >&2; exit 1; }
echo "$found"
