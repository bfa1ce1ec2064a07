package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Records" (run as {@link VectorStoreConformanceKit.Records}, order 2): records
 * come back as written.
 */
abstract class RecordsCases extends KitGroup {

  RecordsCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("a record comes back with its id, exact float32 vector and typed metadata")
  void roundTrip() {
    VectorCollection c = newCollection();
    Metadata m = Metadata.of("str", "value", "long", 42L, "neg", -7L, "dbl", 1.0, "frac", 0.1, "yes", true,
        "no", false, "list", List.of("x", "y", "x"), "empty", List.of(), "uni", "ünï 🙂", "blank", "");
    float[] v = {0.1f, -2.5f, 3.0e-8f, 1e20f, -0.0f, 7f, Float.MIN_VALUE, 123.456f};
    Record r = Record.of("r1", v, m);
    upsertVisible(c, List.of(r));
    Record got = c.get("r1").orElseThrow();
    assertEquals("r1", got.id());
    assertArrayEquals(v, got.vector(), "vector must come back bit for bit");
    assertEquals(m, got.metadata(), "metadata must come back with the same types (1.0 stays a double)");
    assertEquals(Double.class, got.metadata().get("dbl").orElseThrow().getClass());
    assertEquals(Long.class, got.metadata().get("long").orElseThrow().getClass());
  }

