package dev.quiver.qdrant.internal;

import dev.quiver.Filter;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.IsEmptyCondition;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.RepeatedStrings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Filters on a collection Quiver did not create: there are no reserved keys to lean on, so each atom
 * is the Qdrant condition on the payload as stored. Strings and booleans are exact; numbers compare as
 * Qdrant compares them (a float64 range, so integers beyond 2^53 compare by their float64 value, and
 * a vendor-made integer index answers as that index does); {@code exists(x)} is {@code not is_empty(x)},
 * which is why {@link ForeignLayout} reads null and {@code []} as a missing key. {@code not}, {@code and}
 * and {@code or} are {@code must_not}, {@code must} and {@code should}, as in {@link Filters}.
 */
final class ForeignFilters {

  private static final double TWO_POW_63 = 9223372036854775808.0;

  private static final Filter.Visitor<io.qdrant.client.grpc.Common.Filter> TOP = new Filter.Visitor<>() {
    @Override
    public io.qdrant.client.grpc.Common.Filter comparison(Filter.Comparison c) {
      return must(CONDITION.comparison(c));
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter in(Filter.In in) {
      return must(CONDITION.in(in));
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter exists(Filter.Exists e) {
      return must(CONDITION.exists(e));
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter not(Filter.Not not) {
      return io.qdrant.client.grpc.Common.Filter.newBuilder().addMustNot(not.operand().accept(CONDITION)).build();
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter and(Filter.And and) {
      io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
      and.operands().forEach(op -> b.addMust(op.accept(CONDITION)));
      return b.build();
    }

    @Override
    public io.qdrant.client.grpc.Common.Filter or(Filter.Or or) {
      io.qdrant.client.grpc.Common.Filter.Builder b = io.qdrant.client.grpc.Common.Filter.newBuilder();
      or.operands().forEach(op -> b.addShould(op.accept(CONDITION)));
      return b.build();
    }
  };

  private static final Filter.Visitor<Condition> CONDITION = new Filter.Visitor<>() {
    @Override
    public Condition comparison(Filter.Comparison c) {
      if (c.op() == Filter.Operator.EQ) {
        return equal(c.field(), c.value());
      }
      double d = ((Number) c.value()).doubleValue();
      Range.Builder r = Range.newBuilder();
      switch (c.op()) {
        case GT -> r.setGt(d);
        case GTE -> r.setGte(d);
        case LT -> r.setLt(d);
        case LTE -> r.setLte(d);
        default -> throw new IllegalArgumentException(c.op().toString());
      }
      return Filters.field(c.field(), r.build());
    }

    @Override
    public Condition in(Filter.In in) {
      Set<String> strings = new LinkedHashSet<>();
      List<Condition> branches = new ArrayList<>();
      for (Object v : in.values()) {
        if (v instanceof String s) {
          strings.add(s);
        } else {
          branches.add(equal(in.field(), v));
        }
      }
      if (!strings.isEmpty()) {
        branches.add(0, Filters.field(in.field(),
            Match.newBuilder().setKeywords(RepeatedStrings.newBuilder().addAllStrings(strings)).build()));
      }
      return Filters.any(branches);
    }

    @Override
    public Condition exists(Filter.Exists e) {
      Condition empty = Condition.newBuilder().setIsEmpty(IsEmptyCondition.newBuilder().setKey(e.field())).build();
      return Filters.nested(io.qdrant.client.grpc.Common.Filter.newBuilder().addMustNot(empty).build());
    }

    @Override
    public Condition not(Filter.Not not) {
      return Filters.nested(TOP.not(not));
    }

    @Override
    public Condition and(Filter.And and) {
      return Filters.nested(TOP.and(and));
    }

    @Override
    public Condition or(Filter.Or or) {
      return Filters.nested(TOP.or(or));
    }
  };

  private ForeignFilters() {}

  /**
   * @param f a Quiver filter
   * @return the Qdrant filter on the stored payload
   */
  static io.qdrant.client.grpc.Common.Filter toQdrant(Filter f) {
    return f.accept(TOP);
  }

  private static io.qdrant.client.grpc.Common.Filter must(Condition c) {
    return io.qdrant.client.grpc.Common.Filter.newBuilder().addMust(c).build();
  }

  /** Strings and booleans exactly; numbers by value across integers and floats. */
  private static Condition equal(String key, Object value) {
    if (value instanceof String s) {
      return Filters.keyword(key, s);
    }
    if (value instanceof Boolean b) {
      return Filters.field(key, Match.newBuilder().setBoolean(b).build());
    }
    Number n = (Number) value;
    double d = n.doubleValue();
    Condition byValue = Filters.field(key, Range.newBuilder().setGte(d).setLte(d).build());
    // match.integer is exact where the float64 range is not (integers beyond 2^53)
    if (n instanceof Long l) {
      return Filters.any(List.of(Filters.integer(key, l), byValue));
    }
    if (d == Math.rint(d) && d >= -TWO_POW_63 && d < TWO_POW_63) {
      return Filters.any(List.of(Filters.integer(key, (long) d), byValue));
    }
    return byValue;
  }
}
