package dev.quiver.local;

import dev.quiver.CollectionSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The partitions of one collection: the single {@link Partition} of a collection without tenants, or one
 * per tenant of a multi-tenant collection, made on the tenant's first write (tenants need no creation; a
 * tenant never written to reads as empty and costs nothing). Shared by the collection's own handle and
 * its tenant handles.
 *
 * <p>Also what concerns all partitions at once: a {@linkplain #reindex reindex} (every partition gets the
 * new index, including those made while it runs), what a snapshot captures ({@link #capture}), and the
 * search planner test hook.
 */
final class Partitions {

  private final LocalVectorStore store;
  private final LocalCollection collection;
  /** The partition of a collection without tenants; null when multi-tenant. */
  private final Partition single;
  private final ConcurrentSkipListMap<String, Partition> tenants = new ConcurrentSkipListMap<>();
  /** Orders the creation of tenant partitions against a reindex publishing and swapping indexes. */
  private final ReentrantLock lock = new ReentrantLock();
  /** One reindex at a time. */
  private final ReentrantLock reindexing = new ReentrantLock();
  /** The collection's spec with the index its partitions serve; new partitions start with it. */
  private volatile CollectionSpec current;
  /** The spec a reindex in progress builds, or null; guarded by {@link #lock}. */
  private CollectionSpec building;
  /** Test hook: the planner of every partition (null: the standard one). */
  private volatile SearchPlanner planner;

  /**
   * @param store the store
   * @param collection the collection's own handle
   * @param spec its spec
   */
  Partitions(LocalVectorStore store, LocalCollection collection, CollectionSpec spec) {
    this.store = store;
    this.collection = collection;
    this.current = spec;
    this.single = spec.multiTenant() ? null : create(null);
  }

  /** @return the collection's own handle */
  LocalCollection collection() {
    return collection;
  }

  /** @return the collection's spec with the index it serves now */
  CollectionSpec current() {
    return current;
  }

  /** @return the partition of a collection without tenants */
  Partition single() {
    if (single == null) {
      throw new IllegalStateException("collection '" + current.name() + "' is multi-tenant: it has a partition per tenant");
    }
    return single;
  }

  /**
   * @param tenant a tenant, or null for a collection without tenants
   * @return its partition, or null when the tenant was never written to
   */
  Partition find(String tenant) {
    return tenant == null ? single() : tenants.get(tenant);
  }

  /**
   * @param tenant a tenant, or null for a collection without tenants
   * @return its partition, made now if the tenant has none yet
   */
  Partition open(String tenant) {
    if (tenant == null) {
      return single();
    }
    Partition p = tenants.get(tenant);
    if (p != null) {
      return p;
    }
    lock.lock();
    try {
      return tenants.computeIfAbsent(tenant, this::create);
    } finally {
      lock.unlock();
    }
  }

  /** Caller holds {@link #lock}, or is the constructor. */
  private Partition create(String tenant) {
    if (single != null || (tenant == null) == current.multiTenant()) {
      throw new IllegalStateException("a partition for tenant " + tenant + " in " + current);
    }
    Partition p = new Partition(store, collection, current, tenant);
    SearchPlanner pl = planner;
    if (pl != null) {
      p.reads.planner(pl);
    }
    if (building != null) { // a reindex runs: this partition is swapped with the others
      p.state.startBuilding(IndexSet.create(p.state, building, true));
    }
    return p;
  }

  /** @return every partition (tenants in name order) */
  Collection<Partition> all() {
    return single != null ? List.of(single) : tenants.values();
  }

  /** @return the tenants whose partition holds at least one record, in name order */
  List<String> tenantsWithRecords() {
    List<String> out = new ArrayList<>();
    for (Partition p : tenants.values()) {
      if (!p.state.byId.isEmpty()) {
        out.add(p.tenant);
      }
    }
    return out;
  }

  /** Test hook: the planner of every partition, including those made later. */
  void planner(SearchPlanner p) {
    lock.lock();
    try {
      planner = p;
      for (Partition x : all()) {
        x.reads.planner(p);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Replaces the index of every partition online (see {@link dev.quiver.VectorCollection#reindex}):
   * publishes an empty index of the target kind beside each serving one (and beside those of partitions
   * made from now on), so every write goes to both; fills them with the existing records outside every
   * lock (HNSW: inserts in ordinal order; IVF: training on the partition's records when there are enough);
   * then, under the write gate, swaps all of them in at once. Searches use the old index until the swap.
   *
   * <p>Nothing is logged: on a durable store the store then writes a snapshot, which holds the new spec
   * and indexes and commits atomically ({@code switched} runs before it: the new index is in use whether
   * or not the snapshot succeeds). A crash before that snapshot's commit reopens the old index; after it,
   * the new one. Writes acknowledged meanwhile are in the log either way.
   *
   * @param target the collection's spec with the new index
   * @param switched called once the new index serves
   */
  void reindex(CollectionSpec target, Runnable switched) {
    store.checkLive(collection);
    reindexing.lock();
    try {
      store.checkLive(collection);
      lock.lock();
      try {
        building = target;
        for (Partition p : all()) {
          p.state.startBuilding(IndexSet.create(p.state, target, true));
        }
      } finally {
        lock.unlock();
      }
      boolean swapped = false;
      try {
        for (Partition p : new ArrayList<>(all())) {
          p.writes.fillBuilding();
        }
        store.write(() -> {
          store.checkLive(collection);
          lock.lock(); // no partition is made half-way through the swap
          try {
            for (Partition p : all()) {
              p.state.writeLock.lock();
              try {
                p.state.swapInBuilding();
              } finally {
                p.state.writeLock.unlock();
              }
            }
            current = target;
            building = null;
          } finally {
            lock.unlock();
          }
          return 0;
        });
        swapped = true;
      } finally {
        if (!swapped) {
          lock.lock();
          try {
            building = null;
            for (Partition p : all()) {
              p.state.abandonBuilding();
            }
          } finally {
            lock.unlock();
          }
        }
      }
      switched.run(); // the collection reports the new index even if saving it fails below
      store.saveReindexed(target.name());
    } finally {
      reindexing.unlock();
    }
  }

  /**
   * Captures the collection for a snapshot; the caller has stopped writers. A tenant without records is
   * left out (tenants need no creation: it reads the same).
   *
   * @return the section to write
   */
  CollectionSnapshots.Section capture() {
    List<CollectionSnapshots.Captured> parts = new ArrayList<>();
    for (Partition p : all()) {
      if (p.tenant == null || !p.state.byId.isEmpty()) {
        parts.add(p.snapshots.capture());
      }
    }
    return new CollectionSnapshots.Section(current, parts);
  }
}
