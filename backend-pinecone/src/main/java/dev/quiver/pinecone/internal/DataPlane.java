package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * Pinecone's data plane for one namespace of one index: the default namespace (the {@code namespace}
 * field is omitted) or a named one (a tenant, or the namespace a foreign index is opened in), sent with
 * every call so that no call leaves it. Every call here is idempotent (upserts carry caller ids) and so
 * retried on transient errors. A 404 "namespace not found" (a namespace that never held a record) is
 * read as "empty".
 */
public final class DataPlane {

  /** The name Pinecone gives the default namespace where a name is needed. */
  public static final String DEFAULT_NAMESPACE = "__default__";

  private final PineconeHttp http;
  private final HttpUrl base;
  private final String collection;
  private final String namespace;

  /**
   * One page of ids.
   *
   * @param ids Pinecone ids, sorted
   * @param next pagination token, or {@code null} on the last page
   */
  public record IdPage(List<String> ids, String next) {}

  /**
   * @param http the HTTP layer
   * @param base the index host URL
   * @param collection the collection name, for errors
   * @param namespace the namespace every call goes to, or {@code null} for the default namespace
   */
  public DataPlane(PineconeHttp http, HttpUrl base, String collection, String namespace) {
    this.http = http;
    this.base = base;
    this.collection = collection;
    this.namespace = namespace;
  }

  /**
   * @param namespace another namespace of the same index, or {@code null} for the default
   * @return a data plane for it
   */
  public DataPlane inNamespace(String namespace) {
    return new DataPlane(http, base, collection, namespace);
  }

  /** @return the namespace, or {@code null} for the default */
  public String namespace() {
    return namespace;
  }

  /** Puts the namespace into a request body (last, so nothing the caller set can replace it). */
  private ObjectNode scoped(ObjectNode body) {
    body.remove("namespace");
    if (namespace != null) {
      body.put("namespace", namespace);
    }
    return body;
  }

  private HttpUrl.Builder scoped(HttpUrl.Builder url) {
    if (namespace != null) {
      url.addQueryParameter("namespace", namespace);
    }
    return url;
  }

  private HttpUrl.Builder url(String path) {
    return base.newBuilder().addPathSegments(path);
  }

  private PineconeHttp.Response post(String op, String path, JsonNode body) {
    return http.send(new PineconeHttp.Call(op, collection, "POST", url(path).build(), body, true, true));
  }

  private static boolean namespaceMissing(PineconeHttp.Response r) {
    return r.status() == 404 && r.body().path("message").asText("").toLowerCase().contains("namespace");
  }

  private PineconeHttp.Response check(PineconeHttp.Response r, String op) {
    if (r.status() == 404 && !namespaceMissing(r)) {
      throw new dev.quiver.CollectionNotFoundException(collection,
          new PineconeApiException(404, r.body().path("code").asText(""), "index not found during " + op, null, null));
    }
    return r;
  }

  /**
   * @param vectors the vectors, already within Pinecone's batch limits
   * @return the write's LSN, or -1
   */
  public long upsert(ArrayNode vectors) {
    ObjectNode body = Json.object();
    body.set("vectors", vectors);
    PineconeHttp.Response r = check(post("upsert", "vectors/upsert", scoped(body)), "upsert");
    return r.longHeader(PineconeHttp.REQUEST_LSN);
  }

  /**
   * @param body the query body
   * @return the response ({@code matches} empty for an empty namespace)
   */
  public PineconeHttp.Response query(ObjectNode body) {
    PineconeHttp.Response r = check(post("query", "query", scoped(body)), "query");
    if (r.status() == 200 && !r.body().path("matches").isArray()) {
      throw malformed("query");
    }
    return r;
  }

  /**
   * @param op the operation whose answer was not what Pinecone documents
   * @return the error to throw (not transient: asking again would get the same answer)
   */
  public dev.quiver.BackendException malformed(String op) {
    return new dev.quiver.BackendException("pinecone " + op + " on '" + collection + "': the response lacks the "
        + "documented fields; is the host a Pinecone index?", null);
  }

  /**
   * @param ids Pinecone ids (at most 1000)
   * @return the {@code vectors} object, keyed by id
   */
  public JsonNode fetch(List<String> ids) {
    HttpUrl.Builder u = url("vectors/fetch");
    ids.forEach(id -> u.addQueryParameter("ids", id));
    scoped(u);
    PineconeHttp.Response r = check(http.send(new PineconeHttp.Call("fetch", collection, "GET", u.build(), null,
        true, true)), "fetch");
    if (r.status() == 200 && !r.body().path("vectors").isObject()) {
      throw malformed("fetch");
    }
    return r.body().path("vectors");
  }

  /**
   * @param body a delete body (ids or filter)
   * @return the write's LSN, or -1
   */
  public long delete(ObjectNode body) {
    PineconeHttp.Response r = check(post("delete", "vectors/delete", scoped(body)), "delete");
    return r.longHeader(PineconeHttp.REQUEST_LSN);
  }

  /**
   * @param limit ids per page
   * @param token pagination token, or {@code null}
   * @return a page of ids
   */
  public IdPage list(int limit, String token) {
    HttpUrl.Builder u = url("vectors/list").addQueryParameter("limit", Integer.toString(limit));
    if (token != null) {
      u.addQueryParameter("paginationToken", token);
    }
    scoped(u);
    PineconeHttp.Response r = check(http.send(new PineconeHttp.Call("list", collection, "GET", u.build(), null,
        true, true)), "list");
    if (r.status() == 200 && !r.body().path("vectors").isArray()) {
      throw malformed("list");
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode n : r.body().path("vectors")) {
      if (!n.path("id").isTextual() || n.path("id").asText().isEmpty()) {
        throw malformed("list");
      }
      ids.add(n.path("id").asText());
    }
    String next = r.body().path("pagination").path("next").asText(null);
    return new IdPage(ids, next == null || next.isEmpty() ? null : next);
  }

  /** @return describe_index_stats' {@code namespaces} object: namespace name → {@code {"vectorCount": n}} */
  public JsonNode namespaces() {
    PineconeHttp.Response r = check(post("describe_index_stats", "describe_index_stats", Json.object()),
        "describe_index_stats");
    JsonNode ns = r.body().path("namespaces");
    if (r.status() == 200 && !ns.isObject()) {
      throw malformed("describe_index_stats");
    }
    return ns;
  }

  /** @return this namespace's vector count per describe_index_stats (0 when it does not exist) */
  public long count() {
    JsonNode ns = namespaces();
    if (namespace != null && !namespace.equals(DEFAULT_NAMESPACE)) {
      return ns.path(namespace).path("vectorCount").asLong(0);
    }
    long n = 0;
    for (String key : List.of("", DEFAULT_NAMESPACE)) {
      n += ns.path(key).path("vectorCount").asLong(0);
    }
    return n;
  }
}
