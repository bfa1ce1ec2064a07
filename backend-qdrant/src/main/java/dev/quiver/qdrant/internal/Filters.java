package dev.quiver.qdrant.internal;

import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.MetadataField;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.HasIdCondition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.RepeatedIntegers;
import io.qdrant.client.grpc.Common.RepeatedStrings;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates Quiver's typed filter tree into a Qdrant {@code Filter} with exactly the reference
 * evaluator's semantics ({@link Filter#matches}). Each atom is translated into a Qdrant condition that
 * is true on exactly the points where the Quiver predicate is true; since Qdrant's conditions are
 * two-valued (the adapter never stores nulls), {@code not} becomes {@code must_not}, {@code and}
 * {@code must} and {@code or} {@code should}, and the complement law holds. Two visitors do it:
 * {@code top} makes the request's filter, {@code condition} a condition inside one.
 *
 * <p>Atoms (see docs/backends/qdrant.md for the reasoning):
 * <ul>
 *   <li>string {@code ==}: {@code match.keyword} (on a list payload: any element);
 *       boolean {@code ==}: {@code match.boolean}; strings in {@code in}: {@code match.keywords}.</li>
 *   <li>numbers: stored longs and stored doubles are selected by separate branches, joined by
 *       {@code should}. Longs: {@code match.integer} for equality; a float64 {@code range} on the key
 *       (minus the marked doubles) when |literal| &lt; 2^53, else a range minus the few longs that
 *       round onto the boundary ({@code match.integers}). Doubles: never on the stored double (Qdrant
 *       may have moved it by an ulp) but on its sortable bits ({@link Payloads#sortable}), split in two
 *       integers so that every comparison is exact in float64.</li>
 *   <li>{@code exists(x)}: {@code match.keyword x} on the reserved key list {@link Payloads#KEYS}.</li>
 * </ul>
 *
 * <p>Declared fields ({@link #toQdrant(Filter, List)}) hold one type only, so a comparison with a
 * literal of another type is false ({@code has_id: []}), a declared LONG needs no double branch and a
 * declared DOUBLE no long branch; LONG ranges use integral bounds and list the longs around a bound
 * beyond 2^53 ({@link DeclaredLongs}), so Qdrant's integer index (an exact i64 comparison) and its
 * checker (a float64 comparison) select the same points.
 */
public final class Filters {

  private static final double TWO_POW_53 = 9007199254740992.0;
  private static final double TWO_POW_63 = 9223372036854775808.0;
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /** The Qdrant filter of a whole Quiver filter (the top of a request). */
  private final Filter.Visitor<io.qdrant.client.grpc.Common.Filter> top = new Filter.Visitor<>() {
    @Override
    public io.qdrant.client.grpc.Common.Filter comparison(Filter.Comparison c) {
      return must(condition.comparison(c));
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter in(Filter.In in) {
      return must(condition.in(in));
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter exists(Filter.Exists e) {
      return must(condition.exists(e));
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter not(Filter.Not not) {
      return io.qdrant.client.grpc.Common.Filter.newBuilder().addMustNot(not.operand().accept(condition)).build();
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter and(Filter.And and) {
      io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
      and.operands().forEach(op -> b.addMust(op.accept(condition)));
      return b.build();
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter or(Filter.Or or) {
      io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
      or.operands().forEach(op -> b.addShould(op.accept(condition)));
      return b.build();
    }
  };

  /** The Qdrant condition of a Quiver filter node inside a larger filter. */
  private final Filter.Visitor<Condition> condition = new Filter.Visitor<>() {
    @Override
    public Condition comparison(Filter.Comparison c) {
      return c.op() == Filter.Operator.EQ ? equal(c.field(), c.value()) : range(c.field(), c.op(), (Number) c.value());
    }

    @Override
    public Condition in(Filter.In in) {
      return Filters.this.in(in.field(), in.values());
    }

    @Override
    public Condition exists(Filter.Exists e) {
      return keyword(Payloads.KEYS, e.field());
    }

    @Override
    public Condition not(Filter.Not not) {
      return nested(top.not(not));
    }

    @Override
    public Condition and(Filter.And and) {
      return nested(top.and(and));
    }

    @Override
    public Condition or(Filter.Or or) {
      return nested(top.or(or));
    }
  };

  /** The translation without declared fields. */
  private static final Filters PLAIN = new Filters(Map.of());

  /** Declared field types by key. */
  private final Map<String, FieldType> declared;

  private Filters(Map<String, FieldType> declared) {
    this.declared = declared;
  }

  /**
   * @param f a Quiver filter
   * @return the equivalent Qdrant filter
   */
  public static io.qdrant.client.grpc.Common.Filter toQdrant(Filter f) {
    return f.accept(PLAIN.top);
  }

  /**
   * @param f a Quiver filter
   * @param fields the collection's declared fields
   * @return the equivalent Qdrant filter, using what the declarations guarantee about the stored types
   */
  public static io.qdrant.client.grpc.Common.Filter toQdrant(Filter f, List<MetadataField> fields) {
    if (fields.isEmpty()) {
      return toQdrant(f);
    }
    Map<String, FieldType> types = new HashMap<>();
    fields.forEach(m -> types.put(m.name(), m.type()));
    return f.accept(new Filters(types).top);
  }

  /**
   * @param key a payload key
   * @param value a keyword
   * @return {@code key == value} as a Qdrant condition
   */
  public static Condition keywordIs(String key, String value) {
    return keyword(key, value);
  }

  /**
   * @param scope a condition every point must meet (the tenant), or {@code null}
   * @param filter the caller's filter, translated, or {@code null}
   * @return both in one filter's {@code must}, or {@code null} when there is neither
   */
  public static io.qdrant.client.grpc.Common.Filter scoped(Condition scope, io.qdrant.client.grpc.Common.Filter filter) {
    if (scope == null) {
      return filter;
    }
    io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder().addMust(scope);
    if (filter != null) {
      b.addMust(nested(filter));
    }
    return b.build();
  }

  /** A condition no point meets: a {@code has_id} of no id. */
  static Condition none() {
    return Condition.newBuilder().setHasId(HasIdCondition.getDefaultInstance()).build();
  }

  private static io.qdrant.client.grpc.Common.Filter must(Condition c) {
    return io.qdrant.client.grpc.Common.Filter.newBuilder().addMust(c).build();
  }

  static Condition nested(io.qdrant.client.grpc.Common.Filter f) {
    return Condition.newBuilder().setFilter(f).build();
  }

  static Condition field(String key, Match m) {
    return Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(key).setMatch(m)).build();
  }

  static Condition field(String key, Range r) {
    return Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(key).setRange(r)).build();
  }

  static Condition keyword(String key, String value) {
    return field(key, Match.newBuilder().setKeyword(value).build());
  }

  static Condition integer(String key, long value) {
    return field(key, Match.newBuilder().setInteger(value).build());
  }

  /** True where the key holds a Double (not a Long): the reserved marker list names it. */
  private static Condition isDouble(String key) {
    return keyword(Payloads.DOUBLES, key);
  }

  static Condition all(Condition... cs) {
    io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
    for (Condition c : cs) {
      b.addMust(c);
    }
    return nested(b.build());
  }

  static Condition any(List<Condition> cs) {
    if (cs.size() == 1) {
      return cs.get(0);
    }
    io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
    cs.forEach(b::addShould);
    return nested(b.build());
  }

  Condition equal(String key, Object value) {
    FieldType type = declared.get(key);
    if (type != null && !holds(type, value)) {
      return none();  // a declared field holds only its type; a comparison with another is false
    }
    if (value instanceof String s) {
      return keyword(key, s);
    }
    if (value instanceof Boolean b) {
      return field(key, Match.newBuilder().setBoolean(b).build());
    }
    return number(key, Filter.Operator.EQ, (Number) value);
  }

  /** Whether a field of this type can equal or be ordered against the literal (numbers compare across long and double). */
  private static boolean holds(FieldType type, Object literal) {
    return switch (type) {
      case STRING, STRING_LIST -> literal instanceof String;
      case BOOL -> literal instanceof Boolean;
      case LONG, DOUBLE -> literal instanceof Number;
    };
  }

  Condition in(String key, List<Object> values) {
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
    FieldType type = declared.get(key);
    if (type != null && type != FieldType.STRING && type != FieldType.STRING_LIST) {
      strings.clear();
    }
    if (strings.size() == 1) {
      branches.add(keyword(key, strings.iterator().next()));
    } else if (!strings.isEmpty()) {
      branches.add(field(key, Match.newBuilder().setKeywords(RepeatedStrings.newBuilder().addAllStrings(strings)).build()));
    }
    for (Object v : others) {
      if (type == null || holds(type, v)) {
        branches.add(equal(key, v));
      }
    }
    return branches.isEmpty() ? none() : any(branches);
  }

  Condition range(String key, Filter.Operator op, Number lit) {
    FieldType type = declared.get(key);
    if (type != null && type != FieldType.LONG && type != FieldType.DOUBLE) {
      return none();  // ranges compare numbers only
    }
    return number(key, op, lit);
  }

  /** {@code key op lit}: the stored longs that qualify, or the stored doubles that do. */
  private Condition number(String key, Filter.Operator op, Number lit) {
    FieldType type = declared.get(key);
    if (type == FieldType.LONG) {
      Condition longs = DeclaredLongs.condition(key, op, lit);
      return longs == null ? none() : longs;
    }
    if (type == FieldType.DOUBLE) {
      Condition doubles = doubles(key, op, lit);
      return doubles == null ? none() : doubles;
    }
    List<Condition> branches = new ArrayList<>(2);
    Condition longs = longs(key, op, lit);
    if (longs != null) {
      branches.add(longs);
    }
    Condition doubles = doubles(key, op, lit);
    if (doubles != null) {
      branches.add(doubles);
    }
    // at least one branch exists: only a long literal no double equals drops the double branch
    return any(branches);
  }

  // ------------------------------------------------------------------ stored longs

  /** The stored longs {@code x} with {@code x op lit}, or {@code null} when no long qualifies. */
  private static Condition longs(String key, Filter.Operator op, Number lit) {
    if (op == Filter.Operator.EQ) {
      // match.integer is exact and type-strict: a stored double never matches it
      if (lit instanceof Long l) {
        return integer(key, l);
      }
      double d = lit.doubleValue();
      return d == Math.rint(d) && d >= -TWO_POW_63 && d < TWO_POW_63 ? integer(key, (long) d) : null;
    }
    double d = lit.doubleValue();
    if (Math.abs(d) < TWO_POW_53) {
      // a stored long compares exactly with a float64 literal below 2^53 (longs beyond round monotonically)
      return longsWhere(key, range(op, d), List.of());
    }
    return longRange(key, op, lit);
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

  // ------------------------------------------------------------------ stored doubles

  /**
   * The stored doubles {@code x} with {@code x op lit}, compared on their sortable bits, or
   * {@code null} when none can qualify (equality with a long that is no double).
   */
  private static Condition doubles(String key, Filter.Operator op, Number lit) {
    // the doubles equal to lit form the interval [lo, hi] of sortable bits: one double, both zeros, or none
    long lo;
    long hi;
    if (lit instanceof Long l && !representable(l)) {
      // no double equals l: the interval is empty, between the doubles around it
      double near = l;
      boolean above = new BigDecimal(near).compareTo(BigDecimal.valueOf(l)) > 0;
      hi = Payloads.sortable(above ? Math.nextDown(near) : near);
      lo = hi + 1;
    } else {
      double d = lit.doubleValue();
      if (d == 0) {
        lo = Payloads.sortable(-0.0);
        hi = Payloads.sortable(0.0);
      } else {
        lo = hi = Payloads.sortable(d);
      }
    }
    return switch (op) {
      case EQ -> lo > hi ? null : lo == hi ? bitsEqual(key, lo) : any(List.of(bitsEqual(key, lo), bitsEqual(key, hi)));
      case GT -> bitsAtLeast(key, hi + 1);
      case GTE -> bitsAtLeast(key, lo);
      case LT -> bitsAtMost(key, lo - 1);
      case LTE -> bitsAtMost(key, hi);
    };
  }

  /** Whether a long is exactly a double. */
  static boolean representable(long l) {
    double d = l;
    return d >= -TWO_POW_63 && d < TWO_POW_63 && (long) d == l;
  }

  private static Condition bitsEqual(String key, long s) {
    return all(integer(Payloads.hiKey(key), Payloads.hi(s)), integer(Payloads.loKey(key), Payloads.lo(s)));
  }

  /** Sortable bits {@code >= s}: high half greater, or equal with the low half at least. Both halves are exact in float64. */
  private static Condition bitsAtLeast(String key, long s) {
    if (Payloads.lo(s) == 0) {
      return field(Payloads.hiKey(key), Range.newBuilder().setGte(Payloads.hi(s)).build());
    }
    return any(List.of(
        field(Payloads.hiKey(key), Range.newBuilder().setGt(Payloads.hi(s)).build()),
        all(integer(Payloads.hiKey(key), Payloads.hi(s)),
            field(Payloads.loKey(key), Range.newBuilder().setGte(Payloads.lo(s)).build()))));
  }

  /** Sortable bits {@code <= s}. */
  private static Condition bitsAtMost(String key, long s) {
    if (Payloads.lo(s) == 0xFFFF_FFFFL) {
      return field(Payloads.hiKey(key), Range.newBuilder().setLte(Payloads.hi(s)).build());
    }
    return any(List.of(
        field(Payloads.hiKey(key), Range.newBuilder().setLt(Payloads.hi(s)).build()),
        all(integer(Payloads.hiKey(key), Payloads.hi(s)),
            field(Payloads.loKey(key), Range.newBuilder().setLte(Payloads.lo(s)).build()))));
  }
}
