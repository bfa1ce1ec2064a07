package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DimensionMismatchException;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.InvalidFilterException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The kit's group "Bad input" (run as {@link VectorStoreConformanceKit.BadInput}, order 11): every
 * operation rejects bad input with a typed error, writes nothing, and leaves the store usable.
 */
abstract class BadInputCases extends KitGroup {

  BadInputCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  private List<Record> nineGoodAnd(Record bad) {
    List<Record> batch = new ArrayList<>(recs("new", 9));
    batch.add(4, bad);
    return batch;
  }

  @Test
  @DisplayName("upsert with a wrong-dimension vector throws DimensionMismatchException and writes none of the batch")
  void wrongDimensionUpsert() {
    VectorCollection c = newCollection();
    List<Record> before = recs("old", 3);
    upsertVisible(c, before);
    Record bad = Record.of("bad", vectorFor("bad", DIM + 1));
    List<Record> batch = nineGoodAnd(bad);
    DimensionMismatchException e = assertRejected(DimensionMismatchException.class, c, before, ids(batch),
        () -> c.upsert(batch));
    assertEquals(DIM, e.expected());
    assertEquals(DIM + 1, e.actual());
  }

  @Test
  @DisplayName("search with a wrong-dimension query throws DimensionMismatchException")
  void wrongDimensionSearch() {
    VectorCollection c = newCollection();
    List<Record> before = recs("old", 3);
    upsertVisible(c, before);
    assertRejected(DimensionMismatchException.class, c, before, List.of(),
        () -> c.search(SearchRequest.of(vectorFor("q", DIM - 1), 3)));
    assertRejected(DimensionMismatchException.class, c, before, List.of(),
        () -> c.search(SearchRequest.of(vectorFor("q", DIM * 2), 3)));
  }

