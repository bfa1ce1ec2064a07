package dev.quiver.qdrant.internal;

import dev.quiver.Filter;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.RepeatedIntegers;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Comparisons on a declared LONG field, which holds only integers and carries Qdrant's integer payload
 * index. Qdrant answers a range either from that index (an exact i64 comparison with the bound, which
 * it rounds to an integer) or from its payload checker (a float64 comparison of the stored integer,
 * rounded, with the bound), whichever its planner picks. Both must select the same points, so:
 * <ul>
 *   <li>every bound sent is an integral float64 (the index then takes it as it is);</li>
 *   <li>beyond 2^53, where float64 rounds integers, the few longs that round onto the bound (at most
 *       1025) are listed: those that qualify in a {@code should} beside the range, those that do not in
 *       a {@code must_not}; {@code match.integers} is exact on both paths.</li>
 * </ul>
 * Equality is {@code match.integer}, exact on both paths.
 */
final class DeclaredLongs {

  private static final double TWO_POW_53 = 9007199254740992.0;
  private static final double TWO_POW_63 = 9223372036854775808.0;
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private DeclaredLongs() {}

  /**
   * @param key the declared LONG field
   * @param op the comparison
   * @param lit a Long or Double literal
   * @return the condition selecting exactly the longs {@code x} with {@code x op lit}, or {@code null}
   *     when no long qualifies
   */
  static Condition condition(String key, Filter.Operator op, Number lit) {
    if (op == Filter.Operator.EQ) {
      if (lit instanceof Long l) {
        return Filters.integer(key, l);
      }
      double d = lit.doubleValue();
      return d == Math.rint(d) && d >= -TWO_POW_63 && d < TWO_POW_63 ? Filters.integer(key, (long) d) : null;
    }
    BigDecimal l = lit instanceof Long x ? BigDecimal.valueOf(x) : new BigDecimal(lit.doubleValue());
    // the integral bound: x >= m (GT, GTE) or x <= m (LT, LTE)
    BigDecimal m = switch (op) {
      case GTE -> l.setScale(0, RoundingMode.CEILING);
      case GT -> l.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE);
      case LTE -> l.setScale(0, RoundingMode.FLOOR);
      case LT -> l.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE);
      default -> throw new IllegalArgumentException(op.toString());
    };
    if (op == Filter.Operator.GT || op == Filter.Operator.GTE) {
      if (m.compareTo(LONG_MAX) > 0) {
        return null;
      }
      return m.compareTo(LONG_MIN) <= 0 ? anyLong(key) : atLeast(key, m.longValueExact());
    }
    if (m.compareTo(LONG_MIN) < 0) {
      return null;
    }
    return m.compareTo(LONG_MAX) >= 0 ? anyLong(key) : atMost(key, m.longValueExact());
  }

  /** Every stored integer: the bound saturates to i64::MIN in the index and is below every float64 image. */
  private static Condition anyLong(String key) {
    return Filters.field(key, Range.newBuilder().setGte(-Double.MAX_VALUE).build());
  }

  /** {@code x >= m}. */
  static Condition atLeast(String key, long m) {
    double dm = m;
    if (Math.abs(dm) < TWO_POW_53) {
      return Filters.field(key, Range.newBuilder().setGte(dm).build());
    }
    List<Long> in = new ArrayList<>();
    for (long i = m; (double) i == dm; i++) {
      in.add(i);
      if (i == Long.MAX_VALUE) {
        break;
      }
    }
    List<Long> out = new ArrayList<>();
    for (long i = m - 1; i < m && (double) i == dm; i--) {
      out.add(i);
    }
    return bounded(key, Range.newBuilder().setGte(dm).build(), in, out);
  }

  /** {@code x <= m}. */
  static Condition atMost(String key, long m) {
    double dm = m;
    if (Math.abs(dm) < TWO_POW_53) {
      return Filters.field(key, Range.newBuilder().setLte(dm).build());
    }
    List<Long> in = new ArrayList<>();
    for (long i = m; (double) i == dm; i--) {
      in.add(i);
      if (i == Long.MIN_VALUE) {
        break;
      }
    }
    List<Long> out = new ArrayList<>();
    for (long i = m + 1; i > m && (double) i == dm; i++) {
      out.add(i);
    }
    return bounded(key, Range.newBuilder().setLte(dm).build(), in, out);
  }

  /** ({@code range} or one of {@code in}) and none of {@code out}. */
  private static Condition bounded(String key, Range range, List<Long> in, List<Long> out) {
    io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder()
        .addShould(Filters.field(key, range))
        .addShould(Filters.field(key, Match.newBuilder().setIntegers(RepeatedIntegers.newBuilder().addAllIntegers(in)).build()));
    if (!out.isEmpty()) {
      b.addMustNot(Filters.field(key, Match.newBuilder().setIntegers(RepeatedIntegers.newBuilder().addAllIntegers(out)).build()));
    }
    return Filters.nested(b.build());
  }
}
