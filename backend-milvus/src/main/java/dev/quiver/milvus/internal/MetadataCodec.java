package dev.quiver.milvus.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.quiver.BackendException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Metadata to and from the two JSON fields: {@value Schema#META} holds the values as plain JSON
 * (strings, numbers, booleans, arrays of strings), {@value Schema#TYPES} holds one type tag per key
 * ({@code s} string, {@code i} long, {@code f} double, {@code b} boolean, {@code l} list). The tags make
 * filters exact (see {@link MilvusExpressions}) and make reading back independent of how the server
 * re-prints numbers (a double {@code 1.0} stays a double even if it comes back as {@code 1}).
 */
public final class MetadataCodec {

  private MetadataCodec() {}

  /**
   * @param metadata metadata
   * @param what names the record in errors
   * @return {meta, types}
   * @throws InvalidArgumentException if a string cannot be stored exactly (unpaired surrogate)
   */
  public static JsonObject[] encode(Metadata metadata, String what) {
    JsonObject meta = new JsonObject();
    JsonObject types = new JsonObject();
    for (Map.Entry<String, Object> e : metadata.asMap().entrySet()) {
      String k = e.getKey();
      Object v = e.getValue();
      if (v instanceof String s) {
        meta.addProperty(k, checkString(s, what, k));
        types.addProperty(k, "s");
      } else if (v instanceof Long l) {
        meta.addProperty(k, l);
        types.addProperty(k, "i");
      } else if (v instanceof Double d) {
        meta.addProperty(k, d);
        types.addProperty(k, "f");
      } else if (v instanceof Boolean b) {
        meta.addProperty(k, b);
        types.addProperty(k, "b");
      } else if (v instanceof List<?> list) {
        JsonArray arr = new JsonArray();
        for (Object o : list) {
          arr.add(checkString((String) o, what, k));
        }
        meta.add(k, arr);
        types.addProperty(k, "l");
      } else {
        throw new InvalidArgumentException("metadata value of '" + k + "' in " + what + " has unsupported type "
            + (v == null ? "null" : v.getClass().getName()));
      }
    }
    return new JsonObject[] {meta, types};
  }

  static String checkString(String s, String what, String key) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidArgumentException("metadata string of '" + key + "' in " + what
            + " has an unpaired UTF-16 surrogate at index " + i + "; Milvus stores UTF-8 and cannot hold it exactly");
      }
    }
    return s;
  }

  /**
   * @param metaValue the returned {@value Schema#META} value (a Gson element, a Map or JSON text)
   * @param typesValue the returned {@value Schema#TYPES} value
   * @return the metadata
   */
  public static Metadata decode(Object metaValue, Object typesValue) {
    JsonObject meta = asObject(metaValue);
    JsonObject types = asObject(typesValue);
    if (meta == null || meta.size() == 0) {
      return Metadata.empty();
    }
    Metadata.Builder b = Metadata.builder();
    for (Map.Entry<String, JsonElement> e : meta.entrySet()) {
      String k = e.getKey();
      JsonElement v = e.getValue();
      JsonElement tagEl = types == null ? null : types.get(k);
      String tag = tagEl != null && tagEl.isJsonPrimitive() ? tagEl.getAsString() : guessTag(v);
      try {
        switch (tag) {
          case "s" -> b.put(k, v.getAsString());
          case "i" -> b.put(k, new BigDecimal(v.getAsString()).longValueExact());
          case "f" -> b.put(k, Double.parseDouble(v.getAsString()));
          case "b" -> b.put(k, v.getAsBoolean());
          case "l" -> {
            JsonArray arr = v.getAsJsonArray();
            String[] out = new String[arr.size()];
            for (int i = 0; i < out.length; i++) {
              out[i] = arr.get(i).getAsString();
            }
            b.put(k, List.of(out));
          }
          default -> throw new IllegalStateException("unknown type tag '" + tag + "'");
        }
      } catch (RuntimeException ex) {
        throw new BackendException("stored metadata key '" + k + "' could not be read back: " + ex.getMessage(), ex);
      }
    }
    return b.build();
  }

  private static String guessTag(JsonElement v) {
    if (v.isJsonArray()) {
      return "l";
    }
    if (v.isJsonPrimitive()) {
      JsonPrimitive p = v.getAsJsonPrimitive();
      if (p.isBoolean()) {
        return "b";
      }
      if (p.isString()) {
        return "s";
      }
      String t = p.getAsString();
      return t.contains(".") || t.contains("e") || t.contains("E") ? "f" : "i";
    }
    return "?";
  }

  private static JsonObject asObject(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof JsonObject o) {
      return o;
    }
    if (value instanceof JsonElement el) {
      return el.isJsonObject() ? el.getAsJsonObject() : null;
    }
    if (value instanceof String s) {
      JsonElement el = JsonParser.parseString(s);
      return el.isJsonObject() ? el.getAsJsonObject() : null;
    }
    throw new BackendException("unexpected JSON field value of type " + value.getClass().getName(), null);
  }
}
