package dev.quiver.qdrant.internal;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.DeadlineExceededException;
import dev.quiver.DimensionMismatchException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.RateLimitedException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Qdrant adapter's {@link dev.quiver.spi.RemoteCalls.ErrorMapper}: maps gRPC statuses to Quiver's
 * exception tree, and so decides which failures are transient (retried by the shared policy; the
 * table is in docs/resilience.md). Codes and messages are those of
 * {@code lib/storage/src/content_manager/conversions.rs} in Qdrant 1.18: NOT_FOUND (collection) to
 * {@link CollectionNotFoundException}, ALREADY_EXISTS to {@link CollectionAlreadyExistsException},
 * INVALID_ARGUMENT with "Vector dimension error" to {@link DimensionMismatchException}, other
 * INVALID_ARGUMENT to {@link InvalidArgumentException}, UNAUTHENTICATED / PERMISSION_DENIED to
 * {@link AuthenticationException}; transient: UNAVAILABLE and ABORTED to {@link UnavailableException},
 * RESOURCE_EXHAUSTED to {@link RateLimitedException}, DEADLINE_EXCEEDED to
 * {@link DeadlineExceededException}. Anything else, and any exception that is not a gRPC status, is a
 * {@link BackendException}. The boundary scrubs the store's secrets from whatever these carry.
 */
public final class Errors {

  private static final Pattern DIMENSION = Pattern.compile("expected dim: (\\d+), got (\\d+)");
  private static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  private Errors() {}

  /**
   * @param error what a gRPC call threw
   * @param op the operation, for the message (for example {@code "upsert"})
   * @param collection the collection, or {@code null}
   * @return the Quiver exception, with {@code error} as its cause
   */
  public static VectorStoreException map(RuntimeException error, String op, String collection) {
    String where = "Qdrant " + op + (collection == null ? "" : " on collection '" + collection + "'");
    if (!(error instanceof StatusRuntimeException e)) {
      return new BackendException(where + " failed: " + error, error);
    }
    Status s = e.getStatus();
    String desc = s.getDescription() == null ? "" : s.getDescription();
    String msg = where + " failed: " + s.getCode() + (desc.isEmpty() ? "" : ": " + desc);
    switch (s.getCode()) {
      case NOT_FOUND:
        if (collection != null && desc.contains("Collection") && desc.contains("doesn't exist")) {
          return new CollectionNotFoundException(collection, e);
        }
        return new BackendException(msg, e);
      case ALREADY_EXISTS:
        return collection != null ? new CollectionAlreadyExistsException(collection, e) : new BackendException(msg, e);
      case INVALID_ARGUMENT: {
        Matcher m = DIMENSION.matcher(desc);
        if (m.find()) {
          return new DimensionMismatchException(
              "a vector sent to " + where, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), e);
        }
        return new InvalidArgumentException(msg, e);
      }
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return new AuthenticationException(msg, e);
      case UNAVAILABLE:
      case ABORTED:
        return new UnavailableException(msg, e);
      case RESOURCE_EXHAUSTED:
        return new RateLimitedException(msg, retryAfter(e), e);
      case DEADLINE_EXCEEDED:
        return new DeadlineExceededException(msg, e);
      default:
        return new BackendException(msg, e);
    }
  }

  private static Duration retryAfter(StatusRuntimeException e) {
    Metadata trailers = e.getTrailers();
    String v = trailers == null ? null : trailers.get(RETRY_AFTER);
    if (v == null) {
      return null;
    }
    try {
      return Duration.ofMillis((long) (Double.parseDouble(v.trim()) * 1000));
    } catch (NumberFormatException ex) {
      return null;
    }
  }

  /**
   * @param e a NOT_FOUND error from a write on one point
   * @return whether it says the point (not the collection) is missing
   */
  public static boolean isPointNotFound(StatusRuntimeException e) {
    String desc = e.getStatus().getDescription();
    return e.getStatus().getCode() == Status.Code.NOT_FOUND && desc != null && desc.contains("No point with id");
  }
}
