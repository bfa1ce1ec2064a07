package dev.quiver.local.internal.filter;

import java.math.BigDecimal;
import java.util.Comparator;

/**
 * The exact numeric order of the filter language across Long and Double: {@code 1 == 1.0}, and a
 * long beyond 2^53 is never rounded to a neighbouring double. Because it compares real values
 * exactly it is a total order, so it can key a sorted map in which {@code 1L} and {@code 1.0} are
 * the same key, which is what {@code ==} means. Mirrors the reference evaluator's comparison.
 */
final class NumberOrder implements Comparator<Number> {

  static final NumberOrder INSTANCE = new NumberOrder();

  private static final long TWO_POW_53 = 1L << 53;

  private NumberOrder() {}

  @Override
  public int compare(Number a, Number b) {
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    // a long within ±2^53 converts to double exactly, so a double comparison is exact then
    if (a instanceof Long x && x >= -TWO_POW_53 && x <= TWO_POW_53
        || b instanceof Long y && y >= -TWO_POW_53 && y <= TWO_POW_53
        || a instanceof Double && b instanceof Double) {
      double x = a.doubleValue();
      double y = b.doubleValue();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return big(a).compareTo(big(b));
  }

  private static BigDecimal big(Number n) {
    return n instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal(n.doubleValue());
  }
}
