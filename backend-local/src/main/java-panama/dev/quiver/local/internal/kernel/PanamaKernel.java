package dev.quiver.local.internal.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API. Compiled in its own javac execution with
 * {@code --add-modules jdk.incubator.vector} and loaded only by {@link Kernels} after it checked
 * that the module is present. Uses multiply-then-add, not {@code fma}: a fused multiply-add is
 * emulated (very slowly) on CPUs without FMA units.
 */
final class PanamaKernel implements VectorKernel {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /** No-argument: created reflectively by {@link Kernels} (same package, so package-private suffices). */
  PanamaKernel() {}

  @Override
  public String name() {
    return "panama-" + SPECIES.vectorBitSize();
  }

  @Override
  public float dot(float[] a, float[] b) {
    int n = a.length;
    int i = 0;
    int bound = SPECIES.loopBound(n);
    FloatVector acc = FloatVector.zero(SPECIES);
    for (; i < bound; i += SPECIES.length()) {
      FloatVector va = FloatVector.fromArray(SPECIES, a, i);
      FloatVector vb = FloatVector.fromArray(SPECIES, b, i);
      acc = va.mul(vb).add(acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Override
  public float squaredL2(float[] a, float[] b) {
    int n = a.length;
    int i = 0;
    int bound = SPECIES.loopBound(n);
    FloatVector acc = FloatVector.zero(SPECIES);
    for (; i < bound; i += SPECIES.length()) {
      FloatVector d = FloatVector.fromArray(SPECIES, a, i).sub(FloatVector.fromArray(SPECIES, b, i));
      acc = d.mul(d).add(acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float d = a[i] - b[i];
      sum += d * d;
    }
    return sum;
  }
}
