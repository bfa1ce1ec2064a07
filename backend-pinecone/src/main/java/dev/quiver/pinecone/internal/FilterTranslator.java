package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.Filter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Translates Quiver's filter tree to Pinecone's filter JSON with the reference semantics of
 * {@link Filter#matches}. Negation is pushed down to the leaves by De Morgan, and every negated leaf
 * is written so that it is exact whatever Pinecone does with a missing key:
 *
 * <table>
 *   <caption>negated leaves</caption>
 *   <tr><td>{@code not (x == v)}</td><td>{@code {"$or":[{"x":{"$ne":v}},{"x":{"$exists":false}}]}}</td></tr>
 *   <tr><td>{@code not (x in [..])}</td><td>{@code {"$or":[{"x":{"$nin":[..]}},{"x":{"$exists":false}}]}}</td></tr>
 *   <tr><td>{@code not (x > v)}</td><td>{@code {"$or":[{"x":{"$lte":v}},{"x":{"$exists":false}},
 *       {"$and":[{"x":{"$exists":true}},{"__quiver_n_x":{"$exists":false}}]}]}}</td></tr>
 *   <tr><td>{@code not exists(x)}</td><td>{@code {"x":{"$exists":false}}}</td></tr>
 * </table>
 *
 * The third arm of a negated range matches records where {@code x} holds a non-number (which a range
 * never matches, so its complement must); Pinecone has no type test, so the adapter tags numeric
 * keys at write time (see {@link MetadataCodec}). {@code in} lists are split by type: booleans, which
 * Pinecone's {@code $in} does not take, become {@code $eq}; strings and numbers go in separate
 * {@code $in} lists of at most {@value #MAX_IN} values. Longs beyond ±2^53 in a filter are refused
 * ({@code EXACT_LONGS}) because Pinecone would compare them as rounded float64s.
 *
 * <p>The "holds a non-number" arm depends on the {@link Layout}: a declared numeric field never holds a
 * non-number (the arm is left out), a declared field of another type never holds a number (the arm is
 * "present"); on a foreign index, which has no number tags, the arm is left out, so a negated range there
 * does not match records whose field holds a string, boolean or list (documented).
 */
public final class FilterTranslator {

  /** Pinecone's limit on values per {@code $in}/{@code $nin}. */
  public static final int MAX_IN = 10_000;

  private final Layout layout;

  private FilterTranslator(Layout layout) {
    this.layout = layout;
  }

  /**
   * @param filter a Quiver filter
   * @param layout the collection's layout
   * @return the Pinecone filter
   */
  public static ObjectNode translate(Filter filter, Layout layout) {
    return filter.accept(new FilterTranslator(layout).positive);
  }

  /** Translates a node as it is. */
  private final Filter.Visitor<ObjectNode> positive = new Filter.Visitor<>() {
    @Override
    public ObjectNode comparison(Filter.Comparison c) {
      return leaf(c.field(), op(c.op()), literal(c.field(), c.value()));
    }

    @Override
    public ObjectNode in(Filter.In in) {
      return FilterTranslator.in(in.field(), in.values(), false);
    }

    @Override
    public ObjectNode exists(Filter.Exists e) {
      return FilterTranslator.exists(e.field(), true);
    }

    @Override
    public ObjectNode not(Filter.Not not) {
      return not.operand().accept(negated);
    }

    @Override
    public ObjectNode and(Filter.And and) {
      return logical("$and", all(and.operands(), positive));
    }

    @Override
    public ObjectNode or(Filter.Or or) {
      return logical("$or", all(or.operands(), positive));
    }
  };

  /** Translates the negation of a node, pushing the negation down to the leaves. */
  private final Filter.Visitor<ObjectNode> negated = new Filter.Visitor<>() {
    @Override
    public ObjectNode comparison(Filter.Comparison c) {
      String x = c.field();
      JsonNode v = literal(x, c.value());
      if (c.op() == Filter.Operator.EQ) {
        return logical("$or", List.of(leaf(x, "$ne", v), FilterTranslator.exists(x, false)));
      }
      String inverse = switch (c.op()) {
        case GT -> "$lte";
        case GTE -> "$lt";
        case LT -> "$gte";
        case LTE -> "$gt";
        case EQ -> throw new AssertionError("handled above");
      };
      List<ObjectNode> arms = new ArrayList<>(List.of(leaf(x, inverse, v), FilterTranslator.exists(x, false)));
      nonNumber(x).ifPresent(arms::add);
      return logical("$or", arms);
    }

    @Override
    public ObjectNode in(Filter.In in) {
      return FilterTranslator.in(in.field(), in.values(), true);
    }

    @Override
    public ObjectNode exists(Filter.Exists e) {
      return FilterTranslator.exists(e.field(), false);
    }

    @Override
    public ObjectNode not(Filter.Not not) {
      return not.operand().accept(positive);
    }

    @Override
    public ObjectNode and(Filter.And and) {
      return logical("$or", all(and.operands(), negated)); // De Morgan
    }

    @Override
    public ObjectNode or(Filter.Or or) {
      return logical("$and", all(or.operands(), negated));
    }
  };

  /** "x holds a value that is not a number", or empty where no record can (or, foreign, where it cannot be told). */
  private java.util.Optional<ObjectNode> nonNumber(String x) {
    if (layout.isForeign()) {
      return java.util.Optional.empty();
    }
    java.util.Optional<dev.quiver.FieldType> declared = layout.declared(x);
    if (declared.isPresent()) {
      boolean numeric = declared.get() == dev.quiver.FieldType.LONG || declared.get() == dev.quiver.FieldType.DOUBLE;
      return numeric ? java.util.Optional.empty() : java.util.Optional.of(exists(x, true));
    }
    return java.util.Optional.of(logical("$and", List.of(exists(x, true), exists(MetadataCodec.NUM_TAG + x, false))));
  }

  private static List<ObjectNode> all(List<Filter> operands, Filter.Visitor<ObjectNode> visitor) {
    List<ObjectNode> out = new ArrayList<>(operands.size());
    operands.forEach(o -> out.add(o.accept(visitor)));
    return out;
  }

  private static ObjectNode in(String field, List<Object> values, boolean negated) {
    List<Object> strings = new ArrayList<>();
    List<Object> numbers = new ArrayList<>();
    Set<Boolean> booleans = new LinkedHashSet<>();
    for (Object v : values) {
      if (v instanceof String) {
        strings.add(v);
      } else if (v instanceof Boolean b) {
        booleans.add(b);
      } else {
        numbers.add(v);
      }
    }
    List<ObjectNode> clauses = new ArrayList<>();
    for (List<Object> group : List.of(strings, numbers)) {
      for (int i = 0; i < group.size(); i += MAX_IN) {
        ArrayNode arr = Json.array();
        for (Object v : group.subList(i, Math.min(group.size(), i + MAX_IN))) {
          arr.add(literal(field, v));
        }
        clauses.add(leaf(field, negated ? "$nin" : "$in", arr));
      }
    }
    for (Boolean b : booleans) {
      clauses.add(leaf(field, negated ? "$ne" : "$eq", Json.MAPPER.getNodeFactory().booleanNode(b)));
    }
    ObjectNode joined = clauses.size() == 1 ? clauses.get(0) : logical(negated ? "$and" : "$or", clauses);
    return negated ? logical("$or", List.of(joined, exists(field, false))) : joined;
  }

  private static String op(Filter.Operator op) {
    return switch (op) {
      case EQ -> "$eq";
      case GT -> "$gt";
      case GTE -> "$gte";
      case LT -> "$lt";
      case LTE -> "$lte";
    };
  }

  private static JsonNode literal(String field, Object v) {
    var nf = Json.MAPPER.getNodeFactory();
    if (v instanceof String s) {
      return nf.textNode(s);
    }
    if (v instanceof Boolean b) {
      return nf.booleanNode(b);
    }
    if (v instanceof Long l) {
      MetadataCodec.checkLong(l, "filter value for '" + field + "'");
      return nf.numberNode(l);
    }
    return nf.numberNode((Double) v);
  }

  private static ObjectNode leaf(String field, String op, JsonNode value) {
    ObjectNode inner = Json.object();
    inner.set(op, value);
    ObjectNode out = Json.object();
    out.set(field, inner);
    return out;
  }

  private static ObjectNode exists(String field, boolean present) {
    return leaf(field, "$exists", Json.MAPPER.getNodeFactory().booleanNode(present));
  }

  private static ObjectNode logical(String op, List<ObjectNode> operands) {
    ObjectNode out = Json.object();
    ArrayNode arr = out.putArray(op);
    operands.forEach(arr::add);
    return out;
  }
}
