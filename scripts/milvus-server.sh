#!/usr/bin/env bash
# Start/stop a real Milvus 2.3.5 server (standalone) for integration tests.
#
#   scripts/milvus-server.sh start    # prints milvus://127.0.0.1:PORT
#   scripts/milvus-server.sh stop     # idempotent
#   scripts/milvus-server.sh status   # prints the uri if running, exit 1 otherwise
#
# The server is the PyPI package `milvus` ("Embedded Milvus"): the real Milvus 2.3.5 binaries
# (Go + C++, with embedded etcd and RocksMQ) plus the `milvus-server` launcher, which writes a config
# and runs `milvus run standalone`. 2.3.5 is the newest release of that package.
#
# Ports. Milvus 2.3 listens on every interface for its gRPC ports (proxy 19530, internal 19529,
# root/query/data coordinators 53100/19531/13333, query/index/data nodes 21123/21121/21124) and its
# HTTP port 9091 (metrics, /healthz); only etcd (2379/2380) binds to 127.0.0.1, and 2.3 has no
# setting for the listen address. So the server runs in a network namespace of its own, which has
# nothing but a loopback interface: none of its ports is reachable from outside the namespace. A
# small supervisor (below) listens on one free port on 127.0.0.1 in the host's namespace and forwards
# each connection to the proxy port 19530 inside. That is the only port the host sees. Creating the
# namespace needs root or unprivileged user namespaces (then a user namespace is created as well).
#
# State lives in:
#   $REPO/.venv-milvus-server                python virtualenv (kept between runs)
#   $REPO/.venv-milvus-server/milvus-bin     the unpacked Milvus binaries (~250 MB, kept)
#   $REPO/target/milvus-server/pid           supervisor pid (also its process-group id)
#   $REPO/target/milvus-server/uri           milvus://127.0.0.1:PORT
#   $REPO/target/milvus-server/datadir       path of the temporary data dir (config, data, Milvus's own logs)
#   $REPO/target/milvus-server/server.log    supervisor and launcher output
#
# A private instance that can be restarted on the same port and data (restart tests):
#   MILVUS_SERVER_STATE=DIR   state directory instead of $REPO/target/milvus-server
#   MILVUS_SERVER_PORT=N      forward port N instead of a free one
#   MILVUS_SERVER_DATA=DIR    keep data, config and logs in DIR (created if missing); stop keeps it
#   MILVUS_SERVER_TOKEN=T     credentials the readiness probe sends (for a server started with
#                             common.security.authorizationEnabled=true in MILVUS_SERVER_SETTINGS)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="$REPO/.venv-milvus-server"
STATE="${MILVUS_SERVER_STATE:-$REPO/target/milvus-server}"
PY="${PYTHON:-python3}"
START_TIMEOUT="${MILVUS_SERVER_START_TIMEOUT:-180}"

# milvus has no dependencies; grpcio (no protobuf needed) is only for the readiness probe.
REQUIREMENTS=(
  "milvus==2.3.5"
  "grpcio==1.85.3"
)
STAMP="$VENV/.milvus-server-installed"

# Server settings (milvus.yaml keys) for a test server; MILVUS_SERVER_SETTINGS (space-separated
# key=value) replaces them.
read -r -a SETTINGS <<< "${MILVUS_SERVER_SETTINGS-log.level=warn proxy.timeTickInterval=20}"

log() { echo "milvus-server.sh: $*" >&2; }

