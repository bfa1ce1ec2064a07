package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.conformance.FilterGenerator;
import dev.quiver.conformance.ValuePool;
import dev.quiver.local.internal.filter.MetadataIndex;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Declared fields on the embedded engine: the answers of count, list, search and delete by filter are
 * the same whether the declared fields are indexed, not indexed (checked record by record on the
 * candidates the indexed part leaves) or not declared at all, and they are the reference evaluator's,
 * on seeded random typed data after churn and on seeded random filters ({@link FilterGenerator}).
 */
class LocalDeclaredFieldsTest {

  private static final long SEED = Long.getLong("quiver.kit.seed", 20261208L);
  private static final int DIM = 6;
  private static final ValuePool POOL = new ValuePool(List.of("s", "n", "d", "b", "tags", "u"),
      List.of("a", "b", "c", "A", "a ", "", "it's", "日本"), List.of(-2L, -1L, 0L, 1L, 2L, 3L, 10L, Long.MAX_VALUE),
      List.of(-1.5, -0.0, 0.0, 0.5, 1.0, 2.0, 2.5, 10.0, 9.223372036854775807E18));

  private static List<MetadataField> fields(boolean indexed) {
    return List.of(new MetadataField("s", FieldType.STRING, indexed), new MetadataField("n", FieldType.LONG, indexed),
        new MetadataField("d", FieldType.DOUBLE, indexed), new MetadataField("b", FieldType.BOOL, indexed),
        new MetadataField("tags", FieldType.STRING_LIST, indexed));
  }

  /** Undeclared, all declared and indexed, all declared and unindexed, half and half. */
  private static Map<String, CollectionSpec> specs() {
    Map<String, CollectionSpec> out = new LinkedHashMap<>();
    CollectionSpec.Builder b = CollectionSpec.builder("undeclared").dimension(DIM).metric(Metric.EUCLIDEAN);
    out.put("undeclared", b.build());
    out.put("indexed", CollectionSpec.builder("indexed").dimension(DIM).metric(Metric.EUCLIDEAN).fields(fields(true)).build());
    out.put("unindexed", CollectionSpec.builder("unindexed").dimension(DIM).metric(Metric.EUCLIDEAN)
        .fields(fields(false)).build());
    List<MetadataField> mixed = new ArrayList<>();
    for (MetadataField f : fields(false)) {
      mixed.add(new MetadataField(f.name(), f.type(), f.name().equals("s") || f.name().equals("b")));
    }
    out.put("mixed", CollectionSpec.builder("mixed").dimension(DIM).metric(Metric.EUCLIDEAN).fields(mixed).build());
    return out;
  }

