package dev.quiver.migrate;

import dev.quiver.Metadata;
import dev.quiver.Record;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns a source record into the record written to the target, or {@code null} to skip it (skipped
 * records are counted in the plan and the report; nothing is dropped silently). The usual reason
 * for a custom transform is re-embedding with a new model, often into a new dimension:
 *
 * <pre>{@code
 * Transform reembed = r -> Record.of(r.id(), model.embed((String) r.metadata().get("text").orElseThrow()),
 *     r.metadata());
 * Migration.from(source).to(targetStore, "docs_v2").transform(reembed).targetDimension(1024).run();
 * }</pre>
 *
 * <p>A transform must be deterministic: the plan, the copy and the verification each apply it to
 * the records they read, and a resumed run applies it again to the pages it re-reads. It runs on
 * the copy's writer threads, so it must be thread-safe. To refuse a record, throw
 * {@link TransformException}; the plan counts those by kind.
 */
@FunctionalInterface
public interface Transform {

  /**
   * @param record a source record
   * @return the record to write, or {@code null} to skip it
   * @throws TransformException when the record cannot be transformed
   */
  Record apply(Record record);

  /**
   * @param next the transform to run on this one's result
   * @return both, this one first; a skip by this one skips {@code next}
   */
  default Transform andThen(Transform next) {
    Objects.requireNonNull(next, "next");
    return r -> {
      Record x = apply(r);
      return x == null ? null : next.apply(x);
    };
  }

  /** @return the transform that keeps every record as it is */
  static Transform identity() {
    return r -> r;
  }

  /**
   * Renames metadata keys. A record that already has a key's new name (besides the old one) is
   * refused with {@link TransformException} of kind {@code "rename collision"}, never overwritten.
   *
   * @param renames old name to new name
   * @return the transform
   */
  static Transform renameKeys(Map<String, String> renames) {
    Map<String, String> copy = Map.copyOf(renames);
    copy.values().forEach(Metadata::checkKey);
    return r -> {
      Metadata m = r.metadata();
      boolean touched = false;
      for (String key : copy.keySet()) {
        touched |= m.containsKey(key);
      }
      if (!touched) {
        return r;
      }
      Metadata.Builder b = Metadata.builder();
      for (Map.Entry<String, Object> e : m.asMap().entrySet()) {
        String newKey = copy.getOrDefault(e.getKey(), e.getKey());
        if (!newKey.equals(e.getKey()) && m.containsKey(newKey) && !copy.containsKey(newKey)) {
          throw new TransformException("rename collision", "record '" + r.id() + "': renaming '" + e.getKey()
              + "' to '" + newKey + "' would overwrite its existing '" + newKey + "'");
        }
        b.put(newKey, e.getValue());
      }
      return r.withMetadata(b.build());
    };
  }

  /**
   * @param keys metadata keys to remove from every record
   * @return the transform
   */
  static Transform dropKeys(Set<String> keys) {
    Set<String> copy = Set.copyOf(keys);
    return r -> {
      Metadata m = r.metadata();
      for (String k : copy) {
        if (m.containsKey(k)) {
          m = m.without(k);
        }
      }
      return m == r.metadata() ? r : r.withMetadata(m);
    };
  }

  /** What to do with a metadata long beyond ±2^53, which a float64 store cannot hold exactly. */
  enum InexactLongs {
    /** Write it as its decimal string ({@code 9007199254740993} becomes {@code "9007199254740993"}): exact, but a string. */
    TO_STRING,
    /** Write the nearest double (changes the number: explicitly lossy). */
    TO_DOUBLE,
    /** Leave the key out of that record. */
    DROP_KEY
  }

  /** Largest long magnitude a float64 store holds exactly: 2^53. */
  long MAX_EXACT_LONG = 1L << 53;

  /**
   * @param mode how to convert longs beyond ±2^53; other values are kept
   * @return the transform
   */
  static Transform inexactLongs(InexactLongs mode) {
    Objects.requireNonNull(mode, "mode");
    return r -> {
      Metadata m = r.metadata();
      Metadata out = m;
      for (Map.Entry<String, Object> e : m.asMap().entrySet()) {
        if (e.getValue() instanceof Long l && (l > MAX_EXACT_LONG || l < -MAX_EXACT_LONG)) {
          out = switch (mode) {
            case TO_STRING -> out.with(e.getKey(), Long.toString(l));
            case TO_DOUBLE -> out.with(e.getKey(), l.doubleValue());
            case DROP_KEY -> out.without(e.getKey());
          };
        }
      }
      return out == m ? r : r.withMetadata(out);
    };
  }
}
