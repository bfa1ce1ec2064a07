package dev.quiver;

/** An error that may go away on retry: the backend was unavailable, throttled or too slow. */
public abstract class TransientVectorStoreException extends VectorStoreException {

  /**
   * @param message what went wrong
   * @param cause the underlying error, or {@code null}
   */
  protected TransientVectorStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isTransient() {
    return true;
  }
}
