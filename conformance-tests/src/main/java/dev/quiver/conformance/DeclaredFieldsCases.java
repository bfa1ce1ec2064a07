package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Declared fields" (run as {@link VectorStoreConformanceKit.DeclaredFields}): a spec
 * may declare typed metadata fields; values of another type are refused before anything is written,
 * records may leave declared fields out, and filters mean exactly what they mean without declarations.
 */
abstract class DeclaredFieldsCases extends KitGroup {

  /** One field of each type, most of them indexed. */
  static final List<MetadataField> FIELDS = List.of(MetadataField.indexed("s", FieldType.STRING),
      MetadataField.indexed("n", FieldType.LONG), MetadataField.of("d", FieldType.DOUBLE),
      MetadataField.indexed("b", FieldType.BOOL), MetadataField.indexed("tags", FieldType.STRING_LIST));

  DeclaredFieldsCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  private VectorCollection declared(boolean undeclaredAllowed) {
    requireFeature(Feature.DECLARED_FIELDS);
    CollectionSpec spec = CollectionSpec.builder(VectorStoreConformanceKit.uniqueName()).dimension(DIM)
        .metric(defaultMetric()).index(exactIndex()).fields(FIELDS).undeclaredKeysAllowed(undeclaredAllowed).build();
    track(spec.name());
    return store().createCollection(spec);
  }

  @Test
  @DisplayName("describeCollection returns the declared fields and whether undeclared keys are allowed")
  void describes() {
    VectorCollection open = declared(true);
    VectorCollection closed = declared(false);
    CollectionSpec a = store().describeCollection(open.name());
    CollectionSpec b = store().describeCollection(closed.name());
    assertEquals(FIELDS, a.fields());
    assertTrue(a.undeclaredKeysAllowed());
    assertEquals(FIELDS, b.fields());
    assertFalse(b.undeclaredKeysAllowed());
    assertEquals(FIELDS, store().collection(closed.name()).spec().fields());
  }

  @Test
  @DisplayName("a value of another type for a declared field fails the whole batch with InvalidArgumentException naming the key; nothing is written")
  void wrongTypesAreRefused() {
    VectorCollection c = declared(true);
    upsertVisible(c, List.of(rec("ok", Metadata.of("s", "x", "n", 1L, "d", 1.5, "b", true, "tags", List.of("t")))));
    Map<String, List<Object>> wrong = new LinkedHashMap<>();
    wrong.put("s", List.of(1L, 1.5, true, List.of("x")));
    wrong.put("n", List.of("1", 1.0, 2.5, false, List.of("1")));
    wrong.put("d", List.of("1.5", 2L, true, List.of("x")));
    wrong.put("b", List.of("true", 1L, 0.0, List.of("true")));
    wrong.put("tags", List.of("t", 1L, 1.5, true));
    for (Map.Entry<String, List<Object>> e : wrong.entrySet()) {
      for (Object value : e.getValue()) {
        InvalidArgumentException ex = assertThrows(InvalidArgumentException.class, () -> c.upsert(
            rec("fine", Metadata.of("s", "y")), rec("bad", Metadata.of(e.getKey(), value))),
            e.getKey() + " = " + value + " (" + value.getClass().getSimpleName() + ")");
        assertTrue(ex.getMessage().contains("'" + e.getKey() + "'"), ex.getMessage());
        assertThrows(InvalidArgumentException.class, () -> c.updateMetadata("ok", Metadata.of(e.getKey(), value)));
      }
    }
    settleNegative();
    assertEquals(1, c.count(), "a refused batch wrote something");
    assertTrue(c.get("fine").isEmpty());
    assertEquals(Metadata.of("s", "x", "n", 1L, "d", 1.5, "b", true, "tags", List.of("t")),
        c.get("ok").orElseThrow().metadata(), "a refused update changed the record");
  }

  @Test
  @DisplayName("a collection that allows only its declared fields refuses any other key, on upsert and on update")
  void undeclaredKeysAreRefusedWhenAsked() {
    VectorCollection c = declared(false);
    upsertVisible(c, List.of(rec("ok", Metadata.of("s", "x"))));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> c.upsert(rec("other", Metadata.of("s", "y", "color", "red"))));
    assertTrue(e.getMessage().contains("'color'"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> c.updateMetadata("ok", Metadata.of("color", "red")));
    settleNegative();
    assertEquals(1, c.count());
    assertEquals(Metadata.of("s", "x"), c.get("ok").orElseThrow().metadata());
    VectorCollection open = declared(true);
    upsertVisible(open, List.of(rec("mixed", Metadata.of("s", "y", "color", "red", "weight", 2.5))));
    assertEquals(Metadata.of("s", "y", "color", "red", "weight", 2.5), open.get("mixed").orElseThrow().metadata());
  }