is_running() {
  [[ -f "$STATE/pid" ]] || return 1
  local pid
  pid="$(cat "$STATE/pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

ensure_venv() {
  local want="${REQUIREMENTS[*]}"
  if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" && -x "$VENV/milvus-bin/milvus" ]]; then
    return 0
  fi
  log "installing ${REQUIREMENTS[*]} into $VENV"
  [[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}" >&2
  # Unpack the binaries once (the launcher would otherwise unpack ~250 MB into every data dir).
  log "unpacking the Milvus binaries into $VENV/milvus-bin"
  "$VENV/bin/python" - "$VENV/milvus-bin" <<'EOF'
import os, shutil, sys, milvus
target = sys.argv[1]
home = target + ".home"
milvus._initialize_data_files(home)  # unpacks bin/*.lzma and writes the .lzma.md5 files it checks later
shutil.rmtree(target, ignore_errors=True)
os.rename(os.path.join(home, "bin"), target)
shutil.rmtree(home)
EOF
  echo "$want" > "$STAMP"
}

# The supervisor: binds the host-side port, moves itself into a new network namespace, starts the
# launcher there and forwards connections. Written to $STATE at start.
write_supervisor() {
  cat > "$STATE/supervisor.py" <<'EOF'
import ctypes, fcntl, os, signal, socket, struct, subprocess, sys, threading

listen_port, data_dir, launcher, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
INNER = ("127.0.0.1", 19530)  # the proxy port inside the namespace (launcher default, nothing else there)

def say(msg):
    print("supervisor: " + msg, flush=True)

# 1. The only socket in the host's namespace: 127.0.0.1:listen_port.
lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", listen_port))
lsock.listen(64)

# 2. A network namespace of our own (plus a user namespace when not root), loopback up.
CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
libc = ctypes.CDLL(None, use_errno=True)
uid, gid = os.geteuid(), os.getegid()
flags = CLONE_NEWNET if uid == 0 else CLONE_NEWNET | CLONE_NEWUSER
if libc.unshare(flags) != 0:
    err = ctypes.get_errno()
    say("cannot create a network namespace (unshare: %s); run as root or enable unprivileged user"
        " namespaces" % os.strerror(err))
    sys.exit(3)
if uid != 0:
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write("0 %d 1" % uid)
    with open("/proc/self/gid_map", "w") as f:
        f.write("0 %d 1" % gid)
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ifr = fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sh14x", b"lo", 0))
flags_lo = struct.unpack("16sh14x", ifr)[1]
fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh14x", b"lo", flags_lo | IFF_UP))
s.close()
say("network namespace ready; forwarding 127.0.0.1:%d -> %s:%d inside" % (listen_port, *INNER))

# 3. The launcher (and Milvus) inherit the namespace and our process group.
args = [launcher, "--data", data_dir]
for setting in extra:
    args += ["--extra-config", setting]
say("starting " + " ".join(args))
proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)

def stop(*_):
    try:
        proc.terminate()
    except OSError:
        pass
signal.signal(signal.SIGTERM, lambda *a: (stop(), os._exit(0)))

def watch():
    rc = proc.wait()
    say("launcher exited with %s" % rc)
    os._exit(4)
threading.Thread(target=watch, daemon=True).start()

# 4. Forwarding (sockets created from now on live in the new namespace).
def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sk, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                sk.shutdown(how)
            except OSError:
                pass

def serve(client):
    try:
        upstream = socket.create_connection(INNER, timeout=10)
        upstream.settimeout(None)
    except OSError:
        client.close()
        return
    for sk in (client, upstream):
        sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    t.start()
    pump(client, upstream)
    t.join()
    client.close()
    upstream.close()

while True:
    conn, _ = lsock.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
EOF
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Exit 0 when the server answers CheckHealth (isHealthy) and GetVersion through the forwarded port;
# prints the version. Generic gRPC calls with hand-decoded replies: no protobuf/pymilvus needed.
healthy() {
  "$VENV/bin/python" - "$1" <<'EOF' 2>/dev/null
import base64, os, sys, grpc
def fields(buf):
    i, out = 0, {}
    while i < len(buf):
        key, shift = 0, 0
        while True:
            b = buf[i]; i += 1; key |= (b & 0x7f) << shift; shift += 7
            if b < 0x80: break
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, shift = 0, 0
            while True:
                b = buf[i]; i += 1; v |= (b & 0x7f) << shift; shift += 7
                if b < 0x80: break
        elif wt == 2:
            n, shift = 0, 0
            while True:
                b = buf[i]; i += 1; n |= (b & 0x7f) << shift; shift += 7
                if b < 0x80: break
            v = buf[i:i + n]; i += n
        else:
            return out
        out[num] = v
    return out
token = os.environ.get("MILVUS_SERVER_TOKEN", "")
auth = [("authorization", base64.b64encode(token.encode()).decode())] if token else None
with grpc.insecure_channel("127.0.0.1:" + sys.argv[1]) as ch:
    call = lambda m: ch.unary_unary("/milvus.proto.milvus.MilvusService/" + m,
                                    request_serializer=lambda x: x, response_deserializer=lambda x: x)(
                                        b"", timeout=3, metadata=auth)
    health = fields(call("CheckHealth"))
    if health.get(2) != 1:  # CheckHealthResponse.isHealthy
        sys.exit(1)
    version = fields(call("GetVersion")).get(2, b"").decode()  # GetVersionResponse.version
    if not version:
        sys.exit(1)
    print(version)
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
  write_supervisor
  local port datadir pid t0 version
  t0=$(date +%s.%N)
  port="${MILVUS_SERVER_PORT:-$(free_port)}"
  if [[ -n "${MILVUS_SERVER_DATA:-}" ]]; then
    datadir="$MILVUS_SERVER_DATA"  # kept by stop: not recorded in $STATE/datadir
    mkdir -p "$datadir"
  else
    datadir="$(mktemp -d "${TMPDIR:-/tmp}/milvus-server-data.XXXXXX")"
    echo "$datadir" > "$STATE/datadir"
  fi
  [[ -e "$datadir/bin" ]] || ln -s "$VENV/milvus-bin" "$datadir/bin"
  rm -f "$STATE/pid"
  # setsid: the supervisor leads its own session/process group (launcher and Milvus inherit it),
  # so stop can signal the whole group.
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' milvus-server "$STATE/pid" \
      "$VENV/bin/python" -u "$STATE/supervisor.py" "$port" "$datadir" "$VENV/bin/milvus-server" ${SETTINGS[@]+"${SETTINGS[@]}"} \
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
  until version="$(healthy "$port")"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server exited during startup; log follows"
      cat "$STATE/server.log" >&2 || true
      tail -n 30 "$datadir/logs/milvus-stderr.log" >&2 2>/dev/null || true
      cmd_stop >/dev/null 2>&1 || true
      return 1
    fi
    if (( SECONDS >= deadline )); then
      log "server did not become healthy within ${START_TIMEOUT}s; log follows"
      cat "$STATE/server.log" >&2 || true
      tail -n 30 "$datadir/logs/milvus-stderr.log" >&2 2>/dev/null || true
      cmd_stop >/dev/null 2>&1 || true
      return 1
    fi
    sleep 1
  done
  log "Milvus $version healthy after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s (Milvus's own logs: $datadir/logs)"
  echo "milvus://127.0.0.1:$port" > "$STATE/uri"
  cat "$STATE/uri"
}

cmd_stop() {
  if [[ -f "$STATE/pid" ]]; then
    local pid
    pid="$(cat "$STATE/pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 -- "-$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || true
      for _ in $(seq 1 75); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL -- "-$pid" 2>/dev/null || true
      for _ in $(seq 1 25); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.2
      done
    fi
  fi
  if [[ -f "$STATE/datadir" ]]; then
    local datadir
    datadir="$(cat "$STATE/datadir" 2>/dev/null || true)"
    case "$datadir" in
      */milvus-server-data.*) rm -rf -- "$datadir" ;;
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
