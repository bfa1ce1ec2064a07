package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.BackendException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;

/** Pinecone's control plane ({@code https://api.pinecone.io}): serverless indexes. */
public final class ControlPlane {

  private final PineconeHttp http;
  private final HttpUrl base;

  /**
   * An index as described by Pinecone.
   *
   * @param name index name
   * @param dimension vector dimension (0 when absent)
   * @param metric {@code cosine}, {@code euclidean} or {@code dotproduct}
   * @param host data-plane host, without scheme
   * @param ready whether {@code status.ready}
   * @param state {@code status.state}
   * @param vectorType {@code dense} or {@code sparse}
   * @param tags the index's tags
   */
  public record IndexModel(String name, int dimension, String metric, String host, boolean ready, String state,
      String vectorType, Map<String, String> tags) {}

  /**
   * @param http the HTTP layer
   * @param base control-plane base URL
   */
  public ControlPlane(PineconeHttp http, HttpUrl base) {
    this.http = http;
    this.base = base;
  }

  private HttpUrl url(String... segments) {
    HttpUrl.Builder b = base.newBuilder();
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  /**
   * Creates a dense serverless index. Not idempotent, so not retried.
   *
   * @param collection the collection name, for errors
   * @param name index name
   * @param dimension dimension
   * @param metric Pinecone metric name
   * @param cloud cloud
   * @param region region
   * @param tags tags
   * @return the new index (usually not ready yet)
   */
  public IndexModel create(String collection, String name, int dimension, String metric, String cloud, String region,
      Map<String, String> tags) {
    ObjectNode body = Json.object();
    body.put("name", name);
    body.put("dimension", dimension);
    body.put("metric", metric);
    ObjectNode serverless = body.putObject("spec").putObject("serverless");
    serverless.put("cloud", cloud);
    serverless.put("region", region);
    body.put("deletion_protection", "disabled");
    body.put("vector_type", "dense");
    if (!tags.isEmpty()) {
      ObjectNode t = body.putObject("tags");
      tags.forEach(t::put);
    }
    PineconeHttp.Response r = http.send(new PineconeHttp.Call("create index", collection, "POST", url("indexes"),
        body, false, false));
    return model(r.body());
  }

  /**
   * @param collection the collection name, for errors
   * @param name index name
   * @return the index, or empty when it does not exist
   */
  public Optional<IndexModel> describe(String collection, String name) {
    PineconeHttp.Response r = http.send(new PineconeHttp.Call("describe index", collection, "GET",
        url("indexes", name), null, true, true));
    return r.status() == 404 ? Optional.empty() : Optional.of(model(r.body()));
  }

  /** @return every index in the project */
  public List<IndexModel> list() {
    PineconeHttp.Response r = http.send(new PineconeHttp.Call("list indexes", null, "GET", url("indexes"), null,
        true, false));
    if (!r.body().path("indexes").isArray()) {
      throw malformed("list indexes");
    }
    List<IndexModel> out = new ArrayList<>();
    r.body().path("indexes").forEach(n -> out.add(model(n)));
    return out;
  }

  /**
   * Deletes an index (idempotent: a retry that finds it gone reports false).
   *
   * @param collection the collection name, for errors
   * @param name index name
   * @return whether it existed
   */
  public boolean delete(String collection, String name) {
    PineconeHttp.Response r = http.send(new PineconeHttp.Call("delete index", collection, "DELETE",
        url("indexes", name), null, true, true));
    return r.status() != 404;
  }

  private static BackendException malformed(String op) {
    return new BackendException("pinecone " + op + ": the response lacks the documented fields; is the control plane"
        + " URL Pinecone's?", null);
  }

  private static IndexModel model(JsonNode n) {
    if (!n.path("name").isTextual() || !n.path("status").isObject()) {
      throw malformed("describe index");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    n.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
    return new IndexModel(n.path("name").asText(), n.path("dimension").asInt(0), n.path("metric").asText(),
        n.path("host").asText(""), n.path("status").path("ready").asBoolean(false),
        n.path("status").path("state").asText(""), n.path("vector_type").asText("dense"), tags);
  }
}
