package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.local.internal.filter.MetadataIndex;
import dev.quiver.local.internal.index.HnswGraph;
import dev.quiver.local.internal.index.OrdinalTable;
import dev.quiver.local.internal.kernel.Kernels;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The records of one collection and the primitives that change them, shared by the logged write path
 * ({@link WritePath}), recovery (the {@code apply*} methods, which are the same code without logging),
 * reads ({@link ReadPath}, {@link ExactScan}) and snapshots ({@link CollectionSnapshots}).
 *
 * <p><b>Records and ordinals.</b> Every stored version of a record gets a fresh ordinal (a
 * {@link Slot}); an upsert of an existing id retires the old slot, so replacing a vector is a graph
 * insert plus a tombstone. Live records are also kept sorted by id ({@link #byId}).
 *
 * <p><b>Concurrency.</b> A write first {@link #prepare}s its slots (the graph inserts, the expensive
 * part) outside any collection lock, so several writers insert at once; it then {@link #commit}s them
 * under {@link #writeLock} and, briefly, the write side of {@link #commitLock}, all of a batch at once.
 * Searches take the read side of the commit lock only while the metadata index evaluates a filter.
 */
final class CollectionState {

  /** Repair the graph once this fraction of live records has been tombstoned since the last repair. */
  private static final double REPAIR_FRACTION = 0.05;
  private static final int REPAIR_MIN = 32;
  /** Records applied per batch when a collection is filled from recovered records. */
  static final int APPLY_BATCH = 1000;

  final CollectionSpec spec;
  final Metric metric;

  final ConcurrentSkipListMap<String, Slot> byId = new ConcurrentSkipListMap<>();
  final OrdinalTable<Slot> slots = new OrdinalTable<>();
  final AtomicInteger nextOrd = new AtomicInteger();
  /** Guards {@link #metadataIndex} and makes commits atomic: write side for commits, read side for filter evaluation. */
  final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();
  final MetadataIndex metadataIndex = new MetadataIndex();
  /** Held while a write logs and commits, so the log has this collection's operations in apply order. */
  final ReentrantLock writeLock = new ReentrantLock();

  /** Null for FLAT; replaced only by {@link CollectionSnapshots#restore}, before the collection is shared. */
  HnswGraph graph;
  /** Null unless the collection is IVF-FLAT or IVF-PQ. */
  final IvfCollectionIndex ivf;
  private final ReentrantLock repairLock = new ReentrantLock();
  private final AtomicInteger tombstonesSinceRepair = new AtomicInteger();

  CollectionState(CollectionSpec spec) {
    this.spec = spec;
    this.metric = spec.metric();
    this.graph = newGraph();
    this.ivf = spec.index() instanceof IndexSpec.IvfPq p ? new IvfCollectionIndex(this, p) : null;
  }

  /** @return an empty graph as the spec asks for, or null for FLAT */
  HnswGraph newGraph() {
    if (spec.index() instanceof IndexSpec.Hnsw h) {
      // fixed seed: builds are reproducible, which keeps recall tests and benchmarks stable
      return new HnswGraph(metric, spec.dimension(), h.m(), h.efConstruction(), 42L, Kernels.active());
    }
    return null;
  }

  /** @return a new slot for a record (not yet stored anywhere) */
  Slot newSlot(int ord, Record r) {
    return new Slot(ord, r.id(), r.vector(), r.metadata(), ExactScan.scanAux(metric, r.vector()));
  }

  boolean isLive(int ord) {
    Slot s = slots.get(ord);
    return s != null && s.live;
  }

  /** @return the ordinals the filter admits, computed under the read side of the commit lock */
  BitSet evaluate(Filter filter) {
    commitLock.readLock().lock();
    try {
      return metadataIndex.evaluate(filter);
    } finally {
      commitLock.readLock().unlock();
    }
  }

  // ------------------------------------------------------------------ commit primitives

  /** Gives the records fresh slots and inserts them into the graph, not yet visible. */
  List<Slot> prepare(List<Record> batch) {
    List<Slot> fresh = new ArrayList<>(batch.size());
    for (Record r : batch) {
      Slot s = newSlot(nextOrd.getAndIncrement(), r);
      slots.set(s.ord, s);
      fresh.add(s);
    }
    boolean inserted = false;
    try {
      if (graph != null) {
        for (Slot s : fresh) {
          graph.insert(s.ord, s.vector); // not live yet: searches may traverse it but never return it
        }
      }
      if (ivf != null) {
        ivf.added(fresh); // not live yet: searches skip it
      }
      inserted = true;
    } finally {
      if (!inserted) {
        discard(fresh);
      }
    }
    return fresh;
  }

  /** Makes prepared slots visible, all at once; caller holds {@link #writeLock}. @return slots retired */
  int commit(List<Slot> fresh) {
    int retired = 0;
    commitLock.writeLock().lock();
    try {
      for (Slot s : fresh) {
        Slot old = byId.put(s.id, s);
        metadataIndex.add(s.ord, s.metadata);
        s.live = true;
        if (old != null) {
          retire(old);
          retired++;
        }
      }
    } finally {
      commitLock.writeLock().unlock();
    }
    return retired;
  }

  /** Forgets prepared slots that will never be committed. */
  void discard(List<Slot> fresh) {
    for (Slot s : fresh) {
      slots.set(s.ord, null);
      if (graph != null && graph.contains(s.ord)) {
        graph.markDeleted(s.ord);
      }
    }
  }

  /** Makes a slot invisible; caller holds the commit lock and has removed it from {@link #byId}. */
  private void retire(Slot old) {
    old.live = false;
    metadataIndex.remove(old.ord, old.metadata);
    slots.set(old.ord, null);
    if (graph != null) {
      graph.markDeleted(old.ord);
    }
    if (ivf != null) {
      ivf.removed(old);
    }
  }

  /** Caller holds {@link #writeLock}. @return slots retired */
  int retireIds(Collection<String> ids) {
    int retired = 0;
    commitLock.writeLock().lock();
    try {
      for (String id : ids) {
        Slot old = byId.remove(id);
        if (old != null) {
          retire(old);
          retired++;
        }
      }
    } finally {
      commitLock.writeLock().unlock();
    }
    return retired;
  }

  /** Replaces a live record's metadata; caller holds {@link #writeLock}. @return whether the record exists */
  boolean updateMetadataLocked(String id, Metadata metadata) {
    commitLock.writeLock().lock();
    try {
      Slot s = byId.get(id);
      if (s == null) {
        return false;
      }
      metadataIndex.remove(s.ord, s.metadata);
      s.metadata = metadata;
      metadataIndex.add(s.ord, metadata);
      return true;
    } finally {
      commitLock.writeLock().unlock();
    }
  }

  /**
   * Rewires the graph around tombstones, or compacts the IVF lists, once enough accumulated; runs
   * outside the commit lock.
   */
  void afterRetire(int retired) {
    if (ivf != null && retired > 0) {
      ivf.afterRemovals();
    }
    if (graph == null || retired == 0) {
      return;
    }
    int pending = tombstonesSinceRepair.addAndGet(retired);
    if (pending < Math.max(REPAIR_MIN, REPAIR_FRACTION * byId.size())) {
      return;
    }
    if (repairLock.tryLock()) { // one repair at a time; a concurrent caller's tombstones are picked up by it
      try {
        tombstonesSinceRepair.set(0);
        graph.repair();
      } finally {
        repairLock.unlock();
      }
    }
  }

  /** Repairs the graph now (tests). */
  void repairNow() {
    if (graph != null) {
      repairLock.lock();
      try {
        tombstonesSinceRepair.set(0);
        graph.repair();
      } finally {
        repairLock.unlock();
      }
    }
  }

  /**
   * After an upsert committed (and, for a logged write, became durable), outside every lock: trains the
   * IVF index if the collection just reached its training size.
   */
  void afterUpsert() {
    if (ivf != null) {
      ivf.maybeTrain();
    }
  }

  // ------------------------------------------------------------------ unlogged writes: recovery

  /** Upsert without logging: recovery, {@link CollectionSnapshots#restore}. */
  void applyUpsert(List<Record> records) {
    List<Slot> fresh = prepare(records);
    int retired;
    boolean committed = false;
    writeLock.lock();
    try {
      retired = commit(fresh);
      committed = true;
    } finally {
      writeLock.unlock();
      if (!committed) {
        discard(fresh);
      }
    }
    afterRetire(retired);
    afterUpsert();
  }

  /** Upserts records in batches of {@link #APPLY_BATCH}, without logging. */
  void applyAll(Collection<Record> records) {
    List<Record> all = new ArrayList<>(records);
    for (int from = 0; from < all.size(); from += APPLY_BATCH) {
      applyUpsert(all.subList(from, Math.min(all.size(), from + APPLY_BATCH)));
    }
  }

  /** Delete without logging: recovery. */
  void applyDelete(Collection<String> ids) {
    int retired;
    writeLock.lock();
    try {
      retired = retireIds(ids);
    } finally {
      writeLock.unlock();
    }
    afterRetire(retired);
  }

  /** Update without logging: recovery. @return whether the record exists */
  boolean applyUpdateMetadata(String id, Metadata metadata) {
    writeLock.lock();
    try {
      return updateMetadataLocked(id, metadata);
    } finally {
      writeLock.unlock();
    }
  }
}
