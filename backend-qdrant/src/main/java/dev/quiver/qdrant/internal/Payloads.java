package dev.quiver.qdrant.internal;

import dev.quiver.BackendException;
import dev.quiver.Metadata;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metadata to Qdrant payload and back. User keys map one to one (String to {@code string_value},
 * Long to {@code integer_value}, Double to {@code double_value}, Boolean to {@code bool_value},
 * List of String to a {@code list_value} of strings). Reserved keys (user keys cannot start with
 * {@code __}) carry the adapter's bookkeeping:
 * <ul>
 *   <li>{@link #ID}: the caller's record id;</li>
 *   <li>{@link #KEYS}: the list of the record's metadata keys, so {@code exists(x)} is exact even for
 *       an empty list value (Qdrant's {@code is_empty} treats {@code []} as absent);</li>
 *   <li>{@link #DOUBLES}: the keys whose value is a Double, so filters can tell a stored double
 *       from a stored long;</li>
 *   <li>{@link #hiKey}/{@link #loKey} of each Double-valued key: the double's exact bits as an
 *       order-preserving long ({@link #sortable}) split into two integers below 2^32. Qdrant stores
 *       payload doubles through a lossy decimal parse (1000000000000000.5 comes back as
 *       1000000000000000.4), but keeps integers exactly; reads return the double from these bits
 *       and filters compare doubles on them, never on the stored double.</li>
 * </ul>
 */
public final class Payloads {

  /** The caller's record id. */
  public static final String ID = "__quiver_id";
  /** The names of all metadata keys present on the record. */
  public static final String KEYS = "__quiver_keys";
  /** The names of the metadata keys whose value is a Double. */
  public static final String DOUBLES = "__quiver_dbl";
  /** The record's tenant, in multi-tenant collections (a keyword payload index with {@code is_tenant}). */
  public static final String TENANT = "__tenant";
  private static final String HI = "__quiver_dhi_";
  private static final String LO = "__quiver_dlo_";

  private Payloads() {}

  /**
   * @param id the caller's id
   * @param metadata the record's metadata
   * @return the payload to store
   */
  public static Map<String, Value> toPayload(String id, Metadata metadata) {
    return toPayload(id, metadata, null);
  }

  /**
   * @param id the caller's id
   * @param metadata the record's metadata
   * @param tenant the record's tenant, or {@code null} in a collection without tenants
   * @return the payload to store
   */
  public static Map<String, Value> toPayload(String id, Metadata metadata, String tenant) {
    Map<String, Value> out = new LinkedHashMap<>();
    ListValue.Builder keys = ListValue.newBuilder();
    ListValue.Builder doubles = ListValue.newBuilder();
    for (Map.Entry<String, Object> e : metadata.asMap().entrySet()) {
      out.put(e.getKey(), value(e.getValue()));
      keys.addValues(string(e.getKey()));
      if (e.getValue() instanceof Double d) {
        doubles.addValues(string(e.getKey()));
        long s = sortable(d);
        out.put(hiKey(e.getKey()), integer(hi(s)));
        out.put(loKey(e.getKey()), integer(lo(s)));
      }
    }
    out.put(ID, string(id));
    out.put(KEYS, Value.newBuilder().setListValue(keys).build());
    out.put(DOUBLES, Value.newBuilder().setListValue(doubles).build());
    if (tenant != null) {
      out.put(TENANT, string(tenant));
    }
    return out;
  }

  /** @param key a metadata key @return the reserved key holding the high 32 bits of its double's sortable bits */
  public static String hiKey(String key) {
    return HI + key;
  }

  /** @param key a metadata key @return the reserved key holding the low 32 bits (unsigned) of its double's sortable bits */
  public static String loKey(String key) {
    return LO + key;
  }

  /**
   * The IEEE bits of a double as a long that orders as the doubles do ({@code a < b} exactly when
   * {@code sortable(a) < sortable(b)}); -0.0 maps to -1, just below 0.0 at 0, so it reads back as -0.0.
   *
   * @param d a finite double
   * @return its sortable bits
   */
  public static long sortable(double d) {
    long bits = Double.doubleToRawLongBits(d);
    return bits ^ ((bits >> 63) & Long.MAX_VALUE);
  }

  /** @param s sortable bits @return the double they encode */
  public static double fromSortable(long s) {
    return Double.longBitsToDouble(s ^ ((s >> 63) & Long.MAX_VALUE));
  }

  /** @param s sortable bits @return the high half, signed, in [-2^31, 2^31) */
  public static long hi(long s) {
    return s >> 32;
  }

  /** @param s sortable bits @return the low half, unsigned, in [0, 2^32) */
  public static long lo(long s) {
    return s & 0xFFFF_FFFFL;
  }

  static Value integer(long l) {
    return Value.newBuilder().setIntegerValue(l).build();
  }

  static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  static Value value(Object v) {
    Value.Builder b = Value.newBuilder();
    if (v instanceof String s) {
      b.setStringValue(s);
    } else if (v instanceof Long l) {
      b.setIntegerValue(l);
    } else if (v instanceof Double d) {
      b.setDoubleValue(d);
    } else if (v instanceof Boolean x) {
      b.setBoolValue(x);
    } else if (v instanceof List<?> list) {
      ListValue.Builder lb = ListValue.newBuilder();
      for (Object o : list) {
        lb.addValues(string((String) o));
      }
      b.setListValue(lb);
    } else {
      throw new IllegalArgumentException("not a metadata value: " + v);
    }
    return b.build();
  }

  /**
   * @param payload a point's payload
   * @param fallbackId the point id's text, used when the payload has no {@link #ID}
   * @return the caller's id
   */
  public static String id(Map<String, Value> payload, String fallbackId) {
    Value v = payload.get(ID);
    return v != null && v.hasStringValue() ? v.getStringValue() : fallbackId;
  }

  /**
   * @param payload a point's payload
   * @param recordId for error messages
   * @return the metadata: every key not starting with {@code __}
   * @throws BackendException if a value has a type Quiver metadata cannot hold (a foreign point)
   */
  public static Metadata toMetadata(Map<String, Value> payload, String recordId) {
    Metadata.Builder b = Metadata.builder();
    for (Map.Entry<String, Value> e : payload.entrySet()) {
      if (e.getKey().startsWith(Metadata.RESERVED_PREFIX)) {
        continue;
      }
      Object v = fromValue(e.getValue());
      if (v instanceof Double) {
        v = exactDouble(payload, e.getKey(), (Double) v);
      }
      if (v == null) {
        throw new BackendException("record '" + recordId + "' has payload key '" + e.getKey()
            + "' of a type Quiver metadata cannot hold (" + e.getValue().getKindCase() + ")", null);
      }
      try {
        b.put(e.getKey(), v);
      } catch (RuntimeException ex) {
        throw new BackendException("record '" + recordId + "' has payload key '" + e.getKey()
            + "' that is not a valid Quiver metadata key", ex);
      }
    }
    return b.build();
  }

  /** The double as written: from its sortable bits when present (written by this adapter), else as stored. */
  private static double exactDouble(Map<String, Value> payload, String key, double stored) {
    Value hi = payload.get(hiKey(key));
    Value lo = payload.get(loKey(key));
    if (hi == null || lo == null || !hi.hasIntegerValue() || !lo.hasIntegerValue()) {
      return stored;
    }
    return fromSortable((hi.getIntegerValue() << 32) | lo.getIntegerValue());
  }

  static Object fromValue(Value v) {
    switch (v.getKindCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INTEGER_VALUE:
        return v.getIntegerValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      case LIST_VALUE:
        List<String> out = new ArrayList<>();
        for (Value x : v.getListValue().getValuesList()) {
          if (!x.hasStringValue()) {
            return null;
          }
          out.add(x.getStringValue());
        }
        return out;
      default:
        return null;
    }
  }
}
