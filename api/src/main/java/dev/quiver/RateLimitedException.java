package dev.quiver;

import java.time.Duration;
import java.util.Optional;

/** The backend throttled the call (HTTP 429, gRPC RESOURCE_EXHAUSTED). */
public final class RateLimitedException extends TransientVectorStoreException {

  private final Duration retryAfter;

  /**
   * @param message what was throttled
   * @param retryAfter how long the backend asked us to wait, or {@code null} if it did not say
   * @param cause the underlying error, or {@code null}
   */
  public RateLimitedException(String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  /** @return the wait the backend asked for, if it gave one */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
