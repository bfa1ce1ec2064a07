package dev.quiver;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A metadata filter: a tree of predicates joined by {@code and}, {@code or} and {@code not}. The
 * builder and the text syntax are two spellings of one tree: {@code Filter.parse(f.toString())}
 * equals {@code f}.
 *
 * <pre>{@code
 * Filter.parse("category == 'tech' and year >= 2020")
 * Filter.eq("category", "tech").and(Filter.gte("year", 2020))   // the same tree
 * }</pre>
 *
 * <p>{@link #matches(Metadata)} is the <b>reference evaluator</b>: it defines what a filter means,
 * and every backend must agree with it record by record. The rules (two-valued logic):
 * <ul>
 *   <li>A comparison on a missing key, or on a value of another type, is false.</li>
 *   <li>{@code not F} matches exactly the records {@code F} does not; so {@code x != v} (which is
 *       {@code not (x == v)}) and {@code x not in [...]} match records that lack {@code x}.</li>
 *   <li>Numbers compare numerically and exactly across long and double ({@code 1 == 1.0}).
 *       Ranges ({@code > >= < <=}) take numbers only. Strings and booleans support {@code ==},
 *       {@code !=}, {@code in} and {@code not in}; strings compare case-sensitively and exactly.</li>
 *   <li>On a list-of-strings value, {@code ==} and {@code in} match when <em>any</em> element matches.</li>
 *   <li>{@code exists(x)} is true when the record has key {@code x}.</li>
 * </ul>
 *
 * <p>{@code !=} and {@code not in} are not separate nodes: the builder and parser produce
 * {@link Not} around {@link Comparison} or {@link In}, so backends translate negation in one place.
 */
public sealed interface Filter permits Filter.Comparison, Filter.In, Filter.Exists, Filter.Not, Filter.And, Filter.Or {

  /** Deepest nesting the parser and builder accept. */
  int MAX_DEPTH = 64;

  /** Most nodes (predicates and connectives) one filter may have; keeps translation and evaluation bounded. */
  int MAX_NODES = 4096;

  /** Most values one {@code in [...]} list may have. */
  int MAX_IN_VALUES = 16_384;

  /**
   * Dispatch on the node type. Every translator (to Milvus expressions, Qdrant conditions, Pinecone
   * JSON, the local metadata index) is a visitor, so each handles exactly these six node kinds and
   * a new kind is a compile error everywhere rather than a silent fall-through.
   *
   * @param <R> what the visit returns
   */
  interface Visitor<R> {
    /** @param c a comparison @return the result */
    R comparison(Comparison c);

    /** @param in an in-list @return the result */
    R in(In in);

    /** @param e an exists @return the result */
    R exists(Exists e);

    /** @param not a negation @return the result */
    R not(Not not);

    /** @param and a conjunction @return the result */
    R and(And and);

    /** @param or a disjunction @return the result */
    R or(Or or);
  }

  /**
   * @param visitor a visitor
   * @param <R> what it returns
   * @return the visitor's result for this node
   */
  <R> R accept(Visitor<R> visitor);

  /**
   * The reference evaluator.
   *
   * @param metadata a record's metadata
   * @return whether the record matches
   */
  boolean matches(Metadata metadata);

  /**
   * Parses the text syntax:
   * <pre>
   * expr      := or
   * or        := and (("or" | "||") and)*
   * and       := unary (("and" | "&amp;&amp;") unary)*
   * unary     := ("not" | "!") unary | "(" expr ")" | predicate
   * predicate := field ("==" | "!=" | "&gt;" | "&gt;=" | "&lt;" | "&lt;=") literal
   *            | field ["not"] "in" "[" literal ("," literal)* "]"
   *            | "exists" "(" field ")"
   * literal   := 'string' | "string" | integer | decimal | true | false
   * </pre>
   * Keywords are case-insensitive; strings take the escapes {@code \\ \' \" \n \r \t \}{@code uXXXX}.
   *
   * @param text the filter
   * @return the tree
   * @throws InvalidFilterException with the position of the first error
   */
  static Filter parse(String text) {
    return FilterParser.parse(text);
  }

  /**
   * @param field a metadata key
   * @param value a String, Long/Integer, Double/Float or Boolean
   * @return {@code field == value}
   */
  static Filter eq(String field, Object value) {
    return new Comparison(field, Operator.EQ, value);
  }

  /**
   * @param field a metadata key
   * @param value a String, Long/Integer, Double/Float or Boolean
   * @return {@code field != value}, which is {@code not (field == value)} and matches records without the field
   */
  static Filter ne(String field, Object value) {
    return new Not(eq(field, value));
  }

  /**
   * @param field a metadata key
   * @param value a number
   * @return {@code field > value}
   */
  static Filter gt(String field, Number value) {
    return new Comparison(field, Operator.GT, value);
  }

  /**
   * @param field a metadata key
   * @param value a number
   * @return {@code field >= value}
   */
  static Filter gte(String field, Number value) {
    return new Comparison(field, Operator.GTE, value);
  }

  /**
   * @param field a metadata key
   * @param value a number
   * @return {@code field < value}
   */
  static Filter lt(String field, Number value) {
    return new Comparison(field, Operator.LT, value);
  }

  /**
   * @param field a metadata key
   * @param value a number
   * @return {@code field <= value}
   */
  static Filter lte(String field, Number value) {
    return new Comparison(field, Operator.LTE, value);
  }

  /**
   * @param field a metadata key
   * @param values one or more Strings, numbers or Booleans
   * @return {@code field in [values]}
   */
  static Filter in(String field, Object... values) {
    return new In(field, Arrays.asList(values));
  }

  /**
   * @param field a metadata key
   * @param values one or more Strings, numbers or Booleans
   * @return {@code field in [values]}
   */
  static Filter in(String field, Collection<?> values) {
    return new In(field, new ArrayList<>(Check.notNull(values, "values of 'in'")));
  }

  /**
   * @param field a metadata key
   * @param values one or more Strings, numbers or Booleans
   * @return {@code field not in [values]}, which matches records without the field
   */
  static Filter notIn(String field, Object... values) {
    return new Not(in(field, values));
  }

  /**
   * @param field a metadata key
   * @return {@code exists(field)}
   */
  static Filter exists(String field) {
    return new Exists(field);
  }

  /**
   * @param operand a filter
   * @return {@code not operand}
   */
  static Filter not(Filter operand) {
    return new Not(operand);
  }

  /**
   * @param operands two or more filters (one is returned as is)
   * @return their conjunction
   */
  static Filter allOf(Filter... operands) {
    return operands.length == 1 ? Check.notNull(operands[0], "filter") : new And(Arrays.asList(operands));
  }

  /**
   * @param operands two or more filters (one is returned as is)
   * @return their disjunction
   */
  static Filter anyOf(Filter... operands) {
    return operands.length == 1 ? Check.notNull(operands[0], "filter") : new Or(Arrays.asList(operands));
  }

  /**
   * @param other another filter
   * @return {@code this and other}
   */
  default Filter and(Filter other) {
    return new And(List.of(this, Check.notNull(other, "filter")));
  }

  /**
   * @param other another filter
   * @return {@code this or other}
   */
  default Filter or(Filter other) {
    return new Or(List.of(this, Check.notNull(other, "filter")));
  }

  /** @return {@code not this} */
  default Filter negate() {
    return new Not(this);
  }

  /**
   * The exact numeric order of the filter language across Long and Double: {@code 1 == 1.0}, and a
   * long beyond ±2^53 is never rounded to a neighbouring double. A total order, so backends can key
   * sorted indexes with it.
   *
   * @param a a Long or Double
   * @param b a Long or Double
   * @return negative, zero or positive as {@code a} is below, equal to or above {@code b}
   */
  static int compareNumbers(Number a, Number b) {
    return FilterSupport.compareNumbers(a, b);
  }

  /** A comparison operator; {@code !=} is {@link Not} around {@link #EQ}. */
  enum Operator {
    /** {@code ==}: equal (any element, for lists). */
    EQ("=="),
    /** {@code >}: greater, numbers only. */
    GT(">"),
    /** {@code >=}: greater or equal, numbers only. */
    GTE(">="),
    /** {@code <}: less, numbers only. */
    LT("<"),
    /** {@code <=}: less or equal, numbers only. */
    LTE("<=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    /** @return how it is written in the text syntax */
    public String symbol() {
      return symbol;
    }

    /** @return whether it is a range operator (takes numbers only) */
    public boolean isRange() {
      return this != EQ;
    }
  }

  /**
   * {@code field op value}.
   *
   * @param field a metadata key
   * @param op the operator
   * @param value String, Long, Double or Boolean (numbers only for ranges)
   */
  record Comparison(String field, Operator op, Object value) implements Filter {
    /** Validates and canonicalises the value (Integer to Long, Float to Double). */
    public Comparison {
      field = FilterSupport.field(field);
      if (op == null) {
        throw new InvalidFilterException("comparison operator must not be null", -1);
      }
      value = FilterSupport.literal(field, value);
      if (op.isRange() && !(value instanceof Long || value instanceof Double)) {
        throw new InvalidFilterException("range operator " + op.symbol() + " on '" + field
            + "' takes a number, got " + FilterSupport.text(value), -1);
      }
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.comparison(this);
    }

    @Override
    public boolean matches(Metadata metadata) {
      Object actual = metadata.get(field).orElse(null);
      if (actual == null) {
        return false;
      }
      if (op == Operator.EQ) {
        return FilterSupport.valueEquals(actual, value);
      }
      if (!(actual instanceof Number)) {
        return false;
      }
      int c = FilterSupport.compareNumbers((Number) actual, (Number) value);
      return switch (op) {
        case GT -> c > 0;
        case GTE -> c >= 0;
        case LT -> c < 0;
        case LTE -> c <= 0;
        case EQ -> c == 0;
      };
    }

    @Override
    public String toString() {
      return FilterSupport.print(this);
    }
  }

  /**
   * {@code field in [values]}: true when the field equals any of the values.
   *
   * @param field a metadata key
   * @param values one or more Strings, Longs, Doubles or Booleans
   */
  record In(String field, List<Object> values) implements Filter {
    /** Validates and canonicalises the values. */
    public In {
      field = FilterSupport.field(field);
      if (values == null || values.isEmpty()) {
        throw new InvalidFilterException("'in' on '" + field + "' needs at least one value", -1);
      }
      if (values.size() > MAX_IN_VALUES) {
        throw new InvalidFilterException("'in' on '" + field + "' has " + values.size() + " values; the limit is "
            + MAX_IN_VALUES, -1);
      }
      List<Object> canonical = new ArrayList<>(values.size());
      for (Object v : values) {
        canonical.add(FilterSupport.literal(field, v));
      }
      values = List.copyOf(canonical);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.in(this);
    }

    @Override
    public boolean matches(Metadata metadata) {
      Object actual = metadata.get(field).orElse(null);
      if (actual == null) {
        return false;
      }
      for (Object v : values) {
        if (FilterSupport.valueEquals(actual, v)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return FilterSupport.print(this);
    }
  }

  /**
   * {@code exists(field)}.
   *
   * @param field a metadata key
   */
  record Exists(String field) implements Filter {
    /** Validates the field. */
    public Exists {
      field = FilterSupport.field(field);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.exists(this);
    }

    @Override
    public boolean matches(Metadata metadata) {
      return metadata.containsKey(field);
    }

    @Override
    public String toString() {
      return FilterSupport.print(this);
    }
  }

  /**
   * {@code not operand}: matches exactly what the operand does not.
   *
   * @param operand the negated filter
   */
  record Not(Filter operand) implements Filter {
    /** Validates the operand. */
    public Not {
      if (operand == null) {
        throw new InvalidFilterException("operand of 'not' must not be null", -1);
      }
      FilterSupport.checkDepth(operand);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.not(this);
    }

    @Override
    public boolean matches(Metadata metadata) {
      return !operand.matches(metadata);
    }

    @Override
    public String toString() {
      return FilterSupport.print(this);
    }
  }

  /**
   * Conjunction of two or more filters; nested conjunctions are flattened.
   *
   * @param operands the filters
   */
  record And(List<Filter> operands) implements Filter {
    /** Validates and flattens. */
    public And {
      operands = FilterSupport.flatten(operands, And.class, "and");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.and(this);
    }

    @Override
    public boolean matches(Metadata metadata) {
      for (Filter f : operands) {
        if (!f.matches(metadata)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return FilterSupport.print(this);
    }
  }

  /**
   * Disjunction of two or more filters; nested disjunctions are flattened.
   *
   * @param operands the filters
   */
  record Or(List<Filter> operands) implements Filter {
    /** Validates and flattens. */
    public Or {
      operands = FilterSupport.flatten(operands, Or.class, "or");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.or(this);
    }

    @Override
    public boolean matches(Metadata metadata) {
      for (Filter f : operands) {
        if (f.matches(metadata)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return FilterSupport.print(this);
    }
  }
}

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
