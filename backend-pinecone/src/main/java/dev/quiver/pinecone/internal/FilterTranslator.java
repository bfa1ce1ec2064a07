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
 */
public final class FilterTranslator {

  /** Pinecone's limit on values per {@code $in}/{@code $nin}. */
  public static final int MAX_IN = 10_000;

  private FilterTranslator() {}

  /**
   * @param filter a Quiver filter
   * @return the Pinecone filter
   */
  public static ObjectNode translate(Filter filter) {
    return pos(filter);
  }

  private static ObjectNode pos(Filter f) {
    if (f instanceof Filter.Comparison c) {
      return leaf(c.field(), op(c.op()), literal(c.field(), c.value()));
    }
    if (f instanceof Filter.In in) {
      return in(in.field(), in.values(), false);
    }
    if (f instanceof Filter.Exists e) {
      return exists(e.field(), true);
    }
    if (f instanceof Filter.Not n) {
      return neg(n.operand());
    }
    if (f instanceof Filter.And a) {
      List<ObjectNode> ops = new ArrayList<>();
      a.operands().forEach(o -> ops.add(pos(o)));
      return logical("$and", ops);
    }
    Filter.Or o = (Filter.Or) f;
    List<ObjectNode> ops = new ArrayList<>();
    o.operands().forEach(x -> ops.add(pos(x)));
    return logical("$or", ops);
  }

  private static ObjectNode neg(Filter f) {
    if (f instanceof Filter.Comparison c) {
      String x = c.field();
      JsonNode v = literal(x, c.value());
      if (c.op() == Filter.Operator.EQ) {
        return logical("$or", List.of(leaf(x, "$ne", v), exists(x, false)));
      }
      String inverse = switch (c.op()) {
        case GT -> "$lte";
        case GTE -> "$lt";
        case LT -> "$gte";
        case LTE -> "$gt";
        case EQ -> throw new AssertionError();
      };
      return logical("$or", List.of(leaf(x, inverse, v), exists(x, false),
          logical("$and", List.of(exists(x, true), exists(MetadataCodec.NUM_TAG + x, false)))));
    }
    if (f instanceof Filter.In in) {
      return in(in.field(), in.values(), true);
    }
    if (f instanceof Filter.Exists e) {
      return exists(e.field(), false);
    }
    if (f instanceof Filter.Not n) {
      return pos(n.operand());
    }
    if (f instanceof Filter.And a) {
      List<ObjectNode> ops = new ArrayList<>();
      a.operands().forEach(o -> ops.add(neg(o)));
      return logical("$or", ops);
    }
    Filter.Or o = (Filter.Or) f;
    List<ObjectNode> ops = new ArrayList<>();
    o.operands().forEach(x -> ops.add(neg(x)));
    return logical("$and", ops);
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
