package dev.quiver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A record's metadata: an immutable map from keys to typed values. The value types are
 * {@link String}, {@link Long} (exact 64-bit), {@link Double} (finite), {@link Boolean} and
 * {@code List<String>}. There are no nulls: a key that is absent is "missing", which the filter
 * language treats specially (see {@link Filter}). {@code Integer}, {@code Short} and {@code Byte}
 * are widened to {@code Long}, {@code Float} to {@code Double}; any other type is rejected.
 *
 * <p>Keys are identifiers, so every key can be named in a text filter: a letter or {@code _},
 * then letters, digits or {@code _}, at most {@value #MAX_KEY_LENGTH} characters, and not one of
 * the filter language's keywords ({@code and or not in exists true false}). Keys that start with
 * {@code __} are reserved for adapters, which keep their bookkeeping there (for example the
 * caller's original id on Qdrant, or which numbers were longs on Pinecone).
 */
public final class Metadata {

  /** Longest key allowed. */
  public static final int MAX_KEY_LENGTH = 64;

  /** Keys with this prefix are reserved for adapters' own bookkeeping. */
  public static final String RESERVED_PREFIX = "__";

  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "exists", "true", "false");
  private static final Metadata EMPTY = new Metadata(new TreeMap<>());

  private final TreeMap<String, Object> values;

  private Metadata(TreeMap<String, Object> values) {
    this.values = values;
  }

  /** @return metadata with no keys */
  public static Metadata empty() {
    return EMPTY;
  }

  /**
   * @param keysAndValues alternating keys and values: {@code "category", "tech", "year", 2024}
   * @return the metadata
   * @throws InvalidArgumentException on an odd count, a bad key, a duplicate key or a value of an unsupported type
   */
  public static Metadata of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new InvalidArgumentException("Metadata.of takes keys and values in pairs, got " + keysAndValues.length + " arguments");
    }
    Builder b = builder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (!(keysAndValues[i] instanceof String key)) {
        throw new InvalidArgumentException("metadata key at argument " + i + " must be a String, got " + keysAndValues[i]);
      }
      if (b.values.containsKey(key)) {
        throw new InvalidArgumentException("metadata key '" + key + "' is given twice");
      }
      b.put(key, keysAndValues[i + 1]);
    }
    return b.build();
  }

  /**
   * @param map keys and values
   * @return the metadata
   * @throws InvalidArgumentException on a bad key or a value of an unsupported type
   */
  public static Metadata from(Map<String, ?> map) {
    Builder b = builder();
    Check.notNull(map, "metadata map").forEach(b::put);
    return b.build();
  }

  /** @return an empty builder */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks a metadata key (also used for filter field names).
   *
   * @param key a key
   * @return the key
   * @throws InvalidArgumentException if it is not an identifier, too long, or a keyword
   */
  public static String checkKey(String key) {
    if (key == null || !KEY.matcher(key).matches() || key.length() > MAX_KEY_LENGTH
        || KEYWORDS.contains(key.toLowerCase(Locale.ROOT)) || key.startsWith(RESERVED_PREFIX)) {
      throw new InvalidArgumentException("invalid metadata key " + (key == null ? "null" : "'" + key + "'")
          + ": use a letter or '_' followed by letters, digits or '_' (at most " + MAX_KEY_LENGTH
          + " characters), not a filter keyword, not starting with '" + RESERVED_PREFIX + "'");
    }
    return key;
  }

  /**
   * Converts a value to its canonical metadata type.
   *
   * @param key the key it belongs to, for the error message
   * @param value a value
   * @return the value as String, Long, Double, Boolean or an unmodifiable List of String
   * @throws InvalidArgumentException if it is null, non-finite or of an unsupported type
   */
  static Object canonical(String key, Object value) {
    Object scalar = Check.scalar(value);
    if (scalar != null) {
      if (scalar instanceof Double d && !Double.isFinite(d)) {
        throw new InvalidArgumentException("metadata value for '" + key + "' must be finite, got " + d);
      }
      if (scalar instanceof String str) {
        Check.wellFormed(str, "metadata value for '" + key + "'");
      }
      return scalar;
    }
    if (value instanceof List<?> list) {
      List<String> out = new ArrayList<>(list.size());
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new InvalidArgumentException("metadata list '" + key + "' may hold only strings, got "
              + (o == null ? "null" : o.getClass().getSimpleName()));
        }
        out.add(Check.wellFormed(s, "an element of metadata list '" + key + "'"));
      }
      return Collections.unmodifiableList(out);
    }
    throw new InvalidArgumentException("metadata value for '" + key + "' has unsupported type "
        + (value == null ? "null (leave the key out instead)" : value.getClass().getName())
        + "; use String, Long, Double, Boolean or List<String>");
  }

  /**
   * @param key a key
   * @return its value (String, Long, Double, Boolean or List of String), or empty when the key is missing
   */
  public Optional<Object> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /**
   * @param key a key
   * @return whether the key is present
   */
  public boolean containsKey(String key) {
    return values.containsKey(key);
  }

  /** @return the keys, sorted */
  public Set<String> keys() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** @return an unmodifiable, key-sorted view of the entries */
  public Map<String, Object> asMap() {
    return Collections.unmodifiableMap(values);
  }

  /** @return the number of keys */
  public int size() {
    return values.size();
  }

  /** @return true when there are no keys */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * @param key a key
   * @param value its new value
   * @return a copy with the key set
   */
  public Metadata with(String key, Object value) {
    return toBuilder().put(key, value).build();
  }

  /**
   * @param key a key
   * @return a copy without the key
   */
  public Metadata without(String key) {
    Builder b = toBuilder();
    b.values.remove(key);
    return b.build();
  }

  /** @return a builder holding these entries */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.values.putAll(values);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Metadata m && m.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(e.getKey()).append('=');
      Object v = e.getValue();
      sb.append(v instanceof String s ? "'" + s + "'" : v);
    }
    return sb.append('}').toString();
  }

  /** Builds {@link Metadata}. */
  public static final class Builder {
    private final TreeMap<String, Object> values = new TreeMap<>();

    private Builder() {}

    /**
     * @param key an identifier key
     * @param value String, Long/Integer, Double/Float, Boolean or List of String
     * @return this builder
     * @throws InvalidArgumentException on a bad key or value
     */
    public Builder put(String key, Object value) {
      checkKey(key);
      values.put(key, canonical(key, value));
      return this;
    }

    /** @return the metadata */
    public Metadata build() {
      return values.isEmpty() ? EMPTY : new Metadata(new TreeMap<>(values));
    }
  }

}
