package dev.quiver.pinecone.emulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import mockwebserver3.MockResponse;

/** Request validation and Pinecone's response shapes, shared by the emulator's control and data planes. */
final class EmulatorWire {

  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private EmulatorWire() {}

  /** Thrown inside the dispatcher to answer with an error. */
  static final class Reply extends RuntimeException {
    final MockResponse response;

    Reply(MockResponse response) {
      super(null, null, false, false);
      this.response = response;
    }
  }

  static JsonNode parse(String body, boolean control) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw control ? unprocessable("body must be a JSON object") : bad("body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw control ? unprocessable("Failed to parse the request body as JSON") : bad("malformed JSON body");
    }
  }

  static void allowOnly(JsonNode n, boolean control, String... fields) {
    Set<String> allowed = Set.of(fields);
    Iterator<String> it = n.fieldNames();
    while (it.hasNext()) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw control ? unprocessable("unknown field `" + f + "`") : bad("unknown field \"" + f + "\"");
      }
    }
  }

  /**
   * @param n a request body
   * @return its namespace, {@code ""} for the default ({@code ""}, {@code "__default__"} or absent)
   */
  static String namespace(JsonNode n) {
    if (!n.has("namespace")) {
      return "";
    }
    JsonNode ns = n.get("namespace");
    if (!ns.isTextual()) {
      throw bad("namespace must be a string");
    }
    return namespace(ns.asText());
  }

  /**
   * Pinecone's identifier limits: a namespace is at most 512 ASCII characters without {@code \0}.
   *
   * @param ns a namespace as sent ({@code null}: the default)
   * @return the namespace, {@code ""} for the default
   */
  static String namespace(String ns) {
    if (ns == null || ns.isEmpty() || ns.equals(PineconeEmulator.DEFAULT_NS)) {
      return "";
    }
    if (ns.length() > 512) {
      throw bad("namespace must be at most 512 characters, got " + ns.length());
    }
    for (int k = 0; k < ns.length(); k++) {
      char c = ns.charAt(k);
      if (c == 0 || c > 127) {
        throw bad("namespace must be ASCII without \\0");
      }
    }
    return ns;
  }

  static boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null) {
      return false;
    }
    if (!v.isBoolean()) {
      throw bad(field + " must be a boolean");
    }
    return v.booleanValue();
  }

  static String text(JsonNode n, String field, boolean required, boolean control) {
    JsonNode v = n.get(field);
    if (v == null) {
      if (required) {
        throw control ? unprocessable("missing field `" + field + "`") : bad("missing field " + field);
      }
      return null;
    }
    if (!v.isTextual()) {
      throw control ? unprocessable("invalid type for `" + field + "`: expected a string") : bad(field + " must be a string");
    }
    return v.asText();
  }

  static String id(JsonNode v) {
    if (v == null || !v.isTextual()) {
      throw bad("id must be a string");
    }
    String id = v.asText();
    if (id.isEmpty() || id.length() > 512) {
      throw bad("id must be 1 to 512 characters, got " + id.length());
    }
    for (int k = 0; k < id.length(); k++) {
      char c = id.charAt(k);
      if (c == 0 || c > 127) {
        throw bad("id must be ASCII without \\0");
      }
    }
    return id;
  }

  static float[] floats(JsonNode values, String what) {
    if (!values.isArray() || values.isEmpty() || values.size() > 20_000) {
      throw bad(what + " must be an array of 1 to 20000 numbers");
    }
    float[] f = new float[values.size()];
    for (int k = 0; k < f.length; k++) {
      JsonNode x = values.get(k);
      if (!x.isNumber()) {
        throw bad(what + " must hold numbers only");
      }
      f[k] = x.floatValue();
    }
    return f;
  }

  static void filter(JsonNode filter) {
    if (filter == null) {
      return;
    }
    try {
      EmulatorFilter.validate(filter);
    } catch (EmulatorFilter.BadFilter e) {
      throw bad("Invalid filter: " + e.getMessage());
    }
  }

  static MockResponse json(int status, Object body) {
    return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
        .body(body instanceof String s ? s : body.toString()).build();
  }

  static MockResponse withLsn(MockResponse r, String header, long lsn) {
    return r.newBuilder().addHeader(header, Long.toString(lsn)).build();
  }

  static String dataError(int grpcCode, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.put("code", grpcCode);
    n.put("message", message);
    n.putArray("details");
    return n.toString();
  }

  static String controlError(int status, String code, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("error").put("code", code).put("message", message);
    n.put("status", status);
    return n.toString();
  }

  static Reply bad(String message) {
    return new Reply(json(400, dataError(3, message)));
  }

  static Reply badControl(String message) {
    return new Reply(json(400, controlError(400, "INVALID_ARGUMENT", message)));
  }

  static Reply unprocessable(String message) {
    return new Reply(json(422, controlError(422, "UNPROCESSABLE_ENTITY",
        "Failed to deserialize the JSON body into the target type: " + message)));
  }

  static Reply json404(String message) {
    return new Reply(json(404, controlError(404, "NOT_FOUND", message)));
  }
}
