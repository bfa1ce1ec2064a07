package dev.quiver.local.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The kernels against double-precision references and against each other. Surefire runs this class
 * twice: without the Vector API module (Panama cases skipped, scalar checked) and in the
 * {@code panama-kernel-tests} execution with {@code --add-modules jdk.incubator.vector}.
 */
class DistanceKernelTest {

  private static final int[] DIMS = {1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 64, 100, 384, 1001};

  @Test
  void reportsTheActiveKernel() {
    System.out.println("active distance kernel: " + Kernels.active().name());
    boolean moduleLoaded = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    assertEquals(moduleLoaded && !"scalar".equals(System.getProperty("quiver.kernel")),
        Kernels.active().name().startsWith("panama"));
  }

  @Test
  void scalarMatchesDoublePrecision() {
    check(Kernels.scalar());
  }

  @Test
  void panamaMatchesDoublePrecision() {
    VectorKernel panama = Kernels.panamaOrNull();
    assumeTrue(panama != null, "jdk.incubator.vector not in the boot layer (run with --add-modules)");
    check(panama);
  }

  @Test
  void panamaAndScalarRankIdentically() {
    VectorKernel panama = Kernels.panamaOrNull();
    assumeTrue(panama != null, "jdk.incubator.vector not in the boot layer (run with --add-modules)");
    assertNotNull(Kernels.scalar());
    Random rnd = new Random(5);
    for (int dim : new int[] {17, 128}) {
      float[][] data = new float[2_000][];
      for (int i = 0; i < data.length; i++) {
        data[i] = random(rnd, dim);
      }
      for (int q = 0; q < 20; q++) {
        float[] query = random(rnd, dim);
        assertArrayEquals(top(Kernels.scalar(), data, query, true), top(panama, data, query, true));
        assertArrayEquals(top(Kernels.scalar(), data, query, false), top(panama, data, query, false));
      }
    }
  }

  private static int[] top(VectorKernel k, float[][] data, float[] q, boolean l2) {
    return IntStream.range(0, data.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> l2 ? k.squaredL2(q, data[i]) : -k.dot(q, data[i]))
            .thenComparing(i -> i))
        .limit(10).mapToInt(Integer::intValue).toArray();
  }

  private static void check(VectorKernel k) {
    Random rnd = new Random(1);
    for (int dim : DIMS) {
      for (int rep = 0; rep < 20; rep++) {
        float[] a = random(rnd, dim);
        float[] b = random(rnd, dim);
        double dot = 0;
        double l2 = 0;
        double scale = 0;
        for (int i = 0; i < dim; i++) {
          dot += (double) a[i] * b[i];
          double d = (double) a[i] - b[i];
          l2 += d * d;
          scale += Math.abs((double) a[i] * b[i]) + d * d;
        }
        // float accumulation: error grows with the dimension and the magnitude of the terms
        double tolerance = 1e-6 * dim * (scale + 1);
        assertEquals(dot, k.dot(a, b), tolerance, k.name() + " dot, dim " + dim);
        assertEquals(l2, k.squaredL2(a, b), tolerance, k.name() + " squaredL2, dim " + dim);
      }
    }
    assertEquals(0f, k.squaredL2(new float[] {1, 2, 3}, new float[] {1, 2, 3}));
    assertEquals(14f, k.dot(new float[] {1, 2, 3}, new float[] {1, 2, 3}));
    assertEquals(Arrays.toString(new float[0]), "[]");
  }

  private static float[] random(Random rnd, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }
}
