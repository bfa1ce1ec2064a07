package dev.quiver;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The filter rules that the node types share: value checks, numeric comparison, printing. */
final class FilterSupport {

  private static final long TWO_POW_53 = 1L << 53;

  private FilterSupport() {}

  static String field(String field) {
    try {
      return Metadata.checkKey(field);
    } catch (InvalidArgumentException e) {
      throw new InvalidFilterException("invalid field name " + (field == null ? "null" : "'" + field + "'")
          + ": use a letter or '_' followed by letters, digits or '_', not a keyword", -1);
    }
  }

  static Object literal(String field, Object value) {
    Object scalar = Check.scalar(value);
    if (scalar == null) {
      throw new InvalidFilterException("value for '" + field + "' must be a String, integer, decimal or boolean, got "
          + (value == null ? "null" : value.getClass().getName()), -1);
    }
    if (scalar instanceof Double d && !Double.isFinite(d)) {
      throw new InvalidFilterException("value for '" + field + "' must be finite, got " + d, -1);
    }
    if (scalar instanceof String str) {
      int bad = Check.unpairedSurrogate(str);
      if (bad >= 0) {
        throw new InvalidFilterException("string value for '" + field + "' has an unpaired UTF-16 surrogate at index "
            + bad + "; it cannot be stored or matched exactly", -1);
      }
    }
    return scalar;
  }

  static List<Filter> flatten(List<Filter> operands, Class<? extends Filter> kind, String word) {
    if (operands == null || operands.size() < 2) {
      throw new InvalidFilterException("'" + word + "' needs at least two operands", -1);
    }
    for (Filter f : operands) {
      if (f == null) {
        throw new InvalidFilterException("operand of '" + word + "' must not be null", -1);
      }
    }
    checkSize(operands, word);
    List<Filter> out = new ArrayList<>();
    for (Filter f : operands) {
      if (f == null) {
        throw new InvalidFilterException("operand of '" + word + "' must not be null", -1);
      }
      if (kind.isInstance(f)) { // already checked when it was built; flattening adds no depth
        out.addAll(f instanceof Filter.And a ? a.operands() : ((Filter.Or) f).operands());
      } else {
        checkDepth(f);
        out.add(f);
      }
    }
    return List.copyOf(out);
  }

  static void checkDepth(Filter f) {
    if (depth(f) >= Filter.MAX_DEPTH) {
      throw new InvalidFilterException("filter is nested deeper than " + Filter.MAX_DEPTH + " levels", -1);
    }
  }

  /** Refuses a tree of more than {@link Filter#MAX_NODES} nodes (counted without descending past the limit). */
  static void checkSize(List<Filter> operands, String word) {
    int nodes = 1;
    for (Filter f : operands) {
      nodes += size(f, Filter.MAX_NODES - nodes + 1);
      if (nodes > Filter.MAX_NODES) {
        throw new InvalidFilterException("'" + word + "' would make a filter of more than " + Filter.MAX_NODES
            + " nodes; use 'in [...]' for long lists of values", -1);
      }
    }
  }

  private static int size(Filter f, int budget) {
    if (f instanceof Filter.Not n) {
      return 1 + size(n.operand(), budget - 1);
    }
    List<Filter> ops = f instanceof Filter.And a ? a.operands() : f instanceof Filter.Or o ? o.operands() : List.of();
    int n = 1;
    for (Filter op : ops) {
      n += size(op, budget - n);
      if (n > budget) {
        return n;
      }
    }
    return n;
  }

  static int depth(Filter f) {
    if (f instanceof Filter.Not n) {
      return 1 + depth(n.operand());
    }
    List<Filter> ops = f instanceof Filter.And a ? a.operands() : f instanceof Filter.Or o ? o.operands() : List.of();
    int max = 0;
    for (Filter op : ops) {
      max = Math.max(max, depth(op));
    }
    return 1 + max;
  }

