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
 * Rebuilds the store from a snapshot and the log, without logging anything. A snapshot section is a
 * collection; a multi-tenant collection's section holds one part per tenant, each restored into its own
 * partition. Records of a FLAT partition are applied in batches as they stream in; those of an HNSW or
 * IVF partition are held until its index blob arrives, so the saved graph or IVF index can be reused
 * (or, without one, rebuilt).
 */
final class StoreRecovery implements RecoveryHandler {
  private static final int BATCH = 1000;

  private final LocalVectorStore store;
  private final Map<String, LocalCollection> collections;
  private final Capabilities capabilities;
  private final Path directory;
  private final HealthLog health;

  /** The collection of the current snapshot section. */
  private LocalCollection collection;
  /** The partition records are being restored into; null between sections, or before a tenant's part. */
  private Partition section;
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
    collection = addRecovered(spec);
    if (!spec.multiTenant()) {
      startPartition(collection.partitionForRecovery(null));
    }
  }

  @Override
  public void tenant(String name, String tenant) {
    endPartition();
    if (collection == null || !collection.spec().multiTenant() || !collection.name().equals(name)) {
      throw new StorageException("the snapshot of store " + directory + " has a part for tenant '" + tenant
          + "' outside a multi-tenant collection ('" + name + "')", null);
    }
    if (collection.existingPartition(tenant) != null) {
      throw new StorageException("the snapshot of store " + directory + " holds tenant '" + tenant
          + "' of collection '" + name + "' twice", null);
    }
    startPartition(collection.partitionForRecovery(tenant));
  }

  private void startPartition(Partition p) {
    section = p;
    streaming = !p.snapshots.hasIndexState();
    pending = new ArrayList<>();
  }

  @Override
  public void record(String name, Record record) {
    if (section == null) {
      throw new StorageException("the snapshot of store " + directory + " has a record of multi-tenant collection '"
          + name + "' outside a tenant's part", null);
    }
    pending.add(record);
    if (streaming && pending.size() == BATCH) {
      section.state.applyUpsert(pending);
      pending = new ArrayList<>(BATCH);
    }
  }

  @Override
  public void blob(String name, String blob, DataInput in) throws IOException {
    if (section != null && !streaming && pending != null && blob.equals(section.snapshots.blobName())) {
      restore(in);
    }
  }

  /**
   * Restores the current HNSW or IVF partition's records and index ({@code in} null: rebuilds the index
   * from the records).
   */
  private void restore(DataInput in) {
    CollectionSnapshots.Restored r = section.snapshots.restore(pending, in);
    boolean ivf = section.state.ivf() != null;
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
      // every snapshot part of an HNSW or IVF collection carries its index, so a missing one is a problem too
      String what = ivf ? "IVF index" : "HNSW graph";
      String problem = in == null ? "the snapshot holds no saved " + (ivf ? "index" : "graph") + " for it" : r.problem();
      health.warn(LocalHealth.Kind.INDEX_REBUILT, "store " + directory + ", " + section.describe() + ": the " + what
          + " saved in the snapshot could not be used (" + problem + "); rebuilt it from the " + pending.size()
          + " records", null);
    }
    pending = null;
  }

  /** Ends the current partition: applies what is pending, or restores it without a saved index. */
  private void endPartition() {
    if (pending != null) {
      if (streaming) {
        section.state.applyUpsert(pending);
        pending = null;
      } else {
        restore(null);
      }
    }
    section = null;
  }

  void endSection() {
    endPartition();
    collection = null;
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
      if (c.spec().multiTenant() == (op.tenant() == null)) {
        throw new StorageException("write-ahead log entry " + sequence + " in " + directory + " is "
            + (op.tenant() == null ? "not " : "") + "a tenant's write, but collection '" + op.collection() + "' is "
            + (c.spec().multiTenant() ? "" : "not ") + "multi-tenant", null);
      }
      if (op instanceof Operation.Upsert u) {
        replayedBytes += 4L * c.spec().dimension() * u.records().size();
        c.partitionForRecovery(op.tenant()).state.applyUpsert(u.records());
      } else {
        Partition p = c.existingPartition(op.tenant()); // a tenant never written to has nothing to change
        if (p != null && op instanceof Operation.Delete d) {
          p.state.applyDelete(d.ids());
        } else if (p != null && op instanceof Operation.UpdateMetadata m) {
          p.state.applyUpdateMetadata(m.id(), m.metadata());
        }
      }
    }
  }

  private LocalCollection addRecovered(CollectionSpec spec) {
    capabilities.require(Feature.of(spec.metric()));
    capabilities.require(spec.index().feature());
    if (!spec.fields().isEmpty()) {
      capabilities.require(Feature.DECLARED_FIELDS);
    }
    if (spec.multiTenant()) {
      capabilities.require(Feature.TENANTS);
    }
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
