package dev.quiver.local.internal.ivf;

/**
 * Figures about a trained IVF index.
 *
 * @param params its parameters
 * @param trainingSamples vectors the quantiser was trained on
 * @param trainingNanos how long training took
 * @param trainingError mean squared quantisation error over the training sample (of normalised
 *     vectors under COSINE): to the reconstruction for IVF-PQ, to the centroid for IVF-FLAT
 * @param meanError the same over every vector encoded since training (NaN before any)
 * @param encoded vectors encoded since training
 * @param entries entries in the lists (removed ones not yet compacted included)
 * @param removedPending removals since the last compaction
 * @param codeBytes bytes of PQ code per vector (0 for IVF-FLAT)
 * @param listBytes bytes held by the lists and the ordinal map
 * @param quantizerBytes bytes held by centroids and codebooks
 */
public record IvfStats(IvfParams params, int trainingSamples, long trainingNanos, double trainingError, double meanError,
    long encoded, int entries, int removedPending, int codeBytes, long listBytes, long quantizerBytes) {

  /** @return {@link #meanError} ÷ {@link #trainingError}: about 1 while the data looks like the training sample */
  public double drift() {
    return trainingError > 0 ? meanError / trainingError : Double.NaN;
  }
}
