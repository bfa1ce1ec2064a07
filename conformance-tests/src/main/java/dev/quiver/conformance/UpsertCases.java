package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.SCORE_TOLERANCE;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Upsert" (run as {@link VectorStoreConformanceKit.Upsert}, order 3): upsert
 * always replaces.
 */
abstract class UpsertCases extends KitGroup {

  UpsertCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("upserting an existing id replaces its vector and metadata; old keys no longer match filters")
  void replaces() {
    VectorCollection c = newCollection();
    Record v1 = Record.of("r", vectorFor("one", DIM), Metadata.of("version", 1L, "only_v1", "yes"));
    Record v2 = Record.of("r", vectorFor("two", DIM), Metadata.of("version", 2L));
    upsertVisible(c, List.of(v1));
    upsertVisible(c, List.of(v2));
    awaitCount(c, 1);
    assertEquals(v2, c.get("r").orElseThrow());
    if (capabilities().supports(Feature.COUNT_BY_FILTER)) {
      assertEquals(0, c.count(Filter.exists("only_v1")), "metadata of the replaced record still matches");
      assertEquals(1, c.count(Filter.eq("version", 2)));
    }
    List<Match> hits = c.search(SearchRequest.of(v2.vector(), 1));
    Metric m = c.spec().metric();
    assertEquals(m.score(v2.vector(), v2.vector()), hits.get(0).score(), SCORE_TOLERANCE,
        "search scores the new vector");
  }

  @Test
  @DisplayName("upserting the same record twice keeps one record")
  void idempotent() {
    VectorCollection c = newCollection();
    List<Record> data = recs("i", 10);
    upsertVisible(c, data);
    upsertVisible(c, data);
    awaitCount(c, 10);
  }

  @Test
  @DisplayName("one batch can both replace existing records and insert new ones")
  void mixedBatch() {
    VectorCollection c = newCollection();
    List<Record> first = recs("m", 10);
    upsertVisible(c, first);
    List<Record> second = new ArrayList<>();
    for (int i = 5; i < 15; i++) {
      String id = String.format("m%04d", i);
      second.add(Record.of(id, vectorFor(id + "#2", DIM), Metadata.of("round", 2L)));
    }
    upsertVisible(c, second);
    awaitCount(c, 15);
    List<Record> expected = new ArrayList<>(first.subList(0, 5));
    expected.addAll(second);
    assertEquals(expected, c.get(ids(expected)));
  }
}
