package dev.quiver.local.internal.kernel;

/** Plain-Java {@link CodeKernel}: one accumulator per entry of a block, so the JIT can pipeline the loads. */
final class ScalarCodeKernel implements CodeKernel {

  /** The single instance. */
  static final ScalarCodeKernel INSTANCE = new ScalarCodeKernel();

  private ScalarCodeKernel() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void sumBlocks(byte[] codes, int firstBlock, int blocks, int m, float[] table, int ksub, float[] out) {
    float[] acc = new float[BLOCK];
    for (int b = 0; b < blocks; b++) {
      java.util.Arrays.fill(acc, 0f);
      int base = (firstBlock + b) * m * BLOCK;
      for (int j = 0; j < m; j++) {
        int t = j * ksub;
        int o = base + j * BLOCK;
        for (int e = 0; e < BLOCK; e++) {
          acc[e] += table[t + (codes[o + e] & 0xFF)];
        }
      }
      System.arraycopy(acc, 0, out, b * BLOCK, BLOCK);
    }
  }

  @Override
  public float dotAt(float[] q, float[] data, int off) {
    int n = q.length;
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (int bound = n & ~3; i < bound; i += 4) {
      s0 += q[i] * data[off + i];
      s1 += q[i + 1] * data[off + i + 1];
      s2 += q[i + 2] * data[off + i + 2];
      s3 += q[i + 3] * data[off + i + 3];
    }
    for (; i < n; i++) {
      s0 += q[i] * data[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float squaredL2At(float[] q, float[] data, int off) {
    int n = q.length;
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (int bound = n & ~3; i < bound; i += 4) {
      float d0 = q[i] - data[off + i];
      float d1 = q[i + 1] - data[off + i + 1];
      float d2 = q[i + 2] - data[off + i + 2];
      float d3 = q[i + 3] - data[off + i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < n; i++) {
      float d = q[i] - data[off + i];
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }
}
