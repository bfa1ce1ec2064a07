package dev.quiver.qdrant.internal;

import dev.quiver.Filter;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.RepeatedIntegers;
import io.qdrant.client.grpc.Common.RepeatedStrings;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Translates Quiver's typed filter tree into a Qdrant {@code Filter} with exactly the reference
 * evaluator's semantics ({@link Filter#matches}). Each atom is translated into a Qdrant condition that
 * is true on exactly the points where the Quiver predicate is true; since Qdrant's conditions are
 * two-valued (the adapter never stores nulls), {@code not} becomes {@code must_not}, {@code and}
 * {@code must} and {@code or} {@code should}, and the complement law holds.
 *
 * <p>Atoms (see docs/backends/qdrant.md for the reasoning):
 * <ul>
 *   <li>string {@code ==}: {@code match.keyword} (on a list payload: any element);
 *       boolean {@code ==}: {@code match.boolean}; strings in {@code in}: {@code match.keywords}.</li>
 *   <li>number {@code ==} and ranges with |literal| &lt; 2^53: one float64 {@code range} (closed
 *       {@code [v,v]} for equality), which is exact for stored longs and doubles alike.</li>
 *   <li>|literal| &ge; 2^53: stored doubles are selected by {@code range} plus the reserved marker
 *       {@link Payloads#DOUBLES}; stored longs by {@code match.integer} (equality) or by a float64
 *       {@code range} minus the few longs that round onto the boundary ({@code match.integers}).</li>
 *   <li>{@code exists(x)}: {@code match.keyword x} on the reserved key list {@link Payloads#KEYS}.</li>
 * </ul>
 */
public final class Filters {

  private static final double TWO_POW_53 = 9007199254740992.0;
  private static final double TWO_POW_63 = 9223372036854775808.0;
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private Filters() {}

  /**
   * @param f a Quiver filter
   * @return the equivalent Qdrant filter
   */
  public static io.qdrant.client.grpc.Common.Filter toQdrant(Filter f) {
    io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
    if (f instanceof Filter.And a) {
      a.operands().forEach(op -> b.addMust(condition(op)));
    } else if (f instanceof Filter.Or o) {
      o.operands().forEach(op -> b.addShould(condition(op)));
    } else if (f instanceof Filter.Not n) {
      b.addMustNot(condition(n.operand()));
    } else {
      b.addMust(condition(f));
    }
    return b.build();
  }

  static Condition condition(Filter f) {
    if (f instanceof Filter.Comparison c) {
      return c.op() == Filter.Operator.EQ ? equal(c.field(), c.value()) : range(c.field(), c.op(), (Number) c.value());
    }
    if (f instanceof Filter.In in) {
      return in(in.field(), in.values());
    }
    if (f instanceof Filter.Exists e) {
      return keyword(Payloads.KEYS, e.field());
    }
    return nested(toQdrant(f));
  }

  private static Condition nested(io.qdrant.client.grpc.Common.Filter f) {
    return Condition.newBuilder().setFilter(f).build();
  }

  private static Condition field(String key, Match m) {
    return Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(key).setMatch(m)).build();
  }

  private static Condition field(String key, Range r) {
    return Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(key).setRange(r)).build();
  }

  private static Condition keyword(String key, String value) {
    return field(key, Match.newBuilder().setKeyword(value).build());
  }

  /** True where the key holds a Double (not a Long): the reserved marker list names it. */
  private static Condition isDouble(String key) {
    return keyword(Payloads.DOUBLES, key);
  }

  private static Condition all(Condition... cs) {
    io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
    for (Condition c : cs) {
      b.addMust(c);
    }
    return nested(b.build());
  }

  private static Condition any(List<Condition> cs) {
    if (cs.size() == 1) {
      return cs.get(0);
    }
    io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
    cs.forEach(b::addShould);
    return nested(b.build());
  }

  static Condition equal(String key, Object value) {
    if (value instanceof String s) {
      return keyword(key, s);
    }
    if (value instanceof Boolean b) {
      return field(key, Match.newBuilder().setBoolean(b).build());
    }
    return numberEquals(key, (Number) value);
  }

  private static Condition numberEquals(String key, Number n) {
    double d = n.doubleValue();
    if (Math.abs(d) < TWO_POW_53) {
      // both stored longs and stored doubles compare exactly in float64 below 2^53
      return field(key, Range.newBuilder().setGte(d).setLte(d).build());
    }
    List<Condition> branches = new ArrayList<>(2);
    if (n instanceof Long l) {
      branches.add(field(key, Match.newBuilder().setInteger(l).build()));
      if (representable(l)) {
        branches.add(all(field(key, Range.newBuilder().setGte(d).setLte(d).build()), isDouble(key)));
      }
    } else {
      // |d| >= 2^53: d is integral
      if (d >= -TWO_POW_63 && d < TWO_POW_63) {
        branches.add(field(key, Match.newBuilder().setInteger((long) d).build()));
      }
      branches.add(all(field(key, Range.newBuilder().setGte(d).setLte(d).build()), isDouble(key)));
    }
    return any(branches);
  }

  /** Whether a long is exactly a double. */
  static boolean representable(long l) {
    double d = l;
    return d >= -TWO_POW_63 && d < TWO_POW_63 && (long) d == l;
  }

  static Condition in(String key, List<Object> values) {
    Set<String> strings = new LinkedHashSet<>();
    Set<Object> others = new LinkedHashSet<>();
    for (Object v : values) {
      if (v instanceof String s) {
        strings.add(s);
      } else {
        others.add(v);
      }
    }
    List<Condition> branches = new ArrayList<>();
    if (strings.size() == 1) {
      branches.add(keyword(key, strings.iterator().next()));
    } else if (!strings.isEmpty()) {
      branches.add(field(key, Match.newBuilder().setKeywords(RepeatedStrings.newBuilder().addAllStrings(strings)).build()));
    }
    for (Object v : others) {
      branches.add(equal(key, v));
    }
    return any(branches);
  }

  static Condition range(String key, Filter.Operator op, Number lit) {
    double d = lit.doubleValue();
    if (Math.abs(d) < TWO_POW_53) {
      return field(key, range(op, d));
    }
    List<Condition> branches = new ArrayList<>(2);
    branches.add(all(field(key, doubleRange(op, lit)), isDouble(key)));
    Condition longs = longRange(key, op, lit);
    if (longs != null) {
      branches.add(longs);
    }
    return any(branches);
  }

  private static Range range(Filter.Operator op, double d) {
    Range.Builder r = Range.newBuilder();
    switch (op) {
      case GT -> r.setGt(d);
      case GTE -> r.setGte(d);
      case LT -> r.setLt(d);
      case LTE -> r.setLte(d);
      default -> throw new IllegalArgumentException(op.toString());
    }
    return r.build();
  }

  /** The float64 range that selects exactly the doubles {@code x} with {@code x op lit}. */
  private static Range doubleRange(Filter.Operator op, Number lit) {
    if (lit instanceof Double || representable(lit.longValue())) {
      return range(op, lit.doubleValue());
    }
    long l = lit.longValue();
    double near = l;
    BigDecimal exact = BigDecimal.valueOf(l);
    double lo;
    double hi;
    if (new BigDecimal(near).compareTo(exact) > 0) {
      hi = near;
      lo = Math.nextDown(near);
    } else {
      lo = near;
      hi = Math.nextUp(near);
    }
    return switch (op) {
      case GT, GTE -> Range.newBuilder().setGte(hi).build();
      case LT, LTE -> Range.newBuilder().setLte(lo).build();
      default -> throw new IllegalArgumentException(op.toString());
    };
  }

  /**
   * The condition selecting exactly the stored longs {@code x} with {@code x op lit} (|lit| &ge; 2^53,
   * so lit is integral), or {@code null} when no long qualifies.
   */
  private static Condition longRange(String key, Filter.Operator op, Number lit) {
    BigDecimal l = lit instanceof Long x ? BigDecimal.valueOf(x) : new BigDecimal(lit.doubleValue());
    boolean atLeast = op == Filter.Operator.GT || op == Filter.Operator.GTE;
    BigDecimal m = switch (op) {
      case GT -> l.add(BigDecimal.ONE);
      case LT -> l.subtract(BigDecimal.ONE);
      default -> l;
    };
    Range anyNumber = Range.newBuilder().setGte(-Double.MAX_VALUE).build();
    if (atLeast) {
      if (m.compareTo(LONG_MAX) > 0) {
        return null;
      }
      if (m.compareTo(LONG_MIN) <= 0) {
        return longsWhere(key, anyNumber, List.of());
      }
      long mm = m.longValueExact();
      double dm = mm;
      List<Long> below = new ArrayList<>();
      for (long i = mm - 1; i < mm && (double) i == dm; i--) {
        below.add(i);
      }
      return longsWhere(key, Range.newBuilder().setGte(dm).build(), below);
    }
    if (m.compareTo(LONG_MIN) < 0) {
      return null;
    }
    if (m.compareTo(LONG_MAX) >= 0) {
      return longsWhere(key, anyNumber, List.of());
    }
    long mm = m.longValueExact();
    double dm = mm;
    List<Long> above = new ArrayList<>();
    for (long i = mm + 1; i > mm && (double) i == dm; i++) {
      above.add(i);
    }
    return longsWhere(key, Range.newBuilder().setLte(dm).build(), above);
  }

  private static Condition longsWhere(String key, Range r, List<Long> except) {
    io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder()
        .addMust(field(key, r))
        .addMustNot(isDouble(key));
    if (!except.isEmpty()) {
      b.addMustNot(field(key, Match.newBuilder().setIntegers(RepeatedIntegers.newBuilder().addAllIntegers(except)).build()));
    }
    return nested(b.build());
  }
}
