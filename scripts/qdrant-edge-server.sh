#!/usr/bin/env bash
# Start/stop a local Qdrant-compatible gRPC server for the Qdrant conformance kit.
#
#   scripts/qdrant-edge-server.sh start    # prints qdrant://127.0.0.1:PORT
#   scripts/qdrant-edge-server.sh stop     # idempotent
#   scripts/qdrant-edge-server.sh status   # prints the url if running, exit 1 otherwise
#
# The server is backend-qdrant/src/test/python/qdrant_edge_server.py: Qdrant's
# real engine (PyPI qdrant-edge-py: the segment/shard crates of qdrant/qdrant,
# embedded) behind a small Python shim serving Qdrant's gRPC services with the
# generated stubs of PyPI qdrant-client. What is engine and what is shim is
# listed in docs/backends/qdrant.md. Use the printed url as QUIVER_QDRANT_URL.
# State lives in:
#   $REPO/.venv-qdrant                   python virtualenv (kept between runs)
#   $REPO/target/qdrant-edge/pid         server pid (also its process-group id)
#   $REPO/target/qdrant-edge/url         qdrant://127.0.0.1:PORT
#   $REPO/target/qdrant-edge/datadir     path of the temporary data dir
#   $REPO/target/qdrant-edge/server.log
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="$REPO/.venv-qdrant"
STATE="$REPO/target/qdrant-edge"
SERVER="$REPO/backend-qdrant/src/test/python/qdrant_edge_server.py"
PY="${PYTHON:-python3}"
START_TIMEOUT="${QDRANT_EDGE_START_TIMEOUT:-120}"
# Extra server options, e.g. "--indexing-threshold-kb 1" to make the engine build
# HNSW graphs even for the kit's small collections (see the server's --help).
read -r -a SERVER_ARGS <<< "${QDRANT_EDGE_SERVER_ARGS:-}"

# Exact versions, verified together (Python 3.11): qdrant-edge-py is the engine;
# qdrant-client only supplies the generated gRPC stubs (Qdrant 1.18 protos, the
# API of io.qdrant:client 1.18.x); the transitive pins keep it reproducible.
REQUIREMENTS=(
  "qdrant-edge-py==0.9.0"
  "qdrant-client==1.18.0"
  "grpcio==1.85.3"
  "protobuf==7.36.2"
  "numpy==2.4.6"
  "httpx==0.28.1"
  "pydantic==2.14.4"
  "portalocker==3.2.0"
  "urllib3==2.8.0"
)
STAMP="$VENV/.qdrant-edge-installed"

log() { echo "qdrant-edge-server.sh: $*" >&2; }

is_running() {
  [[ -f "$STATE/pid" ]] || return 1
  local pid
  pid="$(cat "$STATE/pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

ensure_venv() {
  local want="${REQUIREMENTS[*]}"
  if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    return 0
  fi
  log "installing ${REQUIREMENTS[*]} into $VENV"
  [[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}" >&2
  echo "$want" > "$STAMP"
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Exit 0 when the server answers Qdrant's gRPC health check (qdrant.Qdrant/HealthCheck).
healthy() {
  "$VENV/bin/python" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, grpc
from qdrant_client.grpc import qdrant_pb2, qdrant_pb2_grpc
with grpc.insecure_channel("127.0.0.1:" + sys.argv[1]) as ch:
    r = qdrant_pb2_grpc.QdrantStub(ch).HealthCheck(qdrant_pb2.HealthCheckRequest(), timeout=2)
    sys.exit(0 if r.version else 1)
PYEOF
}

cmd_start() {
  if is_running && [[ -f "$STATE/url" ]]; then
    cat "$STATE/url"
    return 0
  fi
  cmd_stop >/dev/null 2>&1 || true
  ensure_venv
  mkdir -p "$STATE"
  local port datadir pid
  port="$(free_port)"
  datadir="$(mktemp -d "${TMPDIR:-/tmp}/qdrant-edge-data.XXXXXX")"
  echo "$datadir" > "$STATE/datadir"
  # setsid: the server leads its own session/process group, so stop can kill
  # the whole group. The child records its own pid (setsid may fork).
  rm -f "$STATE/pid"
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' qdrant-edge "$STATE/pid" \
      "$VENV/bin/python" "$SERVER" --host 127.0.0.1 --port "$port" --data-dir "$datadir" \
      ${SERVER_ARGS[@]+"${SERVER_ARGS[@]}"} > "$STATE/server.log" 2>&1 < /dev/null &
  for _ in $(seq 1 100); do
    [[ -s "$STATE/pid" ]] && break
    sleep 0.1
  done
  pid="$(cat "$STATE/pid" 2>/dev/null || true)"
  if [[ -z "$pid" ]]; then
    log "server process did not start; log follows"
    cat "$STATE/server.log" >&2 || true
    cmd_stop >/dev/null 2>&1 || true
    return 1
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until healthy "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server exited during startup; log follows"
      cat "$STATE/server.log" >&2 || true
      cmd_stop >/dev/null 2>&1 || true
      return 1
    fi
    if (( SECONDS >= deadline )); then
      log "server did not become healthy within ${START_TIMEOUT}s; log follows"
      cat "$STATE/server.log" >&2 || true
      cmd_stop >/dev/null 2>&1 || true
      return 1
    fi
    sleep 0.5
  done
  echo "qdrant://127.0.0.1:$port" > "$STATE/url"
  cat "$STATE/url"
}

cmd_stop() {
  if [[ -f "$STATE/pid" ]]; then
    local pid
    pid="$(cat "$STATE/pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      if kill -0 "$pid" 2>/dev/null; then
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  fi
  if [[ -f "$STATE/datadir" ]]; then
    local datadir
    datadir="$(cat "$STATE/datadir" 2>/dev/null || true)"
    case "$datadir" in
      */qdrant-edge-data.*) rm -rf -- "$datadir" ;;
    esac
  fi
  rm -f "$STATE/pid" "$STATE/url" "$STATE/datadir"
}

cmd_status() {
  if is_running && [[ -f "$STATE/url" ]]; then
    cat "$STATE/url"
  else
    echo "not running" >&2
    return 1
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