  @Test
  @DisplayName("a double metadata value comes back bit-exact and == on it matches exactly that record, != the others")
  void doublesBitExact() {
    VectorCollection c = newExactCollection(); // the search below must see every record
    List<Double> values = ValuePool.ROUND_TRIP_DOUBLES;
    Map<String, Metadata> data = new LinkedHashMap<>();
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String id = String.format("d%02d", i);
      data.put(id, Metadata.of("x", values.get(i)));
      records.add(rec(id, data.get(id)));
    }
    upsertVisible(c, records);
    awaitCount(c, records.size());
    List<Record> got = c.get(ids(records));
    assertEquals(ids(records), ids(got), "get of every record");
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      double want = values.get(i);
      Object back = got.get(i).metadata().get("x").orElse(null);
      if (!(back instanceof Double d) || Double.doubleToRawLongBits(d) != Double.doubleToRawLongBits(want)) {
        errors.add(records.get(i).id() + ": wrote " + want + ", read back " + back
            + (back == null ? "" : " (" + back.getClass().getSimpleName() + ")"));
      }
    }
    boolean count = capabilities().supports(Feature.COUNT_BY_FILTER);
    boolean list = capabilities().supports(Feature.LIST) && capabilities().supports(Feature.LIST_BY_FILTER);
    boolean search = capabilities().supports(Feature.FILTERED_SEARCH);
    float[] q = vectorFor("query", DIM);
    for (double value : values) {
      // == is numeric: exactly the record holding the value, and for a zero also the other zero
      Set<String> equal = new TreeSet<>();
      data.forEach((id, m) -> {
        if ((Double) m.get("x").orElseThrow() == value) {
          equal.add(id);
        }
      });
      Set<String> others = new TreeSet<>(data.keySet());
      others.removeAll(equal);
      Map<Filter, Set<String>> expected = new LinkedHashMap<>();
      expected.put(Filter.eq("x", value), equal);
      expected.put(Filter.ne("x", value), others);
      for (Map.Entry<Filter, Set<String>> e : expected.entrySet()) {
        Filter f = e.getKey();
        Set<String> want = e.getValue();
        Filter parsed = Filter.parse(f.toString());
        assertEquals(f, parsed, "the filter does not round-trip through its text " + f);
        assertEquals(want, expectedIds(data, f), "the reference evaluator disagrees on " + f);
        if (count && c.count(parsed) != want.size()) {
          errors.add("count(" + f + ") = " + c.count(parsed) + ", expected " + want.size());
        }
        if (list) {
          List<String> listed = ids(scroll(c, parsed, 50));
          if (!new HashSet<>(listed).equals(want) || listed.size() != want.size()) {
            errors.add("list(" + f + "):" + diff(want, listed, data));
          }
        }
        if (search) {
          List<String> found = searchIds(c, q, data.size(), parsed);
          if (!new HashSet<>(found).equals(want) || found.size() != want.size()) {
            errors.add("search(" + f + "):" + diff(want, found, data));
          }
        }
      }
    }
    assertTrue(errors.isEmpty(), errors.size() + " problems with doubles: " + String.join("; ", errors));
  }

  @Test
  @DisplayName("a record without metadata comes back with empty metadata")
  void noMetadata() {
    VectorCollection c = newCollection();
    Record r = Record.of("bare", vectorFor("bare", DIM));
    upsertVisible(c, List.of(r));
    assertEquals(Metadata.empty(), c.get("bare").orElseThrow().metadata());
  }

  @Test
  @DisplayName("a batch of 250 records is stored completely")
  void batch() {
    VectorCollection c = newCollection();
    List<Record> data = recs("b", 250);
    upsertVisible(c, data);
    awaitCount(c, 250);
    assertEquals(data, c.get(ids(data)));
  }

  @Test
  @DisplayName("a batch of 2500 records (above typical vendor limits) is split by the adapter, not refused")
  void largeBatch() {
    VectorCollection c = newCollection();
    List<Record> data = recs("L", 2500);
    c.upsert(data);
    awaitCount(c, 2500);
    assertEquals(data, awaitVisible(() -> c.get(ids(data)), got -> got.size() == data.size()));
  }

  @Test
  @DisplayName("longs beyond ±2^53 and the long extremes are stored exactly")
  void exactLongs() {
    requireFeature(Feature.EXACT_LONGS);
    VectorCollection c = newCollection();
    Metadata m = Metadata.of("a", ValuePool.TWO_POW_53_PLUS_1, "b", Long.MAX_VALUE, "c", Long.MIN_VALUE,
        "d", -ValuePool.TWO_POW_53_PLUS_1);
    upsertVisible(c, List.of(rec("big", m)));
    assertEquals(m, c.get("big").orElseThrow().metadata());
  }

  @Test
  @DisplayName("updateMetadata replaces the metadata (old keys gone) and keeps the vector")
  void updateMetadata() {
    requireFeature(Feature.UPDATE_METADATA);
    VectorCollection c = newCollection();
    Record r = rec("u1", Metadata.of("old", "x", "keep", 1L));
    upsertVisible(c, List.of(r, rec("u2", Metadata.of("old", "y"))));
    Metadata fresh = Metadata.of("keep", 2L, "new", "z");
    assertTrue(c.updateMetadata("u1", fresh), "updateMetadata of an existing id returns true");
    Record got = awaitVisible(() -> c.get("u1").orElseThrow(), g -> g.metadata().equals(fresh));
    assertEquals(fresh, got.metadata());
    assertArrayEquals(r.vector(), got.vector(), "updateMetadata must keep the vector");
    assertEquals(2, c.count());
    assertEquals(Metadata.of("old", "y"), c.get("u2").orElseThrow().metadata(), "another record changed");
    List<Match> hits = c.search(SearchRequest.of(r.vector(), 1));
    assertEquals("u1", hits.get(0).id(), "the record is still found by its vector");
    assertEquals(fresh, hits.get(0).metadata());
  }

  @Test
  @DisplayName("updateMetadata of a missing id returns false and writes nothing")
  void updateMetadataMissing() {
    requireFeature(Feature.UPDATE_METADATA);
    VectorCollection c = newCollection();
    upsertVisible(c, List.of(rec("present", Metadata.empty())));
    assertFalse(c.updateMetadata("absent", Metadata.of("k", "v")), "updateMetadata of a missing id returns false");
    settleNegative();
    assertEquals(1, c.count());
    assertTrue(c.get("absent").isEmpty(), "updateMetadata created a record");
  }
}
