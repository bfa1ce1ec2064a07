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
 * Maps gRPC statuses from Qdrant to Quiver's exception tree. Codes and messages are those of
 * {@code lib/storage/src/content_manager/conversions.rs} in Qdrant 1.18: NOT_FOUND (collection) to
 * {@link CollectionNotFoundException}, ALREADY_EXISTS to {@link CollectionAlreadyExistsException},
 * INVALID_ARGUMENT with "Vector dimension error" to {@link DimensionMismatchException}, other
 * INVALID_ARGUMENT to {@link InvalidArgumentException}, UNAUTHENTICATED / PERMISSION_DENIED to
 * {@link AuthenticationException}, and the transient UNAVAILABLE, RESOURCE_EXHAUSTED and
 * DEADLINE_EXCEEDED to {@link UnavailableException}, {@link RateLimitedException} and
 * {@link DeadlineExceededException}. Messages never contain credentials: only the operation, the
 * collection and the server's status description (which Qdrant never fills with the key).
 */
public final class Errors {

  private static final Pattern DIMENSION = Pattern.compile("expected dim: (\\d+), got (\\d+)");
  private static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  private Errors() {}

  /**
   * @param e the gRPC error
   * @param op the operation, for the message (for example {@code "upsert"})
   * @param collection the collection, or {@code null}
   * @return the Quiver exception, with {@code e} as its cause
   */
  public static VectorStoreException map(StatusRuntimeException e, String op, String collection) {
    Status s = e.getStatus();
    String desc = s.getDescription() == null ? "" : s.getDescription();
    String where = "Qdrant " + op + (collection == null ? "" : " on collection '" + collection + "'");
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
          DimensionMismatchException d = new DimensionMismatchException(
              "a vector sent to " + where, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
          // DimensionMismatchException has no cause parameter (its cause is fixed to null): keep the vendor error as suppressed
          d.addSuppressed(e);
          return d;
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
