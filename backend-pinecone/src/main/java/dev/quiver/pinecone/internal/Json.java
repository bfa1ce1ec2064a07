package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The adapter's one Jackson mapper and node helpers. Numbers are read as exact decimals. */
public final class Json {

  /** Shared mapper. Decimals are read as doubles (which keeps -0.0; Pinecone's numbers are float64 anyway). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** @return a new empty object */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** @return a new empty array */
  public static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /**
   * @param node a tree
   * @return its compact UTF-8 JSON
   */
  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise JSON", e);
    }
  }

  /**
   * @param node a tree
   * @return its compact JSON text
   */
  public static String text(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise JSON", e);
    }
  }
}
