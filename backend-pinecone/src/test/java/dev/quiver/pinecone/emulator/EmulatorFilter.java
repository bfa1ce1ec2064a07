package dev.quiver.pinecone.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Pinecone's metadata filter language, validated and evaluated by the emulator's OWN rules, written
 * from Pinecone's documentation (never from Quiver's {@code Filter.matches}, so a wrong translation in
 * the adapter shows up as a test failure):
 * <ul>
 *   <li>operators {@code $eq $ne $gt $gte $lt $lte $in $nin $exists}, logical {@code $and $or};</li>
 *   <li>a bare value is {@code $eq}; a bare array, an array in {@code $eq}, {@code null}, a boolean in
 *       {@code $in}/{@code $nin}, a non-number in a range, more than 10,000 values in {@code $in} are errors;</li>
 *   <li>on a list-of-strings field, {@code $eq}/{@code $in} match when any element matches, and
 *       {@code $ne}/{@code $nin} when no element does;</li>
 *   <li>comparisons on a value of another type are false ({@code $ne}/{@code $nin}: true);</li>
 *   <li>{@code $ne}/{@code $nin} on a record WITHOUT the field: a switch ({@link NeMissing}), because
 *       Pinecone's documentation does not say and reports disagree.</li>
 * </ul>
 */
public final class EmulatorFilter {

  /** What {@code $ne}/{@code $nin} do on a record that lacks the field. */
  public enum NeMissing {
    /** The record matches (MongoDB-like). */
    MATCHES,
    /** The record does not match (SQL-like). */
    DOES_NOT_MATCH
  }

  /** A request the emulator rejects with 400. */
  public static final class BadFilter extends RuntimeException {
    BadFilter(String message) {
      super(message);
    }
  }

  private static final Set<String> OPS = Set.of("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists");
  private static final int MAX_IN = 10_000;

  private EmulatorFilter() {}

  /**
   * @param filter a filter
   * @throws BadFilter if Pinecone would reject it
   */
  public static void validate(JsonNode filter) {
    if (!filter.isObject()) {
      throw new BadFilter("filter must be a JSON object");
    }
    Iterator<Map.Entry<String, JsonNode>> it = filter.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      if (k.equals("$and") || k.equals("$or")) {
        if (!v.isArray() || v.isEmpty()) {
          throw new BadFilter(k + " takes a non-empty array of filters");
        }
        for (JsonNode sub : v) {
          validate(sub);
        }
      } else if (k.startsWith("$")) {
        throw new BadFilter("only $and and $or may appear where a field is expected, got " + k);
      } else if (v.isObject()) {
        if (v.isEmpty()) {
          throw new BadFilter("empty operator object for field " + k);
        }
        v.fields().forEachRemaining(op -> validateOp(k, op.getKey(), op.getValue()));
      } else {
        validateOp(k, "$eq", v);
      }
    }
  }

  private static void validateOp(String field, String op, JsonNode v) {
    if (!OPS.contains(op)) {
      throw new BadFilter("unknown operator " + op + " on field " + field);
    }
    switch (op) {
      case "$eq", "$ne" -> {
        if (!(v.isTextual() || v.isNumber() || v.isBoolean())) {
          throw new BadFilter(op + " on " + field + " takes a string, number or boolean, got " + v.getNodeType());
        }
      }
      case "$gt", "$gte", "$lt", "$lte" -> {
        if (!v.isNumber()) {
          throw new BadFilter(op + " on " + field + " takes a number, got " + v.getNodeType());
        }
      }
      case "$in", "$nin" -> {
        if (!v.isArray()) {
          throw new BadFilter(op + " on " + field + " takes an array");
        }
        if (v.size() > MAX_IN) {
          throw new BadFilter(op + " on " + field + " has " + v.size() + " values; the limit is " + MAX_IN);
        }
        for (JsonNode x : v) {
          if (!(x.isTextual() || x.isNumber())) {
            throw new BadFilter(op + " on " + field + " takes strings and numbers, got " + x.getNodeType());
          }
        }
      }
      case "$exists" -> {
        if (!v.isBoolean()) {
          throw new BadFilter("$exists on " + field + " takes a boolean");
        }
      }
      default -> throw new BadFilter("unknown operator " + op);
    }
  }

  /**
   * @param filter a valid filter
   * @param metadata a record's metadata (null when none)
   * @param mode the missing-field rule for {@code $ne}/{@code $nin}
   * @return whether the record matches
   */
  public static boolean matches(JsonNode filter, JsonNode metadata, NeMissing mode) {
    Iterator<Map.Entry<String, JsonNode>> it = filter.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      boolean ok;
      if (k.equals("$and")) {
        ok = true;
        for (JsonNode sub : v) {
          ok &= matches(sub, metadata, mode);
        }
      } else if (k.equals("$or")) {
        ok = false;
        for (JsonNode sub : v) {
          ok |= matches(sub, metadata, mode);
        }
      } else {
        JsonNode actual = metadata == null ? null : metadata.get(k);
        if (v.isObject()) {
          ok = true;
          Iterator<Map.Entry<String, JsonNode>> ops = v.fields();
          while (ops.hasNext()) {
            Map.Entry<String, JsonNode> op = ops.next();
            ok &= op(actual, op.getKey(), op.getValue(), mode);
          }
        } else {
          ok = op(actual, "$eq", v, mode);
        }
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean op(JsonNode actual, String op, JsonNode v, NeMissing mode) {
    boolean missing = actual == null || actual.isNull();
    switch (op) {
      case "$exists":
        return !missing == v.booleanValue();
      case "$eq":
        return !missing && equalsAny(actual, v);
      case "$ne":
        return missing ? mode == NeMissing.MATCHES : !equalsAny(actual, v);
      case "$in":
        if (missing) {
          return false;
        }
        for (JsonNode x : v) {
          if (equalsAny(actual, x)) {
            return true;
          }
        }
        return false;
      case "$nin":
        if (missing) {
          return mode == NeMissing.MATCHES;
        }
        for (JsonNode x : v) {
          if (equalsAny(actual, x)) {
            return false;
          }
        }
        return true;
      default:
        if (missing || !actual.isNumber()) {
          return false;
        }
        double a = actual.doubleValue();
        double b = v.doubleValue();
        return switch (op) {
          case "$gt" -> a > b;
          case "$gte" -> a >= b;
          case "$lt" -> a < b;
          default -> a <= b;
        };
    }
  }

  /** Scalar equality by type (numbers as float64); on an array, whether any element equals. */
  private static boolean equalsAny(JsonNode actual, JsonNode v) {
    if (actual.isArray()) {
      for (JsonNode x : actual) {
        if (scalarEquals(x, v)) {
          return true;
        }
      }
      return false;
    }
    return scalarEquals(actual, v);
  }

  private static boolean scalarEquals(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.doubleValue() == b.doubleValue();
    }
    if (a.isTextual() && b.isTextual()) {
      return a.textValue().equals(b.textValue());
    }
    if (a.isBoolean() && b.isBoolean()) {
      return a.booleanValue() == b.booleanValue();
    }
    return false;
  }
}
