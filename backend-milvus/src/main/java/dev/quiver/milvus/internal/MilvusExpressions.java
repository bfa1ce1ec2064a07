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

  /** Where a metadata key lives in a collection's native layout. */
  public sealed interface Target permits Tagged, Typed, Untagged {}

  /**
   * In Quiver's JSON field {@code valueField} with its type tag in {@code typesField} (the translation above).
   *
   * @param valueField the JSON field of the values ({@value Schema#META})
   * @param typesField the JSON field of the type tags ({@value Schema#TYPES})
   */
  public record Tagged(String valueField, String typesField) implements Target {}

  /**
   * In a typed scalar field (a declared field, or a field of a collection Quiver did not create); see
   * {@link TypedAtoms}.
   *
   * @param key the metadata key
   * @param field the Milvus field
   * @param type the values' type
   * @param presence how a missing value is told apart
   * @param placeholder what the field holds where the value is missing ({@link Presence#ABSENT_LIST}), else null
   * @param min the smallest value an integer field holds ({@link Long#MIN_VALUE} for INT64)
   * @param max the largest
   */
  public record Typed(String key, String field, dev.quiver.FieldType type, Presence presence, Object placeholder,
      long min, long max) implements Target {}

  /**
   * A top-level key of JSON objects without type tags (JSON fields and the dynamic field {@code $meta}
   * of collections Quiver did not create); see {@link UntaggedAtoms}.
   *
   * @param jsonFields the JSON fields the key may be in ({@code $meta} for the dynamic field)
   * @param fieldNames the collection's field names (a dynamic key named like one is written {@code $meta["k"]})
   */
  public record Untagged(List<String> jsonFields, java.util.Set<String> fieldNames) implements Target {}

  /** How a typed field tells a missing value apart. */
  public enum Presence {
    /** Never missing (a field that is neither nullable nor declared by Quiver). */
    ALWAYS,
    /** A null ({@code field is not null} tests presence). */
    NULLABLE,
    /** A placeholder, with the key listed in {@value Schema#ABSENT}. */
    ABSENT_LIST
  }

  /** Where a collection keeps its keys. */
  public interface Keys {
    /**
     * @param key a metadata key (a valid identifier)
     * @return where it lives
     */
    Target target(String key);

    /** @return an expression that no row satisfies (Milvus 2.3 has no {@code false} literal) */
    String never();
  }

  /** Quiver's own layout without declared fields: every key in {@value Schema#META}/{@value Schema#TYPES}. */
  public static final Keys QUIVER_JSON = new Keys() {
    private final Tagged target = new Tagged(Schema.META, Schema.TYPES);

    @Override
    public Target target(String key) {
      return target;
    }

    @Override
    public String never() {
      return Schema.ID + " < \"\"";
    }
  };

  private static final MilvusExpressions TRANSLATOR = new MilvusExpressions(QUIVER_JSON);

  private final Keys keys;

  /** @param keys where the collection keeps its keys */
  public MilvusExpressions(Keys keys) {
    this.keys = keys;
  }

  /**
   * @param filter a filter tree
   * @return the Milvus expression for Quiver's JSON layout ({@link #QUIVER_JSON}), never empty
   * @throws InvalidFilterException if a literal cannot be expressed
   */
  public static String translate(Filter filter) {
    return filter.accept(TRANSLATOR);
  }

  /**
   * @param filter a filter tree
   * @return the Milvus expression for this translator's layout, never empty
   * @throws InvalidFilterException if a literal cannot be expressed
   */
  public String of(Filter filter) {
    return filter.accept(this);
  }

  @Override
  public String comparison(Filter.Comparison c) {
    Target t = keys.target(key(c.field()));
    if (t instanceof Typed typed) {
      return TypedAtoms.comparison(typed, c, keys.never());
    }
    if (t instanceof Untagged u) {
      return UntaggedAtoms.comparison(u, c, keys.never());
    }
    Tagged g = (Tagged) t;
    return guarded(g, c.field(), comparisonDisjuncts(g, c));
  }

  @Override
  public String in(Filter.In in) {
    Target t = keys.target(key(in.field()));
    if (t instanceof Typed typed) {
      return TypedAtoms.in(typed, in, keys.never());
    }
    if (t instanceof Untagged u) {
      return UntaggedAtoms.in(u, in, keys.never());
    }
    Tagged g = (Tagged) t;
    return guarded(g, in.field(), inDisjuncts(g, in.field(), in.values()));
  }

  @Override
  public String exists(Filter.Exists e) {
    Target t = keys.target(key(e.field()));
    if (t instanceof Typed typed) {
      return TypedAtoms.present(typed, keys.never());
    }
    if (t instanceof Untagged u) {
      return UntaggedAtoms.exists(u, e.field(), keys.never());
    }
    // Parenthesised: real Milvus parses "exists x and y" as "exists (x and y)".
    return "(exists " + path(((Tagged) t).valueField(), e.field()) + ")";
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
  private static String guarded(Tagged g, String field, List<String> disjuncts) {
    StringBuilder sb = new StringBuilder("((exists ").append(path(g.typesField(), field)).append(") and (");
    for (int i = 0; i < disjuncts.size(); i++) {
      if (i > 0) {
        sb.append(" or ");
      }
      sb.append('(').append(disjuncts.get(i)).append(')');
    }
    return sb.append("))").toString();
  }

  private static List<String> comparisonDisjuncts(Tagged g, Filter.Comparison c) {
    String field = c.field();
    String value = path(g.valueField(), field);
    Object v = c.value();
    if (c.op() == Filter.Operator.EQ) {
      if (v instanceof String s) {
        return List.of(tagIs(g, field, "s") + " and " + value + " == " + string(s),
            tagIs(g, field, "l") + " and json_contains(" + value + ", " + string(s) + ")");
      }
      if (v instanceof Boolean b) {
        return List.of(tagIs(g, field, "b") + " and " + value + " == " + b);
      }
    }
    return numeric(g, field, List.of(new Bound(c.op(), (Number) v)));
  }

  private static List<String> inDisjuncts(Tagged g, String field, List<Object> values) {
    String value = path(g.valueField(), field);
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
        eqs.add(value + " == " + string(s));
      }
      parts.add(tagIs(g, field, "s") + " and (" + String.join(" or ", eqs) + ")");
      parts.add(tagIs(g, field, "l") + " and json_contains_any(" + value + ", " + stringList(strings) + ")");
    }
    if (!numbers.isEmpty()) {
      parts.addAll(numeric(g, field, numbers));
    }
    if (!booleans.isEmpty()) {
      List<String> eqs = new ArrayList<>();
      for (Boolean b : booleans) {
        eqs.add(value + " == " + b);
      }
      parts.add(tagIs(g, field, "b") + " and (" + String.join(" or ", eqs) + ")");
    }
    return parts;
  }

  private static String tagIs(Tagged g, String field, String tag) {
    return path(g.typesField(), field) + " == \"" + tag + "\"";
  }

  /** One numeric comparison {@code value op literal}; {@code in} is a disjunction of EQ bounds. */
  record Bound(Filter.Operator op, Number literal) {}

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
  private static List<String> numeric(Tagged g, String field, List<Bound> bounds) {
    String value = path(g.valueField(), field);
    List<String> parts = new ArrayList<>();
    for (String tag : List.of(LONG_TAG, DOUBLE_TAG)) {
      List<String> conds = new ArrayList<>();
      boolean always = false;
      for (Bound b : bounds) {
        String cond = tag.equals(LONG_TAG) ? longCondition(value, b.op(), b.literal())
            : doubleCondition(value, b.op(), b.literal());
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
        parts.add(tagIs(g, field, tag));
      } else if (conds.size() == 1) {
        parts.add(tagIs(g, field, tag) + " and (" + conds.get(0) + ")");
      } else if (!conds.isEmpty()) {
        parts.add(tagIs(g, field, tag) + " and ((" + String.join(") or (", conds) + "))");
      }
    }
    if (parts.isEmpty()) {
      // Cannot happen (one side of every bound is satisfiable), but never emit an empty disjunction.
      parts.add(tagIs(g, field, LONG_TAG) + " and " + tagIs(g, field, DOUBLE_TAG));
    }
    return parts;
  }

  private static final String LONG_TAG = "i";
  private static final String DOUBLE_TAG = "f";
  /** A condition that holds for every value of the type (the disjunct is just the tag test). */
  static final String TRUE = "";
  /** A condition that holds for no value of the type (the disjunct is left out). */
  static final String FALSE = null;

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /**
   * {@code x op literal} over every long {@code x}, as a comparison with a long literal, or
   * {@link #TRUE}/{@link #FALSE}. A double literal {@code d} becomes: {@code x > d} ⇔ {@code x > floor(d)},
   * {@code x >= d} ⇔ {@code x >= ceil(d)}, {@code x < d} ⇔ {@code x < ceil(d)}, {@code x <= d} ⇔
   * {@code x <= floor(d)}, {@code x == d} ⇔ {@code x == d} if d is an integer, else never; literals
   * beyond the long range are constant.
   */
  static String longCondition(String ref, Filter.Operator op, Number literal) {
    if (literal instanceof Long l) {
      return longCompare(ref, op, l);
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
      case EQ -> floor.compareTo(ceil) == 0 ? longCompare(ref, op, floor.longValueExact()) : FALSE;
      case GT -> longCompare(ref, op, floor.longValueExact());
      case GTE -> longCompare(ref, op, ceil.longValueExact());
      case LT -> longCompare(ref, op, ceil.longValueExact());
      case LTE -> longCompare(ref, op, floor.longValueExact());
    };
  }

  /**
   * {@code x op l} over longs. {@link Long#MIN_VALUE} cannot be written as a literal on real Milvus
   * (its parser reads the magnitude 2^63 as an int64 first), so comparisons with it are rewritten
   * with {@code MIN + 1}: {@code == MIN} ⇔ {@code < MIN+1}, {@code > MIN} ⇔ {@code >= MIN+1},
   * {@code >= MIN} always, {@code < MIN} never, {@code <= MIN} ⇔ {@code < MIN+1}.
   */
  private static String longCompare(String ref, Filter.Operator op, long l) {
    if (l == Long.MIN_VALUE) {
      String minPlusOne = Long.toString(Long.MIN_VALUE + 1);
      return switch (op) {
        case EQ, LTE -> ref + " < " + minPlusOne;
        case GT -> ref + " >= " + minPlusOne;
        case GTE -> TRUE;
        case LT -> FALSE;
      };
    }
    return ref + " " + op.symbol() + " " + l;
  }

  /**
   * {@code x op literal} over every finite double {@code x}, as a comparison with a double literal,
   * or {@link #FALSE}. A long literal {@code l} that is a double is written as that double; otherwise
   * with {@code lo < l < hi} the neighbouring doubles: {@code x > l} and {@code x >= l} ⇔
   * {@code x >= hi}, {@code x < l} and {@code x <= l} ⇔ {@code x <= lo}, {@code x == l} never.
   */
  static String doubleCondition(String ref, Filter.Operator op, Number literal) {
    if (literal instanceof Long l) {
      double near = l.doubleValue();
      int cmp = exact(near).compareTo(BigDecimal.valueOf(l));
      if (cmp != 0) {
        double lo = cmp < 0 ? near : Math.nextDown(near);
        double hi = cmp < 0 ? Math.nextUp(near) : near;
        return switch (op) {
          case EQ -> FALSE;
          case GT, GTE -> ref + " >= " + number(hi);
          case LT, LTE -> ref + " <= " + number(lo);
        };
      }
      return ref + " " + op.symbol() + " " + number(near);
    }
    return ref + " " + op.symbol() + " " + number(literal.doubleValue());
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

  static String stringList(Collection<String> values) {
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

  /**
   * @param jsonField a JSON field (or {@code $meta})
   * @param key a metadata key
   * @return {@code jsonField["key"]}
   */
  static String path(String jsonField, String key) {
    return jsonField + "[\"" + key(key) + "\"]";
  }

  static String key(String field) {
    if (field == null || !KEY.matcher(field).matches()) {
      throw new InvalidFilterException("invalid field name in filter: " + field, -1);
    }
    return field;
  }
}
