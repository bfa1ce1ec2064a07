package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenants and declared fields are durable like everything else: records in three tenants (the same ids in
 * each) of collections with declared fields give the same answers after a reopen from the snapshot, from
 * the log alone, and from a snapshot plus log; and a store written by storage format version 1 opens,
 * replays its version-1 log beside version-2 entries, and takes tenants and declared fields.
 */
class LocalTenantDurabilityTest {

  @TempDir
  Path root;

  static final int DIM = 8;
  static final List<String> TENANTS = List.of("acme", "globex.eu", "initech@x:1");

  /** Multi-tenant HNSW with declared fields (one unindexed), multi-tenant FLAT, a single-tenant collection of declared keys only. */
  static final CollectionSpec DOCS = CollectionSpec.builder("docs").dimension(DIM).metric(Metric.COSINE)
      .index(IndexSpec.hnsw(8, 60)).multiTenant(true).field(MetadataField.indexed("cat", FieldType.STRING))
      .field(MetadataField.of("year", FieldType.LONG)).field(MetadataField.indexed("score", FieldType.DOUBLE))
      .field(MetadataField.indexed("tags", FieldType.STRING_LIST)).build();
  static final CollectionSpec FLAT = CollectionSpec.builder("tflat").dimension(DIM).metric(Metric.EUCLIDEAN)
      .multiTenant(true).build();
  static final CollectionSpec PLAIN = CollectionSpec.builder("plain").dimension(DIM).metric(Metric.DOT_PRODUCT)
      .field(MetadataField.indexed("cat", FieldType.STRING)).field(MetadataField.of("year", FieldType.LONG))
      .undeclaredKeysAllowed(false).build();
  static final List<Filter> FILTERS = List.of(Filter.eq("cat", "b"), Filter.gte("year", 2001L),
      Filter.eq("cat", "a").and(Filter.lt("year", 2003L)), Filter.not(Filter.exists("score")),
      Filter.eq("tags", "x").or(Filter.gt("score", 0.5)), Filter.eq("note", "free"));

