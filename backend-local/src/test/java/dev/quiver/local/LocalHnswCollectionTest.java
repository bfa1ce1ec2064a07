package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HNSW collections through the public API: recall, filtered recall per selectivity, exact scores, churn, concurrency. */
class LocalHnswCollectionTest {

  static final int N = 6_000;
  static final int DIM = 24;
  static final int K = 10;

  static LocalVectorStore store;
  static LocalCollection hnsw;
  static List<Record> records;
  static float[][] queries;

  @BeforeAll
  static void load() {
    store = LocalVectorStore.inMemory();
    hnsw = (LocalCollection) store.createCollection(CollectionSpec.builder("hnsw").dimension(DIM)
        .metric(Metric.EUCLIDEAN).index(IndexSpec.hnsw(16, 200)).build());
    Random rnd = new Random(21);
    records = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      // bucket: 0..999, so "bucket < 100" is 10%, "bucket < 10" 1%, "bucket == 0" 0.1%
      records.add(Record.of("r" + i, gaussian(rnd), Metadata.of("bucket", (long) rnd.nextInt(1000),
          "tag", i % 2 == 0 ? "even" : "odd")));
    }
    for (int from = 0; from < N; from += 500) {
      hnsw.upsert(records.subList(from, Math.min(N, from + 500)));
    }
    queries = new float[100][];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = gaussian(rnd);
    }
  }

  @AfterAll
  static void close() {
    store.close();
  }

  static float[] gaussian(Random rnd) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  static List<String> truth(float[] q, Filter f, int k) {
    return records.stream().filter(r -> f == null || f.matches(r.metadata()))
        .sorted(Comparator.comparingDouble((Record r) -> Metric.EUCLIDEAN.distance(q, r.vector()))
            .thenComparing(Record::id))
        .limit(k).map(Record::id).collect(Collectors.toList());
  }

  static double recall(VectorCollection c, Filter f, int ef) {
    double sum = 0;
    for (float[] q : queries) {
      List<String> want = truth(q, f, K);
      List<Match> got = c.search(SearchRequest.of(q, K).filter(f).ef(ef));
      assertEquals(want.size(), got.size(), "top-k must be filled when enough records match");
      Set<String> w = new HashSet<>(want);
      sum += got.stream().filter(m -> w.contains(m.id())).count() / (double) Math.max(1, want.size());
      for (Match m : got) { // scores are the reference formulas, in double
        Record r = records.get(Integer.parseInt(m.id().substring(1)));
        assertEquals(Metric.EUCLIDEAN.distance(q, r.vector()), m.distance(), 0.0);
        assertEquals(Metric.EUCLIDEAN.score(q, r.vector()), m.score(), 0.0);
        assertTrue(f == null || f.matches(m.metadata()));
      }
    }
    return sum / queries.length;
  }

  @Test
  void capabilitiesDeclareHnswAndEf() {
    assertTrue(store.capabilities().supports(Feature.INDEX_HNSW));
    assertTrue(store.capabilities().supports(Feature.SEARCH_EF));
    assertTrue(LocalVectorStore.distanceKernel().equals("scalar") || LocalVectorStore.distanceKernel().startsWith("panama"));
  }

  @Test
  void unfilteredRecall() {
    double r = recall(hnsw, null, 100);
    System.out.printf("collection recall@10 (6k x 24, ef=100): %.4f%n", r);
    assertTrue(r >= 0.95, "recall " + r);
  }

  @Test
  void filteredRecallAtEverySelectivityOnBothPlans() {
    Filter[] filters = {Filter.lt("bucket", 100), Filter.lt("bucket", 10), Filter.eq("bucket", 0)};
    try {
      for (SearchPlanner planner : List.of(SearchPlanner.standard(), new SearchPlanner(0))) {
        hnsw.planner(planner);
        for (Filter f : filters) {
          double r = recall(hnsw, f, 100);
          System.out.printf("collection filtered recall@10, %s, %s: %.4f%n", f,
              planner.preferScan(1, 1, 1, 1) ? "planner" : "graph forced", r);
          assertTrue(r >= 0.95, "filtered recall " + r + " for " + f);
        }
      }
    } finally {
      hnsw.planner(SearchPlanner.standard());
    }
  }

  @Test
  void upsertReplacesAndDeleteRemoves() {
    VectorCollection c = store.createCollection(CollectionSpec.builder("churn").dimension(DIM)
        .metric(Metric.COSINE).index(IndexSpec.hnsw(8, 64)).build());
    Random rnd = new Random(3);
    List<Record> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      batch.add(Record.of("d" + i, gaussian(rnd), Metadata.of("n", (long) i)));
    }
    c.upsert(batch);
    float[] moved = gaussian(rnd);
    c.upsert(List.of(Record.of("d7", moved, Metadata.of("n", 7000L))));
    List<Match> top = c.search(SearchRequest.of(moved, 3));
    assertEquals("d7", top.get(0).id());
    assertEquals(1.0, top.get(0).score(), 1e-9);
    assertEquals(7000L, top.get(0).metadata().get("n").orElseThrow());
    assertEquals(500, c.count());
    // delete most (tombstones and repair) and keep searching
    List<String> doomed = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      doomed.add("d" + i);
    }
    c.delete(doomed);
    assertEquals(50, c.count());
    List<Match> rest = c.search(SearchRequest.of(gaussian(rnd), 60));
    assertEquals(50, rest.size());
    c.delete(Filter.gte("n", 480));
    assertEquals(30, c.count());
    assertEquals(30, c.search(SearchRequest.of(gaussian(rnd), 100)).size());
    store.dropCollection("churn");
  }

  @Test
  void concurrentWritersAndReadersLoseNothing() throws Exception {
    LocalCollection c = (LocalCollection) store.createCollection(CollectionSpec.builder("conc").dimension(DIM)
        .metric(Metric.DOT_PRODUCT).index(IndexSpec.hnsw(12, 100)).build());
    int writers = 3;
    int perWriter = 600;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    AtomicBoolean done = new AtomicBoolean();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        fs.add(pool.submit(() -> {
          Random rnd = new Random(id);
          for (int i = 0; i < perWriter; i += 20) {
            List<Record> b = new ArrayList<>();
            for (int j = i; j < i + 20; j++) {
              b.add(Record.of("w" + id + "-" + j, gaussian(rnd), Metadata.of("w", (long) id)));
            }
            c.upsert(b);
            if (i % 100 == 0) { // replace an earlier one: upsert of an existing id under concurrency
              c.upsert(List.of(Record.of("w" + id + "-0", gaussian(rnd), Metadata.of("w", (long) id))));
            }
          }
        }));
      }
      Future<?> reader = pool.submit(() -> {
        Random rnd = new Random(99);
        while (!done.get()) {
          List<Match> ms = c.search(SearchRequest.of(gaussian(rnd), 10).filter(Filter.eq("w", 1L)));
          Set<String> ids = new HashSet<>();
          for (Match m : ms) {
            assertTrue(m.id().startsWith("w1-"), m.id());
            assertTrue(ids.add(m.id()), "duplicate " + m.id());
          }
        }
      });
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      done.set(true);
      reader.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(writers * perWriter, c.count());
    for (int w = 0; w < writers; w++) {
      assertEquals(perWriter, c.count(Filter.eq("w", (long) w)));
      assertEquals(Math.min(perWriter, 1000),
          c.search(SearchRequest.of(gaussian(new Random(w)), 1000).filter(Filter.eq("w", (long) w))).size());
    }
    store.dropCollection("conc");
  }

  @Test
  void efIsAcceptedOnFlatAsANoOp() {
    VectorCollection flat = store.createCollection(CollectionSpec.builder("flat").dimension(DIM)
        .metric(Metric.EUCLIDEAN).build());
    flat.upsert(records.subList(0, 300));
    float[] q = queries[0];
    assertEquals(flat.search(SearchRequest.of(q, K)).stream().map(Match::id).collect(Collectors.toList()),
        flat.search(SearchRequest.of(q, K).ef(1)).stream().map(Match::id).collect(Collectors.toList()));
    store.dropCollection("flat");
  }
}
