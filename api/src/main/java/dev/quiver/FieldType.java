package dev.quiver;

import java.util.List;

/**
 * The type of a declared metadata field ({@link MetadataField}). A backend stores a declared field in
 * its own typed storage (a Milvus scalar field, a Qdrant payload index of that schema type, a typed
 * index of the embedded engine), so a value must have exactly the declared type: a {@code Long} in a
 * {@link #DOUBLE} field, or a {@code Double} in a {@link #LONG} field, is refused rather than
 * converted, because reading it back would change the record.
 */
public enum FieldType {
  /** {@link String} values. */
  STRING,
  /** {@link Long} values (exact 64-bit). */
  LONG,
  /** {@link Double} values (finite). */
  DOUBLE,
  /** {@link Boolean} values. */
  BOOL,
  /** {@code List<String>} values. */
  STRING_LIST;

  /**
   * @param value a canonical metadata value (see {@link Metadata})
   * @return whether a field of this type holds it
   */
  public boolean accepts(Object value) {
    return switch (this) {
      case STRING -> value instanceof String;
      case LONG -> value instanceof Long;
      case DOUBLE -> value instanceof Double;
      case BOOL -> value instanceof Boolean;
      case STRING_LIST -> value instanceof List<?>;
    };
  }

  /**
   * @param value a canonical metadata value
   * @return the type that holds it
   */
  public static FieldType of(Object value) {
    if (value instanceof String) {
      return STRING;
    }
    if (value instanceof Long) {
      return LONG;
    }
    if (value instanceof Double) {
      return DOUBLE;
    }
    if (value instanceof Boolean) {
      return BOOL;
    }
    if (value instanceof List<?>) {
      return STRING_LIST;
    }
    throw new InvalidArgumentException("not a metadata value: " + (value == null ? "null" : value.getClass().getName()));
  }
}
