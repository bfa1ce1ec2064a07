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
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }
}
