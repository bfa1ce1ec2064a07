package dev.quiver.milvus.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.milvus.internal.ForeignSchema.Scalar;
import dev.quiver.milvus.internal.MilvusExpressions.Presence;
import dev.quiver.milvus.internal.MilvusExpressions.Target;
import dev.quiver.milvus.internal.MilvusExpressions.Typed;
import dev.quiver.milvus.internal.MilvusExpressions.Untagged;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Records in a collection Quiver did not create, in its own layout ({@link ForeignSchema} decides the
 * mapping). Reads turn a row into a record; writes build the row in the collection's own field names
 * and types, refusing (before anything is written) a value the native field cannot hold exactly: an id
 * an INT64 key cannot hold, a string longer than its VARCHAR, a long beyond an INT32, a double that is
 * not a float32 for a FLOAT field, a key with no field and nowhere else to go. A stored value Quiver
 * metadata cannot represent (a nested JSON object, a list of numbers, a key that is not an identifier)
 * fails the read with a {@link BackendException} naming the record and the key; nothing is dropped.
 */
public final class ForeignLayout extends Layout {

  private final ForeignSchema schema;
  private final CollectionSpec spec;
  private final List<String> outputFields;
  private final Set<String> schemaFields = new HashSet<>();
  private final MilvusExpressions expressions;

  private final boolean lite;

  /**
   * @param schema the collection's mapping
   * @param lite whether the server is Milvus Lite (whose upsert keeps the old row's dynamic keys)
   */
  ForeignLayout(ForeignSchema schema, boolean lite) {
    this.schema = schema;
    this.lite = lite;
    this.spec = schema.spec();
    List<String> out = new ArrayList<>(List.of(schema.idField, schema.vectorField));
    out.addAll(schema.scalars.keySet());
    out.addAll(schema.jsonFields);
    if (schema.dynamic) {
      out.add("$meta");
    }
    this.outputFields = List.copyOf(out);
    schemaFields.addAll(out);
    schemaFields.addAll(schema.vectorFields);
    Untagged json = new Untagged(schema.jsonSources(), Set.copyOf(schemaFields));
    String never = never();
    this.expressions = new MilvusExpressions(new MilvusExpressions.Keys() {
      @Override
      public Target target(String key) {
        Scalar s = schema.scalars.get(key);
        if (s == null) {
          return json;
        }
        return new Typed(key, s.name(), s.type(), s.nullable() ? Presence.NULLABLE : Presence.ALWAYS, null, s.min(), s.max());
      }

      @Override
      public String never() {
        return never;
      }
    });
  }

  /** @return the spec describeCollection reports */
  CollectionSpec spec() {
    return spec;
  }

  /** @return the collection's FLOAT_VECTOR fields */
  List<String> vectorFields() {
    return List.copyOf(schema.vectorFields);
  }

  private String never() {
    return schema.intId ? "(" + schema.idField + " < 0 and " + schema.idField + " > 0)" : schema.idField + " < \"\"";
  }

  @Override
  public String idField() {
    return schema.idField;
  }

  @Override
  public String vectorField() {
    return schema.vectorField;
  }

  @Override
  public List<String> outputFields() {
    return outputFields;
  }

  @Override
  public void checkWritable() {
    schema.whyNotWritable().ifPresent(why -> {
      throw new InvalidArgumentException("Milvus collection '" + schema.collection + "' was not created by Quiver and"
          + " cannot be written through it: " + why);
    });
  }

  @Override
  public boolean upsertKeepsOldKeys() {
    return lite && schema.undeclaredTarget().map("$meta"::equals).orElse(false);
  }

  @Override
  public void clearStale(JsonObject row, Record old) {
    for (String key : old.metadata().asMap().keySet()) {
      if (!row.has(key) && !schemaFields.contains(key)) {
        row.add(key, JsonNull.INSTANCE); // read back as missing
      }
    }
  }

  // ------------------------------------------------------------------ ids

