package dev.quiver.milvus.internal;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.DeadlineExceededException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.RateLimitedException;
import dev.quiver.Secret;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import dev.quiver.spi.RemoteCalls;
import io.milvus.shaded.io.grpc.Status;
import io.milvus.shaded.io.grpc.StatusException;
import io.milvus.shaded.io.grpc.StatusRuntimeException;
import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import java.util.Locale;
import java.util.Set;

/**
 * The Milvus backend's {@link RemoteCalls.ErrorMapper}: SDK and gRPC failures to Quiver's exception
 * tree, keeping the cause. This is where "which failures are transient" is decided for Milvus
 * (docs/resilience.md has the table).
 *
 * <ul>
 *   <li>gRPC {@code DEADLINE_EXCEEDED}, SDK {@code TIMEOUT}: {@link DeadlineExceededException} (transient);</li>
 *   <li>gRPC {@code UNAVAILABLE}, {@code ABORTED}, {@code CANCELLED}, a transport closed under the call
 *       ({@code UNKNOWN: channel closed}, connection reset); server codes 1, 2, 12, 103, 106
 *       ("service not ready / unavailable", "resource insufficient", "collection not fully loaded /
 *       on recovering"): {@link UnavailableException} (transient);</li>
 *   <li>server codes 4, 8 ("request limit", "rate limit"), gRPC {@code RESOURCE_EXHAUSTED} (except
 *       oversize messages): {@link RateLimitedException} (transient);</li>
 *   <li>server code 100 or "collection ... does not exist / not found": {@link CollectionNotFoundException};</li>
 *   <li>gRPC {@code UNAUTHENTICATED} / {@code PERMISSION_DENIED}, server codes 1400/1401, "auth ... failed":
 *       {@link AuthenticationException};</li>
 *   <li>SDK {@code INVALID_PARAMS}: {@link InvalidArgumentException};</li>
 *   <li>anything else: {@link BackendException} (non-transient).</li>
 * </ul>
 * Milvus Lite 3.2.2 answers some refusals (a malformed expression, a query on a released collection)
 * with a legacy status code the Java SDK cannot decode ({@code CLIENT_ERROR "Can't get the number of
 * an unknown enum value"}); that becomes a {@link BackendException} saying so, and
 * {@link #mayMeanNotLoaded} lets the collection check whether it was the load state.
 */
public final class Errors {

  /** Server codes (Milvus {@code merr}) that mean "try again": the service is starting, busy or recovering. */
  private static final Set<Integer> UNAVAILABLE_CODES = Set.of(1, 2, 12, 103, 106);
  /** Server codes of rate limiting. */
  private static final Set<Integer> RATE_LIMIT_CODES = Set.of(4, 8);
  /** Server codes of refused credentials or privileges. */
  private static final Set<Integer> AUTH_CODES = Set.of(1400, 1401);
  /** Server code "collection not loaded". */
  private static final int NOT_LOADED = 101;

  private Errors() {}

  /**
   * @param e a failure from the SDK, from gRPC or from our own code
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
    String where = "Milvus " + op + (collection == null ? "" : " on collection '" + collection + "'") + " failed: ";
    Throwable cause = keepable(e);
    if (e instanceof MilvusClientException m) {
      VectorStoreException mapped = fromSdk(m, lower, where + msg, collection, cause);
      if (mapped != null) {
        return mapped;
      }
    }
    Status.Code grpc = grpcCode(e);
    if (grpc != null) {
      switch (grpc) {
        case DEADLINE_EXCEEDED:
          return new DeadlineExceededException(where + "deadline exceeded (" + msg + ")", cause);
        case UNAVAILABLE:
        case ABORTED:
        case CANCELLED:
          return new UnavailableException(where + msg, cause);
        case UNAUTHENTICATED:
        case PERMISSION_DENIED:
          return new AuthenticationException(where + "authentication failed (" + grpc + ")", cause);
        case RESOURCE_EXHAUSTED:
          if (lower.contains("larger than max")) {
            return new BackendException(where + "message larger than the server accepts: " + msg, cause);
          }
          return new RateLimitedException(where + msg, null, cause);
        default:
          break;
      }
    }
    if (lower.contains("auth") && (lower.contains("fail") || lower.contains("denied") || lower.contains("invalid token"))) {
      return new AuthenticationException(where + "authentication failed", cause);
    }
    if (lower.contains("not ready") || lower.contains("service unavailable") || isConnectionLoss(lower)) {
      return new UnavailableException(where + msg, cause);
    }
    return new BackendException(where + msg, cause);
  }

  /**
   * A transport that closed under a call: gRPC reports it as UNKNOWN ("channel closed") when the
   * server goes away mid-call, which is as transient as UNAVAILABLE.
   */
  private static boolean isConnectionLoss(String lower) {
    return lower.contains("channel closed") || lower.contains("connection reset") || lower.contains("broken pipe")
        || lower.contains("connection refused") || lower.contains("connection closed");
  }

