package dev.quiver.milvus.internal;

import dev.quiver.Filter;
import dev.quiver.InvalidFilterException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Translates Quiver's typed {@link Filter} tree into a Milvus boolean expression.
 *
 * <p>Every record stores its metadata in the JSON field {@value Schema#META} and, next to it, the
 * type of every key in the JSON field {@value Schema#TYPES} ({@code "s"} string, {@code "i"} long,
 * {@code "f"} double, {@code "b"} boolean, {@code "l"} list of strings). Each atom is translated into
 * an expression that is <em>total</em> (true or false, never "unknown") on every record:
 * {@code (exists types["k"]) and (...)} is false when the key is missing, and inside it every
 * comparison is guarded by the type tag, so a comparison never meets a value of another type.
 * Milvus Lite evaluates missing keys and cross-type comparisons as SQL-style "unknown" (which
 * {@code not} keeps unknown), real Milvus as false or, for {@code !=}, true; on total atoms both
 * agree, and {@code not (P)} is then the exact complement of {@code P} on both servers.
 *
 * <p>String literals are double-quoted with {@code \\}, {@code \"}, {@code \n}, {@code \r} and
 * {@code \t} escaped; every other character (including non-ASCII) is written raw, because Milvus
 * Lite rejects {@code \}{@code u} escapes. Strings that cannot be encoded (unpaired surrogates) are
 * rejected with {@link InvalidFilterException}. Keys are re-checked against the identifier pattern.
 * No user text ever reaches the expression other than through {@link #string(String)}.
 */
public final class MilvusExpressions {

  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final String NUMBER_TAG = "i";

  private MilvusExpressions() {}

  /**
   * @param filter a filter tree
   * @return the Milvus expression, never empty
   * @throws InvalidFilterException if a literal cannot be expressed
   */
  public static String translate(Filter filter) {
    StringBuilder sb = new StringBuilder();
    write(filter, sb);
    return sb.toString();
  }

  private static void write(Filter f, StringBuilder sb) {
    if (f instanceof Filter.Comparison c) {
      guarded(c.field(), comparison(c), sb);
    } else if (f instanceof Filter.In in) {
      guarded(in.field(), in(in.field(), in.values()), sb);
    } else if (f instanceof Filter.Exists e) {
      // Parenthesised: real Milvus parses "exists x and y" as "exists (x and y)".
      sb.append("(exists ").append(meta(e.field())).append(')');
    } else if (f instanceof Filter.Not n) {
      sb.append("not (");
      write(n.operand(), sb);
      sb.append(')');
    } else if (f instanceof Filter.And a) {
      join(a.operands(), " and ", sb);
    } else if (f instanceof Filter.Or o) {
      join(o.operands(), " or ", sb);
    } else {
      throw new InvalidFilterException("unknown filter node " + f, -1);
    }
  }

  private static void join(List<Filter> operands, String word, StringBuilder sb) {
    sb.append('(');
    for (int i = 0; i < operands.size(); i++) {
      if (i > 0) {
        sb.append(word);
      }
      sb.append('(');
      write(operands.get(i), sb);
      sb.append(')');
    }
    sb.append(')');
  }

  /**
   * {@code ((exists types["k"]) and ((d1) or (d2)))} ({@code exists} in parentheses: real Milvus's grammar
   * reads {@code exists x and y} as {@code exists (x and y)}): false, not unknown, when the key is missing; each
   * disjunct is total when the key is present.
   */
  private static void guarded(String field, List<String> disjuncts, StringBuilder sb) {
    sb.append("((exists ").append(types(field)).append(") and (");
    for (int i = 0; i < disjuncts.size(); i++) {
      if (i > 0) {
        sb.append(" or ");
      }
      sb.append('(').append(disjuncts.get(i)).append(')');
    }
    sb.append("))");
  }

  private static List<String> comparison(Filter.Comparison c) {
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
      return List.of(isNumber(field) + " and (" + numberEquals(field, (Number) v) + ")");
    }
    return List.of(isNumber(field) + " and (" + range(field, c.op(), (Number) v) + ")");
  }

  private static List<String> in(String field, List<Object> values) {
    Set<String> strings = new LinkedHashSet<>();
    Set<Object> numbers = new LinkedHashSet<>();
    Set<Boolean> booleans = new LinkedHashSet<>();
    for (Object v : values) {
      if (v instanceof String s) {
        strings.add(s);
      } else if (v instanceof Boolean b) {
        booleans.add(b);
      } else {
        numbers.add(v);
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
      List<String> eqs = new ArrayList<>();
      for (Object n : numbers) {
        eqs.add("(" + numberEquals(field, (Number) n) + ")");
      }
      parts.add(isNumber(field) + " and (" + String.join(" or ", eqs) + ")");
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

  private static String isNumber(String field) {
    return "(" + types(field) + " == \"" + NUMBER_TAG + "\" or " + types(field) + " == \"f\")";
  }

  private static String tagIs(String field, String tag) {
    return types(field) + " == \"" + tag + "\"";
  }

  /**
   * Equality with a number. {@link Long#MIN_VALUE} cannot be written as a literal on real Milvus
   * (its parser reads the magnitude 2^63 as an int64 first), so it becomes the exact range
   * {@code >= -2^63 (as a double) and < -(2^63 - 1)}, which holds for that long and for the double
   * -2^63 only.
   */
  private static String numberEquals(String field, Number v) {
    if (v instanceof Long l && l == Long.MIN_VALUE) {
      return meta(field) + " >= " + MIN_AS_DOUBLE + " and " + meta(field) + " < " + (Long.MIN_VALUE + 1);
    }
    return meta(field) + " == " + number(v);
  }

  private static final String MIN_AS_DOUBLE = "-9223372036854775808.0";

  private static String range(String field, Filter.Operator op, Number v) {
    if (v instanceof Long l && l == Long.MIN_VALUE) {
      // x > MIN  <=>  x >= MIN + 1;  x <= MIN  <=>  x < MIN + 1 (no double lies strictly between)
      return switch (op) {
        case GT -> meta(field) + " >= " + (Long.MIN_VALUE + 1);
        case GTE -> meta(field) + " >= " + MIN_AS_DOUBLE;
        case LT -> meta(field) + " < " + MIN_AS_DOUBLE;
        case LTE -> meta(field) + " < " + (Long.MIN_VALUE + 1);
        case EQ -> numberEquals(field, v);
      };
    }
    return meta(field) + " " + op.symbol() + " " + number(v);
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
    double d = v.doubleValue();
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
