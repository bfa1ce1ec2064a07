package dev.quiver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a collection is: its name, vector dimension, metric and index; optionally its declared metadata
 * fields, whether it holds tenants, and (for a collection Quiver did not create) how its native layout
 * maps. Immutable; validated when built.
 *
 * <pre>{@code
 * CollectionSpec.builder("articles").dimension(384).metric(Metric.COSINE)
 *     .index(IndexSpec.hnsw(16, 200))
 *     .field(MetadataField.indexed("category", FieldType.STRING))  // optional: typed, indexed
 *     .build();
 * }</pre>
 *
 * <p><b>Declared fields</b> ({@link #fields()}): each backend stores them in its own typed, indexed
 * storage; a value of another type is refused before anything is written, and so is a key that is not
 * declared when {@link #undeclaredKeysAllowed()} is false. Filters mean the same with or without them.
 *
 * <p><b>Tenants</b> ({@link #multiTenant()}): the records live in tenants, reached through
 * {@link VectorCollection#tenant(String)}; see there for the guarantee.
 *
 * <p><b>Native layout</b> ({@link #layout()}): empty for collections Quiver created; for one it did
 * not create, {@link VectorStore#describeCollection} says there which native field holds the id, the
 * vector and the metadata, and what is exposed read-only.
 */
public final class CollectionSpec {

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,254}");

  /** Largest dimension the API accepts; backends may declare a lower one in {@link Capabilities#maxDimension()}. */
  public static final int MAX_DIMENSION = 65_536;

  private final String name;
  private final int dimension;
  private final Metric metric;
  private final IndexSpec index;
  private final List<MetadataField> fields;
  private final Map<String, MetadataField> fieldsByName;
  private final boolean undeclaredKeysAllowed;
  private final boolean multiTenant;
  private final Map<String, String> layout;

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
    Set<String> names = new HashSet<>();
    for (MetadataField f : b.fields) {
      if (f == null) {
        throw new InvalidArgumentException("declared fields of collection '" + name + "' must not contain null");
      }
      if (!names.add(f.name())) {
        throw new InvalidArgumentException("metadata field '" + f.name() + "' is declared twice in collection '" + name + "'");
      }
    }
    if (b.fields.size() > MAX_FIELDS) {
      throw new InvalidArgumentException("collection '" + name + "' declares " + b.fields.size()
          + " metadata fields; the limit is " + MAX_FIELDS);
    }
    if (!b.undeclaredKeysAllowed && b.fields.isEmpty()) {
      throw new InvalidArgumentException("collection '" + name
          + "' allows no undeclared metadata keys but declares no fields: declare fields or allow undeclared keys");
    }
    this.fields = List.copyOf(b.fields);
    Map<String, MetadataField> byName = new java.util.HashMap<>();
    fields.forEach(f -> byName.put(f.name(), f));
    this.fieldsByName = Map.copyOf(byName); // checkMetadata looks up every key of every record written
    this.undeclaredKeysAllowed = b.undeclaredKeysAllowed;
    this.multiTenant = b.multiTenant;
    for (Map.Entry<String, String> e : b.layout.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new InvalidArgumentException("the layout of collection '" + name + "' must not hold null");
      }
    }
    this.layout = Collections.unmodifiableMap(new LinkedHashMap<>(b.layout));
  }

  /** Most metadata fields a collection may declare (Milvus allows 64 fields per collection in all). */
  public static final int MAX_FIELDS = 32;

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

  /** @return the declared metadata fields, in declaration order; empty when none are declared */
  public List<MetadataField> fields() {
    return fields;
  }

  /**
   * @param name a metadata key
   * @return its declaration, if declared
   */
  public Optional<MetadataField> field(String name) {
    return Optional.ofNullable(fieldsByName.get(name));
  }

  /** @return whether records may carry metadata keys that are not declared (default {@code true}) */
  public boolean undeclaredKeysAllowed() {
    return undeclaredKeysAllowed;
  }

  /** @return whether the records live in tenants ({@link VectorCollection#tenant(String)}) */
  public boolean multiTenant() {
    return multiTenant;
  }

  /**
   * @return for a collection Quiver did not create, how its native layout maps (keys such as
   *     {@code id}, {@code vector}, {@code metadata}, {@code readOnly}, values in words); empty for a
   *     collection Quiver created
   */
  public Map<String, String> layout() {
    return layout;
  }

  /**
   * Checks metadata against the declared fields: a declared key's value has the declared type, and an
   * undeclared key is allowed ({@link #undeclaredKeysAllowed()}).
   *
   * @param where names the record in the error, for example {@code "record 'doc-1'"}
   * @param metadata the metadata
   * @throws InvalidArgumentException naming the key, if it breaks the declaration
   */
  public void checkMetadata(String where, Metadata metadata) {
    if (fields.isEmpty()) {
      return;
    }
    for (Map.Entry<String, Object> e : metadata.asMap().entrySet()) {
      Optional<MetadataField> f = field(e.getKey());
      if (f.isPresent()) {
        f.get().check(where, e.getValue());
      } else if (!undeclaredKeysAllowed) {
        throw new InvalidArgumentException(where + ": metadata key '" + e.getKey() + "' is not declared in collection '"
            + name + "', which allows only its declared fields " + fieldNames());
      }
    }
  }

  private List<String> fieldNames() {
    List<String> out = new ArrayList<>();
    fields.forEach(f -> out.add(f.name()));
    return out;
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
   * @throws InvalidArgumentException on a null, a zero vector under COSINE, a duplicate id, or metadata
   *     that breaks the declared fields ({@link #checkMetadata})
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
      checkMetadata("record '" + r.id() + "'", r.metadata());
      if (!seen.add(r.id())) {
        throw new InvalidArgumentException("record id '" + r.id() + "' appears twice in one upsert");
      }
    }
    return List.copyOf(records);
  }

  /** @return a builder holding this spec's values */
  public Builder toBuilder() {
    return new Builder(name).dimension(dimension).metric(metric).index(index).fields(fields)
        .undeclaredKeysAllowed(undeclaredKeysAllowed).multiTenant(multiTenant).layout(layout);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CollectionSpec s && s.name.equals(name) && s.dimension == dimension
        && s.metric == metric && s.index.equals(index) && s.fields.equals(fields)
        && s.undeclaredKeysAllowed == undeclaredKeysAllowed && s.multiTenant == multiTenant && s.layout.equals(layout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dimension, metric, index, fields, undeclaredKeysAllowed, multiTenant, layout);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("CollectionSpec[").append(name).append(", dimension=").append(dimension)
        .append(", ").append(metric).append(", ").append(index);
    if (!fields.isEmpty()) {
      b.append(", fields=").append(fields);
      if (!undeclaredKeysAllowed) {
        b.append(", only declared keys");
      }
    }
    if (multiTenant) {
      b.append(", multi-tenant");
    }
    if (!layout.isEmpty()) {
      b.append(", layout=").append(layout);
    }
    return b.append(']').toString();
  }

  /** Builds a {@link CollectionSpec}. */
  public static final class Builder {
    private final String name;
    private int dimension;
    private Metric metric = Metric.COSINE;
    private IndexSpec index = IndexSpec.flat();
    private final List<MetadataField> fields = new ArrayList<>();
    private boolean undeclaredKeysAllowed = true;
    private boolean multiTenant;
    private final Map<String, String> layout = new LinkedHashMap<>();

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
     * Declares a metadata field (see {@link MetadataField}).
     *
     * @param field the field
     * @return this builder
     */
    public Builder field(MetadataField field) {
      fields.add(field);
      return this;
    }

    /**
     * Replaces the declared fields.
     *
     * @param fields the fields, in order
     * @return this builder
     */
    public Builder fields(List<MetadataField> fields) {
      if (fields == null) {
        throw new InvalidArgumentException("fields must not be null");
      }
      this.fields.clear();
      this.fields.addAll(fields);
      return this;
    }

    /**
     * @param allowed whether records may carry keys that are not declared (default {@code true});
     *     {@code false} needs at least one declared field
     * @return this builder
     */
    public Builder undeclaredKeysAllowed(boolean allowed) {
      this.undeclaredKeysAllowed = allowed;
      return this;
    }

    /**
     * @param multiTenant whether the records live in tenants (default {@code false}); see
     *     {@link VectorCollection#tenant(String)}
     * @return this builder
     */
    public Builder multiTenant(boolean multiTenant) {
      this.multiTenant = multiTenant;
      return this;
    }

    /**
     * For adapters describing a collection Quiver did not create: how its native layout maps.
     *
     * @param layout keys such as {@code id}, {@code vector}, {@code metadata}, {@code readOnly}
     * @return this builder
     */
    public Builder layout(Map<String, String> layout) {
      if (layout == null) {
        throw new InvalidArgumentException("layout must not be null");
      }
      this.layout.clear();
      this.layout.putAll(layout);
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