  /** The mapping of an SDK exception, or {@code null} to decide by its gRPC status. */
  private static VectorStoreException fromSdk(MilvusClientException m, String lower, String message,
      String collection, Throwable cause) {
    int code = m.getServerErrCode();
    if (m.getErrorCode() == ErrorCode.SERVER_ERROR) {
      if (collection != null && (code == 100 || lower.contains("collection") && (lower.contains("not exist")
          || lower.contains("not found")))) {
        return new CollectionNotFoundException(collection, cause);
      }
      if (RATE_LIMIT_CODES.contains(code) || lower.contains("rate limit")) {
        return new RateLimitedException(message, null, cause);
      }
      if (UNAVAILABLE_CODES.contains(code)) {
        return new UnavailableException(message, cause);
      }
      if (AUTH_CODES.contains(code)) {
        return new AuthenticationException(message, cause);
      }
    }
    if (m.getErrorCode() == ErrorCode.TIMEOUT) {
      return new DeadlineExceededException(message, cause);
    }
    if (m.getErrorCode() == ErrorCode.INVALID_PARAMS) {
      return new InvalidArgumentException(message, cause);
    }
    if (m.getErrorCode() == ErrorCode.CLIENT_ERROR && lower.contains("unknown enum value")) {
      return new BackendException(message + " (the server refused the request with a status the Java SDK cannot"
          + " decode: Milvus Lite reports IllegalArgument as legacy code 6; its reason is only in the SDK's ERROR"
          + " log line)", cause);
    }
    return null;
  }

  /**
   * The vendor exception to keep as the cause, or a stand-in for it. The boundary's secret scrubbing
   * (api {@code AbstractVectorStore}, as of 85a4fa7) fails with a NullPointerException on a cause
   * chain holding an exception without a message, and gRPC's connection errors often carry Netty's
   * message-less {@code ClosedChannelException}; such a chain is copied with each type's name in
   * front of its message (stack traces kept). Drop this once the api handles a missing message.
   *
   * @param e a vendor exception
   * @return {@code e}, or a copy of its chain in which every exception has a message
   */
  static Throwable keepable(Throwable e) {
    return hasMessagelessLink(e, 0) ? copy(e, 0) : e;
  }

  private static boolean hasMessagelessLink(Throwable t, int depth) {
    if (t == null || depth > 32) {
      return false;
    }
    if (t.getMessage() == null) {
      return true;
    }
    for (Throwable s : t.getSuppressed()) {
      if (hasMessagelessLink(s, depth + 1)) {
        return true;
      }
    }
    return hasMessagelessLink(t.getCause() == t ? null : t.getCause(), depth + 1);
  }

  private static Throwable copy(Throwable t, int depth) {
    if (t == null || depth > 32) {
      return null;
    }
    RuntimeException c = new RuntimeException(t.getClass().getName()
        + (t.getMessage() == null ? "" : ": " + t.getMessage()), copy(t.getCause() == t ? null : t.getCause(), depth + 1));
    c.setStackTrace(t.getStackTrace());
    return c;
  }

  /** @return the gRPC status code in the cause chain (the SDK's shaded gRPC), or {@code null} */
  static Status.Code grpcCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        return s.getStatus().getCode();
      }
      if (t instanceof StatusException s) {
        return s.getStatus().getCode();
      }
    }
    return null;
  }

  /**
   * Whether a failure may mean the collection is not loaded (released): real Milvus's code 101, or
   * Milvus Lite's undecodable refusal, which is what Lite answers a get, list or search on a released
   * collection, for example after a restart. The caller checks the load state before acting on it.
   *
   * @param e a mapped failure
   * @return whether to check the load state
   */
  public static boolean mayMeanNotLoaded(VectorStoreException e) {
    if (e.isTransient()) {
      return false;
    }
    int code = e.getCause() instanceof MilvusClientException m ? m.getServerErrCode() : 0;
    String lower = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT); // holds the SDK's message
    return code == NOT_LOADED || lower.contains("not loaded") || lower.contains("released")
        || lower.contains("unknown enum value");
  }

  /**
   * Whether a failure may have left the connection broken (a dead or restarted server, a reset, a
   * connection that swallows requests), so the next attempt should connect afresh.
   *
   * @param e a mapped failure
   * @return whether to discard the client
   */
  public static boolean mayHaveBrokenTheConnection(VectorStoreException e) {
    return e instanceof UnavailableException || e instanceof DeadlineExceededException;
  }

  /**
   * Opening a store connects before the store exists, so outside the boundary that scrubs its
   * secrets from messages; this is the same guarantee for that path. An exception whose message, or
   * whose causes' messages, contain the token is replaced by one of the same kind (authentication,
   * transient, other) with the token shown as {@code ***} and without the vendor cause.
   *
   * @param e what opening threw
   * @param token the store's token, or {@code null}
   * @return {@code e}, or a copy that does not carry the token
   */
  public static RuntimeException withoutSecret(RuntimeException e, Secret token) {
    if (token == null || !mentions(e, token.reveal())) {
      return e;
    }
    String message = String.valueOf(e.getMessage()).replace(token.reveal(), "***");
    if (e instanceof AuthenticationException) {
      return new AuthenticationException(message, null);
    }
    if (e instanceof VectorStoreException v && v.isTransient()) {
      return new UnavailableException(message, null);
    }
    return new BackendException(message, null);
  }

  private static boolean mentions(Throwable e, String secret) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (String.valueOf(t.getMessage()).contains(secret)) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (mentions(s, secret)) {
          return true;
        }
      }
    }
    return false;
  }
}
