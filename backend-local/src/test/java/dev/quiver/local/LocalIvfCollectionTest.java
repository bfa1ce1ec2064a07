package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * IVF-FLAT and IVF-PQ collections through the public API: exact search before training, training at
 * the documented size, recall by nprobe, exactness when every list is probed, filtered search at every
 * selectivity on both plans, exact scores, upserts and deletes after training.
 */
class LocalIvfCollectionTest {

  static final int N = 6_000;
  static final int DIM = 24;
  static final int K = 10;
  static final int NLIST = 64;

  static LocalVectorStore store;
  static List<Record> records;
  static float[][] queries;
  static LocalCollection ivfFlat;
  static LocalCollection ivfPq;

  /** A mixture of 60 Gaussian clusters: what IVF is built for (uniform noise has no lists to find). */
  static List<Record> mixture(int n, int dim, long seed) {
    Random rnd = new Random(seed);
    float[][] centers = new float[60][dim];
    for (float[] c : centers) {
      for (int i = 0; i < dim; i++) {
        c[i] = (float) rnd.nextGaussian();
      }
    }
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] c = centers[rnd.nextInt(centers.length)];
      float[] v = new float[dim];
      for (int t = 0; t < dim; t++) {
        v[t] = c[t] + 0.35f * (float) rnd.nextGaussian();
      }
      // bucket: 0..999, so "bucket < 100" is 10%, "bucket < 10" 1%, "bucket == 0" 0.1%
      out.add(Record.of("r" + i, v, Metadata.of("bucket", (long) rnd.nextInt(1000))));
    }
    return out;
  }

  @BeforeAll
  static void load() {
    store = LocalVectorStore.inMemory();
    records = mixture(N, DIM, 21);
    ivfFlat = create("ivf_flat", IndexSpec.ivfFlat(NLIST), Metric.EUCLIDEAN);
    ivfPq = create("ivf_pq", IndexSpec.ivfPq(NLIST, 8, 8), Metric.EUCLIDEAN);
    for (LocalCollection c : List.of(ivfFlat, ivfPq)) {
      for (int from = 0; from < N; from += 500) {
        c.upsert(records.subList(from, Math.min(N, from + 500)));
      }
    }
    List<Record> qs = mixture(100, DIM, 22);
    queries = new float[qs.size()][];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = qs.get(i).vector();
    }
  }

  static LocalCollection create(String name, IndexSpec index, Metric metric) {
    return (LocalCollection) store.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(metric)
        .index(index).build());
  }

  @AfterAll
  static void close() {
    store.close();
  }

  static List<String> truth(List<Record> data, Metric metric, float[] q, Filter f, int k) {
    record D(String id, double d) {}
    return data.stream().filter(r -> f == null || f.matches(r.metadata()))
        .map(r -> new D(r.id(), metric.distance(q, r.vector())))
        .sorted(Comparator.comparingDouble(D::d).thenComparing(D::id))
        .limit(k).map(D::id).collect(Collectors.toList());
  }

  /** Mean recall@10 over the queries; checks scores, filter matches and that the top-k is filled. */
  static double recall(VectorCollection c, Filter f, SearchRequest template) {
    double sum = 0;
    for (float[] q : queries) {
      List<String> want = truth(records, Metric.EUCLIDEAN, q, f, K);
      SearchRequest r = SearchRequest.of(q, K).filter(f);
      if (template.nprobe().isPresent()) {
        r = r.nprobe(template.nprobe().getAsInt());
      }
      if (template.ef().isPresent()) {
        r = r.ef(template.ef().getAsInt());
      }
      List<Match> got = c.search(r);
      assertEquals(want.size(), got.size(), "top-k must be filled when enough records match");
      Set<String> w = new HashSet<>(want);
      sum += got.stream().filter(m -> w.contains(m.id())).count() / (double) Math.max(1, want.size());
      for (Match m : got) { // scores are the reference formulas, in double
        Record rec = records.get(Integer.parseInt(m.id().substring(1)));
        assertEquals(Metric.EUCLIDEAN.distance(q, rec.vector()), m.distance(), 0.0);
        assertEquals(Metric.EUCLIDEAN.score(q, rec.vector()), m.score(), 0.0);
        assertTrue(f == null || f.matches(m.metadata()));
      }
    }
    return sum / queries.length;
  }

  @Test
  void capabilitiesDeclareIvfAndNprobe() {
    assertTrue(store.capabilities().supports(Feature.INDEX_IVF_FLAT));
    assertTrue(store.capabilities().supports(Feature.INDEX_IVF_PQ));
    assertTrue(store.capabilities().supports(Feature.SEARCH_NPROBE));
  }

  @Test
  void trainedAtTheDocumentedSize() {
    LocalIndexInfo flat = store.indexInfo("ivf_flat");
    LocalIndexInfo pq = store.indexInfo("ivf_pq");
    assertEquals(32 * NLIST, flat.trainingSize());
    assertEquals(Math.max(32 * NLIST, 16 * 256), pq.trainingSize());
    assertTrue(flat.trained() && pq.trained());
    assertEquals(N, flat.entries());
    assertEquals(N, pq.entries());
    assertEquals(8, pq.codeBytesPerVector());
    assertTrue(pq.trainingSamples() >= pq.trainingSize() && pq.trainingSamples() <= N, pq.toString());
    assertTrue(pq.trainingError() > 0 && pq.meanError() > 0, pq.toString());
    assertTrue(pq.drift() > 0.5 && pq.drift() < 2, "same distribution, drift near 1: " + pq);
    System.out.println("IVF-PQ index: " + pq + ", drift " + pq.drift());
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void untrainedCollectionsAreSearchedExactly(Metric metric) {
    LocalCollection c = create("small_" + metric, IndexSpec.ivfPq(NLIST, 8, 8), metric);
    List<Record> few = records.subList(0, 500);
    c.upsert(few);
    assertFalse(store.indexInfo(c.name()).trained());
    for (int i = 0; i < 10; i++) {
      float[] q = queries[i];
      List<String> got = c.search(SearchRequest.of(q, K).nprobe(1).ef(1)).stream().map(Match::id).toList();
      assertEquals(truth(few, metric, q, null, K), got);
    }
    store.dropCollection(c.name());
  }

  @Test
  void recallGrowsWithNprobeAndEveryListIsExact() {
    double last = 0;
    for (int nprobe : new int[] {1, 4, 16}) {
      double r = recall(ivfFlat, null, SearchRequest.of(new float[1], 1).nprobe(nprobe));
      System.out.printf("IVF-FLAT recall@10 (6k x 24, nlist %d, nprobe %d): %.4f%n", NLIST, nprobe, r);
      assertTrue(r >= last - 0.01, "recall fell from " + last + " to " + r + " at nprobe " + nprobe);
      last = r;
    }
    assertTrue(last >= 0.97, "IVF-FLAT nprobe 16: " + last);
    assertEquals(1.0, recall(ivfFlat, null, SearchRequest.of(new float[1], 1).nprobe(NLIST)), 0.0,
        "probing every list of IVF-FLAT is an exact search");
    assertEquals(1.0, recall(ivfPq, null, SearchRequest.of(new float[1], 1).nprobe(NLIST).ef(N)), 0.0,
        "probing every list of IVF-PQ and re-ranking every record is an exact search");
  }

  @Test
  void pqRecallWithDefaultsAndReranking() {
    double withDefaults = recall(ivfPq, null, SearchRequest.of(new float[1], 1));
    double noRerank = recall(ivfPq, null, SearchRequest.of(new float[1], 1).ef(K));
    double deep = recall(ivfPq, null, SearchRequest.of(new float[1], 1).nprobe(16).ef(200));
    System.out.printf("IVF-PQ recall@10 (6k x 24, nlist %d, m 8, 8 bits): defaults %.4f, ef=k (no re-ranking) %.4f,"
        + " nprobe 16 ef 200 %.4f%n", NLIST, withDefaults, noRerank, deep);
    assertTrue(withDefaults >= 0.9, "defaults: " + withDefaults);
    assertTrue(deep >= 0.97, "nprobe 16, ef 200: " + deep);
    assertTrue(noRerank < withDefaults, "re-ranking must help: " + noRerank + " vs " + withDefaults);
  }

  @Test
  void filteredRecallAtEverySelectivityOnBothPlans() {
    Filter[] filters = {Filter.lt("bucket", 100), Filter.lt("bucket", 10), Filter.eq("bucket", 0)};
    for (LocalCollection c : List.of(ivfFlat, ivfPq)) {
      try {
        for (SearchPlanner planner : List.of(SearchPlanner.standard(), new SearchPlanner(0))) {
          c.planner(planner);
          for (Filter f : filters) {
            double r = recall(c, f, SearchRequest.of(new float[1], 1));
            System.out.printf("%s filtered recall@10, %s, %s: %.4f%n", c.name(), f,
                planner.preferScan(1, 1, 1, 1) ? "planner" : "index forced", r);
            assertTrue(r >= 0.9, c.name() + " filtered recall " + r + " for " + f);
          }
        }
      } finally {
        c.planner(SearchPlanner.standard());
      }
    }
  }

  @Test
  void upsertReplacesAndDeleteRemovesAfterTraining() {
    for (IndexSpec index : List.of(IndexSpec.ivfFlat(8), IndexSpec.ivfPq(8, 4, 4))) {
      LocalCollection c = create("churn", index, Metric.COSINE);
      c.planner(new SearchPlanner(0)); // always through the index
      List<Record> data = mixture(600, DIM, 5);
      c.upsert(data);
      assertTrue(store.indexInfo("churn").trained(), index + " trains at " + store.indexInfo("churn").trainingSize());
      Random rnd = new Random(3);
      float[] moved = data.get(300).vector().clone();
      for (int i = 0; i < moved.length; i++) {
        moved[i] = -moved[i] + 0.1f * (float) rnd.nextGaussian();
      }
      c.upsert(List.of(Record.of("r7", moved, Metadata.of("bucket", 7000L))));
      List<Match> top = c.search(SearchRequest.of(moved, 3));
      assertEquals("r7", top.get(0).id(), index + ": the replaced record is found where it moved");
      assertEquals(1.0, top.get(0).score(), 1e-9);
      assertEquals(7000L, top.get(0).metadata().get("bucket").orElseThrow());
      assertEquals(600, c.count());
      List<String> doomed = new ArrayList<>();
      for (int i = 0; i < 550; i++) {
        doomed.add("r" + i);
      }
      c.delete(doomed);
      assertEquals(50, c.count());
      assertTrue(store.indexInfo("churn").entries() < 600, "removed entries were compacted away: "
          + store.indexInfo("churn"));
      Set<String> gone = new HashSet<>(doomed);
      for (int q = 0; q < 20; q++) {
        List<Match> rest = c.search(SearchRequest.of(queries[q], 60));
        assertEquals(50, rest.size(), index + ": every remaining record is reachable");
        rest.forEach(m -> assertFalse(gone.contains(m.id()), "deleted " + m.id() + " returned"));
      }
      c.delete(Filter.gte("bucket", 500));
      long left = c.count();
      assertEquals(left, c.search(SearchRequest.of(queries[0], 100)).size());
      store.dropCollection("churn");
    }
  }

  @Test
  void nprobeIsAcceptedOnFlatAndHnswAsANoOp() {
    for (IndexSpec index : List.of(IndexSpec.flat(), IndexSpec.hnsw(8, 64))) {
      LocalCollection c = create("noop", index, Metric.EUCLIDEAN);
      c.upsert(records.subList(0, 300));
      float[] q = queries[0];
      assertEquals(c.search(SearchRequest.of(q, K)).stream().map(Match::id).toList(),
          c.search(SearchRequest.of(q, K).nprobe(1)).stream().map(Match::id).toList());
      store.dropCollection("noop");
    }
  }
}
