package dev.quiver;

/** An error that retrying the same call will not fix: bad input, missing resources, unsupported features. */
public abstract class NonTransientVectorStoreException extends VectorStoreException {

  /**
   * @param message what went wrong
   * @param cause the underlying error, or {@code null}
   */
  protected NonTransientVectorStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isTransient() {
    return false;
  }
}
