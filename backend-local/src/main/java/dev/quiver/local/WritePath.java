package dev.quiver.local;

import dev.quiver.Filter;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.local.internal.storage.Operation;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * The logged writes of one partition (a collection without tenants, or one tenant): upsert, delete by
 * ids or filter, updateMetadata. Log entries name the tenant, so replay finds the partition.
 *
 * <p>Every write runs in three steps (see {@link LocalVectorStore#write}): the expensive preparation
 * (slots, graph inserts) outside any collection lock, so writers still insert concurrently; then,
 * under {@link CollectionState#writeLock}, the log entry is written ({@link LocalVectorStore#log}) and
 * the change committed, so the log holds the collection's operations in the order they were applied;
 * then, outside every lock, the caller waits for the fsync. Recovery replays the log through
 * {@link CollectionState}'s {@code apply*} methods, which are the same code without logging.
 */
final class WritePath {

  private final LocalVectorStore store;
  private final LocalCollection owner;
  private final CollectionState state;
  /** The partition's tenant, or null. */
  private final String tenant;

  WritePath(LocalVectorStore store, LocalCollection owner, CollectionState state, String tenant) {
    this.store = store;
    this.owner = owner;
    this.state = state;
    this.tenant = tenant;
  }

  void upsert(List<Record> batch) {
    store.checkLive(owner);
    List<Record> records = batch; // validated whole by the boundary: a bad record wrote nothing
    String name = state.spec.name();
    int dimension = state.spec.dimension();
    store.write(() -> {
      store.checkLive(owner);
      List<Slot> fresh = state.prepare(records);
      long seq;
      int retired;
      boolean committed = false;
      state.writeLock.lock();
      try {
        seq = store.log(() -> WalEntries.upserts(name, tenant, records, dimension, store.maxEntryBytes()));
        retired = state.commit(fresh);
        committed = true;
      } finally {
        state.writeLock.unlock();
        if (!committed) {
          state.discard(fresh);
        }
      }
      state.afterRetire(retired);
      return seq;
    });
    state.afterUpsert(); // durable and visible: a write that reached the IVF training size trains now
  }

  void delete(Collection<String> ids) {
    store.checkLive(owner);
    Collection<String> doomed = ids; // valid and unique: the boundary checked them
    store.write(() -> {
      store.checkLive(owner);
      long seq = 0;
      int retired = 0;
      state.writeLock.lock();
      try {
        List<String> present = new ArrayList<>();
        for (String id : doomed) {
          if (state.byId.containsKey(id)) {
            present.add(id);
          }
        }
        if (!present.isEmpty()) { // deleting nothing changes nothing and logs nothing
          seq = store.log(() -> WalEntries.deletes(state.spec.name(), tenant, present, store.maxEntryBytes()));
          retired = state.retireIds(present);
        }
      } finally {
        state.writeLock.unlock();
      }
      state.afterRetire(retired);
      return seq;
    });
  }

  /** Logged as a delete of the ids the filter matched, resolved under the write lock. */
  void delete(Filter filter) {
    store.checkLive(owner);
    store.write(() -> {
      store.checkLive(owner);
      long seq = 0;
      int retired = 0;
      state.writeLock.lock();
      try {
        List<String> doomed = new ArrayList<>();
        state.commitLock.readLock().lock();
        try {
          BitSet matched = state.evaluateLocked(filter);
          for (int ord = matched.nextSetBit(0); ord >= 0; ord = matched.nextSetBit(ord + 1)) {
            Slot s = state.slots.get(ord);
            if (s != null && s.live && state.byId.get(s.id) == s) {
              doomed.add(s.id);
            }
          }
        } finally {
          state.commitLock.readLock().unlock();
        }
        if (!doomed.isEmpty()) {
          seq = store.log(() -> WalEntries.deletes(state.spec.name(), tenant, doomed, store.maxEntryBytes()));
          retired = state.retireIds(doomed);
        }
      } finally {
        state.writeLock.unlock();
      }
      state.afterRetire(retired);
      return seq;
    });
  }

  /**
   * For a {@linkplain Partitions#reindex reindex}: adds every record that existed when the index being
   * built was published (writers add the later ones themselves).
   */
  void fillBuilding() {
    IndexSet b = state.indexes.building();
    if (b == null) {
      return;
    }
    if (b.ivf != null) {
      b.ivf.maybeTrain(); // trains on the current records and adds them, once there are enough
      return;
    }
    if (b.graph != null) {
      // in ordinal order on one thread: the graph is the one upserting the records one by one would build
      // (concurrent inserts leave the odd node without in-links; writers arriving meanwhile still insert
      // concurrently, as they always do)
      for (int ord = 0, n = state.nextOrd.get(); ord < n; ord++) {
        Slot s = state.slots.get(ord);
        if (s != null) {
          b.insert(s);
          if (state.slots.get(ord) == null) {
            b.graph.markDeleted(ord); // retired while it was being inserted: its retirement may have missed it
          }
        }
      }
      b.graph.repair(); // rewire around records deleted during the build
    }
  }

  boolean updateMetadata(String id, Metadata metadata) {
    store.checkLive(owner);
    boolean[] found = new boolean[1];
    store.write(() -> {
      store.checkLive(owner);
      state.writeLock.lock();
      try {
        if (!state.byId.containsKey(id)) {
          return 0;
        }
        long seq = store.log(() -> List.of(new Operation.UpdateMetadata(state.spec.name(), tenant, id, metadata)));
        found[0] = state.updateMetadataLocked(id, metadata);
        return seq;
      } finally {
        state.writeLock.unlock();
      }
    });
    return found[0];
  }
}
