package dev.quiver.milvus.internal;

import dev.quiver.TransientVectorStoreException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one resilience layer of a Milvus store: a circuit breaker per store (opened by transient
 * failures only) and a Resilience4j retry that re-runs <em>idempotent</em> calls on transient
 * failures. The SDK's own retries are turned off ({@code maxRetryTimes(1)}), and every RPC has the
 * store's deadline, so the worst case of one call is {@code attempts × deadline + backoff}.
 */
public final class Calls {

  private final Retry retry;
  private final CircuitBreaker breaker;

  /**
   * @param name the store's label (no credentials)
   * @param maxAttempts attempts of an idempotent call (1 = no retry)
   * @param initialBackoff first wait between attempts (doubled each time, with jitter)
   */
  public Calls(String name, int maxAttempts, Duration initialBackoff) {
    this.retry = Retry.of("quiver-milvus-" + name, RetryConfig.custom()
        .maxAttempts(Math.max(1, maxAttempts))
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(initialBackoff.toMillis(), 2.0, 0.5))
        .retryOnException(e -> e instanceof TransientVectorStoreException)
        .failAfterMaxAttempts(false)
        .build());
    this.breaker = CircuitBreaker.of("quiver-milvus-" + name, CircuitBreakerConfig.custom()
        .failureRateThreshold(50)
        .slidingWindowSize(20)
        .minimumNumberOfCalls(10)
        .waitDurationInOpenState(Duration.ofSeconds(5))
        .recordException(e -> e instanceof TransientVectorStoreException)
        .build());
  }

  /**
   * Runs an idempotent call (reads, upserts with caller ids, deletes), retrying transient failures.
   *
   * @param op the operation name
   * @param collection the Quiver collection, or {@code null}
   * @param call the SDK call
   * @param <T> its result
   * @return the result
   */
  public <T> T idempotent(String op, String collection, Supplier<T> call) {
    return Retry.decorateSupplier(retry, () -> once(op, collection, call)).get();
  }

  /**
   * Runs a call once (not safe to repeat, for example create collection).
   *
   * @param op the operation name
   * @param collection the Quiver collection, or {@code null}
   * @param call the SDK call
   * @param <T> its result
   * @return the result
   */
  public <T> T once(String op, String collection, Supplier<T> call) {
    try {
      return breaker.executeSupplier(() -> {
        try {
          return call.get();
        } catch (RuntimeException e) {
          throw Errors.map(e, op, collection);
        }
      });
    } catch (CallNotPermittedException e) {
      throw new UnavailableException("Milvus " + op + " not attempted: too many transient failures recently"
          + " (circuit breaker open for 5 s)", e);
    } catch (VectorStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw Errors.map(e, op, collection);
    }
  }

  /**
   * Runs a call that returns nothing.
   *
   * @param op the operation name
   * @param collection the Quiver collection, or {@code null}
   * @param call the SDK call
   */
  public void idempotentRun(String op, String collection, Runnable call) {
    idempotent(op, collection, () -> {
      call.run();
      return null;
    });
  }
}
