package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Count" (run as {@link VectorStoreConformanceKit.Count}, order 5): count() and
 * count(filter) are exact.
 */
abstract class CountCases extends KitGroup {

  CountCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("an empty collection counts 0; count follows inserts, replacements and deletes")
  void follows() {
    VectorCollection c = newCollection();
    assertEquals(0, c.count());
    upsertVisible(c, recs("c", 30));
    awaitCount(c, 30);
    upsertVisible(c, recs("c", 10));
    awaitCount(c, 30);
    c.delete(ids(recs("c", 10)));
    awaitCount(c, 20);
  }

  @Test
  @DisplayName("count(filter) is the exact number of matching records")
  void countFilter() {
    requireFeature(Feature.COUNT_BY_FILTER);
    VectorCollection c = newCollection();
    List<Record> data = recs("c", 120);
    upsertVisible(c, data);
    for (Filter f : List.of(Filter.lt("i", 40), Filter.gte("i", 100), Filter.eq("p", "c"), Filter.eq("p", "d"),
        Filter.exists("i"), Filter.not(Filter.exists("i")), Filter.in("i", 1, 2, 3, 500))) {
      long want = data.stream().filter(r -> f.matches(r.metadata())).count();
      assertEquals(want, c.count(f), "count(" + f + ")");
    }
  }
}
