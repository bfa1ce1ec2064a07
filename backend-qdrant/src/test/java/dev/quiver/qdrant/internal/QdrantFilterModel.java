package dev.quiver.qdrant.internal;

import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.List;
import java.util.Map;

/**
 * A model of how Qdrant 1.18 evaluates the filter conditions the adapter emits, written from
 * {@code lib/segment/src/payload_storage/condition_checker.rs} (v1.18.3) and the measurements on the
 * real engine in the research notes (qdrant-edge 0.9.0), with no payload index:
 * <ul>
 *   <li>must: all; should: at least one when non-empty; must_not: none.</li>
 *   <li>missing key: every match/range condition is false.</li>
 *   <li>array payload: true when any element satisfies the condition (one level).</li>
 *   <li>match.keyword / keywords: string payloads; match.integer / integers: integer payloads only
 *       ({@code as_i64}); a float payload such as 1.0 never matches an integer; match.boolean: bools.</li>
 *   <li>range: numbers only, compared as float64 (integers converted to f64); strings, bools: false.</li>
 * </ul>
 * Only what the adapter emits is modelled; anything else fails loudly.
 */
public final class QdrantFilterModel {

  private QdrantFilterModel() {}

  /**
   * @param f a Qdrant filter the adapter made
   * @param payload a stored payload
   * @return whether Qdrant's checker selects the point
   */
  public static boolean matches(Filter f, Map<String, Value> payload) {
    for (Condition c : f.getMustList()) {
      if (!matches(c, payload)) {
        return false;
      }
    }
    if (f.getShouldCount() > 0 && f.getShouldList().stream().noneMatch(c -> matches(c, payload))) {
      return false;
    }
    for (Condition c : f.getMustNotList()) {
      if (matches(c, payload)) {
        return false;
      }
    }
    if (f.hasMinShould()) {
      throw new AssertionError("min_should is not emitted by the adapter");
    }
    return true;
  }

  static boolean matches(Condition c, Map<String, Value> payload) {
    switch (c.getConditionOneOfCase()) {
      case FILTER:
        return matches(c.getFilter(), payload);
      case FIELD:
        return field(c.getField(), payload);
      default:
        throw new AssertionError("condition not modelled: " + c);
    }
  }

  private static boolean field(FieldCondition fc, Map<String, Value> payload) {
    Value v = payload.get(fc.getKey());
    if (v == null) {
      return false;
    }
    if (v.hasListValue()) {
      for (Value e : v.getListValue().getValuesList()) {
        if (scalar(fc, e)) {
          return true;
        }
      }
      return false;
    }
    return scalar(fc, v);
  }

  private static boolean scalar(FieldCondition fc, Value v) {
    if (fc.hasMatch()) {
      Match m = fc.getMatch();
      switch (m.getMatchValueCase()) {
        case KEYWORD:
          return v.hasStringValue() && v.getStringValue().equals(m.getKeyword());
        case KEYWORDS:
          return v.hasStringValue() && m.getKeywords().getStringsList().contains(v.getStringValue());
        case INTEGER:
          return v.hasIntegerValue() && v.getIntegerValue() == m.getInteger();
        case INTEGERS:
          return v.hasIntegerValue() && m.getIntegers().getIntegersList().contains(v.getIntegerValue());
        case BOOLEAN:
          return v.hasBoolValue() && v.getBoolValue() == m.getBoolean();
        default:
          throw new AssertionError("match not modelled: " + m);
      }
    }
    if (fc.hasRange()) {
      double x;
      if (v.hasIntegerValue()) {
        x = (double) v.getIntegerValue();
      } else if (v.hasDoubleValue()) {
        x = v.getDoubleValue();
      } else {
        return false;
      }
      Range r = fc.getRange();
      return (!r.hasGt() || x > r.getGt()) && (!r.hasGte() || x >= r.getGte())
          && (!r.hasLt() || x < r.getLt()) && (!r.hasLte() || x <= r.getLte());
    }
    throw new AssertionError("field condition not modelled: " + fc);
  }

  /**
   * A payload as a Qdrant server may keep it: every double moved by one ulp (up or down by the
   * parity of its bits), which is harsher than Qdrant's lossy decimal parse (it moves some doubles,
   * such as 1000000000000000.5 to 1000000000000000.4). Zeros and the largest doubles stay (no
   * infinities, no sign changes).
   *
   * @param payload a payload as written
   * @return the payload as stored
   */
  public static Map<String, Value> roundDoubles(Map<String, Value> payload) {
    Map<String, Value> out = new java.util.LinkedHashMap<>();
    payload.forEach((k, v) -> out.put(k, v.hasDoubleValue() ? Value.newBuilder().setDoubleValue(moved(v.getDoubleValue())).build() : v));
    return out;
  }

  /** @param d a double @return it moved by one ulp, as described at {@link #roundDoubles} */
  public static double moved(double d) {
    if (d == 0 || Math.abs(d) == Double.MAX_VALUE || Math.abs(d) == Double.MIN_VALUE) {
      return d;
    }
    return (Double.doubleToRawLongBits(d) & 1) == 0 ? Math.nextUp(d) : Math.nextDown(d);
  }

  static List<String> ids(Filter f, Map<String, Map<String, Value>> points) {
    return points.entrySet().stream().filter(e -> matches(f, e.getValue())).map(Map.Entry::getKey).sorted().toList();
  }
}
