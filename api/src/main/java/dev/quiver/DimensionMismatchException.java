package dev.quiver;

/** A vector's length differs from its collection's dimension. */
public final class DimensionMismatchException extends NonTransientVectorStoreException {

  private final String what;
  private final int expected;
  private final int actual;

  /**
   * @param what which vector was wrong (for example {@code "record 'doc-1'"} or {@code "query vector"})
   * @param expected the collection's dimension
   * @param actual the vector's length
   */
  public DimensionMismatchException(String what, int expected, int actual) {
    this(what, expected, actual, null);
  }

  /**
   * @param what which vector was wrong
   * @param expected the collection's dimension
   * @param actual the vector's length
   * @param cause the vendor error, or {@code null}
   */
  public DimensionMismatchException(String what, int expected, int actual, Throwable cause) {
    super(what + " has dimension " + actual + ", but the collection's dimension is " + expected, cause);
    this.what = what;
    this.expected = expected;
    this.actual = actual;
  }

  /** @return the collection's dimension */
  /** @return which vector was wrong, as given to the constructor */
  public String what() {
    return what;
  }

  /** @return the collection's dimension */
  public int expected() {
    return expected;
  }

  /** @return the offending vector's length */
  public int actual() {
    return actual;
  }
}
