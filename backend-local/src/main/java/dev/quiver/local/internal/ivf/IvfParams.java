package dev.quiver.local.internal.ivf;

import dev.quiver.Metric;

/**
 * What an IVF index is: its metric and dimension, the number of lists, and the product quantiser
 * ({@code subspaces == 0}: IVF-FLAT, full vectors in the lists).
 *
 * @param metric the metric
 * @param dimension vector length
 * @param nlist coarse clusters (lists)
 * @param subspaces PQ subspaces, 0 for IVF-FLAT
 * @param bits bits per PQ code, 0 for IVF-FLAT
 */
public record IvfParams(Metric metric, int dimension, int nlist, int subspaces, int bits) {

  /** Checks the parameters (the API checked them already; this guards the saved form). */
  public IvfParams {
    if (metric == null || dimension < 1 || nlist < 1 || subspaces < 0
        || (subspaces == 0 ? bits != 0 : bits < 1 || bits > 16 || dimension % subspaces != 0)) {
      throw new IllegalArgumentException("bad IVF parameters: " + metric + ", dimension " + dimension + ", nlist "
          + nlist + ", subspaces " + subspaces + ", bits " + bits);
    }
  }

  /** @return true for IVF-PQ */
  public boolean quantized() {
    return subspaces > 0;
  }

  /**
   * The number of live records at which an index with these parameters is trained: enough points for
   * every coarse centroid (32 each) and, with PQ, for every codeword of a subspace (16 each), and at
   * least 64. Until then the collection is searched exactly.
   *
   * @return the training size
   */
  public int trainingSize() {
    long size = Math.max(64L, 32L * nlist);
    if (quantized()) {
      size = Math.max(size, 16L << bits);
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  /**
   * @return how many records training samples at most: 256 per coarse centroid or codeword (FAISS's
   *     default cap), never fewer than {@link #trainingSize()}
   */
  public int maxTrainingSample() {
    long cap = 256L * Math.max(nlist, quantized() ? 1 << bits : 1);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(cap, trainingSize()));
  }

  /**
   * The lists probed when a search gives no {@code nprobe}: one in sixteen, at least four (all of
   * them when there are four or fewer).
   *
   * @return the default nprobe
   */
  public int defaultNprobe() {
    return Math.min(nlist, Math.max(4, nlist / 16));
  }
}
