package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.VectorStoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary encoding of the engine's values and {@link Operation}s, shared by the WAL and snapshots.
 * Compact and exact: metadata values keep their type (a {@code Long} stays a {@code Long}, a
 * {@code Double} with an integral value stays a {@code Double}); floats and doubles are stored as
 * their raw IEEE bits; strings are UTF-8 with a varint length. Every tag below is part of the on-disk
 * format: codes are only ever added, never renumbered. No Java serialization.
 */
final class Codec {

  // Operation tags.
  static final int OP_CREATE = 1;
  static final int OP_DROP = 2;
  static final int OP_UPSERT = 3;
  static final int OP_DELETE = 4;
  static final int OP_UPDATE_METADATA = 5;
  // Since format version 2 (declared fields, tenants).
  static final int OP_CREATE_EXTENDED = 6;
  static final int OP_UPSERT_TENANT = 7;
  static final int OP_DELETE_TENANT = 8;
  static final int OP_UPDATE_METADATA_TENANT = 9;

  // Metadata value tags.
  static final int V_STRING = 1;
  static final int V_LONG = 2;
  static final int V_DOUBLE = 3;
  static final int V_BOOLEAN = 4;
  static final int V_STRING_LIST = 5;

  // Metric codes (not ordinals: reordering the enum must not change files).
  static final int M_COSINE = 1;
  static final int M_DOT = 2;
  static final int M_EUCLIDEAN = 3;

  // Index codes.
  static final int I_FLAT = 1;
  static final int I_HNSW = 2;
  static final int I_IVF = 3;

  // Declared field type codes (not ordinals).
  static final int F_STRING = 1;
  static final int F_LONG = 2;
  static final int F_DOUBLE = 3;
  static final int F_BOOL = 4;
  static final int F_STRING_LIST = 5;

  // Flags of an extended spec.
  static final int S_UNDECLARED_KEYS_ALLOWED = 1;
  static final int S_MULTI_TENANT = 2;

  private Codec() {}

  /**
   * @param op an operation
   * @return its encoding
   */
  static byte[] encode(Operation op) {
    ByteWriter w = new ByteWriter(256);
    writeOperation(w, op);
    return w.toByteArray();
  }

  /**
   * @param bytes an encoding made by {@link #encode}
   * @return the operation
   * @throws FormatException if the bytes do not decode to exactly one operation
   */
  static Operation decode(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    Operation op = readOperation(r);
    r.expectEnd();
    return op;
  }

  static void writeOperation(ByteWriter w, Operation op) {
    if (op instanceof Operation.CreateCollection c) {
      boolean extended = isExtended(c.spec());
      w.u8(extended ? OP_CREATE_EXTENDED : OP_CREATE);
      writeSpec(w, c.spec());
      if (extended) {
        writeSpecExtension(w, c.spec());
      }
    } else if (op instanceof Operation.DropCollection d) {
      w.u8(OP_DROP).string(d.collection());
    } else if (op instanceof Operation.Upsert u) {
      w.u8(u.tenant() == null ? OP_UPSERT : OP_UPSERT_TENANT);
      writeTarget(w, u);
      w.varint(u.records().size());
      for (Record rec : u.records()) {
        writeRecord(w, rec);
      }
    } else if (op instanceof Operation.Delete d) {
      w.u8(d.tenant() == null ? OP_DELETE : OP_DELETE_TENANT);
      writeTarget(w, d);
      w.varint(d.ids().size());
      for (String id : d.ids()) {
        w.string(id);
      }
    } else if (op instanceof Operation.UpdateMetadata m) {
      w.u8(m.tenant() == null ? OP_UPDATE_METADATA : OP_UPDATE_METADATA_TENANT);
      writeTarget(w, m);
      w.string(m.id());
      writeMetadata(w, m.metadata());
    } else {
      throw new IllegalArgumentException("unknown operation " + op);
    }
  }

  /** The collection and, for a tenant operation, the tenant. */
  private static void writeTarget(ByteWriter w, Operation op) {
    w.string(op.collection());
    if (op.tenant() != null) {
      w.string(op.tenant());
    }
  }

