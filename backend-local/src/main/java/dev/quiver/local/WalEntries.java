package dev.quiver.local;

import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.local.internal.storage.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a write into write-ahead log operations no larger than the log accepts, and estimates their
 * encoded size (an upper bound of the storage layer's encoding, cheap to compute) for the snapshot
 * threshold. A batch that fits in one entry is one operation, so it is atomic across a crash; only a
 * batch beyond the entry limit (256 MiB by default) is split, and then each part is atomic.
 */
final class WalEntries {

  /** Fixed overhead per entry and per operation, generous. */
  static final int ENTRY_OVERHEAD = 64;

  private WalEntries() {}

  /** Upper bound of a string's encoding: UTF-8 is at most 3 bytes per UTF-16 unit, plus a varint length. */
  static long string(String s) {
    return 5 + 3L * s.length();
  }

  /** Upper bound of a record's encoding. */
  static long record(Record r, int dimension) {
    return string(r.id()) + 5 + 4L * dimension + metadata(r.metadata());
  }

  /** Upper bound of a metadata encoding. */
  static long metadata(Metadata md) {
    long n = 5;
    for (Map.Entry<String, Object> e : md.asMap().entrySet()) {
      n += string(e.getKey()) + 1;
      Object v = e.getValue();
      if (v instanceof String s) {
        n += string(s);
      } else if (v instanceof List<?> list) {
        n += 5;
        for (Object o : list) {
          n += string(String.valueOf(o));
        }
      } else {
        n += 9; // long, double, boolean
      }
    }
    return n;
  }

  /**
   * @param tenant the partition's tenant, or null
   * @param limit the log's largest entry payload
   * @return one upsert operation, or several if the batch would exceed the limit
   */
  static List<Operation> upserts(String collection, String tenant, List<Record> records, int dimension, int limit) {
    long budget = Math.max(1, limit / 2 - ENTRY_OVERHEAD - string(collection) - (tenant == null ? 0 : string(tenant))); // half: the estimate is an upper bound anyway
    List<Operation> out = new ArrayList<>(1);
    int from = 0;
    long size = 0;
    for (int i = 0; i < records.size(); i++) {
      long r = record(records.get(i), dimension);
      if (i > from && size + r > budget) {
        out.add(new Operation.Upsert(collection, tenant, records.subList(from, i)));
        from = i;
        size = 0;
      }
      size += r;
    }
    out.add(new Operation.Upsert(collection, tenant, records.subList(from, records.size())));
    return out;
  }

  /**
   * @param tenant the partition's tenant, or null
   * @param limit the log's largest entry payload
   * @return one delete operation, or several if the ids would exceed the limit
   */
  static List<Operation> deletes(String collection, String tenant, List<String> ids, int limit) {
    long budget = Math.max(1, limit / 2 - ENTRY_OVERHEAD - string(collection) - (tenant == null ? 0 : string(tenant)));
    List<Operation> out = new ArrayList<>(1);
    int from = 0;
    long size = 0;
    for (int i = 0; i < ids.size(); i++) {
      long r = string(ids.get(i));
      if (i > from && size + r > budget) {
        out.add(new Operation.Delete(collection, tenant, ids.subList(from, i)));
        from = i;
        size = 0;
      }
      size += r;
    }
    out.add(new Operation.Delete(collection, tenant, ids.subList(from, ids.size())));
    return out;
  }

  /** Upper bound of an operation's encoded size, for the snapshot threshold. */
  static long estimate(Operation op, int dimension) {
    long n = ENTRY_OVERHEAD + string(op.collection()) + (op.tenant() == null ? 0 : string(op.tenant()));
    if (op instanceof Operation.Upsert u) {
      for (Record r : u.records()) {
        n += record(r, dimension);
      }
    } else if (op instanceof Operation.Delete d) {
      for (String id : d.ids()) {
        n += string(id);
      }
    } else if (op instanceof Operation.UpdateMetadata m) {
      n += string(m.id()) + metadata(m.metadata());
    } else {
      n += 256;
    }
    return n;
  }
}
