package dev.quiver;

/**
 * Something a backend may or may not do. {@link Capabilities} maps each feature to how the backend
 * supports it; the conformance kit skips (with the declared reason) the cases of features a backend
 * declares unsupported, and checks that using them throws {@link UnsupportedFeatureException}.
 */
public enum Feature {
  /** Exact brute-force index. */
  INDEX_FLAT,
  /** HNSW graph index. */
  INDEX_HNSW,
  /** IVF index with full vectors. */
  INDEX_IVF_FLAT,
  /** IVF index with product quantisation. */
  INDEX_IVF_PQ,
  /** {@link Metric#COSINE}. */
  METRIC_COSINE,
  /** {@link Metric#DOT_PRODUCT}. */
  METRIC_DOT_PRODUCT,
  /** {@link Metric#EUCLIDEAN}. */
  METRIC_EUCLIDEAN,
  /** {@link VectorCollection#delete(Filter)}: exhaustive delete of every matching record. */
  DELETE_BY_FILTER,
  /** {@link VectorCollection#count(Filter)} with a filter. */
  COUNT_BY_FILTER,
  /** {@link VectorCollection#list(ListRequest)}: a complete, stable scroll. */
  LIST,
  /** {@link VectorCollection#list(ListRequest)} with a filter. */
  LIST_BY_FILTER,
  /** {@link VectorCollection#updateMetadata(String, Metadata)}. */
  UPDATE_METADATA,
  /** {@link SearchRequest#filter(Filter)}. */
  FILTERED_SEARCH,
  /** {@link SearchRequest#includeVectors(boolean)}: vectors returned with matches. */
  SEARCH_INCLUDE_VECTORS,
  /** Metadata longs beyond ±2^53 stored exactly (a backend keeping numbers as float64 cannot). */
  EXACT_LONGS,
  /** Search-time HNSW candidate list size {@link SearchRequest#ef(int)}. */
  SEARCH_EF,
  /** Search-time IVF probe count {@link SearchRequest#nprobe(int)}. */
  SEARCH_NPROBE,
  /**
   * All-zero record vectors under DOT_PRODUCT and EUCLIDEAN (never under COSINE, where a zero vector
   * has no direction and is always rejected). Zero query vectors are accepted wherever the metric allows.
   */
  ZERO_VECTORS,
  /** Reopening a store finds the collections and records written before. */
  DURABILITY,
  /**
   * {@link VectorCollection#reindex(IndexSpec)}: changing a collection's index (kind or parameters) while
   * reads and writes continue; on IVF indexes, re-training on the current records.
   */
  REINDEX,
  /** Declared metadata fields ({@link CollectionSpec#fields()}) kept in the backend's typed, indexed storage. */
  DECLARED_FIELDS,
  /** Multi-tenant collections and {@link VectorCollection#tenant(String)} handles. */
  TENANTS,
  /** Opening collections Quiver did not create (made by the vendor's own client or another framework). */
  FOREIGN_COLLECTIONS;

  /**
   * @param metric a metric
   * @return the feature a backend needs to offer it
   */
  public static Feature of(Metric metric) {
    return switch (metric) {
      case COSINE -> METRIC_COSINE;
      case DOT_PRODUCT -> METRIC_DOT_PRODUCT;
      case EUCLIDEAN -> METRIC_EUCLIDEAN;
    };
  }
}