  /** Equality under the filter rules: numbers numerically, lists by any element, other types never equal. */
  static boolean valueEquals(Object actual, Object literal) {
    if (actual instanceof Number a && literal instanceof Number b) {
      return compareNumbers(a, b) == 0;
    }
    if (actual instanceof List<?> list) {
      return literal instanceof String && list.contains(literal);
    }
    return actual.equals(literal);
  }

  /** Exact numeric comparison of Longs and Doubles (no rounding of large longs). */
  static int compareNumbers(Number a, Number b) {
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    // A long within ±2^53 converts to double exactly, so a double comparison is exact then.
    if (a instanceof Long x && x >= -TWO_POW_53 && x <= TWO_POW_53
        || b instanceof Long y && y >= -TWO_POW_53 && y <= TWO_POW_53
        || a instanceof Double && b instanceof Double) {
      double x = a.doubleValue();
      double y = b.doubleValue();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return toBig(a).compareTo(toBig(b));
  }

  private static BigDecimal toBig(Number n) {
    return n instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal(n.doubleValue());
  }

  // ---- printing: the canonical text form, parsed back to an equal tree ----

  private static final int OR = 1;
  private static final int AND = 2;
  private static final int UNARY = 3;

  static String print(Filter f) {
    StringBuilder sb = new StringBuilder();
    print(f, sb);
    return sb.toString();
  }

  private static int level(Filter f) {
    return f instanceof Filter.Or ? OR : f instanceof Filter.And ? AND : UNARY;
  }

  private static void print(Filter f, StringBuilder sb) {
    if (f instanceof Filter.Comparison c) {
      sb.append(c.field()).append(' ').append(c.op().symbol()).append(' ');
      literal(c.value(), sb);
    } else if (f instanceof Filter.In in) {
      sb.append(in.field()).append(" in ");
      list(in.values(), sb);
    } else if (f instanceof Filter.Exists e) {
      sb.append("exists(").append(e.field()).append(')');
    } else if (f instanceof Filter.Not n) {
      if (n.operand() instanceof Filter.Comparison c && c.op() == Filter.Operator.EQ) {
        sb.append(c.field()).append(" != ");
        literal(c.value(), sb);
      } else if (n.operand() instanceof Filter.In in) {
        sb.append(in.field()).append(" not in ");
        list(in.values(), sb);
      } else {
        sb.append("not ");
        child(n.operand(), UNARY, sb);
      }
    } else if (f instanceof Filter.And a) {
      join(a.operands(), " and ", AND, sb);
    } else if (f instanceof Filter.Or o) {
      join(o.operands(), " or ", OR, sb);
    }
  }

  private static void join(List<Filter> ops, String word, int level, StringBuilder sb) {
    for (int i = 0; i < ops.size(); i++) {
      if (i > 0) {
        sb.append(word);
      }
      // an operand of the same kind cannot occur (flattened), so "level + 1" forces parentheses only where needed
      child(ops.get(i), level + 1, sb);
    }
  }

  private static void child(Filter f, int minLevel, StringBuilder sb) {
    if (level(f) < minLevel) {
      sb.append('(');
      print(f, sb);
      sb.append(')');
    } else {
      print(f, sb);
    }
  }

  private static void list(List<Object> values, StringBuilder sb) {
    sb.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      literal(values.get(i), sb);
    }
    sb.append(']');
  }

  static String text(Object value) {
    StringBuilder sb = new StringBuilder();
    literal(value, sb);
    return sb.toString();
  }

  static void literal(Object v, StringBuilder sb) {
    if (v instanceof String s) {
      sb.append('\'');
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        switch (ch) {
          case '\\' -> sb.append("\\\\");
          case '\'' -> sb.append("\\'");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (ch < 0x20 || ch == 0x7f) {
              sb.append(String.format("\\u%04x", (int) ch));
            } else {
              sb.append(ch);
            }
          }
        }
      }
      sb.append('\'');
    } else {
      sb.append(Objects.toString(v));
    }
  }
}
