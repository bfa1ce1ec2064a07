package dev.quiver.qdrant.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import dev.quiver.Filter;
import dev.quiver.Metadata;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filter translation: (1) a table of exact Qdrant filters for each operator and edge (negation,
 * missing keys, type mismatch, lists, numbers across long/double, beyond 2^53); (2) a seeded
 * property test comparing, record by record, the reference evaluator with a model of Qdrant's
 * condition checker applied to the payloads the adapter writes.
 */
class FiltersTest {

  // Sortable bits of some doubles, split as Payloads writes them (high 32 signed, low 32 unsigned):
  // 1.0 = 0x3FF00000_00000000, 2.5 = 0x40040000_00000000, 3.0 = 0x40080000_00000000,
  // -0.5 -> 0xC01FFFFF_FFFFFFFF, -0.0 -> -1 (0xFFFFFFFF_FFFFFFFF), 0.0 -> 0, 2^53 + 2 = 0x43400000_00000001.
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("cat == 'tech'", "must { field { key: 'cat' match { keyword: 'tech' } } }"),
        Arguments.of("cat != 'tech'", "must_not { field { key: 'cat' match { keyword: 'tech' } } }"),
        Arguments.of("ok == true", "must { field { key: 'ok' match { boolean: true } } }"),
        // a stored long by its exact, type-strict integer match; a stored double by its bits
        Arguments.of("n == 1", """
            must { filter {
              should { field { key: 'n' match { integer: 1 } } }
              should { filter { must { field { key: '__quiver_dhi_n' match { integer: 1072693248 } } }
                                must { field { key: '__quiver_dlo_n' match { integer: 0 } } } } } } }"""),
        Arguments.of("n == 1.0", """
            must { filter {
              should { field { key: 'n' match { integer: 1 } } }
              should { filter { must { field { key: '__quiver_dhi_n' match { integer: 1072693248 } } }
                                must { field { key: '__quiver_dlo_n' match { integer: 0 } } } } } } }"""),
        // no long equals 2.5
        Arguments.of("n != 2.5", """
            must_not { filter { must { field { key: '__quiver_dhi_n' match { integer: 1074003968 } } }
                                must { field { key: '__quiver_dlo_n' match { integer: 0 } } } } }"""),
        // both zeros equal 0
        Arguments.of("n == 0", """
            must { filter {
              should { field { key: 'n' match { integer: 0 } } }
              should { filter {
                should { filter { must { field { key: '__quiver_dhi_n' match { integer: -1 } } }
                                  must { field { key: '__quiver_dlo_n' match { integer: 4294967295 } } } } }
                should { filter { must { field { key: '__quiver_dhi_n' match { integer: 0 } } }
                                  must { field { key: '__quiver_dlo_n' match { integer: 0 } } } } } } } } }"""),
        // longs: a float64 range (exact below 2^53) minus the doubles; doubles: bits >= bits(3.0) + 1
        Arguments.of("n > 3", """
            must { filter {
              should { filter { must { field { key: 'n' range { gt: 3 } } }
                                must_not { field { key: '__quiver_dbl' match { keyword: 'n' } } } } }
              should { filter {
                should { field { key: '__quiver_dhi_n' range { gt: 1074266112 } } }
                should { filter { must { field { key: '__quiver_dhi_n' match { integer: 1074266112 } } }
                                  must { field { key: '__quiver_dlo_n' range { gte: 1 } } } } } } } } }"""),
        // bits <= bits(-0.5), whose low half is all ones: the high half alone decides
        Arguments.of("n <= -0.5", """
            must { filter {
              should { filter { must { field { key: 'n' range { lte: -0.5 } } }
                                must_not { field { key: '__quiver_dbl' match { keyword: 'n' } } } } }
              should { field { key: '__quiver_dhi_n' range { lte: -1071644673 } } } } }"""),
        Arguments.of("exists(cat)", "must { field { key: '__quiver_keys' match { keyword: 'cat' } } }"),
        Arguments.of("not exists(cat)", "must_not { field { key: '__quiver_keys' match { keyword: 'cat' } } }"),
        Arguments.of("cat in ['a', 'b']", "must { field { key: 'cat' match { keywords { strings: 'a' strings: 'b' } } } }"),
        Arguments.of("cat not in ['a', 'b']", "must_not { field { key: 'cat' match { keywords { strings: 'a' strings: 'b' } } } }"),
        Arguments.of("x in ['a', 1, true]", """
            must { filter {
              should { field { key: 'x' match { keyword: 'a' } } }
              should { filter {
                should { field { key: 'x' match { integer: 1 } } }
                should { filter { must { field { key: '__quiver_dhi_x' match { integer: 1072693248 } } }
                                  must { field { key: '__quiver_dlo_x' match { integer: 0 } } } } } } }
              should { field { key: 'x' match { boolean: true } } } } }"""),
        Arguments.of("a == 'p' and (b == 'x' or not c == 'q')", """
            must { field { key: 'a' match { keyword: 'p' } } }
            must { filter {
              should { field { key: 'b' match { keyword: 'x' } } }
              should { filter { must_not { field { key: 'c' match { keyword: 'q' } } } } } } }"""),
        Arguments.of("a == 'p' or b == 'q'", """
            should { field { key: 'a' match { keyword: 'p' } } }
            should { field { key: 'b' match { keyword: 'q' } } }"""),
        Arguments.of("not (a == 'p' and b == 'q')", """
            must_not { filter { must { field { key: 'a' match { keyword: 'p' } } }
                                must { field { key: 'b' match { keyword: 'q' } } } } }"""),
        // 2^53 + 1 is no double: only a stored long can equal it
        Arguments.of("n == 9007199254740993", "must { field { key: 'n' match { integer: 9007199254740993 } } }"),
        // 2^53 + 1 is no double: doubles from the next double up (2^53 + 2); longs from 2^53 + 1, whose
        // float64 image is 2^53, minus the long 2^53 that rounds onto the same boundary
        Arguments.of("n >= 9007199254740993", """
            must { filter {
              should { filter { must { field { key: 'n' range { gte: 9.007199254740992E15 } } }
                                must_not { field { key: '__quiver_dbl' match { keyword: 'n' } } }
                                must_not { field { key: 'n' match { integers { integers: 9007199254740992 } } } } } }
              should { filter {
                should { field { key: '__quiver_dhi_n' range { gt: 1128267776 } } }
                should { filter { must { field { key: '__quiver_dhi_n' match { integer: 1128267776 } } }
                                  must { field { key: '__quiver_dlo_n' range { gte: 1 } } } } } } } } }"""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void translatesToTheExactQdrantFilter(String quiver, String qdrant) throws Exception {
    io.qdrant.client.grpc.Common.Filter expected = TextFormat.parse(qdrant.replace('\'', '"'),
        io.qdrant.client.grpc.Common.Filter.class);
    assertEquals(expected, Filters.toQdrant(Filter.parse(quiver)));
  }

  // ------------------------------------------------------------ model-based property test

  static final String[] KEYS = {"a", "b", "c"};
  static final long P53 = 1L << 53;
  static final Object[] NUMBERS = {
      0L, 1L, -1L, 2L, 1.0, 1.5, -0.0, 0.0, 2.0, 100L, 99.5,
      P53 - 1, P53, P53 + 1, P53 + 2, P53 + 3, (double) P53, (double) (P53 + 2),
      -P53 - 1, -(double) P53, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1,
      9.223372036854775807E18, -9.223372036854775807E18, 1.0E19, -1.0E19, (1L << 62) + 1, (double) (1L << 62),
      (1L << 62) + 512, (1L << 62) + 513, (1L << 62) - 256,
      // doubles Qdrant moves by an ulp when it stores them, their neighbours, and the extremes
      1000000000000000.5, Math.nextDown(1000000000000000.5), Math.nextUp(1000000000000000.5),
      123456789.12345679, 123456789.1234568, 0.1 + 0.2, 0.3, 5e-324, -5e-324, Double.MAX_VALUE, -Double.MAX_VALUE,
      Double.MIN_NORMAL, 1000000000000000L, 123456789L};
  static final Object[] OTHERS = {"x", "y", "1", "", true, false};

  static Object randomValue(Random r) {
    int k = r.nextInt(10);
    if (k < 5) {
      return NUMBERS[r.nextInt(NUMBERS.length)];
    }
    if (k < 8) {
      return OTHERS[r.nextInt(OTHERS.length)];
    }
    List<String> list = new ArrayList<>();
    int n = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      list.add(r.nextBoolean() ? "x" : "1");
    }
    return list;
  }

