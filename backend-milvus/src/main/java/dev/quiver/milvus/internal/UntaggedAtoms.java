package dev.quiver.milvus.internal;

import dev.quiver.Filter;
import dev.quiver.milvus.internal.MilvusExpressions.Untagged;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Filter atoms on a top-level key of JSON objects that carry no type tags: the JSON fields and the
 * dynamic field ({@code $meta}) of collections Quiver did not create. Each atom is
 * {@code ((exists j["k"]) and (cmp))}, so a missing key is false (not "unknown") on both servers, and
 * an atom over several JSON fields is the {@code or} of the atom on each.
 *
 * <p>Without tags the comparison meets values of every type, so these atoms keep two documented
 * limits that Quiver's own layout does not have: Milvus Lite evaluates a range on a key that holds a
 * string in some row (or {@code 1 == true}) in Python, as "unknown" (or true); real Milvus compares a
 * long with a double in double precision (beyond ±2^53 inexact).
 */
final class UntaggedAtoms {

  private UntaggedAtoms() {}

  static String exists(Untagged u, String key, String never) {
    List<String> parts = new ArrayList<>();
    for (String j : u.jsonFields()) {
      parts.add("(exists " + ref(u, j, key) + ")");
    }
    return or(parts, never);
  }

  static String comparison(Untagged u, Filter.Comparison c, String never) {
    List<String> parts = new ArrayList<>();
    for (String j : u.jsonFields()) {
      String p = ref(u, j, c.field());
      Object v = c.value();
      String cmp;
      if (v instanceof String s) {
        // == on a string: the value, or an element of a list of strings.
        cmp = p + " == " + MilvusExpressions.string(s) + " or json_contains(" + p + ", " + MilvusExpressions.string(s) + ")";
      } else if (v instanceof Boolean b) {
        cmp = p + " == " + b;
      } else {
        cmp = p + " " + c.op().symbol() + " " + MilvusExpressions.number((Number) v);
      }
      parts.add("((exists " + p + ") and (" + cmp + "))");
    }
    return or(parts, never);
  }

  static String in(Untagged u, Filter.In in, String never) {
    Set<String> strings = new LinkedHashSet<>();
    List<String> others = new ArrayList<>();
    for (Object v : in.values()) {
      if (v instanceof String s) {
        strings.add(s);
      } else if (v instanceof Boolean b) {
        others.add(String.valueOf(b));
      } else {
        others.add(MilvusExpressions.number((Number) v));
      }
    }
    List<String> parts = new ArrayList<>();
    for (String j : u.jsonFields()) {
      String p = ref(u, j, in.field());
      // Lite refuses "in" on a JSON path, so it is an "or" of equalities.
      List<String> eqs = new ArrayList<>();
      for (String s : strings) {
        eqs.add(p + " == " + MilvusExpressions.string(s));
      }
      if (!strings.isEmpty()) {
        eqs.add("json_contains_any(" + p + ", " + MilvusExpressions.stringList(strings) + ")");
      }
      for (String o : others) {
        eqs.add(p + " == " + o);
      }
      parts.add("((exists " + p + ") and (" + String.join(" or ", eqs) + "))");
    }
    return or(parts, never);
  }

  /**
   * A key of a JSON field is {@code field["key"]}; a key of the dynamic field is the bare key, because
   * Milvus Lite's {@code json_contains} takes a field name and refuses {@code $meta["key"]} (real Milvus
   * takes both), unless the key is also a field's name.
   */
  private static String ref(Untagged u, String json, String key) {
    if (json.equals("$meta") && !u.fieldNames().contains(key)) {
      return MilvusExpressions.key(key);
    }
    return MilvusExpressions.path(json, key);
  }

  /** @return the "or" of the parts; {@code never} without parts (the collection has no JSON source to hold the key) */
  private static String or(List<String> parts, String never) {
    if (parts.isEmpty()) {
      return "(" + never + ")";
    }
    return parts.size() == 1 ? parts.get(0) : "((" + String.join(") or (", parts) + "))";
  }
}
