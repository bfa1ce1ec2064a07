package dev.quiver.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Filter;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Numbers a Qdrant server does not keep exactly, written and filtered through the adapter: Qdrant
 * 1.18.3 and the qdrant-edge engine store 1000000000000000.5 as 1000000000000000.4 and
 * 123456789.12345679 as 123456789.1234568. Every record must read back bit for bit, and every filter
 * must select exactly what the reference evaluator ({@link Filter#matches}) selects. Run through the
 * wire ({@link FakeQdrant} in stateful mode, which moves every double by an ulp) and against the
 * engine server.
 */
final class ExactDoubles {

  /** The values under key {@code n}, one record each; longs and doubles side by side. */
  static final List<Object> VALUES = List.of(
      1000000000000000.5, Math.nextDown(1000000000000000.5), Math.nextUp(1000000000000000.5), 1000000000000000L,
      123456789.12345679, 123456789.1234568, 123456789L,
      0.1 + 0.2, 0.3,
      5e-324, -5e-324, 0.0, -0.0, 0L,
      1.7976931348623157e308, -1.7976931348623157e308,
      9007199254740993L, 9007199254740992.0, 9007199254740992L, 9007199254740994.0,
      Long.MAX_VALUE, Long.MIN_VALUE, 9.223372036854775807E18);

  private ExactDoubles() {}

  static Map<String, Metadata> records() {
    Map<String, Metadata> out = new LinkedHashMap<>();
    for (int i = 0; i < VALUES.size(); i++) {
      out.put("v" + i, Metadata.of("n", VALUES.get(i), "i", (long) i));
    }
    out.put("none", Metadata.of("i", -1L));
    out.put("text", Metadata.of("n", "1000000000000000.5"));
    return out;
  }

  static List<Filter> filters() {
    List<Filter> out = new ArrayList<>();
    for (Object v : VALUES) {
      out.add(Filter.eq("n", v));
      out.add(Filter.ne("n", v));
      out.add(Filter.in("n", v, 1.5, "x"));
      out.add(Filter.notIn("n", v, 0.3));
      for (Filter.Operator op : new Filter.Operator[] {Filter.Operator.GT, Filter.Operator.GTE, Filter.Operator.LT,
          Filter.Operator.LTE}) {
        out.add(new Filter.Comparison("n", op, v));
      }
    }
    return out;
  }

  /**
   * Writes the records into an empty collection of dimension 2 and checks reads and every filter.
   *
   * @param c the collection
   * @return how many filters were checked
   */
  static int check(VectorCollection c) {
    Map<String, Metadata> records = records();
    List<Record> batch = new ArrayList<>();
    int k = 0;
    for (Map.Entry<String, Metadata> e : records.entrySet()) {
      batch.add(Record.of(e.getKey(), new float[] {1f, ++k / 100f}, e.getValue()));
    }
    c.upsert(batch);

    for (Record r : c.get(records.keySet())) {
      assertEquals(records.get(r.id()), r.metadata(), "read back exactly: " + r.id());
      Object n = records.get(r.id()).get("n").orElse(null);
      if (n instanceof Double d) {
        assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) r.metadata().get("n").get()),
            "the same bits (sign of zero included) for " + r.id());
      }
    }
    assertEquals(records.size(), c.get(records.keySet()).size());
    // updateMetadata keeps exactness too
    c.updateMetadata("v0", Metadata.of("n", 1000000000000000.5, "i", 0L));
    assertEquals(records.get("v0"), c.get("v0").orElseThrow().metadata());

    int checked = 0;
    for (Filter f : filters()) {
      TreeSet<String> want = new TreeSet<>();
      records.forEach((id, md) -> {
        if (f.matches(md)) {
          want.add(id);
        }
      });
      assertEquals(want.size(), c.count(f), "count(" + f + ")");
      assertEquals(want, listed(c, f), "list(" + f + ")");
      checked++;
    }
    // a filtered search selects the same record
    List<Match> hits = c.search(SearchRequest.of(new float[] {1f, 0f}, 10).filter(Filter.eq("n", 1000000000000000.5)));
    assertEquals(List.of("v0"), hits.stream().map(Match::id).toList(), "search with n == 1000000000000000.5");
    return checked;
  }

  private static TreeSet<String> listed(VectorCollection c, Filter f) {
    TreeSet<String> out = new TreeSet<>();
    Optional<String> cursor = Optional.empty();
    do {
      ListRequest req = ListRequest.of(7).filter(f);
      if (cursor.isPresent()) {
        req = req.cursor(cursor.get());
      }
      Page p = c.list(req);
      p.records().forEach(r -> out.add(r.id()));
      cursor = p.nextCursor();
    } while (cursor.isPresent());
    return out;
  }
}
