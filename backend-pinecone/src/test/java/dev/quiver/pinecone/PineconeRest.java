package dev.quiver.pinecone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The vendor's side of the foreign-collection tests: Pinecone's REST API called exactly as Pinecone's
 * API reference documents it (version 2025-10), independent of the adapter's code. Pinecone's official
 * Java client (which LangChain4j and Spring AI use) sends its data-plane calls over gRPC, which the
 * emulator does not serve; its REST requests carry the same fields (ids, values, metadata, namespace,
 * filter), so the collections made here have the layout those clients make.
 */
final class PineconeRest {

  private static final ObjectMapper M = new ObjectMapper();
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient http = new OkHttpClient();
  private final String controlPlane;
  private final String apiKey;

  PineconeRest(String controlPlane, String apiKey) {
    this.controlPlane = controlPlane;
    this.apiKey = apiKey;
  }

  static ObjectNode object() {
    return M.createObjectNode();
  }

  private JsonNode send(String method, HttpUrl url, JsonNode body, int... ok) {
    Request.Builder b = new Request.Builder().url(url).header("Api-Key", apiKey)
        .header("X-Pinecone-Api-Version", "2025-10").header("Accept", "application/json");
    b.method(method, body == null ? null : RequestBody.create(body.toString(), JSON));
    try (Response r = http.newCall(b.build()).execute()) {
      String text = r.body().string();
      for (int code : ok) {
        if (r.code() == code) {
          return text.isEmpty() ? M.createObjectNode() : M.readTree(text);
        }
      }
      throw new AssertionError(method + " " + url.encodedPath() + " answered " + r.code() + ": " + text);
    } catch (IOException e) {
      throw new AssertionError(method + " " + url, e);
    }
  }

  private HttpUrl control(String... segments) {
    HttpUrl.Builder b = HttpUrl.get(controlPlane).newBuilder();
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  /**
   * Creates a dense serverless index (aws/us-east-1) and waits until it is ready.
   *
   * @return the index's data-plane base URL (plain http: the emulator is on loopback)
   */
  String createServerlessIndex(String name, int dimension, String metric, boolean deletionProtection) {
    ObjectNode body = object();
    body.put("name", name);
    body.put("dimension", dimension);
    body.put("metric", metric);
    body.putObject("spec").putObject("serverless").put("cloud", "aws").put("region", "us-east-1");
    body.put("deletion_protection", deletionProtection ? "enabled" : "disabled");
    send("POST", control("indexes"), body, 201);
    for (int i = 0; i < 100; i++) {
      JsonNode d = send("GET", control("indexes", name), null, 200);
      if (d.path("status").path("ready").asBoolean()) {
        return "http://" + d.path("host").asText();
      }
    }
    throw new AssertionError("index " + name + " never became ready");
  }

  /** configure_index: turns deletion protection off, then deletes the index (nothing if it is gone). */
  void deleteIndex(String name) {
    if (send("GET", control("indexes", name), null, 200, 404).has("name")) {
      send("PATCH", control("indexes", name), object().put("deletion_protection", "disabled"), 200);
      send("DELETE", control("indexes", name), null, 202, 404);
    }
  }

  private static HttpUrl data(String host, String path) {
    return HttpUrl.get(host).newBuilder().addPathSegments(path).build();
  }

  /** One vector as the upsert API takes it. */
  static ObjectNode vector(String id, float[] values, ObjectNode metadata) {
    ObjectNode v = object();
    v.put("id", id);
    ArrayNode arr = v.putArray("values");
    for (float f : values) {
      arr.add(f);
    }
    if (metadata != null && !metadata.isEmpty()) {
      v.set("metadata", metadata);
    }
    return v;
  }

  /** Upserts in batches of 100, as Pinecone recommends. */
  void upsert(String host, String namespace, List<ObjectNode> vectors) {
    for (int i = 0; i < vectors.size(); i += 100) {
      ObjectNode body = object();
      ArrayNode arr = body.putArray("vectors");
      vectors.subList(i, Math.min(vectors.size(), i + 100)).forEach(arr::add);
      body.put("namespace", namespace);
      send("POST", data(host, "vectors/upsert"), body, 200);
    }
  }

  long count(String host, String namespace) {
    JsonNode ns = send("POST", data(host, "describe_index_stats"), object(), 200).path("namespaces");
    return ns.path(namespace.isEmpty() ? "__default__" : namespace).path("vectorCount").asLong(0);
  }

  List<String> ids(String host, String namespace) {
    List<String> out = new ArrayList<>();
    String token = null;
    do {
      HttpUrl.Builder u = data(host, "vectors/list").newBuilder().addQueryParameter("namespace", namespace);
      if (token != null) {
        u.addQueryParameter("paginationToken", token);
      }
      JsonNode page = send("GET", u.build(), null, 200);
      page.path("vectors").forEach(v -> out.add(v.path("id").asText()));
      token = page.path("pagination").path("next").asText(null);
    } while (token != null && !token.isEmpty());
    return out;
  }

  /** @return the record's metadata, numbers as Double (JSON numbers of float64), lists as lists of strings */
  Optional<Map<String, Object>> fetchMetadata(String host, String namespace, String id) {
    HttpUrl u = data(host, "vectors/fetch").newBuilder().addQueryParameter("ids", id)
        .addQueryParameter("namespace", namespace).build();
    JsonNode v = send("GET", u, null, 200).path("vectors").path(id);
    if (v.isMissingNode()) {
      return Optional.empty();
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    v.path("metadata").fields().forEachRemaining(e -> out.put(e.getKey(), value(e.getValue())));
    return Optional.of(out);
  }

  private static Object value(JsonNode v) {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isArray()) {
      List<String> l = new ArrayList<>();
      v.forEach(x -> l.add(x.asText()));
      return l;
    }
    return v.asText();
  }

  List<String> query(String host, String namespace, float[] vector, int topK, ObjectNode filter) {
    ObjectNode body = object();
    ArrayNode arr = body.putArray("vector");
    for (float f : vector) {
      arr.add(f);
    }
    body.put("topK", topK);
    body.put("namespace", namespace);
    body.put("includeMetadata", false);
    body.put("includeValues", false);
    if (filter != null) {
      body.set("filter", filter);
    }
    List<String> out = new ArrayList<>();
    send("POST", data(host, "query"), body, 200).path("matches").forEach(m -> out.add(m.path("id").asText()));
    return out;
  }
}
