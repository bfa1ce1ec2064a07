package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.local.internal.filter.MetadataIndex;
import dev.quiver.local.internal.index.HnswGraph;
import dev.quiver.local.internal.index.OrdinalTable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The records of one partition — a collection without tenants, or one tenant of a multi-tenant
 * collection ({@link Partition}) — and the primitives that change them, shared by the logged write path
 * ({@link WritePath}), recovery (the {@code apply*} methods, which are the same code without logging),
 * reads ({@link ReadPath}, {@link ExactScan}) and snapshots ({@link CollectionSnapshots}).
 *
 * <p><b>Records and ordinals.</b> Every stored version of a record gets a fresh ordinal (a
 * {@link Slot}); an upsert of an existing id retires the old slot, so replacing a vector is a graph
 * insert plus a tombstone. Live records are also kept sorted by id ({@link #byId}).
 *
 * <p><b>Index.</b> FLAT, an HNSW graph or an IVF index ({@link IndexSet}), replaceable online by a
 * reindex ({@link #indexes}). {@link #spec} is the collection as created: name, dimension and metric;
 * the index it has now is {@code serving().spec}.
 *
 * <p><b>Concurrency.</b> A write first {@link #prepare}s its slots (the graph inserts, the expensive
 * part) outside any collection lock, so several writers insert at once; it then {@link #commit}s them
 * under {@link #writeLock} and, briefly, the write side of {@link #commitLock}, all of a batch at once.
 * Searches take the read side of the commit lock only while the metadata index evaluates a filter.
 *
 * <p><b>Metadata index.</b> Every metadata key is indexed except the declared fields the spec asks not to
 * index ({@link #unindexedFields}); {@link #evaluateLocked} answers a filter from the index, checking the
 * predicates on unindexed fields on the candidates the rest of the filter leaves.
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
  final MetadataIndex metadataIndex;
  /** Held while a write logs and commits, so the log has this collection's operations in apply order. */
  final ReentrantLock writeLock = new ReentrantLock();

  /**
   * The index that serves searches and, while a {@linkplain Partitions#reindex reindex} runs, the one
   * being built beside it; replaced as a whole, so one read gives a consistent pair. A write adds its
   * records to both ({@link #prepare}) and retires them from both; the reindex publishes the pair, fills
   * the new index, then swaps it in under {@link #writeLock} and the commit lock. Replaced otherwise only
   * by {@link CollectionSnapshots#restore}, before the collection is shared.
   *
   * @param serving searched and saved in snapshots
   * @param building being built by a reindex, or null
   */
  record Indexes(IndexSet serving, IndexSet building) {}

  volatile Indexes indexes;
  private final ReentrantLock repairLock = new ReentrantLock();
  private final AtomicInteger tombstonesSinceRepair = new AtomicInteger();

  /** @param spec the collection as created: its name, dimension and metric never change; its index may */
  CollectionState(CollectionSpec spec) {
    this.spec = spec;
    this.metric = spec.metric();
    this.metadataIndex = new MetadataIndex(unindexedFields(spec));
    this.indexes = new Indexes(IndexSet.create(this, spec, false), null);
  }

  /** @return the declared fields the spec asks not to index (every other key is indexed) */
  static Set<String> unindexedFields(CollectionSpec spec) {
    Set<String> out = new HashSet<>();
    for (MetadataField f : spec.fields()) {
      if (!f.indexed()) {
        out.add(f.name());
      }
    }
    return out;
  }

  /** @return the serving index */
  IndexSet serving() {
    return indexes.serving();
  }

  /** @return the serving graph, or null unless HNSW */
  HnswGraph graph() {
    return indexes.serving().graph;
  }

  /** @return the serving IVF index, or null unless IVF */
  IvfCollectionIndex ivf() {
    return indexes.serving().ivf;
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
      return evaluateLocked(filter);
    } finally {
      commitLock.readLock().unlock();
    }
  }

  /**
   * The ordinals the filter admits: from the metadata index, with the predicates on unindexed declared
   * fields checked on the candidates the indexed part leaves. Caller holds a side of the commit lock (so
   * the index, liveness and metadata agree).
   */
  BitSet evaluateLocked(Filter filter) {
    return metadataIndex.evaluate(filter, ord -> slots.get(ord).metadata);
  }

  /** @return whether the metadata index alone answers the filter (it names no unindexed declared field) */
  boolean indexAnswers(Filter filter) {
    return metadataIndex.answersAlone(filter);
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
      Indexes ix = indexes; // one read: a reindex swapping meanwhile still finds these slots in its new index
      ix.serving().add(fresh); // not live yet: searches may reach them but never return them
      if (ix.building() != null) {
        ix.building().add(fresh);
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
    Indexes ix = indexes;
    for (Slot s : fresh) {
      slots.set(s.ord, null);
      ix.serving().removed(s);
      if (ix.building() != null) {
        ix.building().removed(s);
      }
    }
  }

  /** Makes a slot invisible; caller holds the commit lock and has removed it from {@link #byId}. */
  private void retire(Slot old) {
    old.live = false;
    metadataIndex.remove(old.ord, old.metadata);
    slots.set(old.ord, null);
    Indexes ix = indexes;
    ix.serving().removed(old);
    if (ix.building() != null) {
      ix.building().removed(old);
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
    IvfCollectionIndex ivf = ivf();
    if (ivf != null && retired > 0) {
      ivf.afterRemovals();
    }
    HnswGraph graph = graph();
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
    HnswGraph graph = graph();
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
    IvfCollectionIndex ivf = ivf();
    if (ivf != null) {
      ivf.maybeTrain();
    }
  }

  // ------------------------------------------------------------------ reindex

  /** Publishes an index to build beside the serving one: every write from now on adds to it too. */
  void startBuilding(IndexSet building) {
    indexes = new Indexes(indexes.serving(), building);
  }

  /** Forgets the index being built (a reindex that failed before its swap). */
  void abandonBuilding() {
    indexes = new Indexes(indexes.serving(), null);
  }

  /**
   * Makes the index being built the serving one. Caller holds {@link #writeLock}; the commit lock is
   * taken here, so no commit or retire is half-way through either index.
   */
  void swapInBuilding() {
    commitLock.writeLock().lock();
    try {
      if (indexes.building() == null) {
        throw new IllegalStateException("no index is being built for " + spec.name());
      }
      indexes = new Indexes(indexes.building(), null);
      tombstonesSinceRepair.set(0);
    } finally {
      commitLock.writeLock().unlock();
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
