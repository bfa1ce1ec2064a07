package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Unicode and quotes" (run as {@link VectorStoreConformanceKit.UnicodeAndQuotes},
 * order 12): ids and values with quotes, backslashes and non-ASCII characters survive every
 * operation unchanged.
 */
abstract class UnicodeAndQuotesCases extends KitGroup {

  UnicodeAndQuotesCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  private final List<String> nastyIds = List.of("ünï-cödé", "日本語", "🙂", "it's", "say \"hi\"", "back\\slash",
      "a b", "a/b/../c", "') or true or ('", "%_*", "tab\tid", "line\nid", "Case", "case", "\u00e9", "e\u0301",
      "-1", "0x1", "null", "   ", "?q=1&r=2#f");

  @Test
  @DisplayName("ids with unicode, quotes, backslashes, spaces and slashes survive upsert, get, search, list and delete")
  void nastyIds() {
    VectorCollection c = newCollection();
    List<Record> data = new ArrayList<>();
    for (String id : nastyIds) {
      data.add(rec(id, Metadata.of("id", id)));
    }
    upsertVisible(c, data);
    awaitCount(c, data.size());
    assertEquals(data, c.get(nastyIds), "get returns every nasty id, exactly");
    for (Record r : data) {
      List<Match> hits = c.search(SearchRequest.of(r.vector(), 1));
      assertEquals(r.id(), hits.get(0).id(), "search finds the record by its own vector");
    }
    if (capabilities().supports(Feature.LIST)) {
      assertEquals(new TreeSet<>(nastyIds), new TreeSet<>(ids(scroll(c, null, 4))));
    }
    List<String> half = nastyIds.subList(0, nastyIds.size() / 2);
    c.delete(half);
    awaitCount(c, nastyIds.size() - half.size());
    assertEquals(nastyIds.subList(half.size(), nastyIds.size()), ids(c.get(nastyIds)));
  }

  @Test
  @DisplayName("string values with quotes, backslashes and unicode round-trip and match only themselves")
  void nastyValues() {
    VectorCollection c = newExactCollection();
    List<Record> data = new ArrayList<>();
    for (int i = 0; i < nastyIds.size(); i++) {
      data.add(rec("v" + i, Metadata.of("s", nastyIds.get(i), "list", List.of(nastyIds.get(i), "plain"))));
    }
    upsertVisible(c, data);
    assertEquals(data, c.get(ids(data)));
    for (int i = 0; i < data.size(); i++) {
      String value = nastyIds.get(i);
      Filter f = Filter.parse(Filter.eq("s", value).toString()); // through the text form, escapes and all
      assertEquals(Filter.eq("s", value), f);
      if (capabilities().supports(Feature.COUNT_BY_FILTER)) {
        assertEquals(1, c.count(f), "count(" + f + ")");
        assertEquals(1, c.count(Filter.eq("list", value)), "count(list == " + value + ")");
      }
      if (capabilities().supports(Feature.FILTERED_SEARCH)) {
        assertEquals(List.of("v" + i), searchIds(c, vectorFor("q", DIM), data.size(), f), "search " + f);
      }
    }
  }

  @Test
  @DisplayName("a quote-laden value can never widen a tenant filter (no injection)")
  void noInjection() {
    VectorCollection c = newExactCollection();
    List<Record> data = List.of(rec("a1", Metadata.of("tenant", "acme", "s", "x")),
        rec("a2", Metadata.of("tenant", "acme", "s", "y")), rec("o1", Metadata.of("tenant", "other", "s", "x")));
    upsertVisible(c, data);
    for (String evil : List.of("') or true or ('", "\" or 1==1 or \"", "x' || '1'=='1", "\\' or true or \\'",
        "x\" or tenant != \"", "x') or (tenant == 'other", "%", "*", "x\\", "' OR ''='")) {
      Filter f = Filter.eq("tenant", "acme").and(Filter.eq("s", evil));
      if (capabilities().supports(Feature.COUNT_BY_FILTER)) {
        assertEquals(0, c.count(f), "count(" + f + ")");
      }
      if (capabilities().supports(Feature.FILTERED_SEARCH)) {
        assertEquals(List.of(), searchIds(c, vectorFor("q", DIM), 3, f), "search " + f);
      }
      if (capabilities().supports(Feature.LIST) && capabilities().supports(Feature.LIST_BY_FILTER)) {
        assertEquals(List.of(), scroll(c, f, 5), "list " + f);
      }
      if (capabilities().supports(Feature.DELETE_BY_FILTER)) {
        c.delete(f);
      }
    }
    settleNegative();
    assertEquals(3, c.count(), "a filter with a quote-laden value deleted records");
  }
}
