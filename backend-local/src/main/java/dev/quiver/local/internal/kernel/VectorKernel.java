package dev.quiver.local.internal.kernel;

/**
 * Float distance primitives used while traversing an index. They accumulate in float (fast, and
 * vectorisable); final scores are always recomputed in double with the reference formulas of
 * {@link dev.quiver.Metric}, so the order of float additions never changes a reported score.
 */
public interface VectorKernel {

  /** @return a short name for reports and benchmarks, for example {@code "scalar"} or {@code "panama-256"} */
  String name();

  /**
   * @param a a vector
   * @param b a vector of the same length
   * @return the inner product
   */
  float dot(float[] a, float[] b);

  /**
   * @param a a vector
   * @param b a vector of the same length
   * @return the squared Euclidean distance
   */
  float squaredL2(float[] a, float[] b);
}
