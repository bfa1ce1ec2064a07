package dev.quiver.local.internal.kernel;

/**
 * Plain-Java kernels. Four independent accumulators break the loop-carried dependency of a single
 * float sum: C2 does not reorder float additions on its own (that would change results), so
 * without this the loop runs at one add per cycle latency; with it the JIT unrolls and pipelines.
 */
final class ScalarKernel implements VectorKernel {

  /** The single instance. */
  static final ScalarKernel INSTANCE = new ScalarKernel();

  private ScalarKernel() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] a, float[] b) {
    int n = a.length;
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (int bound = n & ~3; i < bound; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float squaredL2(float[] a, float[] b) {
    int n = a.length;
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (int bound = n & ~3; i < bound; i += 4) {
      float d0 = a[i] - b[i];
      float d1 = a[i + 1] - b[i + 1];
      float d2 = a[i + 2] - b[i + 2];
      float d3 = a[i + 3] - b[i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < n; i++) {
      float d = a[i] - b[i];
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }
}
