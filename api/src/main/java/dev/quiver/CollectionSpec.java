package dev.quiver;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a collection is: its name, vector dimension, metric and index. Immutable; validated when built.
 *
 * <pre>{@code
 * CollectionSpec.builder("articles").dimension(384).metric(Metric.COSINE)
 *     .index(IndexSpec.hnsw(16, 200)).build();
 * }</pre>
 */
public final class CollectionSpec {

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,254}");

  /** Largest dimension the API accepts; backends may declare a lower one in {@link Capabilities#maxDimension()}. */
  public static final int MAX_DIMENSION = 65_536;

  private final String name;
  private final int dimension;
  private final Metric metric;
  private final IndexSpec index;

  private CollectionSpec(Builder b) {
    this.name = checkName(b.name);
    if (b.dimension < 1 || b.dimension > MAX_DIMENSION) {
      throw new InvalidArgumentException(
          "dimension of collection '" + name + "' must be between 1 and " + MAX_DIMENSION + ", got " + b.dimension);
    }
    this.dimension = b.dimension;
    this.metric = Objects.requireNonNull(b.metric, "metric");
    this.index = Objects.requireNonNull(b.index, "index");
    if (index instanceof IndexSpec.IvfPq ivf && ivf.quantized() && dimension % ivf.subspaces() != 0) {
      throw new InvalidArgumentException(
          "PQ subspaces (" + ivf.subspaces() + ") must divide the dimension (" + dimension + ")");
    }
  }

  /**
   * Checks a collection name: a letter, then letters, digits, {@code _} or {@code -}, 255 characters at most.
   *
   * @param name a collection name
   * @return the name
   * @throws InvalidArgumentException if the name breaks the rule
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidArgumentException("invalid collection name " + (name == null ? "null" : "'" + name + "'")
          + ": use a letter followed by up to 254 letters, digits, '_' or '-'");
    }
    return name;
  }

  /**
   * @param name the collection's name
   * @return a builder with metric COSINE and a FLAT index; the dimension must be set
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** @return the collection's name */
  public String name() {
    return name;
  }

  /** @return the vector dimension */
  public int dimension() {
    return dimension;
  }

  /** @return the metric */
  public Metric metric() {
    return metric;
  }

  /** @return the index */
  public IndexSpec index() {
    return index;
  }

  /**
   * Checks that a vector fits this collection: the right dimension, and not all zeros under COSINE.
   * (Finiteness is checked where vectors are made: {@link Record#of} and {@link SearchRequest#of}.)
   *
   * @param what names the vector in the error, for example {@code "record 'doc-1'"}
   * @param vector the vector
   * @throws DimensionMismatchException if the length is wrong
   * @throws InvalidArgumentException if it is a zero vector under COSINE
   */
  public void checkVector(String what, float[] vector) {
    if (vector.length != dimension) {
      throw new DimensionMismatchException(what, dimension, vector.length);
    }
    if (metric == Metric.COSINE) {
      for (float v : vector) {
        if (v != 0f) {
          return;
        }
      }
      throw new InvalidArgumentException(what + " is a zero vector, which has no direction under COSINE");
    }
  }

  /**
   * Checks a whole upsert batch before anything is written: no nulls, every vector fits this
   * collection ({@link #checkVector}), and no id appears twice (vendors disagree on which duplicate
   * wins, so Quiver refuses the batch).
   *
   * @param records the batch
   * @return an immutable copy of the batch, safe to write
   * @throws InvalidArgumentException on a null, a zero vector under COSINE or a duplicate id
   * @throws DimensionMismatchException on a vector of the wrong length
   */
  public List<Record> checkRecords(List<Record> records) {
    if (records == null) {
      throw new InvalidArgumentException("records must not be null");
    }
    Set<String> seen = new HashSet<>();
    for (Record r : records) {
      if (r == null) {
        throw new InvalidArgumentException("records must not contain null");
      }
      checkVector("record '" + r.id() + "'", r.vector());
      if (!seen.add(r.id())) {
        throw new InvalidArgumentException("record id '" + r.id() + "' appears twice in one upsert");
      }
    }
    return List.copyOf(records);
  }

  /** @return a builder holding this spec's values */
  public Builder toBuilder() {
    return new Builder(name).dimension(dimension).metric(metric).index(index);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CollectionSpec s && s.name.equals(name) && s.dimension == dimension
        && s.metric == metric && s.index.equals(index);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dimension, metric, index);
  }

  @Override
  public String toString() {
    return "CollectionSpec[" + name + ", dimension=" + dimension + ", " + metric + ", " + index + "]";
  }

  /** Builds a {@link CollectionSpec}. */
  public static final class Builder {
    private final String name;
    private int dimension;
    private Metric metric = Metric.COSINE;
    private IndexSpec index = IndexSpec.flat();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * @param dimension vector length, 1..65536
     * @return this builder
     */
    public Builder dimension(int dimension) {
      this.dimension = dimension;
      return this;
    }

    /**
     * @param metric the metric (default COSINE)
     * @return this builder
     */
    public Builder metric(Metric metric) {
      this.metric = metric;
      return this;
    }

    /**
     * @param index the index (default FLAT)
     * @return this builder
     */
    public Builder index(IndexSpec index) {
      this.index = index;
      return this;
    }

    /**
     * @return the validated spec
     * @throws InvalidArgumentException if a value is out of range
     */
    public CollectionSpec build() {
      return new CollectionSpec(this);
    }
  }
}
