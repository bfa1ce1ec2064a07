package dev.quiver.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.Metadata;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Metadata in the export file's two JSON columns. {@code metadata} holds the values as plain JSON,
 * written so that every JSON reader that keeps integers apart from decimals (Python's {@code json},
 * Jackson) gets the types back: a {@code Long} is an integer literal ({@code 2024}), a
 * {@code Double} always has a fraction or exponent ({@code 2024.0}, {@code 1.0E12}).
 * {@code metadata_types} names each key's type explicitly ({@code string}, {@code long},
 * {@code double}, {@code bool}, {@code list<string>}) for readers that cannot tell (JavaScript).
 */
final class MetadataJson {

  static final ObjectMapper JSON = new ObjectMapper();

  private MetadataJson() {}

  /** The two columns of one record. */
  record Encoded(String values, String types) {}

  static Encoded encode(Metadata m) {
    ObjectNode values = JSON.createObjectNode();
    ObjectNode types = JSON.createObjectNode();
    for (Map.Entry<String, Object> e : m.asMap().entrySet()) {
      String k = e.getKey();
      Object v = e.getValue();
      if (v instanceof String s) {
        values.put(k, s);
        types.put(k, "string");
      } else if (v instanceof Long l) {
        values.put(k, l);
        types.put(k, "long");
      } else if (v instanceof Double d) {
        values.put(k, d);
        types.put(k, "double");
      } else if (v instanceof Boolean b) {
        values.put(k, b);
        types.put(k, "bool");
      } else if (v instanceof List<?> list) {
        ArrayNode arr = values.putArray(k);
        list.forEach(x -> arr.add((String) x));
        types.put(k, "list<string>");
      }
    }
    try {
      return new Encoded(JSON.writeValueAsString(values), JSON.writeValueAsString(types));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @param values the {@code metadata} column
   * @param types the {@code metadata_types} column
   * @return the metadata
   * @throws IllegalArgumentException when a value does not have its declared type
   */
  static Metadata decode(String values, String types) {
    try {
      JsonNode v = JSON.readTree(values);
      JsonNode t = JSON.readTree(types);
      if (!v.isObject() || !t.isObject() || v.size() != t.size()) {
        throw new IllegalArgumentException("metadata and metadata_types must be JSON objects with the same keys");
      }
      Metadata.Builder b = Metadata.builder();
      Iterator<Map.Entry<String, JsonNode>> it = v.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String type = t.path(e.getKey()).asText("");
        JsonNode n = e.getValue();
        Object value = switch (type) {
          case "string" -> n.isTextual() ? n.textValue() : null;
          case "long" -> n.canConvertToLong() && n.isIntegralNumber() ? n.longValue() : null;
          case "double" -> n.isNumber() ? n.doubleValue() : null;
          case "bool" -> n.isBoolean() ? n.booleanValue() : null;
          case "list<string>" -> strings(n);
          default -> null;
        };
        if (value == null) {
          throw new IllegalArgumentException("value of '" + e.getKey() + "' is not a " + (type.isEmpty() ? "known type" : type));
        }
        b.put(e.getKey(), value);
      }
      return b.build();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("metadata is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static List<String> strings(JsonNode n) {
    if (!n.isArray()) {
      return null;
    }
    List<String> out = new ArrayList<>(n.size());
    for (JsonNode x : n) {
      if (!x.isTextual()) {
        return null;
      }
      out.add(x.textValue());
    }
    return out;
  }
}
