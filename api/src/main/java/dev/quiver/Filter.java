package dev.quiver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

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
