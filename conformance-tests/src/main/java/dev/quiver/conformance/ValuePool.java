package dev.quiver.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The field names and literal values that {@link DatasetGenerator} writes and {@link FilterGenerator}
 * queries. Both draw from the same pool on purpose: random filters only find bugs when their
 * literals actually occur in the data, and when the same field holds values of several types.
 *
 * @param fields metadata keys (identifiers, not filter keywords)
 * @param strings string values; include look-alikes ({@code "a"}, {@code "A"}, {@code "a "}) and quotes
 * @param longs integer values; include values equal to some of the doubles ({@code 1} and {@code 1.0})
 * @param doubles decimal values
 */
public record ValuePool(List<String> fields, List<String> strings, List<Long> longs, List<Double> doubles) {

  /** 2^53 + 1: the smallest positive long that a float64 cannot hold. */
  public static final long TWO_POW_53_PLUS_1 = 9_007_199_254_740_993L;

  /**
   * Doubles that an engine alters by one ulp when it round-trips them through its own float
   * formatting or parsing (15 or 16 significant digits, {@code %g}, float32, flushing subnormals, a
   * "shortest" form that is not one): values that need all 17 digits, the extremes, subnormals,
   * both zeros, and values whose shortest text differs between formatters ({@code 1e23} prints as
   * {@code 9.999999999999999E22} on Java 17). Several come with their neighbour one ulp away, so a
   * value that moved by one ulp lands on another record's value instead of on nothing. The standard
   * pool includes them all, so generated records store them and generated filters use them as
   * literals; the Records group checks each one by hand.
   */
  public static final List<Double> ROUND_TRIP_DOUBLES = List.of(
      1000000000000000.5, // 1.0000000000000005E15: 17 significant digits; %.15g gives 1e15
      Math.nextDown(1000000000000000.5), // 1.0000000000000004E15: its neighbour
      123456789.12345679, // 17 digits; %.15g gives 123456789.123457
      123456789.12345678, // its neighbour one ulp below
      0.1 + 0.2, // 0.30000000000000004
      0.3, // its neighbour one ulp below
      0.1,
      2.0 / 3, // 0.6666666666666666
      Math.nextUp(1.0), // 1.0000000000000002, next to 1.0 (also in the pool)
      1e23, // not exactly representable; Java 17 prints 9.999999999999999E22, others 1e+23
      Double.MIN_VALUE, // 4.9E-324, the smallest subnormal: float32 or flush-to-zero makes it 0
      -Double.MIN_VALUE,
      Double.MIN_NORMAL, // 2.2250738585072014E-308
      Double.MAX_VALUE, // 1.7976931348623157E308: rounding the text up overflows to infinity
      Math.nextDown(Double.MAX_VALUE), // 1.7976931348623155E308
      0.0,
      -0.0); // equal to 0.0 in filters (numeric comparison), but stored and returned as -0.0

  /**
   * Copies the lists and checks that none is empty.
   *
   * @param fields metadata keys
   * @param strings string values
   * @param longs integer values
   * @param doubles decimal values
   */
  public ValuePool {
    fields = List.copyOf(fields);
    strings = List.copyOf(strings);
    longs = List.copyOf(longs);
    doubles = List.copyOf(doubles);
    if (fields.isEmpty() || strings.isEmpty() || longs.isEmpty() || doubles.isEmpty()) {
      throw new IllegalArgumentException("every pool needs at least one value");
    }
    fields.forEach(Objects::requireNonNull);
  }

  /**
   * The kit's default pool: five fields, strings with case, whitespace, quote, backslash and
   * non-ASCII variants, numbers where longs and doubles collide ({@code 1 == 1.0}), and the
   * {@link #ROUND_TRIP_DOUBLES}.
   *
   * @return the pool
   */
  public static ValuePool standard() {
    List<Double> doubles = new ArrayList<>(List.of(-1.5, 0.5, 1.0, 2.0, 2.5, 10.0, 1.0e12));
    doubles.addAll(ROUND_TRIP_DOUBLES); // with 0.0 and -0.0
    return new ValuePool(
        List.of("cat", "num", "flag", "tags", "mix"),
        List.of("a", "b", "c", "A", "a ", "", "it's", "say \"hi\"", "back\\slash", "é", "日本", "🙂"),
        List.of(-2L, -1L, 0L, 1L, 2L, 3L, 10L, 1_000_000L),
        doubles);
  }

  /**
   * @return the standard pool plus longs around ±2^53 and the long extremes, for backends that
   *     declare {@link dev.quiver.Feature#EXACT_LONGS}
   */
  public static ValuePool withExactLongs() {
    ValuePool std = standard();
    List<Long> longs = new ArrayList<>(std.longs());
    longs.addAll(List.of(TWO_POW_53_PLUS_1, TWO_POW_53_PLUS_1 - 1, TWO_POW_53_PLUS_1 + 1, -TWO_POW_53_PLUS_1,
        Long.MAX_VALUE, Long.MIN_VALUE));
    List<Double> doubles = new ArrayList<>(std.doubles());
    doubles.add(9_007_199_254_740_992.0);
    return new ValuePool(std.fields(), std.strings(), longs, doubles);
  }
}
