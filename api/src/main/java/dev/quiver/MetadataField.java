package dev.quiver;

import java.util.Objects;

/**
 * A metadata key declared in a {@link CollectionSpec}: its type, and whether the backend should index
 * it for filtering. Declaring fields is optional; a record may leave a declared field out (it is then
 * missing, as any absent key), but a value it gives must have the declared type. Declared fields do
 * not change what a filter means, only how fast a backend can answer it.
 *
 * @param name the metadata key (see {@link Metadata#checkKey})
 * @param type its type
 * @param indexed whether the backend builds an index on it (Milvus scalar index, Qdrant payload index,
 *     the embedded engine's field index)
 */
public record MetadataField(String name, FieldType type, boolean indexed) {

  /** Validates the field. */
  public MetadataField {
    Metadata.checkKey(name);
    if (type == null) {
      throw new InvalidArgumentException("type of metadata field '" + name + "' must not be null");
    }
  }

  /**
   * @param name the key
   * @param type its type
   * @return a declared field that is not indexed
   */
  public static MetadataField of(String name, FieldType type) {
    return new MetadataField(name, type, false);
  }

  /**
   * @param name the key
   * @param type its type
   * @return a declared, indexed field
   */
  public static MetadataField indexed(String name, FieldType type) {
    return new MetadataField(name, type, true);
  }

  /**
   * @param where names the record in the error
   * @param value a canonical metadata value for this field
   * @throws InvalidArgumentException if the value is not of the declared type
   */
  void check(String where, Object value) {
    if (!type.accepts(Objects.requireNonNull(value))) {
      throw new InvalidArgumentException(where + ": metadata field '" + name + "' is declared " + type
          + ", got a " + FieldType.of(value) + " value");
    }
  }
}