  @Test
  @DisplayName("typed fields keep values exactly: long extremes, the round-trip doubles, -0.0, empty and non-ASCII strings, empty lists")
  void valuesSurvive() {
    VectorCollection c = declared(true);
    List<Long> longs = new ArrayList<>(List.of(0L, -1L, 1_000_000L));
    if (capabilities().supports(Feature.EXACT_LONGS)) {
      longs.addAll(List.of(Long.MAX_VALUE, Long.MIN_VALUE, ValuePool.TWO_POW_53_PLUS_1));
    }
    List<Double> doubles = new ArrayList<>(ValuePool.ROUND_TRIP_DOUBLES);
    List<String> strings = List.of("", "a ", "it's", "say \"hi\"", "back\\slash", "日本", "🙂");
    List<Record> data = new ArrayList<>();
    int n = Math.max(longs.size(), Math.max(doubles.size(), strings.size()));
    for (int i = 0; i < n; i++) {
      data.add(rec(String.format("v%03d", i), Metadata.of("n", longs.get(i % longs.size()),
          "d", doubles.get(i % doubles.size()), "s", strings.get(i % strings.size()), "b", i % 2 == 0,
          "tags", i % 3 == 0 ? List.of() : List.of(strings.get(i % strings.size()), "x"))));
    }
    upsertVisible(c, data);
    List<Record> got = c.get(ids(data));
    assertEquals(data.size(), got.size());
    for (int i = 0; i < data.size(); i++) {
      Metadata want = data.get(i).metadata();
      Metadata have = got.get(i).metadata();
      assertEquals(want, have, data.get(i).id());
      double w = (Double) want.get("d").orElseThrow();
      double h = (Double) have.get("d").orElseThrow();
      assertEquals(Double.doubleToRawLongBits(w), Double.doubleToRawLongBits(h), "bits of " + w);
    }
  }

  @Test
  @DisplayName("records may leave declared fields out; filters on declared fields agree with the reference evaluator (count, list, search)")
  void filtersMeanTheSame() {
    VectorCollection c = declared(true);
    long seed = VectorStoreConformanceKit.seed() ^ 0x5EED_F1E1DL;
    ValuePool pool = new ValuePool(List.of("s", "n", "d", "b", "tags", "u"),
        List.of("a", "b", "c", "A", "a ", "", "it's", "日本"), List.of(-2L, -1L, 0L, 1L, 2L, 3L, 10L),
        List.of(-1.5, 0.0, 0.5, 1.0, 2.0, 2.5, 10.0));
    List<Record> data = typedRecords(new Random(seed), pool, 160);
    upsertVisible(c, data);
    awaitCount(c, data.size());
    List<Filter> filters = new ArrayList<>(List.of(Filter.eq("n", 1L), Filter.eq("n", 1.0), Filter.eq("d", 2L),
        Filter.ne("s", "a"), Filter.not(Filter.exists("n")), Filter.exists("tags"), Filter.eq("tags", "b"),
        Filter.in("s", "a", "b", 3L), Filter.notIn("n", 1L, 2L), Filter.gte("n", 1L), Filter.lt("d", 1.0),
        Filter.eq("b", true), Filter.ne("b", true), Filter.gt("n", 0L).and(Filter.eq("b", false)),
        Filter.eq("s", "A").or(Filter.lte("d", 0.0)), Filter.eq("u", "a"), Filter.eq("s", 1L)));
    filters.addAll(new FilterGenerator(seed, pool).next(40));
    float[] query = vectorFor("declared-query", DIM);
    for (Filter f : filters) {
      Set<String> want = data.stream().filter(r -> f.matches(r.metadata())).map(Record::id).collect(Collectors.toSet());
      assertEquals(want.size(), c.count(f), "count(" + f + ")");
      assertEquals(want, scroll(c, f, 50).stream().map(Record::id).collect(Collectors.toSet()), "list(" + f + ")");
      List<String> exact = ExactOracle.search(data, query, c.spec().metric(), 10, f).stream()
          .map(ExactOracle.Hit::id).toList();
      List<String> got = c.search(SearchRequest.of(query, 10).filter(f)).stream().map(Match::id).toList();
      assertEquals(new HashSet<>(exact), new HashSet<>(got), "search(" + f + ")");
    }
  }

  @Test
  @DisplayName("updateMetadata replaces declared values, and a declared value left out becomes missing")
  void updates() {
    VectorCollection c = declared(true);
    upsertVisible(c, List.of(rec("r", Metadata.of("s", "x", "n", 5L, "b", true))));
    assertTrue(c.updateMetadata("r", Metadata.of("s", "y", "d", 0.25)));
    kit.awaitVisible(() -> c.get("r").map(Record::metadata).orElse(null), m -> Metadata.of("s", "y", "d", 0.25).equals(m));
    assertEquals(Metadata.of("s", "y", "d", 0.25), c.get("r").orElseThrow().metadata());
    kit.awaitVisible(() -> c.count(Filter.exists("n")), v -> v == 0);
    assertEquals(0, c.count(Filter.exists("n")), "n was left out, so it is missing");
    assertEquals(1, c.count(Filter.ne("n", 5L)), "n != 5 matches a record without n");
  }

  /** Records with a value of the declared type for each field, or none (a fifth of the time), and an undeclared {@code u}. */
  static List<Record> typedRecords(Random random, ValuePool pool, int n) {
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (random.nextInt(5) > 0) {
        m.put("s", pick(random, pool.strings()));
      }
      if (random.nextInt(5) > 0) {
        m.put("n", pick(random, pool.longs()));
      }
      if (random.nextInt(5) > 0) {
        m.put("d", pick(random, pool.doubles()));
      }
      if (random.nextInt(5) > 0) {
        m.put("b", random.nextBoolean());
      }
      if (random.nextInt(5) > 0) {
        List<String> tags = new ArrayList<>();
        for (int t = random.nextInt(3); t >= 0; t--) {
          tags.add(pick(random, pool.strings()));
        }
        m.put("tags", tags);
      }
      if (random.nextInt(3) == 0) {
        m.put("u", random.nextBoolean() ? pick(random, pool.strings()) : (Object) pick(random, pool.longs()));
      }
      out.add(rec(String.format("t%04d", i), Metadata.from(m)));
    }
    return out;
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