  static Object randomLiteral(Random r, boolean numeric) {
    if (numeric || r.nextInt(3) > 0) {
      return NUMBERS[r.nextInt(NUMBERS.length)];
    }
    Object o = OTHERS[r.nextInt(OTHERS.length)];
    return o;
  }

  static Filter randomFilter(Random r, int depth) {
    String key = KEYS[r.nextInt(KEYS.length)];
    int k = r.nextInt(depth <= 0 ? 5 : 8);
    return switch (k) {
      case 0 -> Filter.eq(key, randomLiteral(r, false));
      case 1 -> new Filter.Comparison(key, Filter.Operator.values()[1 + r.nextInt(4)], randomLiteral(r, true));
      case 2 -> Filter.in(key, randomLiteral(r, false), randomLiteral(r, false), randomLiteral(r, false));
      case 3 -> Filter.exists(key);
      case 4 -> Filter.ne(key, randomLiteral(r, false));
      case 5 -> Filter.not(randomFilter(r, depth - 1));
      case 6 -> Filter.allOf(randomFilter(r, depth - 1), randomFilter(r, depth - 1));
      default -> Filter.anyOf(randomFilter(r, depth - 1), randomFilter(r, depth - 1), randomFilter(r, depth - 1));
    };
  }

  @Test
  void agreesWithTheReferenceEvaluatorOnRandomRecordsAndFilters() {
    long seed = Long.getLong("quiver.qdrant.seed", 20240611L);
    Random r = new Random(seed);
    Map<String, Metadata> records = new LinkedHashMap<>();
    for (int i = 0; i < 400; i++) {
      Metadata.Builder b = Metadata.builder();
      for (String key : KEYS) {
        if (r.nextInt(4) > 0) {
          b.put(key, randomValue(r));
        }
      }
      records.put("r" + i, b.build());
    }
    // every number on every key at least once, alone
    int j = 0;
    for (Object n : NUMBERS) {
      records.put("n" + j++, Metadata.of("a", n, "b", n));
    }
    // as a Qdrant server keeps them: every stored double moved by an ulp (harsher than Qdrant, which
    // moves some); filters and reads must not depend on the stored double
    Map<String, Map<String, Value>> payloads = new LinkedHashMap<>();
    records.forEach((id, md) -> {
      Map<String, Value> stored = QdrantFilterModel.roundDoubles(Payloads.toPayload(id, md));
      assertEquals(md, Payloads.toMetadata(stored, id), "read back exactly");
      payloads.put(id, stored);
    });
    for (int i = 0; i < 3000; i++) {
      Filter f = randomFilter(r, 3);
      io.qdrant.client.grpc.Common.Filter q = Filters.toQdrant(f);
      for (Map.Entry<String, Metadata> e : records.entrySet()) {
        boolean want = f.matches(e.getValue());
        boolean got = QdrantFilterModel.matches(q, payloads.get(e.getKey()));
        if (want != got) {
          throw new AssertionError("seed " + seed + ": filter " + f + " on " + e.getValue() + ": reference " + want
              + ", Qdrant model " + got + "\nQdrant filter:\n" + q);
        }
      }
    }
  }

