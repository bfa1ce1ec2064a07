package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import dev.quiver.Record;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes, and describes, the store kept in {@code src/test/resources/stores/format-v1}: a durable store
 * written by the engine of commit 9cb31a3, the last one writing storage format version 1 (before
 * declared fields and tenants), with a FLAT, an HNSW, an IVF-FLAT and an IVF-PQ collection (both IVF
 * indexes trained), so that {@link LocalTenantDurabilityTest} can check that this version opens it. Uses
 * only the public API and {@link PreviousVersionStore}'s sessions, so it compiles against both versions.
 * The fixture was made with
 *
 * <pre>
 * git archive 9cb31a3 | tar -x -C /tmp/v1 &amp;&amp; (cd /tmp/v1 &amp;&amp; mvn -o -q package -DskipTests -pl api,backend-local -am)
 * javac -cp /tmp/v1/api/target/classes:/tmp/v1/backend-local/target/classes -d /tmp/gen \
 *     PreviousVersionStore.java FormatV1Store.java
 * java -cp /tmp/gen:/tmp/v1/api/target/classes:/tmp/v1/backend-local/target/classes \
 *     dev.quiver.local.FormatV1Store backend-local/src/test/resources/stores/format-v1
 * </pre>
 *
 * Two sessions, as in {@link PreviousVersionStore}: a snapshot at the first close, log entries after it.
 */
public final class FormatV1Store {

  static final List<CollectionSpec> SPECS = List.of(PreviousVersionStore.FLAT, PreviousVersionStore.HNSW,
      CollectionSpec.builder("ivfflat").dimension(8).metric(Metric.EUCLIDEAN).index(IndexSpec.ivfFlat(2)).build(),
      CollectionSpec.builder("ivfpq").dimension(8).metric(Metric.DOT_PRODUCT).index(IndexSpec.ivfPq(2, 4, 2)).build());

  private FormatV1Store() {}

  /** @return the records the fixture holds, per collection */
  static Map<String, Map<String, Record>> expected() {
    Map<String, Map<String, Record>> out = new TreeMap<>();
    for (CollectionSpec spec : SPECS) {
      Map<String, Record> m = new TreeMap<>();
      PreviousVersionStore.session(1, spec.name(), null, m);
      PreviousVersionStore.session(2, spec.name(), null, m);
      out.put(spec.name(), m);
    }
    return out;
  }

  /** @param args the directory to write (must not exist yet) */
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      for (CollectionSpec spec : SPECS) {
        PreviousVersionStore.session(1, spec.name(), s.createCollection(spec), null);
      }
    }
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(false).open()) {
      for (CollectionSpec spec : SPECS) {
        PreviousVersionStore.session(2, spec.name(), s.collection(spec.name()), null);
      }
    }
  }
}
