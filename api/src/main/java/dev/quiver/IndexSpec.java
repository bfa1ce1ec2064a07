package dev.quiver;

/**
 * The index a collection is searched with. {@link Flat} is exact; the others are approximate and
 * trade recall for speed. Which kinds a backend offers is in {@link VectorStore#capabilities()};
 * asking for one it lacks throws {@link UnsupportedFeatureException} at collection creation.
 */
public sealed interface IndexSpec permits IndexSpec.Flat, IndexSpec.Hnsw, IndexSpec.IvfPq {

  /** @return the exact, brute-force index */
  static IndexSpec flat() {
    return Flat.INSTANCE;
  }

  /**
   * @param m maximum neighbours per node per layer (2..512)
   * @param efConstruction candidate list size while building (≥ 1)
   * @return an HNSW graph index
   */
  static IndexSpec hnsw(int m, int efConstruction) {
    return new Hnsw(m, efConstruction);
  }

  /**
   * @param nlist number of coarse clusters (≥ 1)
   * @param subspaces number of product-quantisation subspaces; must divide the dimension (≥ 1)
   * @param bits bits per sub-code (1..16, usually 8)
   * @return an IVF index with product-quantised residuals and exact re-ranking
   */
  static IndexSpec ivfPq(int nlist, int subspaces, int bits) {
    return new IvfPq(nlist, subspaces, bits);
  }

  /**
   * @param nlist number of coarse clusters (≥ 1)
   * @return an IVF index that keeps full vectors in each list (IVF-PQ without quantisation)
   */
  static IndexSpec ivfFlat(int nlist) {
    return new IvfPq(nlist, 0, 0);
  }

  /** @return the feature a backend must support to build this index */
  Feature feature();

  /** Exact search: every vector is compared with the query. */
  final class Flat implements IndexSpec {
    static final Flat INSTANCE = new Flat();

    private Flat() {}

    @Override
    public Feature feature() {
      return Feature.INDEX_FLAT;
    }

    @Override
    public String toString() {
      return "FLAT";
    }
  }

  /**
   * Hierarchical navigable small-world graph.
   *
   * @param m maximum neighbours per node per layer
   * @param efConstruction candidate list size while building
   */
  record Hnsw(int m, int efConstruction) implements IndexSpec {
    /** Largest efConstruction accepted: far above useful values (100..800), low enough to bound a build's memory. */
    public static final int MAX_EF_CONSTRUCTION = 4_096;

    /** Validates the parameters. */
    public Hnsw {
      if (m < 2 || m > 512) {
        throw new InvalidArgumentException("HNSW m must be between 2 and 512, got " + m);
      }
      if (efConstruction < 1 || efConstruction > MAX_EF_CONSTRUCTION) {
        throw new InvalidArgumentException(
            "HNSW efConstruction must be between 1 and " + MAX_EF_CONSTRUCTION + ", got " + efConstruction);
      }
    }

    @Override
    public Feature feature() {
      return Feature.INDEX_HNSW;
    }
  }

  /**
   * Inverted file with optional product quantisation; {@code subspaces == 0} means IVF-FLAT.
   *
   * @param nlist number of coarse clusters
   * @param subspaces product-quantisation subspaces, or 0 for none
   * @param bits bits per sub-code, or 0 when {@code subspaces} is 0
   */
  record IvfPq(int nlist, int subspaces, int bits) implements IndexSpec {
    /** Largest nlist accepted (Milvus's own limit). */
    public static final int MAX_NLIST = 65_536;

    /** Validates the parameters. */
    public IvfPq {
      if (nlist < 1 || nlist > MAX_NLIST) {
        throw new InvalidArgumentException("IVF nlist must be between 1 and " + MAX_NLIST + ", got " + nlist);
      }
      if (subspaces < 0) {
        throw new InvalidArgumentException("PQ subspaces must be at least 0, got " + subspaces);
      }
      if (subspaces == 0 ? bits != 0 : bits < 1 || bits > 16) {
        throw new InvalidArgumentException("PQ bits must be 1..16 (or 0 without PQ), got " + bits);
      }
    }

    /** @return true when vectors are product-quantised, false for IVF-FLAT */
    public boolean quantized() {
      return subspaces > 0;
    }

    @Override
    public Feature feature() {
      return quantized() ? Feature.INDEX_IVF_PQ : Feature.INDEX_IVF_FLAT;
    }
  }
}
