package dev.quiver.local.internal.ivf;

import dev.quiver.local.internal.kernel.CodeKernel;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.util.stream.IntStream;

/**
 * A product quantiser (Jégou, Douze &amp; Schmid, "Product quantization for nearest neighbor search",
 * 2011): the vector is cut into {@code m} subspaces of {@code dsub = d/m} dimensions, and each part is
 * replaced by the index of its nearest codeword among {@code ksub = 2^bits} learnt for that subspace.
 * Immutable once trained.
 *
 * <p>Codes are stored as <em>planes</em> of one byte: one plane per subspace when {@code bits ≤ 8},
 * two (low byte, then high byte) when {@code bits > 8}.
 *
 * <p><b>Asymmetric distance.</b> The query stays exact: {@link #table} computes, for every subspace
 * and codeword, the inner product of the query's part with the codeword (times a factor), so the
 * inner product of the query with any encoded vector is a sum of {@code m} table entries. The table
 * is built from a subspace-major transposed copy of the codebook with {@code d} {@code axpy} steps of
 * length {@code ksub}, which the Vector API kernel runs in SIMD.
 */
final class PqCodebook {

  final int m;
  final int dsub;
  final int bits;
  final int ksub;
  /** Code planes per entry: {@code m} for bits ≤ 8, {@code 2m} otherwise. */
  final int planes;
  /** Codeword {@code k} of subspace {@code j} at {@code [(j·ksub + k)·dsub, +dsub)}. */
  final float[] codebook;
  /** The same values as {@code [(j·dsub + t)·ksub + k]}, for {@link #table}. */
  private final float[] transposed;

  PqCodebook(int m, int dsub, int bits, float[] codebook) {
    this.m = m;
    this.dsub = dsub;
    this.bits = bits;
    this.ksub = 1 << bits;
    this.planes = bits <= 8 ? m : 2 * m;
    if (codebook.length != m * ksub * dsub) {
      throw new IllegalArgumentException("codebook has " + codebook.length + " values, expected " + m * ksub * dsub);
    }
    this.codebook = codebook;
    this.transposed = new float[codebook.length];
    for (int j = 0; j < m; j++) {
      for (int k = 0; k < ksub; k++) {
        for (int t = 0; t < dsub; t++) {
          transposed[(j * dsub + t) * ksub + k] = codebook[(j * ksub + k) * dsub + t];
        }
      }
    }
  }

  /**
   * Trains one k-means per subspace on the given residuals, the subspaces in parallel.
   *
   * @param residuals training vectors (n × d)
   * @param m subspaces
   * @param bits bits per code
   * @param iterations k-means iterations
   * @param seed the seed (subspace j uses seed + j)
   * @param kernel distances
   * @return the trained quantiser
   */
  static PqCodebook train(float[][] residuals, int m, int bits, int iterations, long seed, VectorKernel kernel) {
    int d = residuals[0].length;
    int dsub = d / m;
    int ksub = 1 << bits;
    float[] book = new float[m * ksub * dsub];
    IntStream.range(0, m).parallel().forEach(j -> {
      float[][] sub = new float[residuals.length][dsub];
      for (int i = 0; i < residuals.length; i++) {
        System.arraycopy(residuals[i], j * dsub, sub[i], 0, dsub);
      }
      float[][] c = KMeans.train(sub, ksub, iterations, seed + j, kernel, false);
      for (int k = 0; k < ksub; k++) {
        System.arraycopy(c[k], 0, book, (j * ksub + k) * dsub, dsub);
      }
    });
    return new PqCodebook(m, dsub, bits, book);
  }

  /**
   * Encodes a residual.
   *
   * @param r the residual (d values)
   * @param planes receives {@link #planes} bytes
   * @param decoded receives the reconstructed residual (d values)
   * @return the squared quantisation error {@code ||r - decoded||²}
   */
  double encode(float[] r, byte[] planes, float[] decoded) {
    double error = 0;
    for (int j = 0; j < m; j++) {
      int off = j * dsub;
      int best = 0;
      float bestD = Float.POSITIVE_INFINITY;
      for (int k = 0; k < ksub; k++) {
        int c = (j * ksub + k) * dsub;
        float s = 0;
        for (int t = 0; t < dsub; t++) {
          float x = r[off + t] - codebook[c + t];
          s += x * x;
        }
        if (s < bestD) {
          bestD = s;
          best = k;
        }
      }
      System.arraycopy(codebook, (j * ksub + best) * dsub, decoded, off, dsub);
      for (int t = 0; t < dsub; t++) {
        double x = (double) r[off + t] - decoded[off + t];
        error += x * x;
      }
      if (bits <= 8) {
        planes[j] = (byte) best;
      } else {
        planes[2 * j] = (byte) best;
        planes[2 * j + 1] = (byte) (best >>> 8);
      }
    }
    return error;
  }

  /**
   * Fills {@code table[j·ksub + k] = factor · <q_j, codeword(j, k)>}.
   *
   * @param q the (prepared) query
   * @param factor the factor
   * @param table receives {@code m·ksub} values
   * @param kernel the axpy kernel
   */
  void table(float[] q, float factor, float[] table, CodeKernel kernel) {
    java.util.Arrays.fill(table, 0f);
    for (int j = 0; j < m; j++) {
      for (int t = 0; t < dsub; t++) {
        int dim = j * dsub + t;
        kernel.axpy(factor * q[dim], transposed, dim * ksub, table, j * ksub, ksub);
      }
    }
  }
}