  static Operation readOperation(ByteReader r) {
    int tag = r.u8();
    try {
      switch (tag) {
        case OP_CREATE:
          return new Operation.CreateCollection(readSpec(r));
        case OP_CREATE_EXTENDED:
          return new Operation.CreateCollection(readSpecExtension(r, readSpec(r)));
        case OP_DROP:
          return new Operation.DropCollection(r.string());
        case OP_UPSERT:
        case OP_UPSERT_TENANT: {
          String name = r.string();
          String tenant = tag == OP_UPSERT_TENANT ? r.string() : null;
          int n = r.count(r.remaining());
          List<Record> records = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            records.add(readRecord(r));
          }
          return new Operation.Upsert(name, tenant, records);
        }
        case OP_DELETE:
        case OP_DELETE_TENANT: {
          String name = r.string();
          String tenant = tag == OP_DELETE_TENANT ? r.string() : null;
          int n = r.count(r.remaining());
          List<String> ids = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            ids.add(r.string());
          }
          return new Operation.Delete(name, tenant, ids);
        }
        case OP_UPDATE_METADATA:
          return new Operation.UpdateMetadata(r.string(), r.string(), readMetadata(r));
        case OP_UPDATE_METADATA_TENANT:
          return new Operation.UpdateMetadata(r.string(), r.string(), r.string(), readMetadata(r));
        default:
          throw new FormatException("unknown operation tag " + tag);
      }
    } catch (VectorStoreException | NullPointerException e) {
      // Bytes that passed their checksum but build an invalid value: treat as a format error.
      throw new FormatException("operation " + tag + " does not decode to a valid value: " + e.getMessage());
    }
  }

  static void writeSpec(ByteWriter w, CollectionSpec spec) {
    w.string(spec.name()).varint(spec.dimension());
    Metric m = spec.metric();
    w.u8(m == Metric.COSINE ? M_COSINE : m == Metric.DOT_PRODUCT ? M_DOT : M_EUCLIDEAN);
    IndexSpec index = spec.index();
    if (index instanceof IndexSpec.Hnsw h) {
      w.u8(I_HNSW).varint(h.m()).varint(h.efConstruction());
    } else if (index instanceof IndexSpec.IvfPq ivf) {
      w.u8(I_IVF).varint(ivf.nlist()).varint(ivf.subspaces()).varint(ivf.bits());
    } else {
      w.u8(I_FLAT);
    }
  }

  static CollectionSpec readSpec(ByteReader r) {
    String name = r.string();
    int dim = r.count(Integer.MAX_VALUE);
    int mc = r.u8();
    Metric metric = switch (mc) {
      case M_COSINE -> Metric.COSINE;
      case M_DOT -> Metric.DOT_PRODUCT;
      case M_EUCLIDEAN -> Metric.EUCLIDEAN;
      default -> throw new FormatException("unknown metric code " + mc);
    };
    int ic = r.u8();
    IndexSpec index = switch (ic) {
      case I_FLAT -> IndexSpec.flat();
      case I_HNSW -> IndexSpec.hnsw(r.count(Integer.MAX_VALUE), r.count(Integer.MAX_VALUE));
      case I_IVF -> new IndexSpec.IvfPq(r.count(Integer.MAX_VALUE), r.count(Integer.MAX_VALUE), r.count(Integer.MAX_VALUE));
      default -> throw new FormatException("unknown index code " + ic);
    };
    return CollectionSpec.builder(name).dimension(dim).metric(metric).index(index).build();
  }

  /**
   * @param spec a spec
   * @return whether it needs the extension (declared fields, only declared keys, tenants); a spec
   *     without one is written exactly as format version 1 wrote it
   */
  static boolean isExtended(CollectionSpec spec) {
    return !spec.fields().isEmpty() || !spec.undeclaredKeysAllowed() || spec.multiTenant();
  }

  /**
   * What format version 2 adds after a spec: {@code count (varint), (name, type u8, indexed u8)*, flags u8}
   * (bit 0: undeclared keys allowed, bit 1: multi-tenant).
   */
  static void writeSpecExtension(ByteWriter w, CollectionSpec spec) {
    w.varint(spec.fields().size());
    for (MetadataField f : spec.fields()) {
      int type = switch (f.type()) {
        case STRING -> F_STRING;
        case LONG -> F_LONG;
        case DOUBLE -> F_DOUBLE;
        case BOOL -> F_BOOL;
        case STRING_LIST -> F_STRING_LIST;
      };
      w.string(f.name()).u8(type).u8(f.indexed() ? 1 : 0);
    }
    w.u8((spec.undeclaredKeysAllowed() ? S_UNDECLARED_KEYS_ALLOWED : 0) | (spec.multiTenant() ? S_MULTI_TENANT : 0));
  }

  /** Reads {@link #writeSpecExtension}'s bytes and returns {@code base} with them. */
  static CollectionSpec readSpecExtension(ByteReader r, CollectionSpec base) {
    int n = r.count(r.remaining());
    List<MetadataField> fields = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = r.string();
      int tc = r.u8();
      FieldType type = switch (tc) {
        case F_STRING -> FieldType.STRING;
        case F_LONG -> FieldType.LONG;
        case F_DOUBLE -> FieldType.DOUBLE;
        case F_BOOL -> FieldType.BOOL;
        case F_STRING_LIST -> FieldType.STRING_LIST;
        default -> throw new FormatException("unknown field type code " + tc + " of field '" + name + "'");
      };
      int indexed = r.u8();
      if (indexed > 1) {
        throw new FormatException("indexed byte " + indexed + " of field '" + name + "'");
      }
      fields.add(new MetadataField(name, type, indexed == 1));
    }
    int flags = r.u8();
    if ((flags & ~(S_UNDECLARED_KEYS_ALLOWED | S_MULTI_TENANT)) != 0) {
      throw new FormatException("unknown spec flags " + flags);
    }
    return base.toBuilder().fields(fields).undeclaredKeysAllowed((flags & S_UNDECLARED_KEYS_ALLOWED) != 0)
        .multiTenant((flags & S_MULTI_TENANT) != 0).build();
  }

  static void writeRecord(ByteWriter w, Record rec) {
    w.string(rec.id()).floats(rec.vector());
    writeMetadata(w, rec.metadata());
  }

  static Record readRecord(ByteReader r) {
    String id = r.string();
    float[] vector = r.floats();
    return Record.of(id, vector, readMetadata(r));
  }

  static void writeMetadata(ByteWriter w, Metadata m) {
    Map<String, Object> map = m.asMap();
    w.varint(map.size());
    for (Map.Entry<String, Object> e : map.entrySet()) {
      w.string(e.getKey());
      Object v = e.getValue();
      if (v instanceof String s) {
        w.u8(V_STRING).string(s);
      } else if (v instanceof Long l) {
        w.u8(V_LONG).i64(l);
      } else if (v instanceof Double d) {
        w.u8(V_DOUBLE).i64(Double.doubleToRawLongBits(d));
      } else if (v instanceof Boolean b) {
        w.u8(V_BOOLEAN).u8(b ? 1 : 0);
      } else if (v instanceof List<?> list) {
        w.u8(V_STRING_LIST).varint(list.size());
        for (Object o : list) {
          w.string((String) o);
        }
      } else {
        throw new IllegalArgumentException("metadata value of unsupported type " + v.getClass());
      }
    }
  }

  static Metadata readMetadata(ByteReader r) {
    int n = r.count(r.remaining());
    if (n == 0) {
      return Metadata.empty();
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String key = r.string();
      int tag = r.u8();
      Object v = switch (tag) {
        case V_STRING -> r.string();
        case V_LONG -> r.i64();
        case V_DOUBLE -> Double.longBitsToDouble(r.i64());
        case V_BOOLEAN -> {
          int b = r.u8();
          if (b > 1) {
            throw new FormatException("boolean byte " + b);
          }
          yield b == 1;
        }
        case V_STRING_LIST -> {
          int k = r.count(r.remaining());
          List<String> list = new ArrayList<>(k);
          for (int j = 0; j < k; j++) {
            list.add(r.string());
          }
          yield list;
        }
        default -> throw new FormatException("unknown metadata value tag " + tag + " for key '" + key + "'");
      };
      if (map.put(key, v) != null) {
        throw new FormatException("metadata key '" + key + "' appears twice");
      }
    }
    return Metadata.from(map);
  }
}
