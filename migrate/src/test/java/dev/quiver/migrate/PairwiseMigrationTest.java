package dev.quiver.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ordered pair among the durable local engine, Milvus Lite, real Milvus, the Qdrant engine
 * server and the Pinecone emulator, with 10,000 records of edge-case metadata. The local source is
 * filled directly; each other backend's source is the collection copied into it from local (so the
 * first four pairs also prepare the rest). Every copy is checked by the migration's own verification
 * and, independently, by reading the whole target back and comparing it bit for bit with the
 * expected records. Into Pinecone (numbers are float64) the plan must count the records with longs
 * beyond ±2^53 and stop before writing; the copy then succeeds with an explicit transform (longs to
 * strings), and copies out of Pinecone expect those strings.
 *
 * <p>Servers come from {@code QUIVER_MILVUS_URI}, {@code QUIVER_MILVUS_SERVER_URI} and
 * {@code QUIVER_QDRANT_URL} (set by scripts/test.sh); pairs with a backend that is not given are
 * skipped with the reason printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PairwiseMigrationTest {

  static final int N = Integer.getInteger("quiver.migrate.pairwise.records", 10_000);
  static final int DIM = 24;

  enum Backend {
    LOCAL("local", null), MILVUS_LITE("lite", "QUIVER_MILVUS_URI"), MILVUS("milvus", "QUIVER_MILVUS_SERVER_URI"),
    QDRANT("qdrant", "QUIVER_QDRANT_URL"), PINECONE("pinecone", null);

    final String tag;
    final String env;

    Backend(String tag, String env) {
      this.tag = tag;
      this.env = env;
    }
  }

  @TempDir
  static Path dir;

  private final String run = Long.toHexString(System.nanoTime() & 0xfffff);
  private final Map<Backend, VectorStore> stores = new EnumMap<>(Backend.class);
  private final Map<Backend, String> missing = new EnumMap<>(Backend.class);
  private final Map<Backend, String> sourceName = new EnumMap<>(Backend.class);
  private final Map<Backend, Map<String, Record>> sourceData = new EnumMap<>(Backend.class);
  private final List<Runnable> cleanup = new ArrayList<>();
  private PineconeEmulator emulator;
  private List<Record> data;
  private Map<String, Record> plain;
  private long inexact;

  @BeforeAll
  void setUp() {
    data = TestData.records(N, DIM, 42);
    plain = TestData.byId(data);
    inexact = TestData.inexactLongRecords(data);
    assertTrue(inexact > 100, "the data set must exercise longs beyond 2^53");
    stores.put(Backend.LOCAL, Quiver.open("local:" + dir.resolve("local")));
    for (Backend b : List.of(Backend.MILVUS_LITE, Backend.MILVUS, Backend.QDRANT)) {
      String uri = System.getenv(b.env);
      if (uri == null || uri.isBlank()) {
        missing.put(b, b.env + " is not set (scripts/test.sh starts the server and sets it)");
        System.out.println("PairwiseMigrationTest: pairs with " + b + " skipped: " + missing.get(b));
      } else {
        stores.put(b, Quiver.open(uri));
      }
    }
    emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES);
    stores.put(Backend.PINECONE, Quiver.open(emulator.storeUri()));
    VectorCollection src = stores.get(Backend.LOCAL).createCollection(CollectionSpec.builder("src-" + run)
        .dimension(DIM).metric(Metric.COSINE).index(IndexSpec.hnsw(16, 64)).build());
    for (int i = 0; i < data.size(); i += 1000) {
      src.upsert(data.subList(i, Math.min(data.size(), i + 1000)));
    }
    sourceName.put(Backend.LOCAL, src.name());
    sourceData.put(Backend.LOCAL, plain);
  }

  @AfterAll
  void tearDown() {
    cleanup.forEach(r -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        System.out.println("cleanup: " + e);
      }
    });
    stores.values().forEach(VectorStore::close);
    emulator.close();
  }

  @TestFactory
  Stream<DynamicTest> everyOrderedPair() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Backend to : Backend.values()) {
      if (to != Backend.LOCAL) {
        tests.add(DynamicTest.dynamicTest("local -> " + to.tag, () -> copy(Backend.LOCAL, to)));
      }
    }
    for (Backend from : Backend.values()) {
      for (Backend to : Backend.values()) {
        if (from != Backend.LOCAL && from != to) {
          tests.add(DynamicTest.dynamicTest(from.tag + " -> " + to.tag, () -> copy(from, to)));
        }
      }
    }
    return tests.stream();
  }

  private void copy(Backend from, Backend to) {
    for (Backend b : List.of(from, to)) {
      Assumptions.assumeTrue(!missing.containsKey(b), () -> b + ": " + missing.get(b));
    }
    Assumptions.assumeTrue(sourceName.containsKey(from), () -> "no source on " + from + " (its copy from local failed)");
    VectorStore target = stores.get(to);
    VectorCollection source = stores.get(from).collection(sourceName.get(from));
    String name = "m" + run + "-" + from.tag + "-to-" + to.tag;
    cleanup.add(() -> target.dropCollection(name));
    Map<String, Record> expected = sourceData.get(from);
    Path checkpoint = dir.resolve(name + ".json");
    long t0 = System.nanoTime();
    MigrationReport report;
    long bigLongs = TestData.inexactLongRecords(List.copyOf(expected.values()));
    if (to == Backend.PINECONE && bigLongs > 0) {
      MigrationPlan plan = Migration.from(source).to(target, name).plan();
      assertEquals(bigLongs, plan.issues().get(Issue.INEXACT_LONG), plan.describe());
      assertEquals(bigLongs, plan.affected(), plan.describe());
      assertEquals(N, plan.scanned());
      assertTrue(plan.blocking());
      assertThrows(IncompatibleDataException.class,
          () -> Migration.from(source).to(target, name).checkpoint(checkpoint).run());
      assertFalse(target.hasCollection(name), "a blocked plan writes nothing");
      report = Migration.from(source).to(target, name).inexactLongs(Transform.InexactLongs.TO_STRING)
          .checkpoint(checkpoint).run();
      expected = TestData.byId(expected.values().stream().map(Transform.inexactLongs(Transform.InexactLongs.TO_STRING)::apply).toList());
    } else {
      report = Migration.from(source).to(target, name).checkpoint(checkpoint).run();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "pair %-18s %6d records, copy %6.0f rec/s, whole run (plan+copy+verify) %.1f s%n",
        from.tag + " -> " + to.tag, report.writtenTotal(), report.recordsPerSecond(), secs);
    assertTrue(report.ok(), report.describe());
    assertEquals(N, report.writtenTotal());
    assertEquals(N, report.verification().matched());
    VectorCollection copied = target.collection(name);
    assertEquals(source.spec().toBuilder().build().dimension(), copied.spec().dimension());
    assertEquals(source.spec().metric(), copied.spec().metric());
    TestData.assertExactly(expected, copied);
    if (from == Backend.LOCAL) {
      sourceName.put(to, name);
      sourceData.put(to, expected);
    }
    if (to == Backend.PINECONE) {
      emulator.clearRequests();
    }
  }
}
