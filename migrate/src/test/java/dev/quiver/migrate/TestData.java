package dev.quiver.migrate;

import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.conformance.DatasetGenerator;
import dev.quiver.conformance.ValuePool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The records the migration tests copy, and an exact comparison independent of the verifier. */
final class TestData {

  private TestData() {}

  /**
   * The conformance kit's edge-case metadata (strings with quotes, backslashes and non-ASCII, longs
   * and doubles that collide, longs beyond ±2^53 and the long extremes, lists, missing keys) plus
   * planted records: awkward ids (quotes, spaces, emoji, 512 UTF-8 bytes) and doubles such as
   * 1000000000000000.5 and -0.0.
   */
  static List<Record> records(int n, int dimension, long seed) {
    List<Record> out = new ArrayList<>(new DatasetGenerator(seed, ValuePool.withExactLongs())
        .records("r", n - 6, dimension));
    java.util.Random rnd = new java.util.Random(seed);
    out.add(Record.of("edge-doubles", DatasetGenerator.vector(rnd, dimension), Metadata.builder()
        .put("half", 1000000000000000.5).put("negz", -0.0).put("tiny", 4.9e-324).put("huge", 1.7976931348623157e308)
        .put("one", 1.0).put("int_one", 1L).put("near_max", 1.7976931348623155E308).build()));
    out.add(Record.of("edge-longs", DatasetGenerator.vector(rnd, dimension), Metadata.builder()
        .put("max", Long.MAX_VALUE).put("min", Long.MIN_VALUE).put("p53", 1L << 53).put("p53p1", (1L << 53) + 1).build()));
    out.add(Record.of("it's a \"quoted\" id with spaces \\ and ünïcødé 🙂", DatasetGenerator.vector(rnd, dimension),
        Metadata.of("text", "line\nbreak\ttab \u0001 ctrl 日本語", "tags", List.of("", " ", "🙂"), "empty", List.of())));
    out.add(Record.of("é".repeat(256), DatasetGenerator.vector(rnd, dimension), Metadata.of("long_id", true)));
    out.add(Record.of("x".repeat(512), DatasetGenerator.vector(rnd, dimension), Metadata.of("ascii_512", true)));
    out.add(Record.of("edge-empty", DatasetGenerator.vector(rnd, dimension), Metadata.empty()));
    return out;
  }

  /**
   * Plain records (a category, a year, a price with two decimals, a flag, a list): what most
   * collections hold, and what every backend stores exactly.
   */
  static List<Record> simple(int n, int dim, long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    String[] cats = {"tech", "science", "sports", "travel", "food"};
    List<Record> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = new float[dim];
      for (int j = 0; j < dim; j++) {
        v[j] = (float) rnd.nextGaussian();
      }
      out.add(Record.of(String.format("doc-%07d", i), v, Metadata.of("category", cats[rnd.nextInt(cats.length)],
          "year", 2000L + rnd.nextInt(25), "price", Math.round(rnd.nextDouble() * 10000) / 100.0,
          "in_stock", rnd.nextBoolean(), "tags", List.of("a", "b"))));
    }
    return out;
  }

  /** @return how many records hold a long beyond ±2^53 */
  static long inexactLongRecords(List<Record> records) {
    return records.stream().filter(r -> r.metadata().asMap().values().stream()
        .anyMatch(v -> v instanceof Long l && (l > (1L << 53) || l < -(1L << 53)))).count();
  }

  static Map<String, Record> byId(List<Record> records) {
    Map<String, Record> m = new LinkedHashMap<>();
    records.forEach(r -> m.put(r.id(), r));
    return m;
  }

  static List<Record> all(VectorCollection c) {
    List<Record> out = new ArrayList<>();
    String cursor = null;
    do {
      Page p = c.list(ListRequest.of(1000).cursor(cursor));
      out.addAll(p.records());
      cursor = p.nextCursor().orElse(null);
    } while (cursor != null);
    return out;
  }

  /** Asserts that {@code c} holds exactly {@code expected}: same ids, vectors bit for bit, metadata with types. */
  static void assertExactly(Map<String, Record> expected, VectorCollection c) {
    List<Record> got = all(c);
    List<String> problems = new ArrayList<>();
    Map<String, Record> seen = new LinkedHashMap<>();
    for (Record r : got) {
      if (seen.put(r.id(), r) != null) {
        problems.add("listed twice: " + r.id());
      }
      Record e = expected.get(r.id());
      if (e == null) {
        problems.add("not expected: " + r.id());
      } else if (!e.equals(r)) {
        problems.add("differs: " + r.id() + " expected " + e.metadata() + " got " + r.metadata()
            + (java.util.Arrays.equals(e.vector(), r.vector()) ? "" : " (vector differs)"));
      }
    }
    for (String id : expected.keySet()) {
      if (!seen.containsKey(id)) {
        problems.add("missing: " + id);
      }
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " problem(s) in '" + c.name() + "' (" + got.size() + " records, " + expected.size()
          + " expected): " + problems.subList(0, Math.min(10, problems.size())));
    }
  }
}
