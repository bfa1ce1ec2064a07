package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The kit's group "Filters (hand-written)" (run as {@link
 * VectorStoreConformanceKit.HandWrittenFilters}, order 9): the hand-written table of {@link
 * FilterCases}.
 */
abstract class HandWrittenFiltersCases extends KitGroup {

  HandWrittenFiltersCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @TestFactory
  @DisplayName("each filter matches the listed ids in the reference evaluator, count, list and search")
  Stream<DynamicNode> table() {
    return cases(FilterCases.dataset(), FilterCases.cases());
  }

  @TestFactory
  @DisplayName("longs beyond 2^53 compare exactly (needs EXACT_LONGS)")
  Stream<DynamicNode> exactLongs() {
    requireFeature(Feature.EXACT_LONGS);
    return cases(FilterCases.exactLongDataset(), FilterCases.exactLongCases());
  }

  private Stream<DynamicNode> cases(Map<String, Metadata> data, List<FilterCases.Case> cases) {
    VectorCollection c = newExactCollection();
    List<Record> records = new ArrayList<>();
    data.forEach((id, m) -> records.add(rec(id, m)));
    upsertVisible(c, records);
    awaitCount(c, records.size());
    boolean count = capabilities().supports(Feature.COUNT_BY_FILTER);
    boolean list = capabilities().supports(Feature.LIST) && capabilities().supports(Feature.LIST_BY_FILTER);
    boolean search = capabilities().supports(Feature.FILTERED_SEARCH);
    List<DynamicNode> nodes = new ArrayList<>();
    for (Feature f : List.of(Feature.COUNT_BY_FILTER, Feature.LIST, Feature.LIST_BY_FILTER, Feature.FILTERED_SEARCH)) {
      if (!capabilities().supports(f)) {
        nodes.add(dynamicTest("the backend side of every case needing " + f, () -> requireFeature(f)));
      }
    }
    float[] q = vectorFor("query", DIM);
    int i = 0;
    for (FilterCases.Case fc : cases) {
      String name = String.format("#%03d %s  →  %s", ++i, fc.filter(),
          fc.expected().isEmpty() ? "none" : fc.expected().size() == data.size() ? "all" : fc.expected());
      nodes.add(dynamicTest(name, () -> {
        Filter f = Filter.parse(fc.filter());
        assertEquals(f, Filter.parse(f.toString()), "the filter does not round-trip through " + f);
        Set<String> ref = expectedIds(data, f);
        assertEquals(fc.expected(), ref, "the table and the reference evaluator disagree on " + fc.filter());
        List<String> errors = new ArrayList<>();
        if (count) {
          long n = c.count(f);
          if (n != fc.expected().size()) {
            errors.add("count(filter) = " + n + ", expected " + fc.expected().size());
          }
        }
        if (list) {
          List<String> got = ids(scroll(c, f, 5));
          if (!new HashSet<>(got).equals(fc.expected()) || got.size() != fc.expected().size()) {
            errors.add("list(filter):" + diff(fc.expected(), got, data));
          }
        }
        if (search) {
          List<String> got = searchIds(c, q, data.size(), f);
          if (!new HashSet<>(got).equals(fc.expected()) || got.size() != fc.expected().size()) {
            errors.add("search(filter):" + diff(fc.expected(), got, data));
          }
        }
        if (!errors.isEmpty()) {
          fail("filter " + fc.filter() + " → " + String.join("; ", errors));
        }
      }));
    }
    return nodes.stream();
  }
}
