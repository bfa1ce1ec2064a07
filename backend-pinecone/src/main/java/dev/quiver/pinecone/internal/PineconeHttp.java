package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.DeadlineExceededException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.RateLimitedException;
import dev.quiver.Secret;
import dev.quiver.TransientVectorStoreException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;

/**
 * The one HTTP layer of the Pinecone adapter: auth and version headers, deadlines, the single retry
 * policy (idempotent calls only, transient errors only), a circuit breaker per store, and the mapping
 * of HTTP failures to Quiver's exception tree. The API key goes into the {@code Api-Key} header and
 * nowhere else; vendor messages are scrubbed of it before they reach an exception.
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
  private final Retry retry;
  private final CircuitBreaker breaker;

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
   * @param apiKey the key
   * @param connectTimeout TCP connect deadline
   * @param callTimeout deadline of one attempt, end to end
   * @param maxAttempts attempts for idempotent calls (1 = no retry)
   * @param baseBackoff first retry wait; doubles per attempt, with jitter
   * @param maxBackoff longest wait between attempts (also caps a server's Retry-After)
   */
  public PineconeHttp(Secret apiKey, Duration connectTimeout, Duration callTimeout, int maxAttempts,
      Duration baseBackoff, Duration maxBackoff) {
    this.apiKey = apiKey;
    this.client = new OkHttpClient.Builder()
        .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .writeTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .callTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .retryOnConnectionFailure(false) // exactly one retry layer: ours
        .build();
    long base = Math.max(1, baseBackoff.toMillis());
    long max = Math.max(base, maxBackoff.toMillis());
    IntervalBiFunction<Object> interval = (attempt, outcome) -> {
      if (outcome.isLeft() && outcome.getLeft() instanceof RateLimitedException rl && rl.retryAfter().isPresent()) {
        return Math.min(max, Math.max(0, rl.retryAfter().get().toMillis()));
      }
      long exp = Math.min(max, base << Math.min(20, Math.max(0, attempt - 1)));
      return exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
    };
    this.retry = Retry.of("pinecone", RetryConfig.custom()
        .maxAttempts(Math.max(1, maxAttempts))
        .intervalBiFunction(interval)
        .retryOnException(e -> e instanceof TransientVectorStoreException)
        .build());
    this.breaker = CircuitBreaker.of("pinecone", CircuitBreakerConfig.custom()
        .failureRateThreshold(50)
        .slidingWindowSize(20)
        .minimumNumberOfCalls(20)
        .waitDurationInOpenState(Duration.ofSeconds(10))
        .recordException(e -> e instanceof TransientVectorStoreException)
        .build());
  }

  /**
   * Sends a call, retrying idempotent ones on transient errors.
   *
   * @param call the call
   * @return the response (2xx, or 404 when {@link Call#allow404()})
   * @throws VectorStoreException mapped from the failure
   */
  public Response send(Call call) {
    if (call.idempotent()) {
      return retry.executeSupplier(() -> attempt(call));
    }
    return attempt(call);
  }

  private Response attempt(Call call) {
    try {
      return breaker.executeSupplier(() -> once(call));
    } catch (CallNotPermittedException e) {
      throw new UnavailableException("pinecone " + call.op() + ": circuit breaker is open after repeated transient "
          + "failures; not calling Pinecone for a while", e);
    }
  }

  private Response once(Call call) {
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
    int status;
    String text;
    Headers headers;
    try (okhttp3.Response resp = client.newCall(rb.build()).execute()) {
      status = resp.code();
      headers = resp.headers();
      ResponseBody rbody = resp.body();
      text = rbody == null ? "" : new String(rbody.bytes(), StandardCharsets.UTF_8);
    } catch (InterruptedIOException e) {
      throw new DeadlineExceededException("pinecone " + call.op() + describe(call) + " did not finish within its deadline: "
          + scrub(e.getMessage()), null);
    } catch (IOException e) {
      throw new UnavailableException("pinecone " + call.op() + describe(call) + ": cannot reach "
          + call.url().host() + ": " + scrub(String.valueOf(e.getMessage())), null);
    }
    if (status >= 200 && status < 300 || status == 404 && call.allow404()) {
      JsonNode body;
      try {
        body = text.isBlank() ? NullNode.getInstance() : Json.MAPPER.readTree(text);
      } catch (IOException e) {
        if (status == 404) {
          body = NullNode.getInstance();
        } else {
          throw new BackendException("pinecone " + call.op() + describe(call) + ": response is not JSON", null);
        }
      }
      return new Response(status, body, headers);
    }
    throw mapError(call, status, text, headers);
  }

  private static String describe(Call call) {
    return call.collection() == null ? "" : " on '" + call.collection() + "'";
  }

  private VectorStoreException mapError(Call call, int status, String text, Headers headers) {
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
    message = scrub(message.length() > 500 ? message.substring(0, 500) + "..." : message);
    String requestId = headers.get("x-pinecone-request-id");
    PineconeApiException cause = new PineconeApiException(status, code, message, requestId);
    String prefix = "pinecone " + call.op() + describe(call) + " failed: HTTP " + status
        + (code.isEmpty() ? "" : " " + code) + ": " + message;
    switch (status) {
      case 429:
        return new RateLimitedException(prefix, retryAfter(headers.get("Retry-After")), cause);
      case 408:
      case 500:
      case 502:
      case 503:
      case 504:
        return new UnavailableException(prefix, cause);
      case 401:
        return new AuthenticationException(prefix + " (check the API key)", cause);
      case 403:
        if (code.equals("QUOTA_EXCEEDED") || message.toLowerCase(Locale.ROOT).contains("deletion protection")) {
          return new BackendException(prefix, cause);
        }
        return new AuthenticationException(prefix, cause);
      case 404:
        if (call.collection() != null) {
          return new CollectionNotFoundException(call.collection(), cause);
        }
        return new BackendException(prefix, cause);
      case 409:
        if (call.collection() != null) {
          return new CollectionAlreadyExistsException(call.collection(), cause);
        }
        return new BackendException(prefix, cause);
      case 400:
      case 422:
        return new InvalidArgumentException(prefix, cause);
      default:
        return status >= 500 ? new UnavailableException(prefix, cause) : new BackendException(prefix, cause);
    }
  }

  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Duration.ofMillis(Math.round(Double.parseDouble(value.trim()) * 1000));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException e2) {
        return null;
      }
    }
  }

  private String scrub(String s) {
    if (s == null) {
      return "";
    }
    String key = apiKey.reveal();
    return key.length() >= 4 ? s.replace(key, "***") : s;
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
