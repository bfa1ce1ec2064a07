package dev.quiver.migrate;

import dev.quiver.RateLimitedException;
import dev.quiver.VectorStoreException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The migration's retry of whole steps (a page read, a batch write) on transient errors, on top of
 * the adapters' own retries of single calls: a long copy should outlast a server restart or a burst
 * of rate limiting. Backoff doubles from {@code base} up to 30 s with jitter, or waits what a
 * {@link RateLimitedException} says ({@code Retry-After}). Non-transient errors are not retried.
 */
final class Retries {

  private static final Duration MAX_WAIT = Duration.ofSeconds(30);

  private final int maxAttempts;
  private final Duration base;
  private final ProgressListener listener;
  private final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();

  Retries(int maxAttempts, Duration base, ProgressListener listener) {
    this.maxAttempts = Math.max(1, maxAttempts);
    this.base = base;
    this.listener = listener;
  }

  long retries() {
    return retries.get();
  }

  <T> T call(String what, Supplier<T> op) {
    for (int attempt = 1; ; attempt++) {
      try {
        return op.get();
      } catch (VectorStoreException e) {
        if (!e.isTransient() || attempt >= maxAttempts) {
          throw e;
        }
        Duration wait = waitFor(e, attempt);
        retries.incrementAndGet();
        listener.retrying(what, attempt, wait, e);
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private Duration waitFor(VectorStoreException e, int attempt) {
    if (e instanceof RateLimitedException r && r.retryAfter().isPresent()) {
      Duration ra = r.retryAfter().get();
      return ra.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : ra;
    }
    long ms = Math.min(MAX_WAIT.toMillis(), base.toMillis() << Math.min(attempt - 1, 16));
    return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
  }
}
