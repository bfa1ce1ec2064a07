#!/usr/bin/env bash
# Installs the Debian packages `./quiver bench` uses: the Fashion-MNIST dataset, the fortunes corpus
# (sentences to embed) and native hnswlib for Python (the ceiling). Safe to run again: it installs
# only what is missing. Needs root (or sudo).
set -euo pipefail

packages=(dataset-fashion-mnist fortunes python3-hnswlib python3-numpy)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bench-setup: all benchmark packages are installed (${packages[*]})"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "bench-setup: run as root (need: ${missing[*]})" >&2; exit 1; }
  sudo="sudo"
fi

echo "bench-setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "bench-setup: done. Fashion-MNIST is in /usr/share/datasets/fashion-mnist, fortunes in /usr/share/games/fortunes"
