package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes, and describes, the store kept in {@code src/test/resources/stores/before-ivf}: a durable store
 * written by the engine as it was before IVF indexes existed (commit 84cbad3), so that
 * {@link LocalIvfDurableTest} can check this version opens it. Uses only the public API, so it compiles
 * against both versions. The fixture was made with
 *
 * <pre>
 * git archive 84cbad3 | tar -x -C /tmp/prev &amp;&amp; (cd /tmp/prev &amp;&amp; mvn -o -q package -DskipTests -pl api,backend-local -am)
 * javac -cp /tmp/prev/api/target/classes:/tmp/prev/backend-local/target/classes -d /tmp/gen PreviousVersionStore.java
 * java -cp /tmp/gen:/tmp/prev/api/target/classes:/tmp/prev/backend-local/target/classes \
 *     dev.quiver.local.PreviousVersionStore backend-local/src/test/resources/stores/before-ivf
 * </pre>
 *
 * Two sessions: the first writes a FLAT and an HNSW collection and closes (a snapshot with the HNSW
 * graph); the second writes more without a snapshot on close, so the log holds entries after it.
 */
public final class PreviousVersionStore {

  static final CollectionSpec FLAT = CollectionSpec.builder("flat").dimension(8).metric(Metric.EUCLIDEAN).build();
  static final CollectionSpec HNSW = CollectionSpec.builder("hnsw").dimension(8).metric(Metric.COSINE)
      .index(IndexSpec.hnsw(8, 40)).build();

  private PreviousVersionStore() {}

  static Record record(String collection, int i) {
    Random r = new Random(collection.hashCode() * 31L + i);
    float[] v = new float[8];
    for (int d = 0; d < v.length; d++) {
      v[d] = (float) r.nextGaussian();
    }
    return Record.of(collection + "-" + i, v, Metadata.of("i", (long) i, "even", i % 2 == 0));
  }

  /** The writes of a session, applied to a collection (when given) and to a model (when given). */
  static void session(int session, String collection, VectorCollection c, Map<String, Record> model) {
    int from = session == 1 ? 0 : 150;
    int to = session == 1 ? 150 : 170;
    List<Record> batch = new ArrayList<>();
    for (int i = from; i < to; i++) {
      batch.add(record(collection, i));
    }
    List<String> gone = new ArrayList<>();
    for (int i = from; i < to; i += session == 1 ? 15 : 7) {
      gone.add(collection + "-" + i);
    }
    Metadata updated = Metadata.of("updated", (long) session);
    String touched = collection + "-" + (from + 1);
    if (c != null) {
      c.upsert(batch);
      c.delete(gone);
      c.updateMetadata(touched, updated);
    }
    if (model != null) {
      batch.forEach(r -> model.put(r.id(), r));
      gone.forEach(model::remove);
      model.computeIfPresent(touched, (id, r) -> r.withMetadata(updated));
    }
  }

  /** @return the records the fixture holds, per collection */
  static Map<String, Map<String, Record>> expected() {
    Map<String, Map<String, Record>> out = new TreeMap<>();
    for (CollectionSpec spec : List.of(FLAT, HNSW)) {
      Map<String, Record> m = new TreeMap<>();
      session(1, spec.name(), null, m);
      session(2, spec.name(), null, m);
      out.put(spec.name(), m);
    }
    return out;
  }

  /** @param args the directory to write (must not exist yet) */
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      for (CollectionSpec spec : List.of(FLAT, HNSW)) {
        session(1, spec.name(), s.createCollection(spec), null);
      }
    }
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(false).open()) {
      for (CollectionSpec spec : List.of(FLAT, HNSW)) {
        session(2, spec.name(), s.collection(spec.name()), null);
      }
    }
  }
}
