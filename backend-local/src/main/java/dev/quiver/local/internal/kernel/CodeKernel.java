package dev.quiver.local.internal.kernel;

/**
 * Primitives of the IVF scans: for IVF-PQ, summing look-up tables over blocks of codes and the
 * {@code y += a·x} step that builds those tables; for IVF-FLAT, distances to vectors stored one after
 * another in a list's array. A plain-Java implementation and a Panama (Vector API) one, chosen by
 * {@link Kernels#codes()} like the distance kernels.
 *
 * <p><b>Block layout.</b> Codes of one byte per subspace are stored in blocks of {@link #BLOCK}
 * entries, subspace-major inside a block: the code of subspace {@code j} of entry {@code e} of block
 * {@code b} is at {@code codes[(b·m + j)·BLOCK + e]}. A SIMD scan then loads the codes of 16 entries
 * for one subspace with one instruction and gathers their table values together.
 */
public interface CodeKernel {

  /** Entries per block of codes. */
  int BLOCK = 16;

  /** @return a short name for reports, for example {@code "scalar"} or {@code "panama-512"} */
  String name();

  /**
   * For every entry of {@code blocks} consecutive blocks starting at block {@code firstBlock}:
   * {@code out[(b - firstBlock)·BLOCK + e] = Σ_j table[j·ksub + code(b, j, e)]}, codes read as
   * unsigned bytes.
   *
   * @param codes the blocks (layout above)
   * @param firstBlock first block to scan
   * @param blocks how many blocks
   * @param m subspaces (codes per entry)
   * @param table {@code m·ksub} values, subspace-major
   * @param ksub table entries per subspace (at most 256)
   * @param out receives {@code blocks·BLOCK} sums
   */
  void sumBlocks(byte[] codes, int firstBlock, int blocks, int m, float[] table, int ksub, float[] out);

  /**
   * {@code y[yOff + i] += a · x[xOff + i]} for {@code i < n}.
   *
   * @param a the factor
   * @param x the source
   * @param xOff first source index
   * @param y the destination
   * @param yOff first destination index
   * @param n how many values
   */
  void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n);

  /**
   * @param q a vector
   * @param data vectors of {@code q.length} values one after another
   * @param off where the vector starts in {@code data}
   * @return the inner product of {@code q} with {@code data[off, off + q.length)}
   */
  float dotAt(float[] q, float[] data, int off);

  /**
   * @param q a vector
   * @param data vectors of {@code q.length} values one after another
   * @param off where the vector starts in {@code data}
   * @return the squared Euclidean distance between {@code q} and {@code data[off, off + q.length)}
   */
  float squaredL2At(float[] q, float[] data, int off);
}
