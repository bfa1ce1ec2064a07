package dev.quiver;

/** The call did not finish within its deadline. Whether it took effect is unknown; idempotent calls may be retried. */
public final class DeadlineExceededException extends TransientVectorStoreException {

  /**
   * @param message which call timed out and after how long
   * @param cause the underlying error, or {@code null}
   */
  public DeadlineExceededException(String message, Throwable cause) {
    super(message, cause);
  }
}
