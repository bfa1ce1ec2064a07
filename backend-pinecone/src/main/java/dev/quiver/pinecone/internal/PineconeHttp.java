package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.quiver.Secret;
import dev.quiver.spi.RemoteCalls;
import dev.quiver.spi.RemotePolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;

/**
 * The one HTTP layer of the Pinecone adapter: auth and version headers, deadlines, and the shared
 * retry and circuit-breaker policy ({@link RemoteCalls}: idempotent calls only, transient errors
 * only, as {@link PineconeErrors} classifies them). The API key goes into the {@code Api-Key} header
 * and nowhere else.
 */
public final class PineconeHttp implements AutoCloseable {

  /** The pinned API version, sent as {@code X-Pinecone-Api-Version} on every request. */
  public static final String API_VERSION = "2025-10";
  /** Header carrying a write's log sequence number. */
  public static final String REQUEST_LSN = "x-pinecone-request-lsn";
  /** Header carrying the highest LSN a query reflects. */
  public static final String MAX_INDEXED_LSN = "x-pinecone-max-indexed-lsn";

  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient client;
  private final Secret apiKey;
  private final RemoteCalls remote;
  private final long attemptNanos;

  /**
   * A successful (or, when allowed, 404) response.
   *
   * @param status HTTP status
   * @param body parsed JSON body ({@link NullNode} when empty)
   * @param headers response headers
   */
  public record Response(int status, JsonNode body, Headers headers) {
    /**
     * @param name a header name
     * @return its value as a long, or -1 when absent or unparsable
     */
    public long longHeader(String name) {
      String v = headers.get(name);
      if (v == null) {
        return -1;
      }
      try {
        return Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }

  /**
   * One call.
   *
   * @param op the operation, for messages (for example {@code "upsert"})
   * @param collection the collection it concerns, or {@code null}; a 404 maps to not-found for it
   * @param method HTTP method
   * @param url full URL
   * @param body JSON body or {@code null}
   * @param idempotent whether the call may be retried
   * @param allow404 whether a 404 is returned to the caller instead of thrown
   */
  public record Call(String op, String collection, String method, HttpUrl url, JsonNode body, boolean idempotent,
      boolean allow404) {}

  /**
   * @param apiKey the key, already checked to be sendable as a header value
   * @param connectTimeout TCP connect deadline
   * @param attemptTimeout deadline of one attempt, end to end (cut shorter when the call's budget runs out)
   * @param policy retries, call budget and circuit breaker
   */
  public PineconeHttp(Secret apiKey, Duration connectTimeout, Duration attemptTimeout, RemotePolicy policy) {
    this.apiKey = apiKey;
    this.attemptNanos = attemptTimeout.toNanos();
    this.remote = new RemoteCalls("pinecone", policy, new PineconeErrors());
    this.client = new OkHttpClient.Builder()
        .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .writeTimeout(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .retryOnConnectionFailure(false) // exactly one retry layer: the shared policy
        .build();
  }

  /**
   * Sends a call; idempotent ones are retried on transient errors. The whole call, retries included,
   * ends within the policy's call budget: each attempt's deadline is cut to what is left of it.
   *
   * @param call the call
   * @return the response (2xx, or 404 when {@link Call#allow404()})
   * @throws dev.quiver.VectorStoreException mapped by {@link PineconeErrors}
   */
  public Response send(Call call) {
    long deadline = System.nanoTime() + remote.policy().callBudget().toNanos();
    Supplier<Response> attempt = () -> once(call, deadline);
    return call.idempotent() ? remote.idempotent(call.op(), call.collection(), attempt)
        : remote.once(call.op(), call.collection(), attempt);
  }

  private Response once(Call call, long deadline) {
    okhttp3.Call http = client.newCall(request(call));
    long left = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(attemptNanos, deadline - System.nanoTime()));
    http.timeout().timeout(left, TimeUnit.NANOSECONDS);
    int status;
    String text;
    Headers headers;
    try (okhttp3.Response resp = http.execute()) {
      status = resp.code();
      headers = resp.headers();
      ResponseBody rbody = resp.body();
      text = rbody == null ? "" : new String(rbody.bytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PineconeTransportException(call.url().host() + ":" + call.url().port(), e);
    }
    if (status >= 200 && status < 300 || status == 404 && call.allow404()) {
      return new Response(status, body(status, text, headers), headers);
    }
    throw error(status, text, headers);
  }

  private Request request(Call call) {
    Request.Builder rb = new Request.Builder().url(call.url())
        .header("Api-Key", apiKey.reveal())
        .header("X-Pinecone-Api-Version", API_VERSION)
        .header("Accept", "application/json")
        .header("User-Agent", "quiver-pinecone");
    if (call.body() != null) {
      rb.method(call.method(), RequestBody.create(Json.bytes(call.body()), JSON));
    } else if (call.method().equals("POST")) {
      rb.method("POST", RequestBody.create(new byte[0], JSON));
    } else {
      rb.method(call.method(), null);
    }
    return rb.build();
  }

  private static JsonNode body(int status, String text, Headers headers) {
    if (text.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      JsonNode n = Json.MAPPER.readTree(text);
      return n == null ? NullNode.getInstance() : n;
    } catch (IOException e) {
      if (status == 404) {
        return NullNode.getInstance(); // a plain-text 404 says as much as a JSON one
      }
      throw new PineconeApiException(status, "", "the response is not JSON", headers.get("x-pinecone-request-id"),
          null);
    }
  }

  /**
   * Reads both of Pinecone's error shapes, control plane {@code {"error":{"code","message"}}} and data
   * plane {@code {"code","message"}}, and plain text. The key is taken out before the message is cut
   * to length: the boundary scrubs whole keys only, and a cut could leave half of one.
   */
  private PineconeApiException error(int status, String text, Headers headers) {
    String code = "";
    String message = text;
    try {
      JsonNode n = Json.MAPPER.readTree(text);
      if (n != null && n.isObject()) {
        if (n.path("error").isObject()) {
          code = n.path("error").path("code").asText("");
          message = n.path("error").path("message").asText(text);
        } else if (n.has("message")) {
          code = n.path("code").asText("");
          message = n.path("message").asText(text);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // plain-text body
    }
    return new PineconeApiException(status, code, message.replace(apiKey.reveal(), "***"),
        headers.get("x-pinecone-request-id"), headers.get("Retry-After"));
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "PineconeHttp[apiVersion=" + API_VERSION + ", apiKey=***]";
  }
}
