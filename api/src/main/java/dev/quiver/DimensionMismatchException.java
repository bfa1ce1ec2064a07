package dev.quiver;

/** A vector's length differs from its collection's dimension. */
public final class DimensionMismatchException extends NonTransientVectorStoreException {

  private final int expected;
  private final int actual;

  /**
   * @param what which vector was wrong (for example {@code "record 'doc-1'"} or {@code "query vector"})
   * @param expected the collection's dimension
   * @param actual the vector's length
   */
  public DimensionMismatchException(String what, int expected, int actual) {
    super(what + " has dimension " + actual + ", but the collection's dimension is " + expected, null);
    this.expected = expected;
    this.actual = actual;
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
