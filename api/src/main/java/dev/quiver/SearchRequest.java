package dev.quiver;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A k-nearest-neighbour query. Immutable: every {@code withX}-style call returns a new request.
 *
 * <pre>{@code
 * SearchRequest.of(query, 10).filter("category == 'tech' and year >= 2020").includeVectors(true)
 * }</pre>
 */
public final class SearchRequest {

  /** Largest topK any backend is asked for; {@link Capabilities#maxTopK()} may be lower. */
  public static final int MAX_TOP_K = 100_000;

  /** Largest search-time ef accepted. */
  public static final int MAX_EF = 65_536;

  private final float[] vector;
  private final int topK;
  private final Filter filter;
  private final boolean includeVectors;
  private final boolean includeMetadata;
  private final Double minScore;
  private final Integer ef;
  private final Integer nprobe;

  private SearchRequest(float[] vector, int topK, Filter filter, boolean includeVectors, boolean includeMetadata,
      Double minScore, Integer ef, Integer nprobe) {
    this.vector = vector;
    this.topK = topK;
    this.filter = filter;
    this.includeVectors = includeVectors;
    this.includeMetadata = includeMetadata;
    this.minScore = minScore;
    this.ef = ef;
    this.nprobe = nprobe;
  }

  /**
   * @param vector the query vector (finite values)
   * @param topK how many matches at most, ≥ 1
   * @return a request with metadata included, vectors not, no filter
   * @throws InvalidArgumentException on a non-finite vector or top-k below 1
   */
  public static SearchRequest of(float[] vector, int topK) {
    if (topK < 1 || topK > MAX_TOP_K) {
      throw new InvalidArgumentException("topK must be between 1 and " + MAX_TOP_K + ", got " + topK
          + " (a backend may allow fewer: Capabilities.maxTopK())");
    }
    return new SearchRequest(Check.finiteVector(vector, "query vector"), topK, null, false, true, null, null, null);
  }

  /**
   * @param filter a filter, or {@code null} for none
   * @return a copy with the filter
   */
  public SearchRequest filter(Filter filter) {
    return new SearchRequest(vector, topK, filter, includeVectors, includeMetadata, minScore, ef, nprobe);
  }

  /**
   * @param filterText a filter in the text syntax of {@link Filter#parse(String)}
   * @return a copy with the parsed filter
   * @throws InvalidFilterException on a syntax error
   */
  public SearchRequest filter(String filterText) {
    return filter(Filter.parse(filterText));
  }

  /**
   * @param include whether matches carry their vectors
   * @return a copy with the option
   */
  public SearchRequest includeVectors(boolean include) {
    return new SearchRequest(vector, topK, filter, include, includeMetadata, minScore, ef, nprobe);
  }

  /**
   * @param include whether matches carry their metadata
   * @return a copy with the option
   */
  public SearchRequest includeMetadata(boolean include) {
    return new SearchRequest(vector, topK, filter, includeVectors, include, minScore, ef, nprobe);
  }

  /**
   * @param min only matches with {@code score >= min} are returned
   * @return a copy with the threshold
   */
  public SearchRequest minScore(double min) {
    if (Double.isNaN(min)) {
      throw new InvalidArgumentException("minScore must not be NaN");
    }
    return new SearchRequest(vector, topK, filter, includeVectors, includeMetadata, min, ef, nprobe);
  }

  /**
   * A hint for HNSW indexes. A backend that declares {@link Feature#SEARCH_EF} unsupported refuses it
   * with {@link UnsupportedFeatureException} rather than ignoring it; an exact (FLAT) collection on a
   * backend that supports it may accept it as a no-op, since exact search is already exact.
   *
   * @param ef HNSW candidate list size at search time (≥ 1)
   * @return a copy with the hint
   */
  public SearchRequest ef(int ef) {
    if (ef < 1 || ef > MAX_EF) {
      throw new InvalidArgumentException("ef must be between 1 and " + MAX_EF + ", got " + ef);
    }
    return new SearchRequest(vector, topK, filter, includeVectors, includeMetadata, minScore, ef, nprobe);
  }

  /**
   * A hint for IVF indexes, refused like {@link #ef(int)} by a backend that lacks
   * {@link Feature#SEARCH_NPROBE}.
   *
   * @param nprobe IVF lists probed at search time (≥ 1)
   * @return a copy with the hint
   */
  public SearchRequest nprobe(int nprobe) {
    if (nprobe < 1 || nprobe > IndexSpec.IvfPq.MAX_NLIST) {
      throw new InvalidArgumentException("nprobe must be between 1 and " + IndexSpec.IvfPq.MAX_NLIST + ", got " + nprobe);
    }
    return new SearchRequest(vector, topK, filter, includeVectors, includeMetadata, minScore, ef, nprobe);
  }

  /** @return a copy of the query vector */
  public float[] vector() {
    return vector.clone();
  }

  /** @return the number of matches asked for */
  public int topK() {
    return topK;
  }

  /** @return the filter, if any */
  public Optional<Filter> filter() {
    return Optional.ofNullable(filter);
  }

  /** @return whether matches carry vectors */
  public boolean includeVectors() {
    return includeVectors;
  }

  /** @return whether matches carry metadata */
  public boolean includeMetadata() {
    return includeMetadata;
  }

  /** @return the score threshold, if any */
  public OptionalDouble minScore() {
    return minScore == null ? OptionalDouble.empty() : OptionalDouble.of(minScore);
  }

  /** @return the HNSW search hint, if any */
  public OptionalInt ef() {
    return ef == null ? OptionalInt.empty() : OptionalInt.of(ef);
  }

  /** @return the IVF search hint, if any */
  public OptionalInt nprobe() {
    return nprobe == null ? OptionalInt.empty() : OptionalInt.of(nprobe);
  }

  @Override
  public String toString() {
    return "SearchRequest[dim=" + vector.length + ", topK=" + topK + ", filter=" + filter + "]";
  }
}
