package dev.quiver.local.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.Kernels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Recall, concurrency, deletes, filters and persistence of {@link HnswGraph}. Never asserts timings. */
class HnswGraphTest {

  static final int N = 10_000;
  static final int DIM = 32;
  static final int QUERIES = 200;
  static final int K = 10;
  static final int EF = 100;

  static float[][] data;
  static float[][] queries;
  static HnswGraph graph;

  @BeforeAll
  static void build() {
    data = TestData.gaussian(N, DIM, 1);
    queries = TestData.gaussian(QUERIES, DIM, 2);
    graph = newGraph(Metric.EUCLIDEAN);
    for (int i = 0; i < N; i++) {
      graph.insert(i, data[i]);
    }
  }

  static HnswGraph newGraph(Metric metric) {
    return new HnswGraph(metric, DIM, 16, 200, 7L, Kernels.active());
  }

  static double recall(HnswGraph g, float[][] vectors, int ef, IntPredicate admit) {
    double sum = 0;
    for (float[] q : queries) {
      int[] truth = TestData.bruteForce(g.metric(), vectors, q, K, admit);
      HnswGraph.Result r = g.search(q, Math.max(ef, K), admit, Integer.MAX_VALUE);
      sum += TestData.recall(truth, r.nodes(), K);
    }
    return sum / queries.length;
  }

  @Test
  void recallAtTenIsHighOnGaussianData() {
    double recall = recall(graph, data, EF, i -> true);
    System.out.printf("HNSW recall@10 (10k x 32, M=16, efC=200, ef=100, kernel %s): %.4f%n",
        graph.kernel().name(), recall);
    assertTrue(recall >= 0.95, "recall " + recall);
  }

  @Test
  void everyMetricNavigates() {
    for (Metric metric : List.of(Metric.COSINE, Metric.DOT_PRODUCT)) {
      HnswGraph g = newGraph(metric);
      float[][] small = TestData.gaussian(3_000, DIM, 3);
      for (int i = 0; i < small.length; i++) {
        g.insert(i, small[i]);
      }
      double r = recall(g, small, EF, i -> true);
      System.out.printf("HNSW recall@10 %s (3k x 32): %.4f%n", metric, r);
      // inner-product search is not a metric space, so HNSW's guarantee is weaker there
      assertTrue(r >= (metric == Metric.DOT_PRODUCT ? 0.85 : 0.95), metric + " recall " + r);
    }
  }

  @Test
  void filteredSearchKeepsRecallAtLowSelectivity() {
    // admitted sets drawn at random, so they are spread over the whole graph (the hard case)
    for (double selectivity : new double[] {0.10, 0.01, 0.001}) {
      Random rnd = new Random(11);
      boolean[] admitted = new boolean[N];
      int count = 0;
      for (int i = 0; i < N; i++) {
        admitted[i] = rnd.nextDouble() < selectivity;
        count += admitted[i] ? 1 : 0;
      }
      IntPredicate admit = i -> admitted[i];
      double recall = recall(graph, data, EF, admit);
      for (float[] q : queries) {
        assertEquals(Math.min(K, count), Math.min(K, graph.search(q, EF, admit, Integer.MAX_VALUE).size()),
            "top-k not filled at selectivity " + selectivity);
      }
      System.out.printf("HNSW filtered recall@10 at selectivity %.3f (%d admitted, graph path): %.4f%n",
          selectivity, count, recall);
      assertTrue(recall >= 0.95, "filtered recall " + recall + " at selectivity " + selectivity);
    }
  }

