#!/usr/bin/env bash
# Start/stop a local Milvus Lite gRPC server for integration tests.
#
#   scripts/milvus-lite.sh start    # prints milvus://127.0.0.1:PORT
#   scripts/milvus-lite.sh stop     # idempotent
#   scripts/milvus-lite.sh status   # prints the uri if running, exit 1 otherwise
#
# Milvus Lite 3.x is a pure-Python re-implementation of the Milvus gRPC
# protocol (faiss + pyarrow); the server needs pymilvus for its generated
# gRPC stubs. State lives in:
#   $REPO/.venv-milvus                 python virtualenv (kept between runs)
#   $REPO/target/milvus-lite/pid       server pid (also its process-group id)
#   $REPO/target/milvus-lite/uri       milvus://127.0.0.1:PORT
#   $REPO/target/milvus-lite/datadir   path of the temporary data dir
#   $REPO/target/milvus-lite/server.log
#
# A private instance that can be restarted on the same port and data (restart tests):
#   MILVUS_LITE_STATE=DIR   state directory instead of $REPO/target/milvus-lite
#   MILVUS_LITE_PORT=N      listen on N instead of a free port
#   MILVUS_LITE_DATA=DIR    serve the data in DIR (created if missing); stop keeps it
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="$REPO/.venv-milvus"
STATE="${MILVUS_LITE_STATE:-$REPO/target/milvus-lite}"
PY="${PYTHON:-python3}"
START_TIMEOUT="${MILVUS_LITE_START_TIMEOUT:-120}"

# Exact versions verified with io.milvus:milvus-sdk-java 2.6.22.
# milvus-lite does not declare pymilvus as a dependency, but its server imports
# pymilvus.grpc_gen, so both are pinned; the transitive pins keep it reproducible.
REQUIREMENTS=(
  "milvus-lite==3.2.2"
  "pymilvus==3.0.2"
  "grpcio==1.85.3"
  "protobuf==7.36.2"
  "faiss-cpu==1.15.1"
  "numpy==2.4.6"
  "pyarrow==26.0.1"
  "pandas==3.1.1"
)
STAMP="$VENV/.milvus-lite-installed"

log() { echo "milvus-lite.sh: $*" >&2; }

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

# Exit 0 when the server answers the Milvus CheckHealth RPC.
healthy() {
  "$VENV/bin/python" - "$1" <<'EOF' >/dev/null 2>&1
import sys, grpc
from pymilvus.grpc_gen import milvus_pb2, milvus_pb2_grpc
with grpc.insecure_channel("127.0.0.1:" + sys.argv[1]) as ch:
    r = milvus_pb2_grpc.MilvusServiceStub(ch).CheckHealth(milvus_pb2.CheckHealthRequest(), timeout=2)
    sys.exit(0 if r.isHealthy else 1)
EOF
}

cmd_start() {
  if is_running && [[ -f "$STATE/uri" ]]; then
    cat "$STATE/uri"
    return 0
  fi
  cmd_stop >/dev/null 2>&1 || true
  ensure_venv
  mkdir -p "$STATE"
  local port datadir pid
  port="${MILVUS_LITE_PORT:-$(free_port)}"
  if [[ -n "${MILVUS_LITE_DATA:-}" ]]; then
    datadir="$MILVUS_LITE_DATA"  # kept by stop: not recorded in $STATE/datadir
    mkdir -p "$datadir"
  else
    datadir="$(mktemp -d "${TMPDIR:-/tmp}/milvus-lite-data.XXXXXX")"
    echo "$datadir" > "$STATE/datadir"
  fi
  # setsid: the server leads its own session/process group, so stop can kill
  # the whole group. The child records its own pid (setsid may fork).
  rm -f "$STATE/pid"
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' milvus-lite "$STATE/pid" \
      "$VENV/bin/milvus-lite" server \
      --host 127.0.0.1 --port "$port" --data-dir "$datadir/db" \
      > "$STATE/server.log" 2>&1 < /dev/null &
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
  echo "milvus://127.0.0.1:$port" > "$STATE/uri"
  cat "$STATE/uri"
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
      */milvus-lite-data.*) rm -rf -- "$datadir" ;;
    esac
  fi
  rm -f "$STATE/pid" "$STATE/uri" "$STATE/datadir"
}

cmd_status() {
  if is_running && [[ -f "$STATE/uri" ]]; then
    cat "$STATE/uri"
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
