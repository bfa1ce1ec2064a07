#!/usr/bin/env bash
# The migration benchmark (docs/benchmarks/migration.md): records/s of `quiver migrate` beside
# hand-written copy loops with the vendor SDKs, in the same run, for embedded -> Milvus Lite and
# Milvus Lite -> Qdrant engine server.
#
#   scripts/bench-migration.sh [RECORDS] [DIMENSION] [REPEATS]      # defaults: 20000 128 3
#
# Starts Milvus Lite and the Qdrant engine server unless QUIVER_MILVUS_URI / QUIVER_QDRANT_URL are
# set, and stops what it started. Prints each run and a markdown table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
records="${1:-20000}" dimension="${2:-128}" repeats="${3:-3}"

started=()
cleanup() { for s in "${started[@]}"; do "$s" stop >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
if [ -z "${QUIVER_MILVUS_URI:-}" ]; then QUIVER_MILVUS_URI="$(scripts/milvus-lite.sh start | tail -n 1)"; started+=(scripts/milvus-lite.sh); fi
if [ -z "${QUIVER_QDRANT_URL:-}" ]; then QUIVER_QDRANT_URL="$(scripts/qdrant-edge-server.sh start | tail -n 1)"; started+=(scripts/qdrant-edge-server.sh); fi

# build from these sources (the reactor resolves sibling modules to their target/classes)
mvn -B -q ${MVN_OFFLINE:+-o} test-compile dependency:build-classpath -pl migrate -am \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="migrate/target/test-classes:migrate/target/classes:$(cat migrate/target/bench.classpath)"
java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx2g -cp "$cp" dev.quiver.migrate.MigrationBenchmark \
  "$records" "$dimension" "$repeats" "$QUIVER_MILVUS_URI" "$QUIVER_QDRANT_URL"
