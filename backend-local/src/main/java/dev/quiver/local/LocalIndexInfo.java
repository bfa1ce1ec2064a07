package dev.quiver.local;

import dev.quiver.IndexSpec;
import dev.quiver.local.internal.ivf.IvfParams;
import dev.quiver.local.internal.ivf.IvfStats;

/**
 * What a collection's index of the embedded engine looks like now: for IVF indexes, whether and how it
 * was trained and how well it still fits the data ({@link #drift()}). From
 * {@link LocalVectorStore#indexInfo(String)}.
 *
 * @param index the collection's index spec
 * @param trainingSize for IVF, the live records at which the index is trained (0 otherwise)
 * @param trained for IVF, whether the index is trained and serving searches (before that, searches are
 *     exact); true for FLAT and HNSW, which need no training
 * @param trainingSamples records the IVF quantiser was trained on (0 if none)
 * @param trainingMillis how long training took, in milliseconds (0 if none)
 * @param trainingError mean squared quantisation error over the training sample (to the reconstruction
 *     for IVF-PQ, to the centroid for IVF-FLAT; on normalised vectors under COSINE); NaN if untrained
 * @param meanError the same over every vector encoded since training; NaN if none
 * @param entries entries in the IVF lists, {@code removedEntries} included
 * @param removedEntries entries of removed (deleted or replaced) records still in the lists; dropped when
 *     they reach an eighth of the entries
 * @param codeBytesPerVector bytes of PQ code per vector (0 for IVF-FLAT)
 * @param indexBytes bytes the IVF index holds in memory (lists, ordinal map, centroids, codebooks),
 *     beyond the records themselves, which every collection keeps in memory
 */
public record LocalIndexInfo(IndexSpec index, int trainingSize, boolean trained, int trainingSamples,
    long trainingMillis, double trainingError, double meanError, int entries, int removedEntries, int codeBytesPerVector,
    long indexBytes) {

  /**
   * The quantisation drift: {@link #meanError()} ÷ {@link #trainingError()}. About 1 while new data looks
   * like the data the index was trained on; well above 1 (say 1.5) means the centroids and codebooks no
   * longer fit the data, and re-training is worth it.
   *
   * @return the ratio, or NaN when there is nothing to compare
   */
  public double drift() {
    return trainingError > 0 ? meanError / trainingError : Double.NaN;
  }

  static LocalIndexInfo of(IndexSpec index, IvfParams params, IvfStats s) {
    if (params == null) {
      return new LocalIndexInfo(index, 0, true, 0, 0, Double.NaN, Double.NaN, 0, 0, 0, 0);
    }
    if (s == null) {
      return new LocalIndexInfo(index, params.trainingSize(), false, 0, 0, Double.NaN, Double.NaN, 0, 0, 0, 0);
    }
    return new LocalIndexInfo(index, params.trainingSize(), true, s.trainingSamples(), s.trainingNanos() / 1_000_000,
        s.trainingError(), s.meanError(), s.entries(), s.removedPending(), s.codeBytes(),
        s.listBytes() + s.quantizerBytes());
  }
}