  @Test
  void concurrentInsertsAndSearches() throws Exception {
    int n = 4_000;
    float[][] vectors = TestData.gaussian(n, DIM, 5);
    HnswGraph g = newGraph(Metric.EUCLIDEAN);
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger searches = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        writers.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            g.insert(i, vectors[i]);
          }
        }));
      }
      Future<?> reader = pool.submit(() -> {
        Random rnd = new Random(3);
        while (writing.get()) {
          HnswGraph.Result r = g.search(vectors[rnd.nextInt(n)], 20, i -> true, Integer.MAX_VALUE);
          for (int x : r.nodes()) {
            assertTrue(g.contains(x));
          }
          searches.incrementAndGet();
        }
      });
      for (Future<?> w : writers) {
        w.get(60, TimeUnit.SECONDS);
      }
      writing.set(false);
      reader.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertTrue(searches.get() > 0);
    // every vector is findable: searching a stored vector returns it first
    int found = 0;
    for (int i = 0; i < n; i++) {
      HnswGraph.Result r = g.search(vectors[i], 10, x -> true, Integer.MAX_VALUE);
      found += r.size() > 0 && r.nodes()[0] == i ? 1 : 0;
    }
    assertTrue(found >= n * 0.99, "self-recall " + found + "/" + n);
    double r = recall(g, vectors, EF, i -> true);
    System.out.printf("HNSW recall@10 after concurrent build (4k x 32, 3 writers + 1 reader): %.4f%n", r);
    assertTrue(r >= 0.95, "recall " + r);
  }

  @Test
  void deletesAndReinsertsDoNotRotRecall() {
    int n = 5_000;
    float[][] vectors = TestData.gaussian(n, DIM, 9);
    int ef = 64; // low enough that damage to the graph shows
    Random rnd = new Random(4);
    List<Integer> doomed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (rnd.nextDouble() < 0.30) {
        doomed.add(i);
      }
    }
    java.util.Set<Integer> doomedSet = new java.util.HashSet<>(doomed);

    // churned: all inserted, 30% deleted, repaired, then reinserted under new ordinals (as upserts do)
    HnswGraph churned = newGraph(Metric.EUCLIDEAN);
    float[][] current = new float[n + doomed.size()][];
    for (int i = 0; i < n; i++) {
      churned.insert(i, vectors[i]);
      current[i] = vectors[i];
    }
    for (int i : doomed) {
      churned.markDeleted(i);
      current[i] = null;
    }
    churned.repair();
    int nextOrd = n;
    for (int i : doomed) {
      churned.insert(nextOrd, vectors[i]);
      current[nextOrd++] = vectors[i];
    }
    double churnedRecall = recall(churned, current, ef, i -> current[i] != null);

    // fresh: the same final records under the same ordinals, built without deletes
    HnswGraph fresh = newGraph(Metric.EUCLIDEAN);
    for (int i = 0; i < current.length; i++) {
      if (current[i] != null) {
        fresh.insert(i, current[i]);
      }
    }
    double freshRecall = recall(fresh, current, ef, i -> current[i] != null);
    assertEquals(doomed.size(), churned.deletedCount());
    assertTrue(doomedSet.size() > n / 4);
    System.out.printf("HNSW recall@10 at ef=%d: fresh build %.4f, after deleting 30%%, repairing, reinserting: %.4f%n",
        ef, freshRecall, churnedRecall);
    assertTrue(churnedRecall >= freshRecall - 0.01, "fresh " + freshRecall + ", churned " + churnedRecall);
  }

  @Test
  void writeAndReadGiveIdenticalResults() throws IOException {
    HnswGraph g = newGraph(Metric.COSINE);
    float[][] small = TestData.gaussian(2_000, DIM, 8);
    for (int i = 0; i < small.length; i++) {
      g.insert(i, small[i]);
    }
    for (int i = 0; i < small.length; i += 10) {
      g.markDeleted(i);
    }
    for (boolean withVectors : new boolean[] {true, false}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      g.writeTo(new DataOutputStream(bytes), withVectors);
      HnswGraph back = HnswGraph.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
          Kernels.active(), withVectors ? null : ord -> small[ord]);
      assertEquals(g.size(), back.size());
      assertEquals(g.deletedCount(), back.deletedCount());
      for (float[] q : queries) {
        HnswGraph.Result a = g.search(q, 50, i -> true, Integer.MAX_VALUE);
        HnswGraph.Result b = back.search(q, 50, i -> true, Integer.MAX_VALUE);
        assertArrayEquals(a.nodes(), b.nodes());
        assertArrayEquals(a.distances(), b.distances());
      }
      // the reopened graph keeps taking inserts
      back.insert(small.length, queries[0]);
      assertEquals(small.length, back.search(queries[0], 10, i -> true, Integer.MAX_VALUE).nodes()[0]);
    }
  }

  @Test
  void rejectsForeignOrFutureStreams() {
    byte[] junk = {1, 2, 3, 4, 0, 0, 0, 1};
    org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> HnswGraph.readFrom(new DataInputStream(new ByteArrayInputStream(junk)), Kernels.active()));
  }
}
