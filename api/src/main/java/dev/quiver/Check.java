package dev.quiver;

import java.nio.charset.StandardCharsets;

/** Argument checks shared by the value types, each failing with an {@link InvalidArgumentException}. */
final class Check {

  private Check() {}

  static <T> T notNull(T value, String what) {
    if (value == null) {
      throw new InvalidArgumentException(what + " must not be null");
    }
    return value;
  }

  /** Ids: non-empty, well-formed Unicode, at most {@link Record#MAX_ID_BYTES} UTF-8 bytes. */
  static String id(String id) {
    if (id == null || id.isEmpty()) {
      throw new InvalidArgumentException("record id must be a non-empty string, got " + (id == null ? "null" : "''"));
    }
    int bad = unpairedSurrogate(id);
    if (bad >= 0) {
      throw new InvalidArgumentException("record id contains an unpaired UTF-16 surrogate at index " + bad);
    }
    int bytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Record.MAX_ID_BYTES) {
      throw new InvalidArgumentException(
          "record id is " + bytes + " UTF-8 bytes long; the limit is " + Record.MAX_ID_BYTES + " ('"
              + id.substring(0, 20) + "...')");
    }
    return id;
  }

  /**
   * The canonical form of a scalar value shared by metadata and filter literals: String, Boolean and
   * Long as they are, Integer/Short/Byte widened to Long, Float widened to Double. Returns
   * {@code null} for anything else (including null); finiteness is the caller's check.
   */
  /**
   * A string with an unpaired surrogate is not valid Unicode: UTF-8 encoders replace it with '?', so
   * a backend would store something else than was written. Returns its index, or -1 when well formed.
   */
  static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  static String wellFormed(String s, String what) {
    int bad = unpairedSurrogate(s);
    if (bad >= 0) {
      throw new InvalidArgumentException(what + " has an unpaired UTF-16 surrogate at index " + bad
          + "; it cannot be stored exactly (UTF-8 has no encoding for it)");
    }
    return s;
  }

  static Object scalar(Object value) {
    if (value instanceof String || value instanceof Long || value instanceof Boolean || value instanceof Double) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    return null;
  }

  static float[] finiteVector(float[] vector, String what) {
    notNull(vector, what);
    if (vector.length == 0) {
      throw new InvalidArgumentException(what + " is empty");
    }
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new InvalidArgumentException(what + " has a non-finite value (" + vector[i] + ") at index " + i);
      }
    }
    return vector.clone();
  }
}
