package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.Record;
import java.io.DataInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link RecoveryHandler} for tests: a tiny engine that applies what recovery delivers. */
final class Recorder implements RecoveryHandler {
  long snapshotSequence = -1;
  final Map<String, CollectionSpec> specs = new LinkedHashMap<>();
  final Map<String, Map<String, Record>> records = new LinkedHashMap<>();
  final Map<String, byte[]> blobs = new LinkedHashMap<>();
  final List<Long> sequences = new ArrayList<>();
  final List<Operation> operations = new ArrayList<>();

  @Override
  public void snapshotStart(long coveredSequence) {
    snapshotSequence = coveredSequence;
  }

  @Override
  public void collection(CollectionSpec spec) {
    specs.put(spec.name(), spec);
    records.put(spec.name(), new LinkedHashMap<>());
  }

  @Override
  public void record(String collection, Record record) {
    records.get(collection).put(record.id(), record);
  }

  @Override
  public void blob(String collection, String name, DataInput in) throws IOException {
    int n = in.readInt();
    byte[] b = new byte[n];
    in.readFully(b);
    blobs.put(collection + "/" + name, b);
  }

  @Override
  public void operation(long sequence, Operation op) {
    sequences.add(sequence);
    operations.add(op);
    apply(op);
  }

  void apply(Operation op) {
    if (op instanceof Operation.CreateCollection c) {
      collection(c.spec());
    } else if (op instanceof Operation.DropCollection d) {
      specs.remove(d.collection());
      records.remove(d.collection());
    } else if (op instanceof Operation.Upsert u) {
      for (Record r : u.records()) {
        records.get(u.collection()).put(r.id(), r);
      }
    } else if (op instanceof Operation.Delete d) {
      d.ids().forEach(records.get(d.collection())::remove);
    } else if (op instanceof Operation.UpdateMetadata m) {
      records.get(m.collection()).computeIfPresent(m.id(), (k, r) -> r.withMetadata(m.metadata()));
    }
  }

  /** Writes this state as a snapshot, with a blob per collection holding its record count. */
  void writeTo(SnapshotWriter w) throws IOException {
    for (Map.Entry<String, CollectionSpec> e : specs.entrySet()) {
      w.collection(e.getValue());
      for (Record r : records.get(e.getKey()).values()) {
        w.record(r);
      }
      byte[] payload = ("count=" + records.get(e.getKey()).size()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      w.blob("info", out -> {
        out.writeInt(payload.length);
        out.write(payload);
      });
    }
  }
}
