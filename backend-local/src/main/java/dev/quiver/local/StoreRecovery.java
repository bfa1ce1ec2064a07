package dev.quiver.local;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Record;
import dev.quiver.StorageException;
import dev.quiver.local.internal.storage.LogRecoveryReport;
import dev.quiver.local.internal.storage.Operation;
import dev.quiver.local.internal.storage.RecoveryHandler;
import dev.quiver.local.internal.storage.StoreStorage;
import java.io.DataInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the store from a snapshot and the log, without logging anything. Records of a FLAT
 * section are applied in batches as they stream in; those of an HNSW or IVF section are held until the
 * section's index blob arrives, so the saved graph or IVF index can be reused (or, without one, rebuilt).
 */
final class StoreRecovery implements RecoveryHandler {
  private static final int BATCH = 1000;

  private final LocalVectorStore store;
  private final Map<String, LocalCollection> collections;
  private final Capabilities capabilities;
  private final Path directory;
  private final HealthLog health;

  private LocalCollection section;
  private List<Record> pending;
  private boolean streaming;
  /** Estimated bytes of the log entries replayed (for the snapshot threshold). */
  long replayedBytes;
  /** HNSW graphs restored from the snapshot without rebuilding, and rebuilt from records. */
  int graphsReused;
  int graphsRebuilt;
  /** IVF indexes restored from the snapshot as saved, and rebuilt (re-encoded or re-trained). */
  int ivfReused;
  int ivfRebuilt;

  StoreRecovery(LocalVectorStore store, Map<String, LocalCollection> collections, Capabilities capabilities,
      Path directory, HealthLog health) {
    this.store = store;
    this.collections = collections;
    this.capabilities = capabilities;
    this.directory = directory;
    this.health = health;
  }

  @Override
  public void collection(CollectionSpec spec) {
    endSection();
    section = addRecovered(spec);
    streaming = !section.hasIndexState();
    pending = new ArrayList<>();
  }

  @Override
  public void record(String collection, Record record) {
    pending.add(record);
    if (streaming && pending.size() == BATCH) {
      section.applyUpsert(pending);
      pending = new ArrayList<>(BATCH);
    }
  }

  @Override
  public void blob(String collection, String name, DataInput in) throws IOException {
    if (!streaming && pending != null && name.equals(section.indexBlobName())) {
      restore(in);
    }
  }

  /**
   * Restores the current HNSW or IVF section's records and index ({@code in} null: rebuilds the index
   * from the records).
   */
  private void restore(DataInput in) {
    CollectionSnapshots.Restored r = section.restoreFrom(pending, in);
    boolean ivf = section.ivf() != null;
    if (r.reused()) {
      if (ivf) {
        ivfReused++;
      } else {
        graphsReused++;
      }
    } else {
      if (ivf) {
        ivfRebuilt++;
      } else {
        graphsRebuilt++;
      }
      // every snapshot section of an HNSW or IVF collection carries its index, so a missing one is a problem too
      String what = ivf ? "IVF index" : "HNSW graph";
      String problem = in == null ? "the snapshot holds no saved " + (ivf ? "index" : "graph") + " for it" : r.problem();
      health.warn(LocalHealth.Kind.INDEX_REBUILT, "store " + directory + ", collection '" + section.name()
          + "': the " + what + " saved in the snapshot could not be used (" + problem + "); rebuilt it from the "
          + pending.size() + " records", null);
    }
    pending = null;
  }

  void endSection() {
    if (pending != null) {
      if (streaming) {
        section.applyUpsert(pending);
        pending = null;
      } else {
        restore(null);
      }
    }
    section = null;
  }

  @Override
  public void operation(long sequence, Operation op) {
    endSection();
    replayedBytes += WalEntries.estimate(op, 0);
    if (op instanceof Operation.CreateCollection c) {
      addRecovered(c.spec());
    } else if (op instanceof Operation.DropCollection d) {
      collections.remove(d.collection());
    } else {
      LocalCollection c = collections.get(op.collection());
      if (c == null) {
        throw new StorageException("write-ahead log entry " + sequence + " in " + directory
            + " targets collection '" + op.collection() + "', which does not exist at that point", null);
      }
      if (op instanceof Operation.Upsert u) {
        replayedBytes += 4L * c.spec().dimension() * u.records().size();
        c.applyUpsert(u.records());
      } else if (op instanceof Operation.Delete d) {
        c.applyDelete(d.ids());
      } else if (op instanceof Operation.UpdateMetadata m) {
        c.applyUpdateMetadata(m.id(), m.metadata());
      }
    }
  }

  private LocalCollection addRecovered(CollectionSpec spec) {
    capabilities.require(Feature.of(spec.metric()));
    capabilities.require(spec.index().feature());
    LocalCollection c = new LocalCollection(store, spec);
    if (collections.putIfAbsent(spec.name(), c) != null) {
      throw new StorageException("store " + directory + " holds collection '" + spec.name()
          + "' twice", null);
    }
    return c;
  }

  /** Logs what recovery dropped: a torn tail at INFO, a truncated damaged log at WARNING (and in health). */
  void report(StoreStorage.RecoveryReport report) {
    LogRecoveryReport wal = report.wal();
    if (wal.damage() != null) {
      health.warn(LocalHealth.Kind.LOG_TRUNCATED, "store " + directory + " was opened with recovery by"
          + " truncation: " + wal.damage() + "; the log was truncated there and " + wal.lostEntries()
          + (wal.lostEntries() == 1 ? " entry was" : " entries were") + " lost", null);
    } else if (wal.truncatedBytes() > 0) {
      HealthLog.LOG.log(System.Logger.Level.INFO, "store " + directory + ": dropped a torn write-ahead log"
          + " tail of " + wal.truncatedBytes() + " bytes (" + wal.truncatedReason() + "); it held a write that was in"
          + " flight when the store last stopped, never acknowledged");
    }
  }
}
