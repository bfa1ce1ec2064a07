package dev.quiver.pinecone.internal;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.DeadlineExceededException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.RateLimitedException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import dev.quiver.spi.RemoteCalls;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The one place that decides what a Pinecone failure means in Quiver's error tree, and so what the
 * shared retry policy retries (the transient ones). The table is in docs/resilience.md.
 */
public final class PineconeErrors implements RemoteCalls.ErrorMapper {

  @Override
  public VectorStoreException map(RuntimeException e, String operation, String collection) {
    String where = "pinecone " + operation + (collection == null ? "" : " on '" + collection + "'");
    if (e instanceof PineconeApiException api) {
      return http(api, where + " failed: " + api.getMessage(), collection);
    }
    if (e instanceof PineconeTransportException t) {
      if (t.getCause() instanceof InterruptedIOException) {
        return new DeadlineExceededException(where + " did not finish within its deadline; the outcome is unknown"
            + " (" + t.getMessage() + ")", t);
      }
      return new UnavailableException(where + ": " + t.getMessage(), t);
    }
    return new BackendException(where + " failed unexpectedly: " + e, e);
  }

  private static VectorStoreException http(PineconeApiException api, String message, String collection) {
    int status = api.status();
    if (status == 429) {
      return new RateLimitedException(message, retryAfter(api.retryAfter()), api);
    }
    if (status == 408 || status >= 500 && status <= 599) {
      return new UnavailableException(message, api);
    }
    if (status == 401) {
      return new AuthenticationException(message + " (check the API key)", api);
    }
    if (status == 403) {
      boolean notAuth = api.code().equals("QUOTA_EXCEEDED")
          || message.toLowerCase(Locale.ROOT).contains("deletion protection");
      return notAuth ? new BackendException(message, api) : new AuthenticationException(message, api);
    }
    if (status == 404 && collection != null) {
      return new CollectionNotFoundException(collection, api);
    }
    if (status == 409 && collection != null) {
      return new CollectionAlreadyExistsException(collection, api);
    }
    if (status == 400 || status == 422) {
      return new InvalidArgumentException(message, api);
    }
    return new BackendException(message, api); // other statuses, and 2xx answers that are not JSON
  }

  /**
   * @param value a {@code Retry-After} header: seconds (possibly fractional) or an HTTP date
   * @return the wait it asks for, or {@code null} when absent or unreadable
   */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Duration d;
    try {
      double seconds = Double.parseDouble(value.trim());
      if (!Double.isFinite(seconds) || seconds < 0) {
        return null;
      }
      d = Duration.ofMillis((long) Math.min(seconds * 1000, MAX_RETRY_AFTER.toMillis()));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        d = Duration.between(ZonedDateTime.now(at.getZone()), at);
      } catch (RuntimeException e2) {
        return null;
      }
    }
    // a wait far beyond any call budget only needs to say "too long"; capping keeps it in nanosecond range
    return d.isNegative() ? Duration.ZERO : d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  private static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);
}