  /** @return the INT64 an id stands for, if it is the canonical decimal form of one */
  private static Optional<Long> asLong(String id) {
    try {
      long l = Long.parseLong(id);
      return Long.toString(l).equals(id) ? Optional.of(l) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private boolean fits(String id) {
    return schema.intId ? asLong(id).isPresent() : id.getBytes(StandardCharsets.UTF_8).length <= schema.idMaxLength;
  }

  @Override
  public Optional<String> idIn(List<String> ids, Optional<String> tenant) {
    List<String> literals = new ArrayList<>();
    for (String id : ids) {
      if (fits(id)) {
        literals.add(schema.intId ? id : MilvusExpressions.string(id));
      }
    }
    return literals.isEmpty() ? Optional.empty()
        : Optional.of(schema.idField + " in [" + String.join(", ", literals) + "]");
  }

  @Override
  public String idAfter(String id, Optional<String> tenant) {
    return schema.idField + " > " + (schema.intId ? id : MilvusExpressions.string(id));
  }

  @Override
  public Comparator<String> idOrder() {
    return schema.intId ? Comparator.comparingLong(Long::parseLong) : MilvusCollection::compareCodePoints;
  }

  @Override
  public String exposedId(Object pk, Optional<String> tenant) {
    return String.valueOf(pk);
  }

  // ------------------------------------------------------------------ writes

  @Override
  public JsonObject row(Record r, Optional<String> tenant) {
    String what = "record '" + r.id() + "'";
    JsonObject row = new JsonObject();
    if (schema.intId) {
      long pk = asLong(r.id()).orElseThrow(() -> new InvalidArgumentException(what + ": the primary key '"
          + schema.idField + "' of Milvus collection '" + schema.collection + "' is INT64, so ids must be decimal"
          + " integers in canonical form (no sign '+', no leading zeros)"));
      row.addProperty(schema.idField, pk);
    } else {
      int bytes = r.id().getBytes(StandardCharsets.UTF_8).length;
      if (bytes > schema.idMaxLength) {
        throw new InvalidArgumentException(what + ": the id has " + bytes + " UTF-8 bytes; the primary key '"
            + schema.idField + "' of Milvus collection '" + schema.collection + "' holds at most " + schema.idMaxLength);
      }
      row.addProperty(schema.idField, r.id());
    }
    JsonArray vec = new JsonArray();
    for (float f : r.vector()) {
      vec.add(f);
    }
    row.add(schema.vectorField, vec);
    Optional<String> target = schema.undeclaredTarget();
    JsonObject json = new JsonObject();
    for (Map.Entry<String, Object> e : r.metadata().asMap().entrySet()) {
      Scalar s = schema.scalars.get(e.getKey());
      if (s != null) {
        row.add(s.name(), scalarValue(s, e.getValue(), what));
      } else if (target.isEmpty()) {
        throw new InvalidArgumentException(what + ": metadata key '" + e.getKey() + "' has no field in Milvus collection '"
            + schema.collection + "', which has neither a JSON field for it nor the dynamic field");
      } else if (target.get().equals("$meta")) {
        row.add(e.getKey(), jsonValue(e.getValue(), what, e.getKey()));
      } else {
        json.add(e.getKey(), jsonValue(e.getValue(), what, e.getKey()));
      }
    }
    for (Scalar s : schema.scalars.values()) {
      if (!row.has(s.name())) {
        row.add(s.name(), missing(s, what));
      }
    }
    for (String j : schema.jsonFields) {
      row.add(j, j.equals(target.orElse(null)) ? json : new JsonObject());
    }
    return row;
  }

  /** What a missing value becomes: a null, the field's default, or the zero value of its type. */
  private static JsonElement missing(Scalar s, String what) {
    if (s.nullable()) {
      return JsonNull.INSTANCE;
    }
    if (s.defaultValue() != null) {
      Object d = s.defaultValue();
      return d instanceof Number n ? new JsonPrimitive(n) : d instanceof Boolean b ? new JsonPrimitive(b)
          : new JsonPrimitive(String.valueOf(d));
    }
    return switch (s.type()) {
      case STRING -> new JsonPrimitive("");
      case LONG -> new JsonPrimitive(0L);
      case DOUBLE -> new JsonPrimitive(0.0);
      case BOOL -> new JsonPrimitive(false);
      case STRING_LIST -> new JsonArray();
    };
  }

  private JsonElement scalarValue(Scalar s, Object v, String what) {
    String where = what + ": field '" + s.name() + "' of Milvus collection '" + schema.collection + "'";
    if (!s.type().accepts(v)) {
      throw new InvalidArgumentException(where + " is " + s.native_().name().toUpperCase(java.util.Locale.ROOT)
          + ", got a " + FieldType.of(v) + " value");
    }
    switch (s.type()) {
      case LONG -> {
        long l = (Long) v;
        if (l < s.min() || l > s.max()) {
          throw new InvalidArgumentException(where + " is " + s.native_() + " and cannot hold " + l);
        }
        return new JsonPrimitive(l);
      }
      case DOUBLE -> {
        double d = (Double) v;
        if (s.native_() == io.milvus.v2.common.DataType.Float && (double) (float) d != d) {
          throw new InvalidArgumentException(where + " is FLOAT (float32) and cannot hold " + d + " exactly");
        }
        return new JsonPrimitive(d);
      }
      case BOOL -> {
        return new JsonPrimitive((Boolean) v);
      }
      case STRING -> {
        return new JsonPrimitive(limited((String) v, s.maxLength(), where));
      }
      default -> {
        List<?> list = (List<?>) v;
        if (list.size() > s.maxCapacity()) {
          throw new InvalidArgumentException(where + " holds at most " + s.maxCapacity() + " strings, got " + list.size());
        }
        JsonArray arr = new JsonArray();
        for (Object o : list) {
          arr.add(limited((String) o, s.maxLength(), where));
        }
        return arr;
      }
    }
  }

  private static String limited(String s, int maxBytes, String where) {
    int bytes = s.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new InvalidArgumentException(where + " holds strings of at most " + maxBytes + " UTF-8 bytes, got " + bytes);
    }
    return s;
  }

  private static JsonElement jsonValue(Object v, String what, String key) {
    if (v instanceof String s) {
      return new JsonPrimitive(MetadataCodec.checkString(s, what, key));
    }
    if (v instanceof Number n) {
      return new JsonPrimitive(n);
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    JsonArray arr = new JsonArray();
    for (Object o : (List<?>) v) {
      arr.add(MetadataCodec.checkString((String) o, what, key));
    }
    return arr;
  }

  // ------------------------------------------------------------------ reads

  @Override
  public Record record(Map<String, Object> e, Optional<String> tenant) {
    String id = exposedId(e.get(schema.idField), tenant);
    Map<String, Object> m = new LinkedHashMap<>();
    for (Scalar s : schema.scalars.values()) {
      Object v = e.get(s.name());
      if (v != null) {
        m.put(s.name(), switch (s.type()) {
          case LONG -> ((Number) v).longValue();
          case DOUBLE -> ((Number) v).doubleValue();
          case STRING_LIST -> ((List<?>) v).stream().map(String::valueOf).toList();
          case STRING, BOOL -> v;
        });
      }
    }
    for (String j : schema.jsonFields) {
      JsonObject o = asObject(e.get(j), id, j);
      if (o != null) {
        addJson(m, o, id, "JSON field '" + j + "'");
      }
    }
    if (schema.dynamic) {
      JsonObject dyn = e.get("$meta") != null ? asObject(e.get("$meta"), id, "$meta") : null;
      if (dyn == null) {
        // The SDK puts the dynamic field's keys among the row's fields.
        dyn = new JsonObject();
        for (Map.Entry<String, Object> x : e.entrySet()) {
          if (!schemaFields.contains(x.getKey())) {
            dyn.add(x.getKey(), toJson(x.getValue()));
          }
        }
      }
      addJson(m, dyn, id, "the dynamic field");
    }
    Metadata metadata;
    try {
      metadata = Metadata.from(m);
    } catch (RuntimeException ex) {
      throw new BackendException("record '" + id + "' of Milvus collection '" + schema.collection
          + "' holds metadata Quiver cannot represent: " + ex.getMessage(), ex);
    }
    return Record.of(id, MilvusCollection.floats(e.get(schema.vectorField), id, schema.dimension, schema.collection),
        metadata);
  }

  private void addJson(Map<String, Object> m, JsonObject o, String id, String source) {
    for (Map.Entry<String, JsonElement> x : o.entrySet()) {
      String key = x.getKey();
      JsonElement v = x.getValue();
      if (v == null || v.isJsonNull()) {
        continue; // a JSON null is no value: the key is missing, as Milvus's own "exists" has it
      }
      String where = "record '" + id + "' of Milvus collection '" + schema.collection + "': key '" + key + "' of "
          + source;
      try {
        Metadata.checkKey(key);
      } catch (InvalidArgumentException ex) {
        throw new BackendException(where + " is not a Quiver metadata key (" + ex.getMessage() + ")", null);
      }
      if (m.containsKey(key)) {
        throw new BackendException(where + " is also a field or a key of another JSON source; Quiver cannot tell"
            + " which value is the key's", null);
      }
      m.put(key, fromJson(v, where));
    }
  }

  private static Object fromJson(JsonElement v, String where) {
    if (v.isJsonArray()) {
      List<String> out = new ArrayList<>();
      for (JsonElement el : v.getAsJsonArray()) {
        if (!el.isJsonPrimitive() || !el.getAsJsonPrimitive().isString()) {
          throw new BackendException(where + " is a list holding " + el + "; Quiver metadata lists hold strings only", null);
        }
        out.add(el.getAsString());
      }
      return out;
    }
    if (v.isJsonObject()) {
      throw new BackendException(where + " holds a nested JSON object, which Quiver metadata cannot represent"
          + " (values are strings, longs, doubles, booleans and lists of strings)", null);
    }
    JsonPrimitive p = v.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return p.getAsBoolean();
    }
    if (p.isString()) {
      return p.getAsString();
    }
    String t = p.getAsString();
    if (!t.contains(".") && !t.contains("e") && !t.contains("E")) {
      try {
        return new BigDecimal(t).longValueExact();
      } catch (ArithmeticException | NumberFormatException ex) {
        // beyond the long range: a double
      }
    }
    return Double.parseDouble(t);
  }

  private static JsonElement toJson(Object v) {
    if (v == null) {
      return JsonNull.INSTANCE;
    }
    if (v instanceof JsonElement el) {
      return el;
    }
    if (v instanceof Number n) {
      return new JsonPrimitive(n);
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    if (v instanceof String s) {
      return new JsonPrimitive(s);
    }
    if (v instanceof List<?> list) {
      JsonArray arr = new JsonArray();
      list.forEach(o -> arr.add(toJson(o)));
      return arr;
    }
    if (v instanceof Map<?, ?> map) {
      JsonObject o = new JsonObject();
      map.forEach((k, x) -> o.add(String.valueOf(k), toJson(x)));
      return o;
    }
    return new JsonPrimitive(String.valueOf(v));
  }

  private JsonObject asObject(Object v, String id, String field) {
    if (v == null) {
      return null;
    }
    JsonElement el = v instanceof String s ? JsonParser.parseString(s) : toJson(v);
    if (el.isJsonNull()) {
      return null;
    }
    if (!el.isJsonObject()) {
      throw new BackendException("record '" + id + "' of Milvus collection '" + schema.collection + "': JSON field '"
          + field + "' holds " + (el.isJsonArray() ? "an array" : "a " + el) + ", not an object of metadata keys", null);
    }
    return el.getAsJsonObject();
  }

  @Override
  public String filter(Filter filter) {
    return expressions.of(filter);
  }
}
