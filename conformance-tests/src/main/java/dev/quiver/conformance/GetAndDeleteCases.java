package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Get and delete" (run as {@link VectorStoreConformanceKit.GetAndDelete}, order
 * 4): reads and deletes by id and by filter.
 */
abstract class GetAndDeleteCases extends KitGroup {

  GetAndDeleteCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("get returns records in request order, leaves out missing ids and returns duplicates once")
  void getOrder() {
    VectorCollection c = newCollection();
    List<Record> data = recs("g", 5);
    upsertVisible(c, data);
    List<Record> got = c.get(List.of("g0003", "g0000", "nope", "g0004", "g0000", "g0003"));
    assertEquals(List.of("g0003", "g0000", "g0004"), ids(got));
    assertEquals(List.of(data.get(3), data.get(0), data.get(4)), got);
  }

  @Test
  @DisplayName("get of missing ids and of an empty list returns an empty list, no error")
  void getMissing() {
    VectorCollection c = newCollection();
    upsertVisible(c, recs("g", 2));
    assertEquals(List.of(), c.get(List.of("missing-1", "missing-2")));
    assertEquals(List.of(), c.get(List.of()));
    assertTrue(c.get("missing").isEmpty());
  }

  @Test
  @DisplayName("delete removes the records; missing ids are ignored without error; an empty list is a no-op")
  void deleteIds() {
    VectorCollection c = newCollection();
    List<Record> data = recs("x", 10);
    upsertVisible(c, data);
    c.delete(List.of("x0001", "missing", "x0003", "x0003"));
    awaitCount(c, 8);
    assertEquals(List.of(), c.get(List.of("x0001", "x0003")));
    c.delete(List.of("never-existed"));
    c.delete(List.of());
    settleNegative();
    assertEquals(8, c.count());
  }

  @Test
  @DisplayName("a deleted record is gone from get, count, search and list, and its id can be upserted again")
  void deletedIsGone() {
    VectorCollection c = newExactCollection(); // the search below must see every record
    List<Record> data = recs("y", 20);
    upsertVisible(c, data);
    Record victim = data.get(7);
    c.delete(List.of(victim.id()));
    awaitCount(c, 19);
    assertTrue(c.get(victim.id()).isEmpty());
    List<String> hits = awaitVisible(() -> searchIds(c, victim.vector(), 20, null), h -> !h.contains(victim.id()));
    assertFalse(hits.contains(victim.id()), "search still returns a deleted record");
    assertEquals(19, hits.size());
    if (capabilities().supports(Feature.LIST)) {
      assertFalse(ids(scroll(c, null, 6)).contains(victim.id()), "list still returns a deleted record");
    }
    upsertVisible(c, List.of(victim));
    awaitCount(c, 20);
    assertEquals(victim, c.get(victim.id()).orElseThrow());
  }

  @Test
  @DisplayName("delete(filter) removes exactly the matching records, however many")
  void deleteByFilter() {
    requireFeature(Feature.DELETE_BY_FILTER);
    VectorCollection c = newCollection();
    List<Record> data = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      data.add(rec(String.format("z%04d", i), Metadata.of("even", i % 2 == 0, "i", (long) i)));
    }
    upsertVisible(c, data);
    Filter f = Filter.eq("even", true).or(Filter.lt("i", 5));
    c.delete(f);
    awaitCount(c, 148);
    Set<String> expected = data.stream().filter(r -> !f.matches(r.metadata())).map(Record::id)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, new TreeSet<>(ids(c.get(ids(data)))));
  }

  @Test
  @DisplayName("delete(filter) that matches nothing deletes nothing")
  void deleteByFilterNothing() {
    requireFeature(Feature.DELETE_BY_FILTER);
    VectorCollection c = newCollection();
    upsertVisible(c, recs("n", 10));
    c.delete(Filter.eq("p", "other"));
    settleNegative();
    assertEquals(10, c.count());
  }
}
