package dev.quiver;

/**
 * A filter could not be parsed or built. For text filters {@link #position()} is the 0-based
 * character offset of the problem; it is -1 for filters built with the {@link Filter} builder.
 */
public final class InvalidFilterException extends InvalidArgumentException {

  private final int position;

  /**
   * @param message what is wrong
   * @param position 0-based offset in the filter text, or -1
   */
  public InvalidFilterException(String message, int position) {
    super(position >= 0 ? message + " at position " + position : message);
    this.position = position;
  }

  /** @return 0-based offset in the filter text where the problem is, or -1 when not parsing text */
  public int position() {
    return position;
  }
}
