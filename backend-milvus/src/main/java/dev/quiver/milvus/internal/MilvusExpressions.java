package dev.quiver.milvus.internal;

import dev.quiver.Filter;
import dev.quiver.InvalidFilterException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Translates Quiver's typed {@link Filter} tree into a Milvus boolean expression: a
 * {@link Filter.Visitor}, so every node kind is handled here and a new kind fails to compile.
 *
 * <p>Every record stores its metadata in the JSON field {@value Schema#META} and, next to it, the
 * type of every key in the JSON field {@value Schema#TYPES} ({@code "s"} string, {@code "i"} long,
 * {@code "f"} double, {@code "b"} boolean, {@code "l"} list of strings). Each atom is translated into
 * an expression that is <em>total</em> (true or false, never "unknown") on every record:
 * {@code (exists types["k"]) and (...)} is false when the key is missing, and inside it every
 * comparison is guarded by the type tag, so a comparison never meets a value of another type.
 * Milvus Lite evaluates missing keys and cross-type comparisons as SQL-style "unknown" (which
 * {@code not} keeps unknown), real Milvus as false or, for {@code !=}, true; on total atoms both
 * agree, and {@code not (P)} is then the exact complement of {@code P} on both servers. Numeric atoms
 * are split by the tags {@code "i"} and {@code "f"} so that the server only compares longs with long
 * literals and doubles with double literals (real Milvus compares a long with a double in double
 * precision); see {@link #numeric}.
 *
 * <p>String literals are double-quoted with {@code \\}, {@code \"}, {@code \n}, {@code \r} and
 * {@code \t} escaped; every other character (including non-ASCII) is written raw, because Milvus
 * Lite rejects {@code \}{@code u} escapes. Strings that cannot be encoded (unpaired surrogates) are
 * rejected with {@link InvalidFilterException}. Keys are re-checked against the identifier pattern.
 * No user text ever reaches the expression other than through {@link #string(String)}.
 */
public final class MilvusExpressions implements Filter.Visitor<String> {

  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final MilvusExpressions TRANSLATOR = new MilvusExpressions();

  private MilvusExpressions() {}

  /**
   * @param filter a filter tree
   * @return the Milvus expression, never empty
   * @throws InvalidFilterException if a literal cannot be expressed
   */
  public static String translate(Filter filter) {
    return filter.accept(TRANSLATOR);
  }

  @Override
  public String comparison(Filter.Comparison c) {
    return guarded(c.field(), comparisonDisjuncts(c));
  }

  @Override
  public String in(Filter.In in) {
    return guarded(in.field(), inDisjuncts(in.field(), in.values()));
  }

  @Override
  public String exists(Filter.Exists e) {
    // Parenthesised: real Milvus parses "exists x and y" as "exists (x and y)".
    return "(exists " + meta(e.field()) + ")";
  }

  @Override
  public String not(Filter.Not n) {
    return "not (" + n.operand().accept(this) + ")";
  }

  @Override
  public String and(Filter.And a) {
    return join(a.operands(), " and ");
  }

  @Override
  public String or(Filter.Or o) {
    return join(o.operands(), " or ");
  }

  private String join(List<Filter> operands, String word) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < operands.size(); i++) {
      if (i > 0) {
        sb.append(word);
      }
      sb.append('(').append(operands.get(i).accept(this)).append(')');
    }
    return sb.append(')').toString();
  }

  /**
   * {@code ((exists types["k"]) and ((d1) or (d2)))} ({@code exists} in parentheses: real Milvus's grammar
   * reads {@code exists x and y} as {@code exists (x and y)}): false, not unknown, when the key is missing; each
   * disjunct is total when the key is present.
   */
  private static String guarded(String field, List<String> disjuncts) {
    StringBuilder sb = new StringBuilder("((exists ").append(types(field)).append(") and (");
    for (int i = 0; i < disjuncts.size(); i++) {
      if (i > 0) {
        sb.append(" or ");
      }
      sb.append('(').append(disjuncts.get(i)).append(')');
    }
    return sb.append("))").toString();
  }

  private static List<String> comparisonDisjuncts(Filter.Comparison c) {
    String field = c.field();
    Object v = c.value();
    if (c.op() == Filter.Operator.EQ) {
      if (v instanceof String s) {
        return List.of(tagIs(field, "s") + " and " + meta(field) + " == " + string(s),
            tagIs(field, "l") + " and json_contains(" + meta(field) + ", " + string(s) + ")");
      }
      if (v instanceof Boolean b) {
        return List.of(tagIs(field, "b") + " and " + meta(field) + " == " + b);
      }
    }
    return numeric(field, List.of(new Bound(c.op(), (Number) v)));
  }

  private static List<String> inDisjuncts(String field, List<Object> values) {
    Set<String> strings = new LinkedHashSet<>();
    List<Bound> numbers = new ArrayList<>();
    Set<Boolean> booleans = new LinkedHashSet<>();
    for (Object v : values) {
      if (v instanceof String s) {
        strings.add(s);
      } else if (v instanceof Boolean b) {
        booleans.add(b);
      } else {
        Bound eq = new Bound(Filter.Operator.EQ, (Number) v);
        if (!numbers.contains(eq)) {
          numbers.add(eq);
        }
      }
    }
    List<String> parts = new ArrayList<>();
    if (!strings.isEmpty()) {
      List<String> eqs = new ArrayList<>();
      for (String s : strings) {
        eqs.add(meta(field) + " == " + string(s));
      }
      parts.add(tagIs(field, "s") + " and (" + String.join(" or ", eqs) + ")");
      parts.add(tagIs(field, "l") + " and json_contains_any(" + meta(field) + ", " + stringList(strings) + ")");
    }
    if (!numbers.isEmpty()) {
      parts.addAll(numeric(field, numbers));
    }
    if (!booleans.isEmpty()) {
      List<String> eqs = new ArrayList<>();
      for (Boolean b : booleans) {
        eqs.add(meta(field) + " == " + b);
      }
      parts.add(tagIs(field, "b") + " and (" + String.join(" or ", eqs) + ")");
    }
    return parts;
  }

  private static String tagIs(String field, String tag) {
    return types(field) + " == \"" + tag + "\"";
  }

  /** One numeric comparison {@code value op literal}; {@code in} is a disjunction of EQ bounds. */
  private record Bound(Filter.Operator op, Number literal) {}

  /**
   * The disjunction of {@code bounds}, split by the stored value's type tag so that the server only
   * ever compares a long with a long literal and a double with a double literal. Real Milvus compares
   * a long with a double (either way round) in double precision, which is not exact beyond ±2^53;
   * same-type comparisons are exact on Milvus and on Milvus Lite. The other-type literal is replaced
   * by the exact equivalent bound of the stored type ({@link #longCondition}, {@link #doubleCondition}).
   *
   * @return one disjunct per tag that can match: {@code qtypes["k"] == "i" and (...)},
   *     {@code qtypes["k"] == "f" and (...)}
   */
  private static List<String> numeric(String field, List<Bound> bounds) {
    List<String> parts = new ArrayList<>();
    for (String tag : List.of(LONG_TAG, DOUBLE_TAG)) {
      List<String> conds = new ArrayList<>();
      boolean always = false;
      for (Bound b : bounds) {
        String cond = tag.equals(LONG_TAG) ? longCondition(field, b.op(), b.literal())
            : doubleCondition(field, b.op(), b.literal());
        if (cond == null) {
          continue;
        }
        if (cond.isEmpty()) {
          always = true;
        } else {
          conds.add(cond);
        }
      }
      if (always) {
        parts.add(tagIs(field, tag));
      } else if (conds.size() == 1) {
        parts.add(tagIs(field, tag) + " and (" + conds.get(0) + ")");
      } else if (!conds.isEmpty()) {
        parts.add(tagIs(field, tag) + " and ((" + String.join(") or (", conds) + "))");
      }
    }
    if (parts.isEmpty()) {
      // Cannot happen (one side of every bound is satisfiable), but never emit an empty disjunction.
      parts.add(tagIs(field, LONG_TAG) + " and " + tagIs(field, DOUBLE_TAG));
    }
    return parts;
  }

  private static final String LONG_TAG = "i";
  private static final String DOUBLE_TAG = "f";
  /** A condition that holds for every value of the type (the disjunct is just the tag test). */
  private static final String TRUE = "";
  /** A condition that holds for no value of the type (the disjunct is left out). */
  private static final String FALSE = null;

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /**
   * {@code x op literal} over every long {@code x}, as a comparison with a long literal, or
   * {@link #TRUE}/{@link #FALSE}. A double literal {@code d} becomes: {@code x > d} ⇔ {@code x > floor(d)},
   * {@code x >= d} ⇔ {@code x >= ceil(d)}, {@code x < d} ⇔ {@code x < ceil(d)}, {@code x <= d} ⇔
   * {@code x <= floor(d)}, {@code x == d} ⇔ {@code x == d} if d is an integer, else never; literals
   * beyond the long range are constant.
   */
  static String longCondition(String field, Filter.Operator op, Number literal) {
    if (literal instanceof Long l) {
      return longCompare(field, op, l);
    }
    BigDecimal d = exact(literal.doubleValue());
    BigDecimal floor = d.setScale(0, RoundingMode.FLOOR);
    BigDecimal ceil = d.setScale(0, RoundingMode.CEILING);
    if (ceil.compareTo(LONG_MIN) < 0) { // d < every long (floor < ceil <= ... < MIN)
      return op == Filter.Operator.GT || op == Filter.Operator.GTE ? TRUE : FALSE;
    }
    if (floor.compareTo(LONG_MAX) > 0) { // d > every long
      return op == Filter.Operator.LT || op == Filter.Operator.LTE ? TRUE : FALSE;
    }
    // From here MIN <= ceil and floor <= MAX; d is a double, so |d| < 2^63 or d == -2^63 and both fit.
    return switch (op) {
      case EQ -> floor.compareTo(ceil) == 0 ? longCompare(field, op, floor.longValueExact()) : FALSE;
      case GT -> longCompare(field, op, floor.longValueExact());
      case GTE -> longCompare(field, op, ceil.longValueExact());
      case LT -> longCompare(field, op, ceil.longValueExact());
      case LTE -> longCompare(field, op, floor.longValueExact());
    };
  }

  /**
   * {@code x op l} over longs. {@link Long#MIN_VALUE} cannot be written as a literal on real Milvus
   * (its parser reads the magnitude 2^63 as an int64 first), so comparisons with it are rewritten
   * with {@code MIN + 1}: {@code == MIN} ⇔ {@code < MIN+1}, {@code > MIN} ⇔ {@code >= MIN+1},
   * {@code >= MIN} always, {@code < MIN} never, {@code <= MIN} ⇔ {@code < MIN+1}.
   */
  private static String longCompare(String field, Filter.Operator op, long l) {
    if (l == Long.MIN_VALUE) {
      String minPlusOne = Long.toString(Long.MIN_VALUE + 1);
      return switch (op) {
        case EQ, LTE -> meta(field) + " < " + minPlusOne;
        case GT -> meta(field) + " >= " + minPlusOne;
        case GTE -> TRUE;
        case LT -> FALSE;
      };
    }
    return meta(field) + " " + op.symbol() + " " + l;
  }

  /**
   * {@code x op literal} over every finite double {@code x}, as a comparison with a double literal,
   * or {@link #FALSE}. A long literal {@code l} that is a double is written as that double; otherwise
   * with {@code lo < l < hi} the neighbouring doubles: {@code x > l} and {@code x >= l} ⇔
   * {@code x >= hi}, {@code x < l} and {@code x <= l} ⇔ {@code x <= lo}, {@code x == l} never.
   */
  static String doubleCondition(String field, Filter.Operator op, Number literal) {
    if (literal instanceof Long l) {
      double near = l.doubleValue();
      int cmp = exact(near).compareTo(BigDecimal.valueOf(l));
      if (cmp != 0) {
        double lo = cmp < 0 ? near : Math.nextDown(near);
        double hi = cmp < 0 ? Math.nextUp(near) : near;
        return switch (op) {
          case EQ -> FALSE;
          case GT, GTE -> meta(field) + " >= " + number(hi);
          case LT, LTE -> meta(field) + " <= " + number(lo);
        };
      }
      return meta(field) + " " + op.symbol() + " " + number(near);
    }
    return meta(field) + " " + op.symbol() + " " + number(literal.doubleValue());
  }

  private static BigDecimal exact(double d) {
    if (!Double.isFinite(d)) {
      throw new InvalidFilterException("number " + d + " cannot be used in a Milvus filter", -1);
    }
    return new BigDecimal(d);
  }

  /**
   * @param v a Long or a finite Double
   * @return a literal: longs in decimal, doubles in plain decimal notation with a fraction part
   *     (the shortest form that reads back as the same double; never exponent notation)
   */
  static String number(Number v) {
    if (v instanceof Long l) {
      return Long.toString(l);
    }
    return number(v.doubleValue());
  }

  /**
   * @param d a finite double
   * @return it in plain decimal notation with a fraction part (never exponent notation)
   */
  static String number(double d) {
    if (!Double.isFinite(d)) {
      throw new InvalidFilterException("number " + d + " cannot be used in a Milvus filter", -1);
    }
    String plain = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    return plain.indexOf('.') < 0 ? plain + ".0" : plain;
  }

  /**
   * @param s any string
   * @return it as a double-quoted Milvus literal
   * @throws InvalidFilterException if it holds an unpaired surrogate (not encodable as UTF-8)
   */
  public static String string(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(ch).append(s.charAt(++i));
          } else if (Character.isSurrogate(ch)) {
            throw new InvalidFilterException("a string in the filter has an unpaired UTF-16 surrogate at index " + i
                + ", which Milvus cannot represent", -1);
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private static String stringList(Collection<String> values) {
    List<String> out = new ArrayList<>(values.size());
    for (String s : values) {
      out.add(string(s));
    }
    return "[" + String.join(", ", out) + "]";
  }

  /**
   * @param ids record ids
   * @return {@code id in ["a", "b"]}
   */
  public static String idIn(Collection<String> ids) {
    return Schema.ID + " in " + stringList(ids);
  }

  /**
   * @param id a record id
   * @return {@code id > "id"}
   */
  public static String idAfter(String id) {
    return Schema.ID + " > " + string(id);
  }

  private static String meta(String field) {
    return Schema.META + "[\"" + key(field) + "\"]";
  }

  private static String types(String field) {
    return Schema.TYPES + "[\"" + key(field) + "\"]";
  }

  private static String key(String field) {
    if (field == null || !KEY.matcher(field).matches()) {
      throw new InvalidFilterException("invalid field name in filter: " + field, -1);
    }
    return field;
  }
}
