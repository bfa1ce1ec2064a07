package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.GENERATED_DELETE_FILTERS;
import static dev.quiver.conformance.VectorStoreConformanceKit.GENERATED_FILTERS;
import static dev.quiver.conformance.VectorStoreConformanceKit.SEED_PROPERTY;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
import static dev.quiver.conformance.VectorStoreConformanceKit.seed;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The kit's group "Filters (generated)" (run as {@link VectorStoreConformanceKit.GeneratedFilters},
 * order 10): random filters over random data, compared record by record with the reference
 * evaluator.
 */
abstract class GeneratedFiltersCases extends KitGroup {

  GeneratedFiltersCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @TestFactory
  @DisplayName(GENERATED_FILTERS + " seeded random filters agree with the reference evaluator")
  Stream<DynamicTest> generated() {
    long seed = seed();
    System.out.println("Quiver conformance kit: generated filters use seed " + seed + " (rerun with -D"
        + SEED_PROPERTY + "=" + seed + ")");
    ValuePool pool = capabilities().supports(Feature.EXACT_LONGS) ? ValuePool.withExactLongs() : ValuePool.standard();
    List<Record> data = new DatasetGenerator(seed, pool).records("r", 200, DIM);
    Map<String, Metadata> meta = new LinkedHashMap<>();
    data.forEach(r -> meta.put(r.id(), r.metadata()));
    List<Filter> filters = new FilterGenerator(seed ^ 0x5DEECE66DL, pool).next(GENERATED_FILTERS);
    VectorCollection c = newExactCollection();
    upsertVisible(c, data);
    awaitCount(c, data.size());
    float[] q = vectorFor("query", DIM);
    return Stream.of(
        dynamicTest("every generated filter round-trips through its text form", () -> {
          for (Filter f : filters) {
            assertEquals(f, Filter.parse(f.toString()), "seed " + seed + ": " + f);
          }
        }),
        dynamicTest("count(filter)", () -> {
          requireFeature(Feature.COUNT_BY_FILTER);
          compareAll(seed, "count", filters, meta, f -> {
            long n = c.count(f);
            Set<String> want = expectedIds(meta, f);
            return n == want.size() ? null : " count(filter) = " + n + ", expected " + want.size();
          });
        }),
        dynamicTest("list(filter)", () -> {
          requireFeature(Feature.LIST);
          requireFeature(Feature.LIST_BY_FILTER);
          compareAll(seed, "list", filters, meta, f -> check(expectedIds(meta, f), ids(scroll(c, f, 50)), meta));
        }),
        dynamicTest("search(filter) with topK = all", () -> {
          requireFeature(Feature.FILTERED_SEARCH);
          compareAll(seed, "search", filters, meta,
              f -> check(expectedIds(meta, f), searchIds(c, q, data.size(), f), meta));
        }),
        dynamicTest("delete(filter) on a fresh copy of 60 records (" + GENERATED_DELETE_FILTERS + " filters)", () -> {
          requireFeature(Feature.DELETE_BY_FILTER);
          List<Record> small = data.subList(0, 60);
          List<String> smallIds = ids(small);
          Map<String, Metadata> smallMeta = new LinkedHashMap<>();
          small.forEach(r -> smallMeta.put(r.id(), r.metadata()));
          VectorCollection d = newExactCollection();
          compareAll(seed, "delete", filters.subList(0, GENERATED_DELETE_FILTERS), smallMeta, f -> {
            upsertVisible(d, small);
            awaitCount(d, small.size());
            d.delete(f);
            Set<String> remain = new TreeSet<>(smallIds);
            remain.removeAll(expectedIds(smallMeta, f));
            List<String> got = awaitVisible(() -> ids(d.get(smallIds)), g -> new HashSet<>(g).equals(remain));
            String problem = check(remain, got, smallMeta);
            return problem == null ? null : " ids remaining after delete(filter):" + problem;
          });
        }));
  }

  private String check(Set<String> want, List<String> got, Map<String, Metadata> meta) {
    return new HashSet<>(got).equals(want) && got.size() == want.size() ? null : diff(want, got, meta);
  }

  private void compareAll(long seed, String op, List<Filter> filters, Map<String, Metadata> meta,
      java.util.function.Function<Filter, String> check) {
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < filters.size(); i++) {
      Filter f = filters.get(i);
      String problem;
      try {
        problem = check.apply(f);
      } catch (RuntimeException e) {
        problem = "threw " + e;
      }
      if (problem != null) {
        failures.add("#" + i + " " + f + " →" + problem);
      }
    }
    if (!failures.isEmpty()) {
      failures.forEach(s -> System.out.println("Quiver kit " + op + " (seed " + seed + "): " + s));
      fail(failures.size() + " of " + filters.size() + " generated filters disagree with the reference evaluator in "
          + op + " (seed " + seed + ", rerun with -D" + SEED_PROPERTY + "=" + seed + "); first: "
          + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }
  }
}
