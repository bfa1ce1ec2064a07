package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.SCORE_TOLERANCE;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.seed;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kit's group "Search" (run as {@link VectorStoreConformanceKit.Search}, order 7): search
 * against the exact oracle.
 */
abstract class SearchCases extends KitGroup {

  SearchCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Metric.class)
  @DisplayName("exact search returns the oracle's ids, scores and distances (to 1e-4), best first")
  void exact(Metric metric) {
    requireFeature(Feature.INDEX_FLAT);
    VectorCollection c = newCollection(metric, IndexSpec.flat(), 12);
    DatasetGenerator gen = new DatasetGenerator(seed(), ValuePool.standard());
    List<Record> data = gen.records("e", 300, 12);
    upsertVisible(c, data);
    awaitCount(c, 300);
    for (int q = 0; q < 10; q++) {
      float[] query = gen.vector(12);
      for (int k : new int[] {1, 10, 300}) {
        List<Match> got = c.search(SearchRequest.of(query, k));
        assertMatchesOracle(got, ExactOracle.search(data, query, metric, k, null), data, query, metric,
            metric + " query " + q + " topK " + k + " (seed " + seed() + ")");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Metric.class)
  @DisplayName("search with indexForTests() reaches recall@10 >= annRecallFloor() (1.0 for FLAT)")
  void recall(Metric metric) {
    IndexSpec index = indexForTests();
    VectorCollection c = newCollection(metric, index, 16);
    DatasetGenerator gen = new DatasetGenerator(seed() + 1, ValuePool.standard());
    List<Record> data = gen.records("a", 500, 16);
    upsertVisible(c, data);
    awaitCount(c, 500);
    double floor = index instanceof IndexSpec.Flat ? 1.0 : annRecallFloor();
    double sum = 0;
    int queries = 25;
    for (int q = 0; q < queries; q++) {
      float[] query = gen.vector(16);
      List<Match> got = c.search(SearchRequest.of(query, 10));
      assertEquals(10, got.size(), "topK 10 over 500 records");
      for (Match m : got) {
        Record r = data.get(Integer.parseInt(m.id().substring(1)));
        assertEquals(metric.score(query, r.vector()), m.score(), SCORE_TOLERANCE, "score of " + m.id());
      }
      sum += recallAt10(got, ExactOracle.search(data, query, metric, 10, null));
    }
    double recall = sum / queries;
    assertTrue(recall >= floor - 1e-9,
        "recall@10 with " + index + " under " + metric + " is " + recall + ", below the floor " + floor);
  }

  @ParameterizedTest(name = "{0}% of the records match")
  @ValueSource(ints = {50, 10, 1})
  @DisplayName("filtered search with indexForTests() keeps recall@10 >= the floor at any selectivity, and only returns matches")
  void filteredRecall(int percent) {
    requireFeature(Feature.FILTERED_SEARCH);
    IndexSpec index = indexForTests();
    VectorCollection c = newCollection(defaultMetric(), index, 16);
    Metric metric = c.spec().metric();
    DatasetGenerator gen = new DatasetGenerator(seed() + 4, ValuePool.standard());
    List<Record> data = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      data.add(Record.of(String.format("b%04d", i), gen.vector(16), Metadata.of("bucket", (long) (i % 100))));
    }
    upsertVisible(c, data);
    awaitCount(c, 500);
    Filter f = Filter.lt("bucket", percent);
    double floor = index instanceof IndexSpec.Flat ? 1.0 : annRecallFloor();
    double sum = 0;
    int queries = 20;
    for (int q = 0; q < queries; q++) {
      float[] query = gen.vector(16);
      List<Match> got = c.search(SearchRequest.of(query, 10).filter(f));
      for (Match m : got) {
        assertTrue(f.matches(data.get(Integer.parseInt(m.id().substring(1))).metadata()),
            m.id() + " does not match " + f);
      }
      List<ExactOracle.Hit> want = ExactOracle.search(data, query, metric, 10, f);
      assertEquals(want.size(), got.size(), "number of matches for " + f);
      sum += recallAt10(got, want);
    }
    double recall = sum / queries;
    assertTrue(recall >= floor - 1e-9, "filtered recall@10 with " + index + " at " + percent + "% is " + recall
        + ", below the floor " + floor);
  }

  @Test
  @DisplayName("after deleting half the records, search with indexForTests() never returns them and keeps its recall")
  void recallAfterDeletes() {
    IndexSpec index = indexForTests();
    VectorCollection c = newCollection(defaultMetric(), index, 16);
    Metric metric = c.spec().metric();
    DatasetGenerator gen = new DatasetGenerator(seed() + 5, ValuePool.standard());
    List<Record> data = gen.records("d", 400, 16);
    upsertVisible(c, data);
    List<Record> kept = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      if (i % 2 == 0) {
        gone.add(data.get(i).id());
      } else {
        kept.add(data.get(i));
      }
    }
    c.delete(gone);
    awaitCount(c, kept.size());
    Set<String> goneSet = new HashSet<>(gone);
    double floor = index instanceof IndexSpec.Flat ? 1.0 : annRecallFloor();
    double sum = 0;
    int queries = 20;
    for (int q = 0; q < queries; q++) {
      float[] query = gen.vector(16);
      List<Match> got = c.search(SearchRequest.of(query, 10));
      got.forEach(m -> assertFalse(goneSet.contains(m.id()), "search returned deleted record " + m.id()));
      sum += recallAt10(got, ExactOracle.search(kept, query, metric, 10, null));
    }
    double recall = sum / queries;
    assertTrue(recall >= floor - 1e-9, "recall@10 after deletes with " + index + " is " + recall + ", below " + floor);
  }

  @Test
  @DisplayName("topK above the record count returns every record; an empty collection returns no matches")
  void topKAboveCount() {
    VectorCollection c = newExactCollection();
    assertEquals(List.of(), c.search(SearchRequest.of(vectorFor("q", DIM), 5)));
    List<Record> data = recs("t", 12);
    upsertVisible(c, data);
    List<String> got = searchIds(c, vectorFor("q", DIM), 50, null);
    assertEquals(new TreeSet<>(ids(data)), new TreeSet<>(got));
    assertEquals(12, got.size());
  }

  @Test
  @DisplayName("minScore drops exactly the matches scoring below it")
  void minScore() {
    VectorCollection c = newExactCollection();
    List<Record> data = recs("s", 60);
    upsertVisible(c, data);
    float[] q = vectorFor("query", DIM);
    Metric m = c.spec().metric();
    List<ExactOracle.Hit> all = ExactOracle.search(data, q, m, 60, null);
    // cut in the widest gap between ranks 10 and 20, so float32 rounding cannot move a record across it
    int cut = 10;
    for (int i = 11; i < 20; i++) {
      if (all.get(i - 1).score() - all.get(i).score() > all.get(cut - 1).score() - all.get(cut).score()) {
        cut = i;
      }
    }
    double threshold = (all.get(cut - 1).score() + all.get(cut).score()) / 2;
    List<Match> got = c.search(SearchRequest.of(q, 60).minScore(threshold));
    assertEquals(cut, got.size(), "matches with score >= " + threshold);
    got.forEach(x -> assertTrue(x.score() >= threshold, x + " is below minScore"));
  }

  @Test
  @DisplayName("filtered search returns the oracle's top-k among the matching records only")
  void filtered() {
    requireFeature(Feature.FILTERED_SEARCH);
    VectorCollection c = newExactCollection();
    DatasetGenerator gen = new DatasetGenerator(seed() + 2, ValuePool.standard());
    List<Record> data = gen.records("f", 200, DIM);
    upsertVisible(c, data);
    awaitCount(c, 200);
    FilterGenerator fg = new FilterGenerator(seed() + 3, ValuePool.standard());
    for (int i = 0; i < 30; i++) {
      Filter f = fg.next();
      float[] q = gen.vector(DIM);
      List<Match> got = c.search(SearchRequest.of(q, 10).filter(f));
      assertMatchesOracle(got, ExactOracle.search(data, q, c.spec().metric(), 10, f), data, q, c.spec().metric(),
          "filter " + f + " (seed " + seed() + ")");
    }
  }

  @Test
  @DisplayName("matches carry metadata by default, none with includeMetadata(false), and no vector unless asked")
  void includeMetadata() {
    VectorCollection c = newCollection();
    List<Record> data = recs("m", 5);
    upsertVisible(c, data);
    for (Match m : c.search(SearchRequest.of(data.get(0).vector(), 5))) {
      assertEquals(data.get(Integer.parseInt(m.id().substring(1))).metadata(), m.metadata());
      assertTrue(m.vector().isEmpty(), "vector returned though not requested");
    }
    for (Match m : c.search(SearchRequest.of(data.get(0).vector(), 5).includeMetadata(false))) {
      assertEquals(Metadata.empty(), m.metadata(), "metadata returned though includeMetadata(false)");
    }
  }

  @Test
  @DisplayName("includeVectors(true) returns each match's stored vector exactly")
  void includeVectors() {
    requireFeature(Feature.SEARCH_INCLUDE_VECTORS);
    VectorCollection c = newCollection();
    List<Record> data = recs("v", 8);
    upsertVisible(c, data);
    List<Match> got = c.search(SearchRequest.of(data.get(3).vector(), 8).includeVectors(true));
    assertEquals(8, got.size());
    for (Match m : got) {
      float[] want = data.get(Integer.parseInt(m.id().substring(1))).vector();
      assertArrayEquals(want, m.vector().orElseThrow(() -> new AssertionError("no vector on " + m)));
    }
  }

  @Test
  @DisplayName("the ef hint is accepted and search stays correct")
  void efHint() {
    requireFeature(Feature.SEARCH_EF);
    VectorCollection c = newCollection();
    List<Record> data = recs("h", 50);
    upsertVisible(c, data);
    List<Match> got = c.search(SearchRequest.of(data.get(5).vector(), 5).ef(64));
    assertEquals("h0005", got.get(0).id());
  }

  @Test
  @DisplayName("the nprobe hint is accepted and search stays correct")
  void nprobeHint() {
    requireFeature(Feature.SEARCH_NPROBE);
    VectorCollection c = newCollection();
    List<Record> data = recs("h", 50);
    upsertVisible(c, data);
    List<Match> got = c.search(SearchRequest.of(data.get(5).vector(), 5).nprobe(4));
    assertEquals("h0005", got.get(0).id());
  }
}