  @Test
  void boundaryLongsRoundingOntoTheLiteralAreExcludedExactly() {
    long base = (1L << 62);
    for (long lit = base - 1100; lit <= base + 1100; lit += 37) {
      for (Filter.Operator op : new Filter.Operator[] {Filter.Operator.GT, Filter.Operator.GTE, Filter.Operator.LT, Filter.Operator.LTE}) {
        Filter f = new Filter.Comparison("a", op, lit);
        io.qdrant.client.grpc.Common.Filter q = Filters.toQdrant(f);
        for (long v = lit - 600; v <= lit + 600; v += 7) {
          Metadata md = Metadata.of("a", v);
          assertEquals(f.matches(md), QdrantFilterModel.matches(q, Payloads.toPayload("x", md)), f + " on " + v);
          Metadata dm = Metadata.of("a", (double) v);
          assertEquals(f.matches(dm), QdrantFilterModel.matches(q, QdrantFilterModel.roundDoubles(Payloads.toPayload("x", dm))),
              f + " on double " + (double) v);
        }
      }
    }
  }

  @Test
  void sortableBitsOrderAsTheDoublesAndReadBackExactly() {
    Random r = new Random(7);
    List<Double> ds = new ArrayList<>(List.of(-0.0, 0.0, 5e-324, -5e-324, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.MIN_NORMAL, 1.0, -1.0, 1000000000000000.5, 123456789.12345679));
    for (int i = 0; i < 2000; i++) {
      double d = Double.longBitsToDouble(r.nextLong());
      if (Double.isFinite(d)) {
        ds.add(d);
      }
      ds.add(r.nextGaussian() * 1e6);
    }
    for (double a : ds) {
      long sa = Payloads.sortable(a);
      assertEquals(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(Payloads.fromSortable(sa)), "round trip of " + a);
      assertEquals(sa, (Payloads.hi(sa) << 32) | Payloads.lo(sa), "halves of " + a);
      assertTrue(Payloads.hi(sa) >= Integer.MIN_VALUE && Payloads.hi(sa) <= Integer.MAX_VALUE);
      assertTrue(Payloads.lo(sa) >= 0 && Payloads.lo(sa) < (1L << 32));
    }
    for (int i = 0; i + 1 < ds.size(); i++) {
      double a = ds.get(i);
      double b = ds.get(i + 1);
      long c = Long.compare(Payloads.sortable(a), Payloads.sortable(b));
      long want = a < b ? -1 : a > b ? 1 : Double.compare(a, b); // -0.0 sorts just below 0.0
      assertEquals(want, c, a + " vs " + b);
    }
    assertEquals(-1, Payloads.sortable(-0.0));
    assertEquals(0, Payloads.sortable(0.0));
  }
}