  /** A record with a value of the declared type for each field or none, and an undeclared {@code u} of any type. */
  private static Record record(Random rnd, String id) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (rnd.nextInt(5) > 0) {
      m.put("s", pick(rnd, POOL.strings()));
    }
    if (rnd.nextInt(5) > 0) {
      m.put("n", pick(rnd, POOL.longs()));
    }
    if (rnd.nextInt(5) > 0) {
      m.put("d", pick(rnd, POOL.doubles()));
    }
    if (rnd.nextInt(5) > 0) {
      m.put("b", rnd.nextBoolean());
    }
    if (rnd.nextInt(5) > 0) {
      List<String> tags = new ArrayList<>();
      for (int t = rnd.nextInt(3); t > 0; t--) {
        tags.add(pick(rnd, POOL.strings()));
      }
      m.put("tags", tags);
    }
    if (rnd.nextInt(3) > 0) {
      int k = rnd.nextInt(3);
      m.put("u", k == 0 ? pick(rnd, POOL.strings()) : k == 1 ? (Object) pick(rnd, POOL.longs()) : pick(rnd, POOL.doubles()));
    }
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return Record.of(id, v, Metadata.from(m));
  }

  private static <T> T pick(Random rnd, List<T> values) {
    return values.get(rnd.nextInt(values.size()));
  }

  @Test
  void indexedUnindexedAndUndeclaredFieldsGiveTheReferenceAnswers() {
    Random rnd = new Random(SEED);
    try (LocalVectorStore store = LocalVectorStore.inMemory()) {
      Map<String, VectorCollection> cs = new LinkedHashMap<>();
      specs().forEach((k, spec) -> cs.put(k, store.createCollection(spec)));
      // the indexed collection lists through the admitted records at any selectivity, the others by the planner
      ((LocalCollection) cs.get("indexed")).planner(new SearchPlanner(0));
      TreeMap<String, Record> model = new TreeMap<>();
      List<Record> batch = new ArrayList<>();
      for (int i = 0; i < 700; i++) {
        batch.add(record(rnd, String.format("r%04d", i)));
      }
      apply(cs, model, batch);
      // churn: deletes, replacements, metadata updates
      List<String> gone = new ArrayList<>();
      for (int i = 0; i < 700; i += 9) {
        gone.add(String.format("r%04d", i));
      }
      cs.values().forEach(c -> c.delete(gone));
      gone.forEach(model::remove);
      List<Record> replaced = new ArrayList<>();
      for (int i = 4; i < 700; i += 13) {
        replaced.add(record(rnd, String.format("r%04d", i)));
      }
      apply(cs, model, replaced);
      for (int i = 5; i < 700; i += 11) {
        String id = String.format("r%04d", i);
        Metadata md = record(rnd, id).metadata();
        for (VectorCollection c : cs.values()) {
          assertEquals(model.containsKey(id), c.updateMetadata(id, md));
        }
        model.computeIfPresent(id, (k, r) -> r.withMetadata(md));
      }

      FilterGenerator filters = new FilterGenerator(SEED, POOL);
      float[] query = record(rnd, "q").vector();
      for (int t = 0; t < 400; t++) {
        Filter f = filters.next();
        List<String> want = model.values().stream().filter(r -> f.matches(r.metadata())).map(Record::id).toList();
        List<String> nearest = model.values().stream().filter(r -> f.matches(r.metadata()))
            .sorted(Comparator.comparingDouble((Record r) -> Metric.EUCLIDEAN.distance(query, r.vector()))
                .thenComparing(Record::id))
            .limit(10).map(Record::id).toList();
        int pageSize = 3 + rnd.nextInt(40);
        for (Map.Entry<String, VectorCollection> e : cs.entrySet()) {
          VectorCollection c = e.getValue();
          String what = e.getKey() + ": " + f;
          assertEquals(want.size(), c.count(f), "count, " + what);
          assertEquals(want, scroll(c, f, pageSize), "list by " + pageSize + ", " + what);
          assertEquals(nearest, c.search(SearchRequest.of(query, 10).filter(f)).stream().map(Match::id).toList(),
              "search, " + what);
        }
      }
      // delete by filter, then put the records back
      for (int t = 0; t < 40; t++) {
        Filter f = filters.next();
        List<Record> doomed = model.values().stream().filter(r -> f.matches(r.metadata())).toList();
        for (Map.Entry<String, VectorCollection> e : cs.entrySet()) {
          e.getValue().delete(f);
          assertEquals(model.size() - doomed.size(), e.getValue().count(), "delete(" + f + ") in " + e.getKey());
          assertEquals(0, e.getValue().count(f), e.getKey() + ": " + f);
          if (!doomed.isEmpty()) {
            e.getValue().upsert(doomed);
          }
        }
      }
      for (VectorCollection c : cs.values()) {
        assertEquals(new ArrayList<>(model.values()), scroll(c, null, 100).stream().map(id -> model.get(id)).toList());
        assertEquals(new ArrayList<>(model.keySet()), scroll(c, null, 97));
      }
    }
  }

  @Test
  void unindexedFieldsHaveNoIndexAndFiltersOnThemCheckOnlyTheIndexedCandidates() {
    try (LocalVectorStore store = LocalVectorStore.inMemory()) {
      LocalCollection mixed = (LocalCollection) store.createCollection(specs().get("mixed"));
      Random rnd = new Random(SEED + 1);
      List<Record> data = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        data.add(record(rnd, "m" + i));
      }
      mixed.upsert(data);
      MetadataIndex index = mixed.stateForTests().metadataIndex;
      Set<String> keys = index.indexedKeys();
      assertTrue(keys.containsAll(Set.of("s", "b", "u")), "indexed declared fields and undeclared keys: " + keys);
      assertFalse(keys.contains("n") || keys.contains("d") || keys.contains("tags"), "unindexed fields: " + keys);

      // an indexed conjunct narrows the candidates of an unindexed one; alone, an unindexed predicate knows nothing
      Filter narrowed = Filter.eq("s", "a").and(Filter.gt("n", 0L));
      MetadataIndex.Plan plan = index.plan(narrowed);
      assertFalse(plan.exact());
      assertEquals(data.stream().filter(r -> Filter.eq("s", "a").matches(r.metadata())).count(),
          plan.candidates().cardinality());
      assertEquals(null, index.plan(Filter.gt("n", 0L)).candidates());
      assertEquals(null, index.plan(Filter.not(Filter.gt("n", 0L))).candidates(), "the complement of a superset");
      assertEquals(null, index.plan(Filter.eq("s", "a").or(Filter.gt("n", 0L))).candidates());
      MetadataIndex.Plan empty = index.plan(Filter.eq("s", "no such value").and(Filter.gt("n", 0L)));
      assertTrue(empty.exact() && empty.candidates().isEmpty(), "an empty indexed conjunct decides alone");
      assertTrue(index.plan(Filter.eq("s", "a").or(Filter.ne("b", true))).exact());
      assertTrue(index.answersAlone(Filter.eq("u", 1L).and(Filter.not(Filter.eq("s", "a")))));
      assertFalse(index.answersAlone(Filter.eq("u", 1L).and(Filter.not(Filter.exists("tags")))));
      for (Filter f : new FilterGenerator(SEED, POOL).next(300)) {
        MetadataIndex.Plan p = index.plan(f);
        BitSet want = new BitSet();
        BitSet got = mixed.stateForTests().evaluate(f);
        for (Slot s : mixed.stateForTests().byId.values()) {
          if (f.matches(s.metadata)) {
            want.set(s.ord);
            assertTrue(p.candidates() == null || p.candidates().get(s.ord), "a match outside the candidates of " + f);
          }
        }
        assertEquals(want, got, f.toString());
        if (p.exact()) {
          assertEquals(want, p.candidates(), "an exact plan of " + f);
        }
      }
    }
  }

  @Test
  void declarationsArePartOfTheDescriptionAndOfEveryHandle() {
    try (LocalVectorStore store = LocalVectorStore.inMemory()) {
      CollectionSpec spec = specs().get("mixed").toBuilder().undeclaredKeysAllowed(false).multiTenant(true).build();
      store.createCollection(spec);
      assertEquals(spec, store.describeCollection("mixed"));
      assertEquals(spec, store.collection("mixed").tenant("t").spec());
    }
  }

  private static void apply(Map<String, VectorCollection> cs, Map<String, Record> model, List<Record> batch) {
    cs.values().forEach(c -> c.upsert(batch));
    batch.forEach(r -> model.put(r.id(), r));
  }

  private static List<String> scroll(VectorCollection c, Filter f, int pageSize) {
    List<String> out = new ArrayList<>();
    ListRequest req = ListRequest.of(pageSize).filter(f);
    Page page = c.list(req);
    while (true) {
      assertTrue(page.records().size() <= pageSize);
      page.records().forEach(r -> out.add(r.id()));
      if (page.nextCursor().isEmpty()) {
        return out;
      }
      page = c.list(req.cursor(page.nextCursor().get()));
    }
  }

  static Set<String> ids(List<Record> records) {
    return records.stream().map(Record::id).collect(Collectors.toSet());
  }
}
