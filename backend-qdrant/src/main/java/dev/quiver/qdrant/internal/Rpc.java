package dev.quiver.qdrant.internal;

import dev.quiver.RateLimitedException;
import dev.quiver.StoreClosedException;
import dev.quiver.TransientVectorStoreException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.PointsGrpc;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The adapter's only way to the server: fresh blocking stubs with a deadline on every call, the API
 * key as call credentials, Quiver's exception mapping, one circuit breaker per store, and one retry
 * policy (Resilience4j) that retries transient errors of idempotent calls only.
 */
public final class Rpc implements AutoCloseable {

  /** The header Qdrant reads the API key from. */
  public static final Metadata.Key<String> API_KEY = Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final CallCredentials credentials;
  private final Duration timeout;
  private final Retry retry;
  private final CircuitBreaker breaker;
  private final String label;
  private volatile boolean closed;

  /**
   * @param channel the channel to Qdrant
   * @param ownsChannel whether {@link #close()} shuts it down
   * @param apiKey the API key, or {@code null}
   * @param timeout the deadline of each call attempt
   * @param maxAttempts attempts per idempotent call (1 = no retry)
   * @param backoff the first retry's wait; doubled on each further retry
   * @param label how the store is named in messages (no credentials)
   */
  public Rpc(ManagedChannel channel, boolean ownsChannel, String apiKey, Duration timeout, int maxAttempts,
      Duration backoff, String label) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.credentials = apiKey == null ? null : new ApiKeyCredentials(apiKey);
    this.timeout = timeout;
    this.label = label;
    long first = Math.max(1, backoff.toMillis());
    IntervalBiFunction<Object> interval = (attempt, result) -> {
      long exp = Math.min(first << Math.min(attempt - 1, 10), 10_000);
      if (result.isLeft() && result.getLeft() instanceof RateLimitedException r && r.retryAfter().isPresent()) {
        return Math.min(Math.max(exp, r.retryAfter().get().toMillis()), 30_000);
      }
      return exp;
    };
    this.retry = Retry.of("qdrant", RetryConfig.custom()
        .maxAttempts(Math.max(1, maxAttempts))
        .intervalBiFunction(interval)
        .retryOnException(e -> e instanceof TransientVectorStoreException)
        .failAfterMaxAttempts(false)
        .build());
    this.breaker = CircuitBreaker.of("qdrant", CircuitBreakerConfig.custom()
        .slidingWindowSize(50)
        .minimumNumberOfCalls(20)
        .failureRateThreshold(80)
        .waitDurationInOpenState(Duration.ofSeconds(5))
        .recordException(e -> e instanceof TransientVectorStoreException)
        .build());
  }

  /** @return a Points stub with this call's deadline and credentials */
  public PointsGrpc.PointsBlockingStub points() {
    return prepare(PointsGrpc.newBlockingStub(channel));
  }

  /** @return a Collections stub with this call's deadline and credentials */
  public CollectionsGrpc.CollectionsBlockingStub collections() {
    return prepare(CollectionsGrpc.newBlockingStub(channel));
  }

  private <S extends AbstractStub<S>> S prepare(S stub) {
    S s = stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return credentials == null ? s : s.withCallCredentials(credentials);
  }

  /**
   * Runs one call.
   *
   * @param op the operation, for messages
   * @param collection the collection, or {@code null}
   * @param idempotent whether a transient failure may be retried
   * @param body the call; it builds its stub with {@link #points()} or {@link #collections()}
   * @param <T> the result type
   * @return the result
   * @throws VectorStoreException mapped from the gRPC status
   */
  public <T> T call(String op, String collection, boolean idempotent, Supplier<T> body) {
    checkOpen();
    Supplier<T> mapped = () -> {
      checkOpen();
      try {
        return body.get();
      } catch (StatusRuntimeException e) {
        throw Errors.map(e, op, collection);
      }
    };
    Supplier<T> guarded = () -> {
      try {
        return CircuitBreaker.decorateSupplier(breaker, mapped).get();
      } catch (CallNotPermittedException e) {
        throw new UnavailableException("Qdrant " + op + " refused: the circuit breaker of " + label
            + " is open after repeated transient failures; retry later", e);
      }
    };
    return idempotent ? Retry.decorateSupplier(retry, guarded).get() : guarded.get();
  }

  /**
   * Like {@link #call} but hands the raw gRPC error to {@code onStatus} first; when it returns a
   * non-null value, that is the result.
   *
   * @param op the operation
   * @param collection the collection
   * @param idempotent whether it may be retried
   * @param body the call
   * @param onStatus inspects a gRPC error; returns a result or {@code null} to map it as usual
   * @param <T> the result type
   * @return the result
   */
  public <T> T callOr(String op, String collection, boolean idempotent, Supplier<T> body,
      java.util.function.Function<StatusRuntimeException, T> onStatus) {
    return call(op, collection, idempotent, () -> {
      try {
        return body.get();
      } catch (StatusRuntimeException e) {
        T v = onStatus.apply(e);
        if (v != null) {
          return v;
        }
        throw e;
      }
    });
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException(label);
    }
  }

  /** @return the per-attempt deadline */
  public Duration timeout() {
    return timeout;
  }

  /** @return whether {@link #close()} was called */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    if (ownsChannel) {
      channel.shutdown();
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Sends the API key in the {@code api-key} header. Prints as {@code ***}. */
  static final class ApiKeyCredentials extends CallCredentials {
    private final String key;

    ApiKeyCredentials(String key) {
      this.key = key;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      Metadata headers = new Metadata();
      headers.put(API_KEY, key);
      applier.apply(headers);
    }

    @Override
    public String toString() {
      return "ApiKeyCredentials[***]";
    }
  }
}
