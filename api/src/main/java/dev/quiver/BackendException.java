package dev.quiver;

/** A non-transient error from a backend that fits no more specific type. The vendor error is the cause. */
public final class BackendException extends NonTransientVectorStoreException {

  /**
   * @param message what the backend said
   * @param cause the vendor error, or {@code null}
   */
  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
