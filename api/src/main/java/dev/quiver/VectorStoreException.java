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
    super(bound(message), cause);
  }

  /** Longest message an exception carries; a longer one (say, echoing a 10 MB input) is cut with a note. */
  public static final int MAX_MESSAGE_LENGTH = 2_000;

  private static String bound(String message) {
    if (message == null || message.length() <= MAX_MESSAGE_LENGTH) {
      return message;
    }
    int cut = MAX_MESSAGE_LENGTH;
    if (Character.isHighSurrogate(message.charAt(cut - 1))) {
      cut--;
    }
    return message.substring(0, cut) + "... (" + (message.length() - cut) + " more characters)";
  }

  /** @return {@code true} when retrying the same call may succeed */
  public abstract boolean isTransient();
}
