#!/usr/bin/env bash
# The whole test suite: starts the servers the tests need (Milvus Lite, when its script is present),
# runs every module's tests with Maven, and stops the servers again, also when tests fail.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

cleanup() {
  if [ -x scripts/milvus-lite.sh ] && [ -z "${QUIVER_MILVUS_URI_EXTERNAL:-}" ]; then
    scripts/milvus-lite.sh stop || true
  fi
}
trap cleanup EXIT

if [ -x scripts/milvus-lite.sh ] && [ -z "${QUIVER_MILVUS_URI:-}" ]; then
  QUIVER_MILVUS_URI="$(scripts/milvus-lite.sh start | tail -n 1)"
  export QUIVER_MILVUS_URI
  echo "test.sh: Milvus Lite is up at $QUIVER_MILVUS_URI"
elif [ -n "${QUIVER_MILVUS_URI:-}" ]; then
  export QUIVER_MILVUS_URI_EXTERNAL=1
fi

mvn -B -ntp verify "$@"
