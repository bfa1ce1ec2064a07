package dev.quiver;

/**
 * Root of every error Quiver throws. Unchecked, and split in two as R2DBC does:
 * {@link TransientVectorStoreException} (the same call may succeed if retried) and
 * {@link NonTransientVectorStoreException} (it will fail again until something changes).
 * Vendor exceptions are wrapped with the original kept as the {@linkplain #getCause() cause}.
 */
public abstract class VectorStoreException extends RuntimeException {

  /**
   * @param message what went wrong, naming the offending input or resource
   * @param cause the underlying error, or {@code null}
   */
  protected VectorStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** @return {@code true} when retrying the same call may succeed */
  public abstract boolean isTransient();
}
