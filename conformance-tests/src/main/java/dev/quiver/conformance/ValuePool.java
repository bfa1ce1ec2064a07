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
   * non-ASCII variants, and numbers where longs and doubles collide ({@code 1 == 1.0}).
   *
   * @return the pool
   */
  public static ValuePool standard() {
    return new ValuePool(
        List.of("cat", "num", "flag", "tags", "mix"),
        List.of("a", "b", "c", "A", "a ", "", "it's", "say \"hi\"", "back\\slash", "é", "日本", "🙂"),
        List.of(-2L, -1L, 0L, 1L, 2L, 3L, 10L, 1_000_000L),
        List.of(-1.5, -0.0, 0.5, 1.0, 2.0, 2.5, 10.0, 1.0e12));
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
