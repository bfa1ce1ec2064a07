package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.BackendException;
import dev.quiver.Feature;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.UnsupportedFeatureException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Quiver metadata to Pinecone metadata and back, exactly. Pinecone keeps every number as a float64
 * and returns {@code 2019} as {@code 2019.0}, so for every numeric key {@code k} the adapter writes a
 * reserved scalar key {@code __quiver_n_k} holding {@code "l"} (the value is a long) or {@code "d"}
 * (a double). It serves two purposes: longs come back as {@link Long}, and a filter can test "k holds
 * a number" with {@code {"__quiver_n_k":{"$exists":true}}} — needed to negate range comparisons
 * exactly, since Pinecone has no type test. Longs beyond ±2^53 cannot be held exactly and are
 * rejected ({@link Feature#EXACT_LONGS}). Metadata (with the reserved keys) must fit Pinecone's 40 KB.
 *
 * <p>A <b>declared</b> numeric field needs no tag: its type is in the collection's spec, so it is
 * stored as a plain Pinecone number and read back as the declared type. A <b>foreign</b> index
 * ({@link Layout#isForeign()}) gets no reserved keys at all: its numbers are written as plain numbers
 * and read back as {@link Double} (nothing says they were longs), and a key or value Quiver cannot
 * represent is named in an error instead of being dropped.
 */
public final class MetadataCodec {

  /** Prefix of the reserved per-key number tags. */
  public static final String NUM_TAG = "__quiver_n_";
  /** Tag value: the number is a long. */
  public static final String LONG = "l";
  /** Tag value: the number is a double. */
  public static final String DOUBLE = "d";
  /** Pinecone's metadata limit per record, in bytes of JSON. */
  public static final int MAX_METADATA_BYTES = 40 * 1024;
  /** Largest magnitude a long may have to survive float64 exactly. */
  public static final long MAX_EXACT_LONG = 1L << 53;

  private MetadataCodec() {}

  /**
   * @param metadata the caller's metadata
   * @param id the record id, for messages
   * @return the Pinecone metadata object (possibly empty)
   * @throws UnsupportedFeatureException for a long beyond ±2^53
   * @throws InvalidArgumentException if the encoded metadata exceeds 40 KB
   */
  public static ObjectNode encode(Metadata metadata, String id, Layout layout) {
    ObjectNode out = Json.object();
    ObjectNode tags = Json.object();
    for (Map.Entry<String, Object> e : metadata.asMap().entrySet()) {
      String k = e.getKey();
      Object v = e.getValue();
      if (v instanceof String s) {
        out.put(k, s);
      } else if (v instanceof Long l) {
        checkLong(l, "metadata '" + k + "' of record '" + id + "'");
        out.put(k, l);
        if (needsTag(layout, k)) {
          tags.put(NUM_TAG + k, LONG);
        }
      } else if (v instanceof Double d) {
        out.put(k, d);
        if (needsTag(layout, k)) {
          tags.put(NUM_TAG + k, DOUBLE);
        }
      } else if (v instanceof Boolean b) {
        out.put(k, b);
      } else if (v instanceof List<?> list) {
        ArrayNode arr = out.putArray(k);
        list.forEach(x -> arr.add((String) x));
      }
    }
    out.setAll(tags);
    if (!layout.isForeign() && Ids.isHashed(Ids.encode(id))) {
      out.put(Ids.ID_KEY, id);
    }
    int size = Json.bytes(out).length;
    if (size > MAX_METADATA_BYTES) {
      throw new InvalidArgumentException("metadata of record '" + id + "' is " + size + " bytes as JSON"
          + (layout.isForeign() ? "" : " (with Quiver's type bookkeeping)") + "; Pinecone allows at most "
          + MAX_METADATA_BYTES + " bytes per record");
    }
    return out;
  }

  /** Only undeclared numeric keys of Quiver's own indexes carry a type tag. */
  private static boolean needsTag(Layout layout, String key) {
    return !layout.isForeign() && layout.declared(key).isEmpty();
  }

  /**
   * @param value a long in a record or a filter
   * @param what names it in the message
   * @throws UnsupportedFeatureException if it is beyond ±2^53
   */
  public static void checkLong(long value, String what) {
    if (value > MAX_EXACT_LONG || value < -MAX_EXACT_LONG) {
      throw new UnsupportedFeatureException("pinecone", Feature.EXACT_LONGS, what + " is " + value
          + ", beyond ±2^53; Pinecone keeps numbers as float64 and would store a different number");
    }
  }

  /**
   * @param node Pinecone metadata (may be missing or null)
   * @param id the record id, for messages
   * @return the caller's metadata, with longs restored
   * @throws BackendException if the stored metadata cannot be represented in Quiver
   */
  public static Metadata decode(JsonNode node, String id, Layout layout) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Metadata.empty();
    }
    Metadata.Builder b = Metadata.builder();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if (!layout.isForeign() && k.startsWith("__quiver_")) {
        continue;
      }
      JsonNode v = e.getValue();
      try {
        if (layout.isForeign()) {
          Metadata.checkKey(k);
        }
        if (v.isTextual()) {
          b.put(k, v.asText());
        } else if (v.isBoolean()) {
          b.put(k, v.booleanValue());
        } else if (v.isNumber()) {
          if (isLong(node, k, layout) && v.canConvertToExactIntegral()
              && Math.abs(v.doubleValue()) <= MAX_EXACT_LONG) {
            b.put(k, v.isIntegralNumber() ? v.longValue() : (long) v.doubleValue());
          } else {
            b.put(k, v.doubleValue());
          }
        } else if (v.isArray()) {
          List<String> list = new ArrayList<>(v.size());
          for (JsonNode x : v) {
            if (!x.isTextual()) {
              throw new InvalidArgumentException("a list of non-strings");
            }
            list.add(x.asText());
          }
          b.put(k, list);
        } else {
          throw new InvalidArgumentException("a value of JSON type " + v.getNodeType());
        }
      } catch (InvalidArgumentException ex) {
        throw new BackendException("record '" + id + "' has metadata '" + k + "' that Quiver cannot represent ("
            + ex.getMessage() + ")" + (layout.isForeign() ? "; Quiver reads every key of an index it did not create"
            + " or none, so the record is refused rather than read without it" : "; was it written by another tool?"),
            ex);
      }
    }
    return b.build();
  }

  /** Whether a stored number is a long: by the declared type, else by Quiver's tag; never on a foreign index. */
  private static boolean isLong(JsonNode node, String key, Layout layout) {
    if (layout.isForeign()) {
      return false;
    }
    return layout.declared(key).map(t -> t == dev.quiver.FieldType.LONG)
        .orElseGet(() -> LONG.equals(node.path(NUM_TAG + key).asText(null)));
  }
}