  static Record record(Random rnd, String id, boolean declaredOnly) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cat", List.of("a", "b", "c").get(rnd.nextInt(3)));
    if (rnd.nextInt(4) > 0) {
      m.put("year", 1999L + rnd.nextInt(6));
    }
    if (!declaredOnly) {
      if (rnd.nextInt(4) > 0) {
        m.put("score", rnd.nextDouble());
      }
      m.put("tags", rnd.nextBoolean() ? List.of("x", "y") : List.of("z"));
      if (rnd.nextBoolean()) {
        m.put("note", "free");
      }
    }
    return Record.of(id, v, Metadata.from(m));
  }

  /** Writes a history into every tenant: upserts (the same ids in each), replacements, deletes, updates, delete by filter. */
  static void write(LocalVectorStore s, long seed, int from, int to) {
    Random rnd = new Random(seed);
    for (CollectionSpec spec : List.of(DOCS, FLAT, PLAIN)) {
      VectorCollection c = s.collection(spec.name());
      for (String t : spec.multiTenant() ? TENANTS : List.of("-")) {
        VectorCollection h = spec.multiTenant() ? c.tenant(t) : c;
        List<Record> batch = new ArrayList<>();
        for (int i = from; i < to; i++) {
          batch.add(record(rnd, "r" + i, spec == PLAIN));
        }
        h.upsert(batch);
        h.delete(List.of("r" + (from + 3), "r" + (from + 7)));
        h.upsert(List.of(record(rnd, "r" + (from + 1), spec == PLAIN)));
        h.updateMetadata("r" + (from + 2), Metadata.of("cat", "updated-" + t));
        h.delete(Filter.eq("cat", "c").and(Filter.lt("year", 2001L)));
      }
    }
  }

  /** Everything a reader can ask, per collection and tenant, in a comparable form. */
  static Map<String, Object> answers(LocalVectorStore s) {
    Map<String, Object> out = new TreeMap<>();
    float[] q = record(new Random(99), "q", false).vector();
    for (CollectionSpec spec : List.of(DOCS, FLAT, PLAIN)) {
      out.put(spec.name() + " spec", s.describeCollection(spec.name()));
      VectorCollection c = s.collection(spec.name());
      List<String> tenants = spec.multiTenant() ? c.tenants() : List.of("-");
      out.put(spec.name() + " tenants", tenants);
      for (String t : tenants) {
        VectorCollection h = spec.multiTenant() ? c.tenant(t) : c;
        String at = spec.name() + "/" + t + " ";
        out.put(at + "records", h.list(ListRequest.of(10_000)).records());
        out.put(at + "count", h.count());
        for (Filter f : FILTERS) {
          out.put(at + "count " + f, h.count(f));
          out.put(at + "list " + f, h.list(ListRequest.of(7).filter(f)).records());
          List<String> hits = new ArrayList<>();
          for (Match m : h.search(SearchRequest.of(q, 5).filter(f))) {
            hits.add(m.id() + "@" + m.score());
          }
          out.put(at + "search " + f, hits);
        }
      }
    }
    return out;
  }

  static void create(LocalVectorStore s) {
    for (CollectionSpec spec : List.of(DOCS, FLAT, PLAIN)) {
      s.createCollection(spec);
    }
  }

  @Test
  void answersSurviveAReopenFromTheSnapshot() {
    Path dir = root.resolve("snapshot");
    Map<String, Object> before;
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      create(s);
      write(s, 1, 0, 120);
      before = answers(s);
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(3, s.graphsReused(), "each tenant's HNSW graph is restored as saved");
      assertEquals(0, DurableTestAccess.recoveryReport(s).wal().replayed(), "nothing to replay after the snapshot");
      assertEquals(before, answers(s));
      assertTrue(s.health().isOk(), s.health().toString());
    }
  }

  @Test
  void answersSurviveAReopenFromTheLogAlone() {
    Path dir = root.resolve("log");
    Map<String, Object> before;
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(false).snapshotThresholdBytes(0).open()) {
      create(s);
      write(s, 2, 0, 120);
      before = answers(s);
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(0, s.graphsReused());
      assertTrue(DurableTestAccess.recoveryReport(s).wal().replayed() > 0, "replayed from the log");
      assertEquals(before, answers(s));
    }
  }

  @Test
  void answersSurviveAReopenFromASnapshotAndTheLogAfterIt() {
    Path dir = root.resolve("both");
    Map<String, Object> before;
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(false).snapshotThresholdBytes(0).open()) {
      create(s);
      write(s, 3, 0, 80);
      assertTrue(DurableTestAccess.snapshot(s));
      write(s, 4, 60, 140); // replaces, deletes and updates records the snapshot holds, in every tenant
      // a tenant emptied after the snapshot, and one emptied before the next
      s.collection("tflat").tenant("acme").delete(Filter.exists("cat"));
      before = answers(s);
      assertEquals(List.of("globex.eu", "initech@x:1"), before.get("tflat tenants"));
    }
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(true).open()) {
      assertEquals(3, s.graphsReused(), "the graphs of the snapshot, then the log replayed on them");
      assertTrue(DurableTestAccess.recoveryReport(s).wal().replayed() > 0);
      assertEquals(before, answers(s));
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) { // the snapshot written at the last close
      assertEquals(before, answers(s));
    }
  }

  @Test
  void aStoreOfFormatVersion1OpensAndTakesTenants() throws IOException {
    Path dir = root.resolve("v1");
    Files.createDirectories(dir);
    try (var files = Files.list(Path.of("src/test/resources/stores/format-v1"))) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    Map<String, Map<String, Record>> want = FormatV1Store.expected();
    Map<String, Object> before;
    // no snapshot at close: the next open replays the version-1 segment and the version-2 one together
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(false).snapshotThresholdBytes(0).open()) {
      assertTrue(s.health().isOk(), s.health().toString());
      assertEquals(1, s.graphsReused(), "the version-1 snapshot's HNSW graph is used as saved");
      assertEquals(2, s.ivfReused(), "and its two trained IVF indexes");
      assertTrue(DurableTestAccess.recoveryReport(s).wal().replayed() > 0, "version-1 log entries after the snapshot");
      assertOldCollections(s, want);
      create(s);
      write(s, 5, 0, 60);
      before = answers(s);
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertOldCollections(s, want);
      assertEquals(before, answers(s));
    } // writes a snapshot of format version 2
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".qsnap") || p.toString().endsWith(".qlog")).toList()) {
        assertEquals(2, Files.readAllBytes(f)[6], f + " is written in format version 2");
      }
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(1 + 3, s.graphsReused(), "the old HNSW collection and the three tenants of docs");
      assertEquals(2, s.ivfReused());
      assertOldCollections(s, want);
      assertEquals(before, answers(s));
    }
  }

  private static void assertOldCollections(LocalVectorStore s, Map<String, Map<String, Record>> want) {
    for (CollectionSpec spec : FormatV1Store.SPECS) {
      assertEquals(spec, s.describeCollection(spec.name()));
      Map<String, Record> got = new TreeMap<>();
      s.collection(spec.name()).list(ListRequest.of(10_000)).records().forEach(r -> got.put(r.id(), r));
      assertEquals(want.get(spec.name()), got, spec.name());
      Record any = want.get(spec.name()).values().iterator().next();
      String nearest = want.get(spec.name()).values().stream()
          .min(java.util.Comparator.comparingDouble((Record r) -> spec.metric().distance(any.vector(), r.vector()))
              .thenComparing(Record::id)).orElseThrow().id();
      assertEquals(nearest, s.collection(spec.name()).search(SearchRequest.of(any.vector(), 1)).get(0).id(), spec.name());
    }
  }
}
