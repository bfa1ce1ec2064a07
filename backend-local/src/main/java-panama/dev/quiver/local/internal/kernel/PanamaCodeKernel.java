package dev.quiver.local.internal.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CodeKernel} on the incubating Vector API, loaded by name by {@link Kernels} only when the
 * module is present. The scan loads the codes of {@code L} entries of one subspace (L = float lanes
 * of the preferred shape: 16 with AVX-512, 8 with AVX2), widens them to ints, and gathers their
 * table values in one instruction; a block of 16 entries takes {@code 16 / L} such passes. Shapes
 * whose lane count does not divide 16 use the scalar loop.
 */
final class PanamaCodeKernel implements CodeKernel {

  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = FLOATS.length();
  private static final boolean GATHER = LANES >= 4 && BLOCK % LANES == 0;
  private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
  private static final VectorSpecies<Byte> BYTES = GATHER
      ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : ByteVector.SPECIES_64;

  /** No-argument: created reflectively by {@link Kernels}. */
  PanamaCodeKernel() {}

  @Override
  public String name() {
    return "panama-" + FLOATS.vectorBitSize();
  }

  @Override
  public void sumBlocks(byte[] codes, int firstBlock, int blocks, int m, float[] table, int ksub, float[] out) {
    if (!GATHER) {
      ScalarCodeKernel.INSTANCE.sumBlocks(codes, firstBlock, blocks, m, table, ksub, out);
      return;
    }
    int[] index = new int[LANES];
    for (int b = 0; b < blocks; b++) {
      int base = (firstBlock + b) * m * BLOCK;
      for (int h = 0; h < BLOCK; h += LANES) {
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int j = 0; j < m; j++) {
          ByteVector c = ByteVector.fromArray(BYTES, codes, base + j * BLOCK + h);
          IntVector i = ((IntVector) c.convertShape(VectorOperators.B2I, INTS, 0)).and(0xFF);
          i.intoArray(index, 0);
          acc = acc.add(FloatVector.fromArray(FLOATS, table, j * ksub, index, 0));
        }
        acc.intoArray(out, b * BLOCK + h);
      }
    }
  }

  @Override
  public float dotAt(float[] q, float[] data, int off) {
    int n = q.length;
    int i = 0;
    int bound = FLOATS.loopBound(n);
    FloatVector acc = FloatVector.zero(FLOATS);
    for (; i < bound; i += LANES) {
      acc = FloatVector.fromArray(FLOATS, q, i).mul(FloatVector.fromArray(FLOATS, data, off + i)).add(acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += q[i] * data[off + i];
    }
    return sum;
  }

  @Override
  public float squaredL2At(float[] q, float[] data, int off) {
    int n = q.length;
    int i = 0;
    int bound = FLOATS.loopBound(n);
    FloatVector acc = FloatVector.zero(FLOATS);
    for (; i < bound; i += LANES) {
      FloatVector d = FloatVector.fromArray(FLOATS, q, i).sub(FloatVector.fromArray(FLOATS, data, off + i));
      acc = d.mul(d).add(acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float d = q[i] - data[off + i];
      sum += d * d;
    }
    return sum;
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    int i = 0;
    int bound = FLOATS.loopBound(n);
    FloatVector va = FloatVector.broadcast(FLOATS, a);
    for (; i < bound; i += LANES) {
      FloatVector vy = FloatVector.fromArray(FLOATS, y, yOff + i);
      vy.add(FloatVector.fromArray(FLOATS, x, xOff + i).mul(va)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }
}