  @Test
  @DisplayName("NaN and infinite vector values are rejected with InvalidArgumentException by Record.of and SearchRequest.of")
  void nonFinite() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] v = vectorFor("x", DIM);
      v[3] = bad;
      assertThrows(InvalidArgumentException.class, () -> Record.of("x", v));
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(v, 3));
    }
    assertThrows(InvalidArgumentException.class, () -> Record.of("x", new float[0]));
    VectorCollection c = newCollection();
    assertStillUsable(c);
  }

  @Test
  @DisplayName("empty ids and ids over 512 UTF-8 bytes are rejected; an id of exactly 512 bytes is stored")
  void idRules() {
    float[] v = vectorFor("x", DIM);
    assertThrows(InvalidArgumentException.class, () -> Record.of("", v));
    assertThrows(InvalidArgumentException.class, () -> Record.of(null, v));
    assertThrows(InvalidArgumentException.class, () -> Record.of("x".repeat(513), v));
    assertThrows(InvalidArgumentException.class, () -> Record.of("é".repeat(257), v)); // 514 bytes, 257 chars
    assertThrows(InvalidArgumentException.class, () -> Record.of("a\uD800b", v)); // unpaired surrogate
    String ascii = "x".repeat(512);
    String emoji = "🙂".repeat(128);
    assertEquals(512, emoji.getBytes(StandardCharsets.UTF_8).length);
    VectorCollection c = newCollection();
    List<Record> data = List.of(Record.of(ascii, v), Record.of(emoji, vectorFor(emoji, DIM)));
    upsertVisible(c, data);
    assertEquals(data, c.get(List.of(ascii, emoji)));
    assertStillUsable(c);
  }

  @Test
  @DisplayName("a batch with a duplicate id throws InvalidArgumentException and writes nothing")
  void duplicateIds() {
    VectorCollection c = newCollection();
    List<Record> before = recs("old", 3);
    upsertVisible(c, before);
    Record dup = Record.of("new0002", vectorFor("other", DIM));
    List<Record> batch = nineGoodAnd(dup);
    assertRejected(InvalidArgumentException.class, c, before, ids(batch), () -> c.upsert(batch));
  }

  @Test
  @DisplayName("a zero vector under COSINE is rejected with InvalidArgumentException on upsert and search")
  void zeroCosine() {
    VectorCollection c = newCollection(Metric.COSINE, indexForTests(), DIM);
    List<Record> before = recs("old", 3);
    upsertVisible(c, before);
    Record zero = Record.of("zero", new float[DIM]);
    List<Record> batch = nineGoodAnd(zero);
    assertRejected(InvalidArgumentException.class, c, before, ids(batch), () -> c.upsert(batch));
    assertRejected(InvalidArgumentException.class, c, before, List.of(),
        () -> c.search(SearchRequest.of(new float[DIM], 3)));
  }

  @Test
  @DisplayName("a handle on a dropped collection throws CollectionNotFoundException on every operation")
  void droppedHandle() {
    VectorCollection c = newCollection();
    upsertVisible(c, recs("d", 3));
    assertTrue(store().dropCollection(c.name()));
    awaitVisible(() -> store().hasCollection(c.name()), v -> !v);
    Filter f = Filter.exists("i");
    List<Executable> ops = new ArrayList<>(List.of(
        () -> c.upsert(List.of(rec("z", Metadata.empty()))),
        () -> c.get(List.of("d0000")),
        () -> c.delete(List.of("d0000")),
        c::count,
        () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3))));
    if (capabilities().supports(Feature.LIST)) {
      ops.add(() -> c.list(ListRequest.of(5)));
    }
    if (capabilities().supports(Feature.COUNT_BY_FILTER)) {
      ops.add(() -> c.count(f));
    }
    if (capabilities().supports(Feature.DELETE_BY_FILTER)) {
      ops.add(() -> c.delete(f));
    }
    if (capabilities().supports(Feature.UPDATE_METADATA)) {
      ops.add(() -> c.updateMetadata("d0000", Metadata.empty()));
    }
    for (int i = 0; i < ops.size(); i++) {
      assertThrows(CollectionNotFoundException.class, ops.get(i), "operation #" + i + " on a dropped collection");
    }
    assertFalse(store().hasCollection(c.name()), "an operation on a dropped handle re-created the collection");
    assertStillUsable(newCollection());
  }

  @Test
  @DisplayName("topK below 1 is rejected with InvalidArgumentException")
  void topK() {
    float[] v = vectorFor("q", DIM);
    assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(v, 0));
    assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(v, -1));
    assertThrows(InvalidArgumentException.class, () -> ListRequest.of(0));
    assertThrows(InvalidArgumentException.class, () -> ListRequest.of(ListRequest.MAX_PAGE_SIZE + 1));
    VectorCollection c = newCollection();
    assertStillUsable(c);
  }

  @Test
  @DisplayName("malformed filter text throws InvalidFilterException with the position of the error")
  void malformedFilters() {
    Map<String, Integer> cases = new LinkedHashMap<>();
    cases.put("", 0);
    cases.put("   ", 0);
    cases.put("s ==", 4);
    cases.put("s = 1", 2);
    cases.put("s == 'abc", 5);
    cases.put("(s == 1", 7);
    cases.put("s == 1)", 6);
    cases.put("s in []", 6);
    cases.put("s > 'a'", 4);
    cases.put("and == 1", 0);
    cases.put("s == 1 and", 10);
    cases.put("s == 1 or or s == 2", 10);
    cases.put("s == @", 5);
    cases.put("exists(and)", 7);
    cases.put("s == 12abc", 5);
    cases.put("s == 99999999999999999999", 5);
    cases.put("s == 'a\\q'", 7);
    cases.put("not", 3);
    cases.put("s not 1", 6);
    cases.put("s == 1 s == 2", 7);
    cases.put("s == true and", 13);
    cases.put("ünï == 1", 0);
    for (Map.Entry<String, Integer> e : cases.entrySet()) {
      InvalidFilterException ex = assertThrows(InvalidFilterException.class, () -> Filter.parse(e.getKey()),
          "Filter.parse(\"" + e.getKey() + "\")");
      assertEquals(e.getValue(), ex.position(), "position for \"" + e.getKey() + "\": " + ex.getMessage());
      assertThrows(InvalidFilterException.class, () -> SearchRequest.of(vectorFor("q", DIM), 1).filter(e.getKey()));
      assertThrows(InvalidFilterException.class, () -> ListRequest.of(1).filter(e.getKey()));
    }
    assertThrows(InvalidFilterException.class, () -> Filter.eq("s", new Object()));
    assertThrows(InvalidFilterException.class, () -> Filter.eq("s", null));
    assertThrows(InvalidFilterException.class, () -> Filter.eq("bad-field", 1));
    assertThrows(InvalidFilterException.class, () -> Filter.in("s"));
    assertThrows(InvalidFilterException.class, () -> Filter.gt("s", Double.NaN));
    assertStillUsable(newCollection());
  }

  @Test
  @DisplayName("invalid collection names are rejected with InvalidArgumentException and never reach the backend")
  void collectionNames() {
    for (String bad : List.of("", "1abc", "a b", "../x", "a/b", "x".repeat(256), "kit.x", "ünï", "-a", "_a")) {
      assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder(bad).dimension(DIM).build(),
          "name '" + bad + "'");
      boolean exists;
      try {
        exists = store().hasCollection(bad);
      } catch (InvalidArgumentException e) {
        exists = false; // rejecting the name outright is fine
      }
      assertFalse(exists, "hasCollection('" + bad + "')");
      String name = bad;
      RuntimeException e = assertThrows(RuntimeException.class, () -> store().collection(name));
      assertTrue(e instanceof InvalidArgumentException || e instanceof CollectionNotFoundException,
          "store().collection('" + bad + "') threw " + e);
    }
    assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder("ok").dimension(0).build());
    assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder("ok").dimension(-3).build());
    assertStillUsable(newCollection());
  }

  @Test
  @DisplayName("metadata of unsupported types, bad keys and non-finite numbers are rejected with InvalidArgumentException")
  void badMetadata() {
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", new Object()));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", null));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", List.of(1, 2)));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", Map.of("a", "b")));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", new java.math.BigDecimal("1.5")));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", Double.NaN));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", Double.POSITIVE_INFINITY));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("bad-key", 1));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("and", 1));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("1k", 1));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", 1, "k", 2));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k"));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k".repeat(Metadata.MAX_KEY_LENGTH + 1), 1));
    assertStillUsable(newCollection());
  }

  @Test
  @DisplayName("a record whose long the backend cannot hold exactly is rejected at write time, nothing written")
  void inexactLong() {
    Assumptions.assumeFalse(capabilities().supports(Feature.EXACT_LONGS),
        "the backend stores longs exactly; see Records › longs beyond ±2^53");
    VectorCollection c = newCollection();
    List<Record> before = recs("old", 3);
    upsertVisible(c, before);
    List<Record> batch = nineGoodAnd(rec("big", Metadata.of("n", ValuePool.TWO_POW_53_PLUS_1)));
    assertRejected(UnsupportedFeatureException.class, c, before, ids(batch), () -> c.upsert(batch));
  }
}
