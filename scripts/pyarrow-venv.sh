#!/usr/bin/env bash
# A project-local Python with pyarrow and pandas, for the test that reads an export file from Python.
#
#   scripts/pyarrow-venv.sh    # installs on first use, then prints the path of the venv's python
#
# State: $REPO/.venv-pyarrow (kept between runs, gitignored).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="$REPO/.venv-pyarrow"
PY="${PYTHON:-python3}"

REQUIREMENTS=(
  "pyarrow==26.0.1"
  "pandas==3.1.1"
  "numpy==2.4.6"
)
STAMP="$VENV/.pyarrow-installed"
want="${REQUIREMENTS[*]}"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  echo "$VENV/bin/python"
  exit 0
fi
echo "pyarrow-venv.sh: installing $want into $VENV" >&2
[[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}" >&2
echo "$want" > "$STAMP"
echo "$VENV/bin/python"
