#!/usr/bin/env bash
# The whole test suite. Starts the real servers the backend tests run against (Milvus Lite; the
# Qdrant engine behind our gRPC shim), runs every module's tests with Maven, stops the servers
# again (also when tests fail), and copies the conformance kit's reports to docs/conformance/.
#
# A server that is already given from outside (QUIVER_MILVUS_URI, QUIVER_QDRANT_URL) is used as is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

started=()
cleanup() {
  for script in "${started[@]}"; do
    "$script" stop || true
  done
}
trap cleanup EXIT

# start_server SCRIPT VAR: start the server of SCRIPT unless VAR is already set, and export VAR.
start_server() {
  local script="$1" var="$2"
  if [ -n "${!var:-}" ]; then
    echo "test.sh: using $var=${!var} from the environment"
    return
  fi
  if [ ! -x "$script" ]; then
    return
  fi
  started+=("$script")
  local uri
  # A server that can run here but does not start is a failure, not a reason to skip its tests.
  uri="$("$script" start | tail -n 1)"
  [ -n "$uri" ] || { echo "test.sh: $script start printed no address" >&2; exit 1; }
  export "$var=$uri"
  echo "test.sh: started $(basename "$script" .sh) at $uri"
}

start_server scripts/milvus-lite.sh QUIVER_MILVUS_URI
start_server scripts/milvus-server.sh QUIVER_MILVUS_SERVER_URI
start_server scripts/qdrant-edge-server.sh QUIVER_QDRANT_URL

status=0
mvn -B -ntp verify "$@" || status=$?

mkdir -p docs/conformance
for report in backend-*/target/conformance/*.md; do
  [ -e "$report" ] && cp "$report" docs/conformance/
done
exit "$status"
