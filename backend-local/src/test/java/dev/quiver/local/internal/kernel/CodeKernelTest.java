package dev.quiver.local.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The product-quantisation kernels against a direct reference, and against each other: the Panama scan
 * adds the same values in the same order per entry, so both must agree to the bit. Surefire runs this
 * class with and without the Vector API module (the {@code panama-kernel-tests} execution).
 */
class CodeKernelTest {

  @Test
  void reportsTheActiveKernel() {
    System.out.println("active PQ kernel: " + Kernels.codes().name());
    assertEquals(Kernels.active().name().startsWith("panama"), Kernels.codes().name().startsWith("panama"));
  }

  @Test
  void scalarMatchesTheReference() {
    check(Kernels.scalarCodes());
  }

  @Test
  void panamaMatchesTheReferenceAndScalarBitForBit() {
    CodeKernel panama = Kernels.panamaCodesOrNull();
    assumeTrue(panama != null, "jdk.incubator.vector not in the boot layer (run with --add-modules)");
    check(panama);
    Random rnd = new Random(9);
    for (int m : new int[] {1, 3, 8, 48}) {
      for (int ksub : new int[] {2, 16, 256}) {
        int blocks = 7;
        byte[] codes = codes(rnd, blocks, m, ksub);
        float[] table = table(rnd, m, ksub);
        float[] a = new float[blocks * CodeKernel.BLOCK];
        float[] b = new float[blocks * CodeKernel.BLOCK];
        Kernels.scalarCodes().sumBlocks(codes, 1, blocks - 1, m, table, ksub, a);
        panama.sumBlocks(codes, 1, blocks - 1, m, table, ksub, b);
        assertArrayEquals(a, b, "m " + m + ", ksub " + ksub);
        float[] ya = table.clone();
        float[] yb = table.clone();
        Kernels.scalarCodes().axpy(-1.5f, table, 3, ya, 1, table.length - 5);
        panama.axpy(-1.5f, table, 3, yb, 1, table.length - 5);
        assertArrayEquals(ya, yb);
      }
    }
  }

  private static void check(CodeKernel k) {
    Random rnd = new Random(4);
    for (int m : new int[] {1, 2, 5, 16, 48}) {
      for (int ksub : new int[] {2, 16, 256}) {
        int blocks = 5;
        byte[] codes = codes(rnd, blocks, m, ksub);
        float[] table = table(rnd, m, ksub);
        float[] out = new float[3 * CodeKernel.BLOCK];
        k.sumBlocks(codes, 2, 3, m, table, ksub, out);
        for (int b = 2; b < 5; b++) {
          for (int e = 0; e < CodeKernel.BLOCK; e++) {
            double want = 0;
            for (int j = 0; j < m; j++) {
              want += table[j * ksub + (codes[(b * m + j) * CodeKernel.BLOCK + e] & 0xFF)];
            }
            assertEquals(want, out[(b - 2) * CodeKernel.BLOCK + e], 1e-4 * m, k.name() + " m " + m + " ksub " + ksub);
          }
        }
      }
    }
    for (int n : new int[] {0, 1, 7, 16, 33, 256}) {
      float[] x = new float[n + 4];
      float[] y = new float[n + 4];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rnd.nextGaussian();
        y[i] = (float) rnd.nextGaussian();
      }
      float[] want = y.clone();
      for (int i = 0; i < n; i++) {
        want[2 + i] += 0.75f * x[1 + i];
      }
      k.axpy(0.75f, x, 1, y, 2, n);
      assertArrayEquals(want, y, k.name() + " axpy n " + n);
    }
  }

  @Test
  void vectorsInAListArrayMatchTheDistanceKernels() {
    Random rnd = new Random(6);
    for (CodeKernel k : new CodeKernel[] {Kernels.scalarCodes(), Kernels.panamaCodesOrNull()}) {
      if (k == null) {
        continue;
      }
      for (int dim : new int[] {1, 3, 8, 17, 64, 384}) {
        float[] q = new float[dim];
        float[] data = new float[dim * 5 + 3];
        for (int i = 0; i < dim; i++) {
          q[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) rnd.nextGaussian();
        }
        for (int v = 0; v < 5; v++) {
          float[] x = java.util.Arrays.copyOfRange(data, 3 + v * dim, 3 + (v + 1) * dim);
          double dot = 0;
          double l2 = 0;
          for (int i = 0; i < dim; i++) {
            dot += (double) q[i] * x[i];
            l2 += ((double) q[i] - x[i]) * ((double) q[i] - x[i]);
          }
          assertEquals(dot, k.dotAt(q, data, 3 + v * dim), 1e-4 * dim, k.name() + " dotAt, dim " + dim);
          assertEquals(l2, k.squaredL2At(q, data, 3 + v * dim), 1e-4 * dim, k.name() + " squaredL2At, dim " + dim);
        }
      }
    }
  }

  private static byte[] codes(Random rnd, int blocks, int m, int ksub) {
    byte[] codes = new byte[blocks * m * CodeKernel.BLOCK];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (byte) rnd.nextInt(ksub);
    }
    return codes;
  }

  private static float[] table(Random rnd, int m, int ksub) {
    float[] t = new float[m * ksub];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) rnd.nextGaussian();
    }
    return t;
  }
}
