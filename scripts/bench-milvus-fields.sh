#!/usr/bin/env bash
# Filtered search on Milvus, JSON layout vs declared indexed fields (docs/benchmarks/milvus-declared-fields.md):
# loads the same records into both layouts on Milvus Lite and on real Milvus 2.3.5 and prints one table of
# QPS and recall@10 per server at 10 %, 1 % and 0.1 % selectivity. Not part of the test suite.
#
#   scripts/bench-milvus-fields.sh [RECORDS] [DIMENSION] [QUERIES]      # defaults: 100000 64 20
#
# Starts Milvus Lite and the real Milvus server unless QUIVER_MILVUS_URI / QUIVER_MILVUS_SERVER_URI are
# set, and stops what it started. The real server runs with scripts/milvus-server.sh's test settings
# (proxy.timeTickInterval=20 ms).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
records="${1:-100000}" dimension="${2:-64}" queries="${3:-20}"

started=()
cleanup() { for s in "${started[@]}"; do "$s" stop >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
if [ -z "${QUIVER_MILVUS_URI:-}" ]; then QUIVER_MILVUS_URI="$(scripts/milvus-lite.sh start | tail -n 1)"; started+=(scripts/milvus-lite.sh); fi
if [ -z "${QUIVER_MILVUS_SERVER_URI:-}" ]; then QUIVER_MILVUS_SERVER_URI="$(scripts/milvus-server.sh start | tail -n 1)"; started+=(scripts/milvus-server.sh); fi

# build from these sources (the reactor resolves sibling modules to their target/classes)
mvn -B -q ${MVN_OFFLINE:+-o} compile dependency:build-classpath -pl bench -am \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/milvus-fields.classpath >&2
cp="bench/target/classes:$(cat bench/target/milvus-fields.classpath)"
java -Xmx2g -cp "$cp" dev.quiver.bench.MilvusFieldsBench "$records" "$dimension" "$queries" \
  "Milvus Lite=$QUIVER_MILVUS_URI" "Milvus 2.3.5=$QUIVER_MILVUS_SERVER_URI"
