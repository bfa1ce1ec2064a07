package dev.quiver.milvus.internal;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.DeadlineExceededException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.RateLimitedException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import java.util.Locale;

/**
 * Maps Milvus SDK failures onto Quiver's exception tree, keeping the cause.
 *
 * <ul>
 *   <li>server code 100 or "collection ... does not exist / not found": {@link CollectionNotFoundException};</li>
 *   <li>gRPC DEADLINE_EXCEEDED or SDK TIMEOUT: {@link DeadlineExceededException} (transient);</li>
 *   <li>gRPC UNAVAILABLE / ABORTED, server codes 1-2 "not ready / unavailable": {@link UnavailableException} (transient);</li>
 *   <li>server code 8 or "rate limit", gRPC RESOURCE_EXHAUSTED (except oversize messages): {@link RateLimitedException} (transient);</li>
 *   <li>gRPC UNAUTHENTICATED / PERMISSION_DENIED, "auth" failures: {@link AuthenticationException};</li>
 *   <li>SDK INVALID_PARAMS: {@link InvalidArgumentException};</li>
 *   <li>anything else: {@link BackendException} (non-transient).</li>
 * </ul>
 * Milvus Lite 3.2.2 answers a malformed expression with a legacy status code the Java SDK cannot
 * decode ({@code CLIENT_ERROR "Can't get the number of an unknown enum value"}); that becomes a
 * {@link BackendException} saying so (Quiver builds every expression itself, so it means a bug).
 */
public final class Errors {

  private Errors() {}

  /**
   * @param e a failure from the SDK or from our own code
   * @param op the operation, for the message
   * @param collection the Quiver collection name, or {@code null}
   * @return the Quiver exception to throw
   */
  public static VectorStoreException map(RuntimeException e, String op, String collection) {
    if (e instanceof VectorStoreException v) {
      return v;
    }
    String msg = String.valueOf(e.getMessage());
    String lower = msg.toLowerCase(Locale.ROOT);
    String grpc = grpcCode(e);
    String where = "Milvus " + op + (collection == null ? "" : " on collection '" + collection + "'") + " failed: ";
    if (e instanceof MilvusClientException m) {
      int code = m.getServerErrCode();
      if (collection != null && (code == 100 || lower.contains("collection") && (lower.contains("not exist")
          || lower.contains("not found")))) {
        return new CollectionNotFoundException(collection, e);
      }
      if (m.getErrorCode() == ErrorCode.TIMEOUT) {
        return new DeadlineExceededException(where + msg, e);
      }
      if (code == 8 || lower.contains("rate limit")) {
        return new RateLimitedException(where + msg, null, e);
      }
      if (m.getErrorCode() == ErrorCode.SERVER_ERROR && (code == 2 || lower.contains("not ready")
          || lower.contains("service unavailable"))) {
        return new UnavailableException(where + msg, e);
      }
      if (m.getErrorCode() == ErrorCode.INVALID_PARAMS) {
        return new InvalidArgumentException(where + msg, e);
      }
      if (m.getErrorCode() == ErrorCode.CLIENT_ERROR && lower.contains("unknown enum value")) {
        return new BackendException(where + "the server rejected the request with a status the Java SDK cannot"
            + " decode (Milvus Lite reports IllegalArgument as legacy code 6; its reason is only in the SDK's"
            + " ERROR log line)", e);
      }
    }
    if (grpc != null) {
      switch (grpc) {
        case "DEADLINE_EXCEEDED" -> {
          return new DeadlineExceededException(where + "deadline exceeded (" + msg + ")", e);
        }
        case "UNAVAILABLE", "ABORTED" -> {
          return new UnavailableException(where + msg, e);
        }
        case "UNAUTHENTICATED", "PERMISSION_DENIED" -> {
          return new AuthenticationException(where + "authentication failed (" + grpc + ")", e);
        }
        case "RESOURCE_EXHAUSTED" -> {
          if (lower.contains("larger than max")) {
            return new BackendException(where + "message larger than the server accepts: " + msg, e);
          }
          return new RateLimitedException(where + msg, null, e);
        }
        default -> {
          // fall through to the generic cases
        }
      }
    }
    if (lower.contains("auth") && (lower.contains("fail") || lower.contains("denied") || lower.contains("invalid token"))) {
      return new AuthenticationException(where + "authentication failed", e);
    }
    return new BackendException(where + msg, e);
  }

  /** The gRPC status code name found in the cause chain (shaded or not), or {@code null}. */
  static String grpcCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getClass().getName().endsWith("StatusRuntimeException") || t.getClass().getName().endsWith("StatusException")) {
        String m = String.valueOf(t.getMessage());
        int colon = m.indexOf(':');
        return colon > 0 ? m.substring(0, colon).trim() : m.trim();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    String m = String.valueOf(e.getMessage());
    for (String code : new String[] {"DEADLINE_EXCEEDED", "UNAVAILABLE", "UNAUTHENTICATED", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED"}) {
      if (m.contains(code)) {
        return code;
      }
    }
    return null;
  }
}
