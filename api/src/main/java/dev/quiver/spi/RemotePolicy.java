package dev.quiver.spi;

import dev.quiver.InvalidArgumentException;
import java.time.Duration;

/**
 * The one retry and circuit-breaker policy of every remote adapter (Milvus, Qdrant, Pinecone),
 * carried out by {@link RemoteCalls}. Only transient failures ({@link dev.quiver.TransientVectorStoreException}:
 * unavailable, rate limited, deadline exceeded) are retried, and only for idempotent calls; a
 * {@link dev.quiver.RateLimitedException} waits at least its {@code Retry-After}. Retries stop when
 * the next attempt could not finish within the call budget. The breaker opens after
 * {@link #breakerThreshold()} transient failures in a row and then fails calls at once with
 * {@link dev.quiver.UnavailableException} for {@link #breakerOpenFor()}, after which one call probes.
 * The defaults and which status codes each backend counts as transient: docs/resilience.md.
 *
 * @param maxAttempts attempts of an idempotent call, 1..10 (default 3)
 * @param initialBackoff wait before the second attempt, doubled each time with ±50 % jitter (default 100 ms)
 * @param maxBackoff longest wait between attempts (default 2 s)
 * @param callBudget longest time one call may take including its retries (default 30 s); each attempt
 *     also has the adapter's per-request deadline
 * @param breakerThreshold transient failures in a row that open the breaker (default 5; 0 = no breaker)
 * @param breakerOpenFor how long an open breaker fails calls at once (default 2 s)
 */
public record RemotePolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration callBudget,
    int breakerThreshold, Duration breakerOpenFor) {

  /** The documented defaults. */
  public static final RemotePolicy DEFAULT =
      new RemotePolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30), 5, Duration.ofSeconds(2));

  /** Validates. */
  public RemotePolicy {
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new InvalidArgumentException("maxAttempts must be between 1 and 10, got " + maxAttempts);
    }
    positive(initialBackoff, "initialBackoff");
    positive(maxBackoff, "maxBackoff");
    positive(callBudget, "callBudget");
    positive(breakerOpenFor, "breakerOpenFor");
    if (breakerThreshold < 0) {
      throw new InvalidArgumentException("breakerThreshold must be at least 0, got " + breakerThreshold);
    }
  }

  /** @param attempts the attempts of an idempotent call @return this policy with them */
  public RemotePolicy withMaxAttempts(int attempts) {
    return new RemotePolicy(attempts, initialBackoff, maxBackoff, callBudget, breakerThreshold, breakerOpenFor);
  }

  /** @param budget the longest time of one call with its retries @return this policy with it */
  public RemotePolicy withCallBudget(Duration budget) {
    return new RemotePolicy(maxAttempts, initialBackoff, maxBackoff, budget, breakerThreshold, breakerOpenFor);
  }

  private static void positive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new InvalidArgumentException(what + " must be a positive duration, got " + d);
    }
  }
}
