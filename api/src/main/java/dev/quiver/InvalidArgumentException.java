package dev.quiver;

/** An argument broke a rule of the API (an empty id, a NaN in a vector, top-k of zero, a bad name...). */
public class InvalidArgumentException extends NonTransientVectorStoreException {

  /** @param message which argument was wrong and why */
  public InvalidArgumentException(String message) {
    super(message, null);
  }

  /**
   * @param message which argument was wrong and why
   * @param cause the vendor error, or {@code null}
   */
  public InvalidArgumentException(String message, Throwable cause) {
    super(message, cause);
  }
}
