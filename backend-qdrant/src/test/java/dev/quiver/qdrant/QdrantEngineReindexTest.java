package dev.quiver.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.conformance.ExactOracle;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.CollectionsGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code reindex} on Qdrant's engine (qdrant-edge behind the test server), on a private server that
 * builds HNSW graphs even for small collections, searches through them (Qdrant's default
 * full_scan_threshold of 10 MB would scan these small segments) and runs its optimizers before
 * answering ({@link #OPTIONS}), so every search without {@code exact} goes through the graph the
 * collection's parameters describe: the engine really rebuilds the graph with the new parameters
 * (recall follows {@code m}); reads and writes go on during re-indexes, none failing; the state a crash
 * between Qdrant's two steps leaves (new HNSW config, old spec record), after a SIGKILL and restart,
 * is readable and consistent, and repeating the call completes it; an acknowledged re-index survives a
 * SIGKILL. Skipped, with the reason printed, where the engine's Python environment is missing.
 */
class QdrantEngineReindexTest {

  static final int DIM = 16;
  /** Graphs for small collections, searched through (not scanned below 10 MB), built before the answer. */
  static final String[] OPTIONS = {"--indexing-threshold-kb", "1", "--full-scan-threshold-kb", "10", "--optimize-sync"};

  static EngineServer server;
  static QdrantVectorStore store;

  @BeforeAll
  static void engine() throws Exception {
    String why = EngineServer.unavailableReason();
    if (why != null) {
      System.out.println("Qdrant engine reindex tests: SKIPPED: " + why);
      Assumptions.abort(why);
    }
    server = EngineServer.create();
    server.start(OPTIONS);
    server.awaitReady();
    store = connect();
  }

  @AfterAll
  static void stop() throws Exception {
    if (store != null) {
      store.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static QdrantVectorStore connect() {
    // a rebuild under --optimize-sync answers when the graph is built: a generous deadline
    return QdrantVectorStore.builder().host("127.0.0.1").port(server.port()).timeout(Duration.ofSeconds(120)).build();
  }

  static List<Record> records(String prefix, int n, long seed) {
    Random r = new Random(seed);
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = (float) r.nextGaussian();
      }
      out.add(Record.of(prefix + i, v, Metadata.of("i", (long) i)));
    }
    return out;
  }

  static List<float[]> queries(int n, long seed) {
    Random r = new Random(seed);
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = (float) r.nextGaussian();
      }
      out.add(v);
    }
    return out;
  }

  /** Mean recall@10 of searches with the {@code ef} hint 10 (Qdrant then searches with ef = its limit, 20). */
  static double recall(VectorCollection c, List<Record> data, List<float[]> queries) {
    double sum = 0;
    for (float[] q : queries) {
      List<Match> got = c.search(SearchRequest.of(q, 10).ef(10));
      assertEquals(10, got.size());
      Set<String> truth = new HashSet<>();
      ExactOracle.search(data, q, c.spec().metric(), 10, null).forEach(h -> truth.add(h.id()));
      sum += got.stream().filter(m -> truth.contains(m.id())).count() / 10.0;
    }
    return sum / queries.size();
  }

  @Test
  void theEngineRebuildsTheGraphWithTheNewParameters() {
    VectorCollection c = store.createCollection(CollectionSpec.builder("rebuild").dimension(DIM)
        .metric(Metric.EUCLIDEAN).index(IndexSpec.hnsw(4, 16)).build());
    List<Record> data = records("r", 3000, 1);
    c.upsert(data);
    List<float[]> qs = queries(50, 2);
    double sparse = recall(c, data, qs);
    long t = System.nanoTime();
    c.reindex(IndexSpec.hnsw(32, 200));
    long ms = (System.nanoTime() - t) / 1_000_000;
    double dense = recall(c, data, qs);
    c.reindex(IndexSpec.flat());
    double flat = recall(c, data, qs);
    System.out.printf("Qdrant engine reindex: recall@10 (ef 10) %.3f with m 4, %.3f after reindexing to m 32"
        + " (%d ms, graph rebuilt before the answer), %.3f as FLAT%n", sparse, dense, ms, flat);
    // the same searches on the same points: only a graph rebuilt with m 32 explains the jump
    assertTrue(dense >= sparse + 0.2 && dense >= 0.9, "recall " + sparse + " -> " + dense);
    assertEquals(1.0, flat, 1e-9, "FLAT is exact");
    assertEquals(IndexSpec.flat(), store.describeCollection("rebuild").index());
    assertEquals(data, c.get(data.stream().map(Record::id).toList()));
    store.dropCollection("rebuild");
  }

  /** A call's start and end, in System.nanoTime(). */
  record Span(long start, long end) {
    boolean overlaps(Span o) {
      return start < o.end && o.start < end;
    }
  }

  @Test
  void readsAndWritesGoOnWhileTheEngineRebuilds() throws Exception {
    VectorCollection c = store.createCollection(CollectionSpec.builder("online").dimension(DIM)
        .metric(Metric.COSINE).index(IndexSpec.hnsw(8, 32)).build());
    List<Record> data = records("o", 3000, 3);
    c.upsert(data);
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    List<Span> reads = Collections.synchronizedList(new ArrayList<>());
    List<Span> reindexes = new ArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    // a reader on its own connection, as another process would be
    try (QdrantVectorStore other = connect()) {
      VectorCollection r = other.collection("online");
      Thread reader = new Thread(() -> {
        Random rnd = new Random(4);
        while (!done.get()) {
          long t = System.nanoTime();
          try {
            Record want = data.get(rnd.nextInt(data.size()));
            List<Match> got = r.search(SearchRequest.of(want.vector(), 10));
            if (got.size() != 10) {
              failures.add(new AssertionError("a search for " + want.id() + " returned " + got));
            }
            if (!want.equals(r.get(want.id()).orElse(null))) {
              failures.add(new AssertionError("get(" + want.id() + ") did not return the record"));
            }
            if (r.count() < data.size()) {
              failures.add(new AssertionError("count() fell below " + data.size()));
            }
          } catch (Throwable e) {
            failures.add(e);
          }
          reads.add(new Span(t, System.nanoTime()));
        }
      }, "engine-reindex-reader");
      List<Record> written = Collections.synchronizedList(new ArrayList<>());
      Thread writer = new Thread(() -> {
        for (Record x : records("w", 30, 5)) {
          if (done.get()) {
            return;
          }
          try {
            c.upsert(List.of(x));
            written.add(x);
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          } catch (Throwable e) {
            failures.add(e);
            return;
          }
        }
      }, "engine-reindex-writer");
      reader.start();
      writer.start();
      List<IndexSpec> targets = List.of(IndexSpec.hnsw(32, 200), IndexSpec.flat(), IndexSpec.hnsw(16, 100));
      try {
        for (IndexSpec target : targets) {
          long t = System.nanoTime();
          c.reindex(target);
          reindexes.add(new Span(t, System.nanoTime()));
          assertEquals(target, other.describeCollection("online").index());
          Thread.sleep(300);  // reads between re-indexes too
        }
      } finally {
        done.set(true);
        writer.join(60_000);
        reader.join(60_000);
      }
      long overlapping;
      long slowest;
      synchronized (reads) {
        overlapping = reads.stream().filter(x -> reindexes.stream().anyMatch(x::overlaps)).count();
        slowest = reads.stream().mapToLong(x -> (x.end - x.start) / 1_000_000).max().orElse(0);
      }
      System.out.println("Qdrant engine reindex: " + reads.size() + " reads (search, get, count), " + overlapping
          + " of them in flight during one of 3 re-indexes (" + reindexes.stream()
              .map(x -> (x.end - x.start) / 1_000_000 + " ms").toList() + "), slowest " + slowest + " ms; "
          + written.size() + " records written meanwhile; " + failures.size() + " failures");
      assertTrue(failures.isEmpty(), "calls failed during re-indexing: " + failures);
      for (Span x : reindexes) {
        assertTrue(reads.stream().anyMatch(x::overlaps), "no read was in flight during a re-index");
      }
      assertEquals(data.size() + written.size(), c.count());
      assertEquals(written, c.get(written.stream().map(Record::id).toList()), "records written during re-indexing");
    }
    store.dropCollection("online");
  }

  /** The first of Qdrant's two steps alone: what a crash between them leaves. */
  static void hnswStepOnly(String name, HnswConfigDiff hnsw) throws InterruptedException {
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      CollectionsGrpc.newBlockingStub(ch).withDeadlineAfter(120, TimeUnit.SECONDS)
          .update(UpdateCollection.newBuilder().setCollectionName(name).setHnswConfig(hnsw).build());
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static CollectionConfig engineConfig(String name) throws InterruptedException {
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      return CollectionsGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
          .get(GetCollectionInfoRequest.newBuilder().setCollectionName(name).build()).getResult().getConfig();
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** SIGKILL and start again on the same port and data; the shared store reconnects. */
  static void crash() throws Exception {
    server.kill();
    server.start(OPTIONS);
    server.awaitReady();
  }

  @Test
  void aCrashBetweenTheTwoStepsLeavesAReadableConsistentCollection() throws Exception {
    // HNSW -> FLAT interrupted: the engine has m 0, the spec record still says HNSW
    VectorCollection h = store.createCollection(CollectionSpec.builder("crash_h").dimension(DIM)
        .metric(Metric.DOT_PRODUCT).index(IndexSpec.hnsw(16, 100)).build());
    List<Record> hd = records("h", 1500, 6);
    h.upsert(hd);
    // FLAT -> HNSW interrupted: the engine builds a graph, the spec record still says FLAT
    VectorCollection f = store.createCollection(CollectionSpec.builder("crash_f").dimension(DIM)
        .metric(Metric.EUCLIDEAN).index(IndexSpec.flat()).build());
    List<Record> fd = records("f", 1500, 7);
    f.upsert(fd);
    hnswStepOnly("crash_h", HnswConfigDiff.newBuilder().setM(0).build());
    hnswStepOnly("crash_f", HnswConfigDiff.newBuilder().setM(16).setEfConstruct(100).build());
    crash();
    List<float[]> qs = queries(30, 8);
    try (QdrantVectorStore after = connect()) {
      assertEquals(0, engineConfig("crash_h").getHnswConfig().getM(), "the first step was saved");
      assertEquals(16, engineConfig("crash_f").getHnswConfig().getM());
      assertEquals(IndexSpec.hnsw(16, 100), after.describeCollection("crash_h").index(), "the spec is the old one");
      assertEquals(IndexSpec.flat(), after.describeCollection("crash_f").index());
      VectorCollection h2 = after.collection("crash_h");
      VectorCollection f2 = after.collection("crash_f");
      assertEquals(hd, h2.get(hd.stream().map(Record::id).toList()));
      assertEquals(fd, f2.get(fd.stream().map(Record::id).toList()));
      // graph-less segments searched without `exact` are scanned: exact; FLAT still sends exact = true
      double rh = recall(h2, hd, qs);
      double rf = recall(f2, fd, qs);
      System.out.printf("Qdrant engine reindex: after a crash between the steps, recall@10 %.3f (HNSW spec,"
          + " m 0 engine) and %.3f (FLAT spec, m 16 engine)%n", rh, rf);
      assertEquals(1.0, rh, 1e-9);
      assertEquals(1.0, rf, 1e-9);
      Record extra = records("x", 1, 9).get(0);
      h2.upsert(List.of(extra));
      assertEquals(extra, h2.get(extra.id()).orElseThrow());
      // repeating the call completes the change
      h2.reindex(IndexSpec.flat());
      f2.reindex(IndexSpec.hnsw(16, 100));
      assertEquals(IndexSpec.flat(), after.describeCollection("crash_h").index());
      assertEquals(IndexSpec.hnsw(16, 100), after.describeCollection("crash_f").index());
    }
    // an acknowledged re-index is durable: SIGKILL right after it
    f.reindex(IndexSpec.hnsw(24, 64));
    crash();
    try (QdrantVectorStore after = connect()) {
      assertEquals(IndexSpec.hnsw(24, 64), after.describeCollection("crash_f").index());
      HnswConfigDiff engine = engineConfig("crash_f").getHnswConfig();
      assertEquals(24, engine.getM());
      assertEquals(64, engine.getEfConstruct());
      assertEquals(fd, after.collection("crash_f").get(fd.stream().map(Record::id).toList()));
      after.dropCollection("crash_h");
      after.dropCollection("crash_f");
    }
  }
}
