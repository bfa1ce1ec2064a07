package dev.quiver.milvus.internal;

import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.Metadata;
import dev.quiver.milvus.internal.MilvusExpressions.Presence;
import dev.quiver.milvus.internal.MilvusExpressions.Typed;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Filter atoms on a typed scalar field ({@link Typed}): a field holds values of one type only, so
 * there is no type tag to test, and an atom whose literal has another type is false. The comparison
 * goes straight onto the field, so the server can use its scalar index.
 *
 * <p>Every atom is total (true or false on every row, never "unknown"), so that {@code not} is the
 * exact complement on every server:
 * <ul>
 *   <li>{@link Presence#NULLABLE} (Milvus Lite, and fields of collections Quiver did not create): a null
 *       compares as "unknown", so each atom is {@code (f is not null and (cmp))}, false on nulls;
 *   <li>{@link Presence#ABSENT_LIST} (real Milvus): the field holds a placeholder ({@code ""}, 0, 0.0,
 *       false, []) where the value is missing, and {@value Schema#ABSENT} lists the key; the atom is
 *       {@code cmp} alone when the placeholder does not satisfy it (the common case: {@code p == "x"},
 *       {@code i > 5}) and {@code (not array_contains(__absent, "k") and (cmp))} when it does;
 *   <li>{@link Presence#ALWAYS}: {@code cmp} alone.
 * </ul>
 * A comparison that no value of the type satisfies is {@code never} (the layout's false expression); one
 * that every value satisfies is the presence test alone. Integer literals beyond a narrower integer
 * field's range (INT8..INT32) are folded the same way, since the server cannot parse them for that field.
 */
final class TypedAtoms {

  private TypedAtoms() {}

  /**
   * @param t the field
   * @param c a comparison on its key
   * @param never the layout's false expression
   * @return the atom
   */
  static String comparison(Typed t, Filter.Comparison c, String never) {
    return wrap(t, condition(t, c.op(), c.value()), placeholderMatches(t, c), never);
  }

  /**
   * @param t the field
   * @param in an {@code in} on its key
   * @param never the layout's false expression
   * @return the atom
   */
  static String in(Typed t, Filter.In in, String never) {
    return wrap(t, inCondition(t, in.values()), placeholderMatches(t, in), never);
  }

  /**
   * @param t the field
   * @param never the layout's false expression
   * @return the presence test (true on every row for a field that is never missing)
   */
  static String present(Typed t, String never) {
    return switch (t.presence()) {
      case ALWAYS -> "not (" + never + ")";
      case NULLABLE -> "(" + t.field() + " is not null)";
      case ABSENT_LIST -> "(not array_contains(" + Schema.ABSENT + ", " + MilvusExpressions.string(t.key()) + "))";
    };
  }

  private static String wrap(Typed t, String cond, boolean placeholderMatches, String never) {
    if (cond == MilvusExpressions.FALSE) {
      return "(" + never + ")";
    }
    if (cond.isEmpty()) {
      return present(t, never);
    }
    boolean guard = switch (t.presence()) {
      case ALWAYS -> false;
      case NULLABLE -> true;
      case ABSENT_LIST -> placeholderMatches;
    };
    return guard ? "(" + present(t, never) + " and (" + cond + "))" : "(" + cond + ")";
  }

  /** Whether the row of a missing value (the placeholder) would satisfy the atom, were it not guarded. */
  private static boolean placeholderMatches(Typed t, Filter atom) {
    return t.placeholder() != null && atom.matches(Metadata.of(t.key(), t.placeholder()));
  }

  /** @return the comparison, {@link MilvusExpressions#TRUE} (every value) or {@link MilvusExpressions#FALSE} (none) */
  private static String condition(Typed t, Filter.Operator op, Object v) {
    String f = t.field();
    return switch (t.type()) {
      case STRING -> v instanceof String s && op == Filter.Operator.EQ ? f + " == " + MilvusExpressions.string(s)
          : MilvusExpressions.FALSE;
      case BOOL -> v instanceof Boolean b && op == Filter.Operator.EQ ? f + " == " + b : MilvusExpressions.FALSE;
      case STRING_LIST -> v instanceof String s && op == Filter.Operator.EQ
          ? "array_contains(" + f + ", " + MilvusExpressions.string(s) + ")" : MilvusExpressions.FALSE;
      case LONG -> v instanceof Number n ? longCondition(t, op, n) : MilvusExpressions.FALSE;
      case DOUBLE -> v instanceof Number n ? MilvusExpressions.doubleCondition(f, op, n) : MilvusExpressions.FALSE;
    };
  }

  /** {@code x op n} over the field's integer range [min, max]. */
  private static String longCondition(Typed t, Filter.Operator op, Number n) {
    if (t.min() != Long.MIN_VALUE || t.max() != Long.MAX_VALUE) {
      double d = n.doubleValue();
      // Beyond the field's range the answer is the same for every value it can hold.
      boolean below = n instanceof Long l ? l < t.min() : d < t.min();
      boolean above = n instanceof Long l ? l > t.max() : d > t.max();
      if (below) {
        return op == Filter.Operator.GT || op == Filter.Operator.GTE ? MilvusExpressions.TRUE : MilvusExpressions.FALSE;
      }
      if (above) {
        return op == Filter.Operator.LT || op == Filter.Operator.LTE ? MilvusExpressions.TRUE : MilvusExpressions.FALSE;
      }
    }
    return MilvusExpressions.longCondition(t.field(), op, n);
  }

  private static String inCondition(Typed t, List<Object> values) {
    String f = t.field();
    Set<String> strings = new LinkedHashSet<>();
    Set<Boolean> booleans = new LinkedHashSet<>();
    List<Number> numbers = new ArrayList<>();
    for (Object v : values) {
      if (v instanceof String s) {
        strings.add(s);
      } else if (v instanceof Boolean b) {
        booleans.add(b);
      } else {
        numbers.add((Number) v);
      }
    }
    if (t.type() == FieldType.STRING) {
      return strings.isEmpty() ? MilvusExpressions.FALSE : f + " in " + MilvusExpressions.stringList(strings);
    }
    if (t.type() == FieldType.STRING_LIST) {
      return strings.isEmpty() ? MilvusExpressions.FALSE
          : "array_contains_any(" + f + ", " + MilvusExpressions.stringList(strings) + ")";
    }
    if (t.type() == FieldType.BOOL) {
      if (booleans.size() == 2) {
        return MilvusExpressions.TRUE;
      }
      return booleans.isEmpty() ? MilvusExpressions.FALSE : f + " == " + booleans.iterator().next();
    }
    // Numbers: each value becomes an exact equality of the field's type (or nothing); see condition().
    Set<String> parts = new LinkedHashSet<>();
    for (Number n : numbers) {
      String eq = t.type() == FieldType.LONG ? longCondition(t, Filter.Operator.EQ, n)
          : MilvusExpressions.doubleCondition(f, Filter.Operator.EQ, n);
      if (eq != MilvusExpressions.FALSE) {
        parts.add(eq);
      }
    }
    if (parts.isEmpty()) {
      return MilvusExpressions.FALSE;
    }
    return parts.size() == 1 ? parts.iterator().next() : "(" + String.join(") or (", parts) + ")";
  }
}
