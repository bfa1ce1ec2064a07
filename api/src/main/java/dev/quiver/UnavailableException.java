package dev.quiver;

/** The backend could not be reached or refused service for now (connection refused, HTTP 5xx, gRPC UNAVAILABLE). */
public final class UnavailableException extends TransientVectorStoreException {

  /**
   * @param message what could not be reached
   * @param cause the underlying error, or {@code null}
   */
  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
