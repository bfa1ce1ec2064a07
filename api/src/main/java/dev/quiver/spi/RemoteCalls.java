package dev.quiver.spi;

import dev.quiver.DeadlineExceededException;
import dev.quiver.RateLimitedException;
import dev.quiver.TransientVectorStoreException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Carries out the {@link RemotePolicy} for one store: retries of idempotent calls and one circuit
 * breaker. The adapter supplies the mapping of its vendor's errors into the Quiver error tree, so
 * what is transient is decided in one place per backend (docs/resilience.md has the table).
 */
public final class RemoteCalls {

  /** Maps a vendor exception to a Quiver exception. */
  @FunctionalInterface
  public interface ErrorMapper {
    /**
     * @param e what the vendor call threw
     * @param operation the operation, for the message
     * @param collection the collection, or {@code null}
     * @return the Quiver exception to throw
     */
    VectorStoreException map(RuntimeException e, String operation, String collection);
  }

  private final String backend;
  private final RemotePolicy policy;
  private final ErrorMapper mapper;
  private final Object lock = new Object();
  private int failuresInARow;
  private long openUntilNanos;

  /**
   * @param backend the backend name, for messages
   * @param policy the policy
   * @param mapper maps vendor exceptions
   */
  public RemoteCalls(String backend, RemotePolicy policy, ErrorMapper mapper) {
    this.backend = backend;
    this.policy = policy;
    this.mapper = mapper;
  }

  /** @return the policy */
  public RemotePolicy policy() {
    return policy;
  }

  /**
   * Runs an idempotent call (reads, upserts with caller ids, deletes), retrying transient failures.
   *
   * @param op the operation name
   * @param collection the collection, or {@code null}
   * @param call the vendor call
   * @param <T> its result
   * @return the result
   */
  public <T> T idempotent(String op, String collection, Supplier<T> call) {
    long start = System.nanoTime();
    long budget = policy.callBudget().toNanos();
    long backoff = policy.initialBackoff().toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        return once(op, collection, call);
      } catch (TransientVectorStoreException e) {
        long wait = jitter(Math.min(backoff, policy.maxBackoff().toNanos()));
        if (e instanceof RateLimitedException r && r.retryAfter().isPresent()) {
          wait = Math.max(wait, r.retryAfter().get().toNanos());
        }
        long elapsed = System.nanoTime() - start;
        if (attempt >= policy.maxAttempts() || elapsed + wait >= budget || isBreakerRejection(e)) {
          throw e;
        }
        sleep(wait);
        backoff *= 2;
      }
    }
  }

  /**
   * Runs an idempotent call that returns nothing.
   *
   * @param op the operation name
   * @param collection the collection, or {@code null}
   * @param call the vendor call
   */
  public void idempotentRun(String op, String collection, Runnable call) {
    idempotent(op, collection, () -> {
      call.run();
      return null;
    });
  }

  /**
   * Runs a call once: for calls that are not safe to repeat (create collection), and as each attempt
   * of an idempotent call.
   *
   * @param op the operation name
   * @param collection the collection, or {@code null}
   * @param call the vendor call
   * @param <T> its result
   * @return the result
   */
  public <T> T once(String op, String collection, Supplier<T> call) {
    checkBreaker(op);
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      VectorStoreException mapped = e instanceof VectorStoreException v ? v : mapper.map(e, op, collection);
      recordFailure(mapped);
      throw mapped;
    }
    recordSuccess();
    return result;
  }

  private void checkBreaker(String op) {
    if (policy.breakerThreshold() == 0) {
      return;
    }
    synchronized (lock) {
      long now = System.nanoTime();
      if (failuresInARow >= policy.breakerThreshold() && now - openUntilNanos < 0) {
        throw new UnavailableException(backend + " " + op + " not attempted: " + failuresInARow
            + " transient failures in a row; the circuit breaker lets the next call through in "
            + TimeUnit.NANOSECONDS.toMillis(openUntilNanos - now) + " ms", BREAKER_OPEN);
      }
    }
  }

  private void recordFailure(VectorStoreException e) {
    if (!(e instanceof TransientVectorStoreException) || policy.breakerThreshold() == 0) {
      return;
    }
    synchronized (lock) {
      failuresInARow++;
      if (failuresInARow >= policy.breakerThreshold()) {
        openUntilNanos = System.nanoTime() + policy.breakerOpenFor().toNanos();
      }
    }
  }

  private void recordSuccess() {
    synchronized (lock) {
      failuresInARow = 0;
    }
  }

  private static boolean isBreakerRejection(TransientVectorStoreException e) {
    return e.getCause() == BREAKER_OPEN;
  }

  private static long jitter(long nanos) {
    return (long) (nanos * (0.5 + ThreadLocalRandom.current().nextDouble()));
  }

  private static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeadlineExceededException("interrupted while waiting to retry", e);
    }
  }

  /** The cause of every rejection by an open breaker (no stack trace: it marks, it does not report). */
  private static final RuntimeException BREAKER_OPEN =
      new RuntimeException("circuit breaker open", null, false, false) {};
}
