package dev.quiver.bench;

import dev.quiver.Metric;

/** One index under test, driven by {@link Worker} in its own JVM. Vector ordinals are the ids. */
public interface AnnEngine extends AutoCloseable {

  /**
   * Build parameters shared by every engine.
   *
   * @param metric the metric
   * @param m HNSW M
   * @param efConstruction HNSW efConstruction
   * @param threads build threads
   * @param nlist IVF lists
   * @param pqM PQ subspaces
   * @param pqBits bits per PQ code
   * @param rerank candidates re-ranked exactly after a PQ search
   */
  record BuildParams(Metric metric, int m, int efConstruction, int threads, int nlist, int pqM, int pqBits, int rerank) {
    BuildParams(Metric metric, int m, int efConstruction, int threads) {
      this(metric, m, efConstruction, threads, 0, 0, 0, 0);
    }
  }

  /** @return a short, stable engine name for tables */
  String name();

  /** @return extra facts for the report (kernel, JDK, parameter mapping), may be empty */
  default String notes() {
    return "";
  }

  /**
   * Builds the index over all vectors; ordinal i is vector i.
   *
   * @param base the vectors (the engine may keep or copy them; the caller drops its reference afterwards)
   * @param params build parameters
   * @param progress reports inserted vectors
   * @throws Exception on failure; {@link Unavailable} when the engine cannot run here
   */
  void build(float[][] base, BuildParams params, Progress progress) throws Exception;

  /**
   * @param q the query
   * @param k how many results
   * @param ef the search-time knob: the candidate list size (graph engines), the lists probed (IVF engines)
   * @return ordinals, best first
   */
  int[] search(float[] q, int k, int ef);

  /**
   * Called before a batch of searches at one ef (engines whose ef is index state set it here).
   *
   * @param ef the candidate list size of the coming searches
   */
  default void prepare(int ef) {}

  /** @return seconds spent training (IVF and PQ engines), or NaN */
  default double trainSeconds() {
    return Double.NaN;
  }

  /** @return bytes of the index itself beyond the stored vectors (IVF and PQ engines), or -1 */
  default long indexBytes() {
    return -1;
  }

  /** @return whether search results depend on ef (false for exact indexes) */
  default boolean approximate() {
    return true;
  }

  /** @return whether {@link #searchFiltered} works */
  default boolean supportsFilter() {
    return false;
  }

  /**
   * @param q the query
   * @param k how many results
   * @param ef candidate list size
   * @param bucketLimit only ordinals with {@code Selectivity.bucket(i) < bucketLimit} may match
   * @return ordinals, best first
   */
  default int[] searchFiltered(float[] q, int k, int ef, int bucketLimit) {
    throw new UnsupportedOperationException(name() + " has no filtered search");
  }

  @Override
  default void close() throws Exception {}

  /** The engine cannot run on this machine or build; the message says why. */
  final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the reason
     */
    public Unavailable(String message) {
      super(message);
    }
  }
}
