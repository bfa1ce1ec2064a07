#!/usr/bin/env bash
# Makes (once) the project-local Python virtualenv with FAISS that `./quiver bench` uses as the IVF peer,
# and prints its python. faiss-cpu from the Python package index ships several builds in one wheel and
# picks the best the CPU supports; the benchmark asks for its AVX2 build (FAISS_OPT_LEVEL=avx2).
#
#   scripts/faiss-venv.sh          # prints $REPO/.venv-faiss/bin/python, installing on first use
#   scripts/faiss-venv.sh --check  # exit 0 when installed, 1 otherwise (installs nothing)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="${QUIVER_FAISS_VENV:-$REPO/.venv-faiss}"
PY="${PYTHON:-python3}"

# The versions scripts/milvus-lite.sh uses too (Milvus Lite runs on faiss-cpu), so one pin serves both.
REQUIREMENTS=(
  "faiss-cpu==1.15.1"
  "numpy==2.4.6"
)
STAMP="$VENV/.faiss-installed"

want="${REQUIREMENTS[*]}"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  echo "$VENV/bin/python"
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  exit 1
fi
echo "faiss-venv.sh: installing ${REQUIREMENTS[*]} into $VENV" >&2
[[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}" >&2
FAISS_OPT_LEVEL=avx2 "$VENV/bin/python" -c 'import faiss, numpy; print("faiss", faiss.__version__, "numpy", numpy.__version__)' >&2
echo "$want" > "$STAMP"
echo "$VENV/bin/python"
