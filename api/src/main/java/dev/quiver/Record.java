package dev.quiver;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.Objects;

/**
 * A stored item: a caller-chosen id, a vector and metadata. Immutable; the vector is copied in and out.
 *
 * <p>Note: with {@code import dev.quiver.*} this name is ambiguous with {@code java.lang.Record};
 * import it by name ({@code import dev.quiver.Record;}).
 */
public final class Record {

  /** Longest id, in UTF-8 bytes. */
  public static final int MAX_ID_BYTES = 512;

  private final String id;
  private final float[] vector;
  private final Metadata metadata;

  private Record(String id, float[] vector, Metadata metadata) {
    this.id = Check.id(id);
    this.vector = Check.finiteVector(vector, "vector of record '" + id + "'");
    this.metadata = Check.notNull(metadata, "metadata of record '" + id + "'");
  }

  /**
   * @param id non-empty, at most 512 UTF-8 bytes
   * @param vector finite floats
   * @param metadata the metadata
   * @return the record
   * @throws InvalidArgumentException on a bad id, an empty or non-finite vector, or null metadata
   */
  public static Record of(String id, float[] vector, Metadata metadata) {
    return new Record(id, vector, metadata);
  }

  /**
   * @param id non-empty, at most 512 UTF-8 bytes
   * @param vector finite floats
   * @return a record without metadata
   */
  public static Record of(String id, float[] vector) {
    return new Record(id, vector, Metadata.empty());
  }

  /**
   * Checks an id: non-empty, well-formed Unicode, at most {@value #MAX_ID_BYTES} UTF-8 bytes.
   *
   * @param id an id
   * @return the id
   * @throws InvalidArgumentException if it breaks a rule
   */
  public static String checkId(String id) {
    return Check.id(id);
  }

  /**
   * Checks the ids of a get or delete: none null or invalid.
   *
   * @param ids ids
   * @return the ids in their first-seen order, each once
   * @throws InvalidArgumentException if the collection is null or an id is invalid
   */
  public static Set<String> checkIds(Collection<String> ids) {
    if (ids == null) {
      throw new InvalidArgumentException("ids must not be null");
    }
    Set<String> out = new LinkedHashSet<>();
    for (String id : ids) {
      out.add(Check.id(id));
    }
    return out;
  }

  /** @return the id */
  public String id() {
    return id;
  }

  /** @return a copy of the vector */
  public float[] vector() {
    return vector.clone();
  }

  /** @return the vector's length */
  public int dimension() {
    return vector.length;
  }

  /** @return the metadata */
  public Metadata metadata() {
    return metadata;
  }

  /**
   * @param newMetadata the replacement
   * @return a copy with other metadata
   */
  public Record withMetadata(Metadata newMetadata) {
    return new Record(id, vector, newMetadata);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Record r && r.id.equals(id) && Arrays.equals(r.vector, vector) && r.metadata.equals(metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, Arrays.hashCode(vector), metadata);
  }

  @Override
  public String toString() {
    return "Record[" + id + ", dim=" + vector.length + ", " + metadata + "]";
  }
}
