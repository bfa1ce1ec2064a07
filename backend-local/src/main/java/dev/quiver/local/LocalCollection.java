package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.local.internal.filter.MetadataIndex;
import dev.quiver.local.internal.index.HnswGraph;
import dev.quiver.local.internal.index.OrdinalTable;
import dev.quiver.local.internal.index.SearchPlanner;
import dev.quiver.local.internal.kernel.Kernels;
import dev.quiver.local.internal.kernel.VectorKernel;
import dev.quiver.local.internal.storage.Operation;
import dev.quiver.local.internal.storage.SnapshotWriter;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;

/**
 * One in-memory collection, searched exactly (FLAT) or through an HNSW graph, as its
 * {@link CollectionSpec#index()} says.
 *
 * <p><b>Records and ordinals.</b> Every stored version of a record gets a fresh ordinal (a
 * {@link Slot}); an upsert of an existing id retires the old slot, so replacing a vector is a
 * graph insert plus a tombstone, and readers holding the old slot still see a consistent record.
 * Live records are also kept sorted by id, which gives {@link #list} its stable order: a cursor is
 * the last id returned, and the next page starts after it.
 *
 * <p><b>Concurrency.</b> Graph inserts, the expensive part of an upsert, run outside any
 * collection lock, so several writers insert at once. Making a batch visible (the id map, the
 * metadata index, tombstones) happens under a short exclusive lock, all of a batch at once.
 * Searches never wait for graph inserts: they take the shared side of that lock only while the
 * metadata index computes the set a filter admits, then traverse the graph without locks.
 *
 * <p><b>Durability.</b> In a durable store every write is logged through
 * {@link LocalVectorStore#log} under {@link #writeLock}, right before it is committed, so the log
 * holds this collection's operations in the order they were applied; the caller waits for the fsync
 * after releasing every lock. Recovery replays the log through the {@code apply*} methods, the same
 * code without logging, and restores snapshots through {@link #restoreFrom}; snapshots are taken
 * from {@link #capture}.
 *
 * <p><b>Filtered search.</b> The metadata index computes exactly the records a filter admits. When
 * few pass (see {@link SearchPlanner}) they are scanned exactly; otherwise the graph is searched
 * with the filter applied while collecting results (not while navigating), and if the graph yields
 * fewer than {@code min(topK, admitted)} results the search falls back to the exact scan, so the
 * top-k is always filled. Every returned record is checked once more with the reference evaluator
 * against its current metadata.
 *
 * <p><b>Scores</b> are always recomputed in double with the {@link Metric} reference formulas, so
 * the float kernels used for traversal never leak into reported numbers.
 */
final class LocalCollection implements VectorCollection {

  /** ef when a search on an HNSW collection does not give one. */
  static final int DEFAULT_EF = 100;

  /** Repair the graph once this fraction of live records has been tombstoned since the last repair. */
  private static final double REPAIR_FRACTION = 0.05;
  private static final int REPAIR_MIN = 32;

  private final LocalVectorStore store;
  private final CollectionSpec spec;
  private final Metric metric;

  private final ConcurrentSkipListMap<String, Slot> byId = new ConcurrentSkipListMap<>();
  private final OrdinalTable<Slot> slots = new OrdinalTable<>();
  private final AtomicInteger nextOrd = new AtomicInteger();
  /** Guards {@link #metadataIndex} and makes commits atomic: write side for commits, read side for filter evaluation. */
  private final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();
  private final MetadataIndex metadataIndex = new MetadataIndex();

  private HnswGraph graph; // null for FLAT; replaced only by restoreFrom, before the collection is shared
  private final ReentrantLock repairLock = new ReentrantLock();
  /** Held while a write logs and commits, so the log has this collection's operations in apply order. */
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicInteger tombstonesSinceRepair = new AtomicInteger();
  private volatile SearchPlanner planner = SearchPlanner.standard();

  /** One stored version of a record. Immutable except for metadata (updateMetadata) and liveness. */
  static final class Slot {
    final int ord;
    final String id;
    final float[] vector; // never handed out without copying
    /** What the exact scan's float distance needs besides the vector: see {@link #scanAux}. */
    final float aux;
    volatile Metadata metadata;
    volatile boolean live;

    Slot(int ord, String id, float[] vector, Metadata metadata, float aux) {
      this.ord = ord;
      this.id = id;
      this.vector = vector;
      this.metadata = metadata;
      this.aux = aux;
    }

    Record toRecord() {
      return Record.of(id, vector, metadata);
    }
  }

  LocalCollection(LocalVectorStore store, CollectionSpec spec) {
    this.store = store;
    this.spec = spec;
    this.metric = spec.metric();
    this.floatError = 2.0 * (spec.dimension() + 16) * FLOAT_U;
    this.underflowError = (spec.dimension() + 16) * 0x1p-140;
    if (spec.index() instanceof IndexSpec.Hnsw h) {
      // fixed seed: builds are reproducible, which keeps recall tests and benchmarks stable
      graph = new HnswGraph(metric, spec.dimension(), h.m(), h.efConstruction(), 42L, Kernels.active());
    } else {
      graph = null;
    }
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public CollectionSpec spec() {
    return spec;
  }

  /** Test hook: replaces the planner (for example to force graph traversal at any selectivity). */
  void planner(SearchPlanner planner) {
    this.planner = planner;
  }

  /** Test hook: the graph, or null for FLAT. */
  HnswGraph graph() {
    return graph;
  }

  // ------------------------------------------------------------------ writes
  //
  // Every write runs in three steps (see LocalVectorStore#write): the expensive preparation (slots,
  // graph inserts) outside any collection lock, so writers still insert concurrently; then, under
  // writeLock, the log entry is written and the change committed, so the log holds the collection's
  // operations in the order they were applied; then, outside every lock, the caller waits for the fsync.
  // Recovery replays the log through the apply* methods, which are the same code without logging.

  @Override
  public void upsert(List<Record> batch) {
    store.checkLive(this);
    // Validate everything first: a bad record fails the whole call and nothing is written.
    List<Record> records = spec.checkRecords(batch);
    if (records.isEmpty()) {
      return; // nothing to write or log
    }
    store.write(() -> {
      store.checkLive(this);
      List<Slot> fresh = prepare(records);
      long seq;
      int retired;
      boolean committed = false;
      writeLock.lock();
      try {
        seq = store.log(() -> WalEntries.upserts(spec.name(), records, spec.dimension(), store.maxEntryBytes()));
        retired = commit(fresh);
        committed = true;
      } finally {
        writeLock.unlock();
        if (!committed) {
          discard(fresh);
        }
      }
      afterRetire(retired);
      return seq;
    });
  }

  /** Upsert without logging: recovery, {@link #restoreFrom}. */
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
  }

  /** Gives the records fresh slots and inserts them into the graph, not yet visible. */
  private List<Slot> prepare(List<Record> batch) {
    List<Slot> fresh = new ArrayList<>(batch.size());
    for (Record r : batch) {
      Slot s = new Slot(nextOrd.getAndIncrement(), r.id(), r.vector(), r.metadata(), scanAux(metric, r.vector()));
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
      inserted = true;
    } finally {
      if (!inserted) {
        discard(fresh);
      }
    }
    return fresh;
  }

  /** Makes prepared slots visible, all at once; caller holds {@link #writeLock}. @return slots retired */
  private int commit(List<Slot> fresh) {
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
  private void discard(List<Slot> fresh) {
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
  }

  /** Rewires the graph around tombstones once enough accumulated; runs outside the commit lock. */
  private void afterRetire(int retired) {
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

  /** Test hook: repairs the graph now. */
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

  @Override
  public List<Record> get(Collection<String> ids) {
    store.checkLive(this);
    Set<String> wanted = Record.checkIds(ids);
    List<Record> out = new ArrayList<>();
    for (String id : wanted) {
      Slot s = byId.get(id);
      if (s != null) {
        out.add(s.toRecord());
      }
    }
    return out;
  }

  @Override
  public void delete(Collection<String> ids) {
    store.checkLive(this);
    Set<String> doomed = Record.checkIds(ids);
    store.write(() -> {
      store.checkLive(this);
      long seq = 0;
      int retired = 0;
      writeLock.lock();
      try {
        List<String> present = new ArrayList<>();
        for (String id : doomed) {
          if (byId.containsKey(id)) {
            present.add(id);
          }
        }
        if (!present.isEmpty()) { // deleting nothing changes nothing and logs nothing
          seq = store.log(() -> WalEntries.deletes(spec.name(), present, store.maxEntryBytes()));
          retired = retireIds(present);
        }
      } finally {
        writeLock.unlock();
      }
      afterRetire(retired);
      return seq;
    });
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

  /** Caller holds {@link #writeLock}. @return slots retired */
  private int retireIds(Collection<String> ids) {
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

  /** Logged as a delete of the ids the filter matched, resolved under the write lock. */
  @Override
  public void delete(Filter filter) {
    store.checkLive(this);
    checkFilter(filter);
    store.write(() -> {
      store.checkLive(this);
      long seq = 0;
      int retired = 0;
      writeLock.lock();
      try {
        List<String> doomed = new ArrayList<>();
        commitLock.readLock().lock();
        try {
          BitSet matched = metadataIndex.evaluate(filter);
          for (int ord = matched.nextSetBit(0); ord >= 0; ord = matched.nextSetBit(ord + 1)) {
            Slot s = slots.get(ord);
            if (s != null && s.live && byId.get(s.id) == s) {
              doomed.add(s.id);
            }
          }
        } finally {
          commitLock.readLock().unlock();
        }
        if (!doomed.isEmpty()) {
          seq = store.log(() -> WalEntries.deletes(spec.name(), doomed, store.maxEntryBytes()));
          retired = retireIds(doomed);
        }
      } finally {
        writeLock.unlock();
      }
      afterRetire(retired);
      return seq;
    });
  }

  @Override
  public boolean updateMetadata(String id, Metadata metadata) {
    store.checkLive(this);
    Record.checkId(id);
    if (metadata == null) {
      throw new InvalidArgumentException("metadata must not be null");
    }
    boolean[] found = new boolean[1];
    store.write(() -> {
      store.checkLive(this);
      writeLock.lock();
      try {
        if (!byId.containsKey(id)) {
          return 0;
        }
        long seq = store.log(() -> List.of(new Operation.UpdateMetadata(spec.name(), id, metadata)));
        found[0] = applyUpdateMetadataLocked(id, metadata);
        return seq;
      } finally {
        writeLock.unlock();
      }
    });
    return found[0];
  }

  /** Update without logging: recovery. @return whether the record exists */
  boolean applyUpdateMetadata(String id, Metadata metadata) {
    writeLock.lock();
    try {
      return applyUpdateMetadataLocked(id, metadata);
    } finally {
      writeLock.unlock();
    }
  }

  private boolean applyUpdateMetadataLocked(String id, Metadata metadata) {
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
  // ------------------------------------------------------------------ reads

  @Override
  public long count() {
    store.checkLive(this);
    return byId.size();
  }

  @Override
  public long count(Filter filter) {
    store.checkLive(this);
    checkFilter(filter);
    commitLock.readLock().lock();
    try {
      return metadataIndex.evaluate(filter).cardinality();
    } finally {
      commitLock.readLock().unlock();
    }
  }

  @Override
  public Page list(ListRequest request) {
    store.checkLive(this);
    if (request == null) {
      throw new InvalidArgumentException("list request must not be null");
    }
    Optional<String> after = request.cursor().map(LocalCollection::decodeCursor);
    Filter filter = request.filter().orElse(null);
    List<Record> page = new ArrayList<>(Math.min(request.pageSize(), 1024));
    boolean more = false;
    Map<String, Slot> tail = after.isPresent() ? byId.tailMap(after.get(), false) : byId;
    for (Slot s : tail.values()) {
      if (filter != null && !filter.matches(s.metadata)) {
        continue;
      }
      if (page.size() == request.pageSize()) {
        more = true;
        break;
      }
      page.add(s.toRecord());
    }
    Optional<String> next = more ? Optional.of(encodeCursor(page.get(page.size() - 1).id())) : Optional.empty();
    return new Page(page, next);
  }

  @Override
  public List<Match> search(SearchRequest request) {
    store.checkLive(this);
    if (request == null) {
      throw new InvalidArgumentException("search request must not be null");
    }
    float[] query = request.vector();
    spec.checkVector("query vector", query);
    if (request.ef().isPresent()) {
      store.capabilities().require(Feature.SEARCH_EF);
    }
    if (request.nprobe().isPresent()) {
      store.capabilities().require(Feature.SEARCH_NPROBE);
    }
    int k = request.topK();
    if (k > store.capabilities().maxTopK()) {
      throw new InvalidArgumentException("topK " + k + " exceeds the limit of " + store.capabilities().maxTopK());
    }
    Filter filter = request.filter().orElse(null);
    BitSet admitted = null;
    long matching;
    if (filter != null) {
      commitLock.readLock().lock();
      try {
        admitted = metadataIndex.evaluate(filter);
      } finally {
        commitLock.readLock().unlock();
      }
      matching = admitted.cardinality();
    } else {
      matching = byId.size();
    }
    List<Scored> best;
    if (matching == 0) {
      best = List.of();
    } else if (graph == null) {
      best = exact(query, filter, admitted, k, matching);
    } else {
      int ef = Math.max(k, request.ef().orElse(DEFAULT_EF));
      if (planner.preferScan(matching, byId.size(), ef, graph.m())) {
        best = exact(query, filter, admitted, k, matching);
      } else {
        best = viaGraph(query, filter, admitted, k, ef);
        if (best.size() < Math.min(k, matching)) {
          // the graph could not reach enough admitted records (a tiny, badly connected subset):
          // the exact scan is the guarantee that the top-k is filled
          best = exact(query, filter, admitted, k, matching);
        }
      }
    }
    double minScore = request.minScore().orElse(Double.NEGATIVE_INFINITY);
    List<Match> out = new ArrayList<>(best.size());
    for (Scored s : best) {
      double score = metric.scoreFromDistance(s.distance);
      if (score < minScore) {
        continue;
      }
      out.add(new Match(s.slot.id, score, s.distance,
          request.includeVectors() ? s.slot.vector.clone() : null,
          request.includeMetadata() ? s.metadata : Metadata.empty()));
    }
    return out;
  }

  /** Worst match first, so a bounded heap keeps the best; ties: the larger id is worse. */
  private static final Comparator<Scored> WORST_FIRST = Comparator.comparingDouble(Scored::distance).reversed()
      .thenComparing(Scored::id, Comparator.reverseOrder());

  private record Scored(Slot slot, Metadata metadata, double distance) {
    String id() {
      return slot.id;
    }
  }

  /**
   * Exact top-k of the admitted (or, without a filter, all) live records, ranked and scored exactly
   * as the double-precision reference formulas rank and score them.
   */
  private List<Scored> exact(float[] query, Filter filter, BitSet admitted, int k, long matching) {
    List<Scored> fast = scan(query, filter, admitted, k, matching);
    return fast != null ? fast : referenceExact(query, filter, admitted, k);
  }

  // ------------------------------------------------------------------ exact scan
  //
  // The scan ranks every candidate by a float distance from the active kernel (SIMD when the Vector
  // API is present) over the stored arrays, keeping the best k + margin in a bounded heap of
  // primitive keys. Only those are then rescored in double with the reference formula, filtered
  // once more against their current metadata, and sorted by (distance, id). The result is the
  // reference top-k whenever no record left out of the heap can beat the k-th kept one: for each
  // record left out the scan keeps a rigorous lower bound of its exact distance (its float distance
  // minus the worst-case rounding error of a float dot product or squared L2 of this dimension,
  // doubled for safety), and the result is used only when the k-th exact distance lies strictly
  // below the smallest such bound. Otherwise (near-ties at the cut, many duplicates, non-finite
  // float sums, cosine norms too small or large for float) the search repeats the scan in double.

  /** Records kept beyond k for re-ranking in double: near-ties at the k-th place rarely reach past it. */
  private static final int SCAN_MARGIN = 16;
  /** Unit roundoff of float. */
  private static final double FLOAT_U = 0x1p-24;
  /** Squared norms whose float arithmetic the cosine error bound covers (no underflow, no overflow). */
  private static final double COSINE_MIN_SQUARED_NORM = 1e-30;
  private static final double COSINE_MAX_SQUARED_NORM = 1e30;

  private final VectorKernel kernel = Kernels.active();
  /**
   * Bound on the relative error of a float dot product or squared L2 of this dimension, in any
   * summation order: about (n + 3) roundoffs; twice that plus a constant for safety.
   */
  private final double floatError;
  /** Bound on the absolute error that gradual underflow adds (2^-149 per term, generously). */
  private final double underflowError;

  /**
   * What the float distance of {@code metric} needs about a vector besides its components: the
   * inverse norm (COSINE; NaN when the squared norm is outside the range the error bound covers,
   * which sends searches to the double-precision scan), the norm (DOT_PRODUCT, for the error
   * bound), nothing (EUCLIDEAN).
   */
  static float scanAux(Metric metric, float[] v) {
    if (metric == Metric.EUCLIDEAN) {
      return 0f;
    }
    double ss = 0;
    for (float x : v) {
      ss += (double) x * x;
    }
    if (metric == Metric.DOT_PRODUCT) {
      return (float) Math.sqrt(ss);
    }
    if (!(ss >= COSINE_MIN_SQUARED_NORM && ss <= COSINE_MAX_SQUARED_NORM)) {
      return Float.NaN;
    }
    return (float) (1.0 / Math.sqrt(ss));
  }

  /** Float distance: squared L2 (EUCLIDEAN), -dot (DOT_PRODUCT), 1 - cosine (COSINE). */
  private float scanDistance(float[] query, float queryAux, Slot s) {
    switch (metric) {
      case EUCLIDEAN:
        return kernel.squaredL2(query, s.vector);
      case DOT_PRODUCT:
        return -kernel.dot(query, s.vector);
      default:
        return 1f - kernel.dot(query, s.vector) * queryAux * s.aux;
    }
  }

  /** A lower bound of the exact distance (squared for EUCLIDEAN) of a record whose float distance is f. */
  private double lowerBound(float f, float queryAux, Slot s) {
    switch (metric) {
      case EUCLIDEAN:
        return f - floatError * f - underflowError;
      case DOT_PRODUCT:
        return f - floatError * queryAux * s.aux - underflowError;
      default:
        // dot error ≤ floatError/2 · |q||v|, inverse norms and products a few roundoffs each
        return f - 2 * floatError;
    }
  }

  /**
   * @return the exact top-k sorted best first, or null when the float scan cannot prove it equals
   *     the double-precision ranking (the caller then scans in double)
   */
  private List<Scored> scan(float[] query, Filter filter, BitSet admitted, int k, long matching) {
    float queryAux = scanAux(metric, query);
    if (Float.isNaN(queryAux)) {
      return null;
    }
    int keep = (int) Math.min(Integer.MAX_VALUE - 8, (long) k + Math.max(SCAN_MARGIN, k / 4));
    ScanHeap heap = new ScanHeap((int) Math.min(keep, matching + 1), keep);
    double excludedBound = Double.POSITIVE_INFINITY; // lower bound of every record left out
    boolean excluded = false;
    Iterable<Slot> candidates = admitted == null ? byId.values()
        : () -> admitted.stream().mapToObj(slots::get).iterator();
    for (Slot s : candidates) {
      if (s == null || !s.live) {
        continue;
      }
      float f = scanDistance(query, queryAux, s);
      if (!Float.isFinite(f)) {
        return null;
      }
      Slot out = heap.offer(f, s);
      if (out != null) {
        excluded = true;
        excludedBound = Math.min(excludedBound, lowerBound(heap.lastKey, queryAux, out));
      }
    }
    List<Scored> best = new ArrayList<>(heap.size);
    for (int i = 0; i < heap.size; i++) {
      Slot s = heap.slots[i];
      Metadata md = s.metadata; // read once: the check and the returned metadata are the same version
      if (filter != null && !filter.matches(md)) {
        continue; // updated since the admitted set was computed
      }
      best.add(new Scored(s, md, metric.distance(query, s.vector)));
    }
    best.sort(WORST_FIRST.reversed());
    if (!excluded) {
      return best.size() > k ? new ArrayList<>(best.subList(0, k)) : best;
    }
    if (best.size() < k) {
      return null;
    }
    double kth = best.get(k - 1).distance();
    boolean proven = metric == Metric.EUCLIDEAN
        ? kth * kth * (1 + 1e-9) < excludedBound
        : kth < excludedBound;
    if (!proven) {
      return null;
    }
    return new ArrayList<>(best.subList(0, k));
  }

  /**
   * Bounded max-heap of (float distance, slot) on arrays: the worst kept record on top. Not
   * thread-safe: one per search.
   */
  private static final class ScanHeap {
    private final int limit;
    float[] keys;
    Slot[] slots;
    int size;
    /** Key of the slot the last {@link #offer} returned. */
    float lastKey;

    ScanHeap(int capacity, int limit) {
      this.limit = limit;
      int c = Math.max(4, Math.min(capacity, limit));
      keys = new float[c];
      slots = new Slot[c];
    }

    /** @return the slot left out (the offered one or the one it displaced), its key in {@link #lastKey}; or null */
    Slot offer(float key, Slot s) {
      if (size < limit) {
        if (size == keys.length) {
          int c = (int) Math.min(limit, 2L * size);
          keys = Arrays.copyOf(keys, c);
          slots = Arrays.copyOf(slots, c);
        }
        int i = size++;
        while (i > 0) {
          int parent = (i - 1) >>> 1;
          if (keys[parent] >= key) {
            break;
          }
          keys[i] = keys[parent];
          slots[i] = slots[parent];
          i = parent;
        }
        keys[i] = key;
        slots[i] = s;
        return null;
      }
      if (key >= keys[0]) {
        lastKey = key;
        return s;
      }
      Slot out = slots[0];
      lastKey = keys[0];
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && keys[child + 1] > keys[child]) {
          child++;
        }
        if (keys[child] <= key) {
          break;
        }
        keys[i] = keys[child];
        slots[i] = slots[child];
        i = child;
      }
      keys[i] = key;
      slots[i] = s;
      return out;
    }
  }

  /** Exact top-k computed entirely with the double-precision reference formula: the scan's fallback. */
  private List<Scored> referenceExact(float[] query, Filter filter, BitSet admitted, int k) {
    PriorityQueue<Scored> heap = new PriorityQueue<>(WORST_FIRST);
    if (admitted == null) {
      for (Slot s : byId.values()) {
        offer(heap, query, filter, s, k);
      }
    } else {
      for (int ord = admitted.nextSetBit(0); ord >= 0; ord = admitted.nextSetBit(ord + 1)) {
        offer(heap, query, filter, slots.get(ord), k);
      }
    }
    List<Scored> best = new ArrayList<>(heap);
    best.sort(WORST_FIRST.reversed());
    return best;
  }

  private void offer(PriorityQueue<Scored> heap, float[] query, Filter filter, Slot s, int k) {
    if (s == null || !s.live) {
      return;
    }
    Metadata md = s.metadata; // read once: the check and the returned metadata are the same version
    if (filter != null && !filter.matches(md)) {
      return; // updated since the admitted set was computed
    }
    heap.add(new Scored(s, md, metric.distance(query, s.vector)));
    if (heap.size() > k) {
      heap.poll();
    }
  }

  private List<Scored> viaGraph(float[] query, Filter filter, BitSet admitted, int k, int ef) {
    IntPredicate accept = admitted == null
        ? ord -> isLive(ord)
        : ord -> admitted.get(ord) && isLive(ord);
    HnswGraph.Result r = graph.search(query, ef, accept, Integer.MAX_VALUE);
    PriorityQueue<Scored> heap = new PriorityQueue<>(WORST_FIRST);
    for (int i = 0; i < r.size(); i++) {
      offer(heap, query, filter, slots.get(r.nodes()[i]), k);
    }
    List<Scored> best = new ArrayList<>(heap);
    best.sort(WORST_FIRST.reversed());
    return best;
  }

  private boolean isLive(int ord) {
    Slot s = slots.get(ord);
    return s != null && s.live;
  }

  // ------------------------------------------------------------------ persistence support

  /** Version of the {@link #writeIndexTo} format. */
  static final int INDEX_FORMAT_VERSION = 1;

  /**
   * Writes what a snapshot needs beyond the records to reopen without rebuilding the graph: the
   * ordinal of every live record and the graph (live vectors omitted: the records hold them).
   * Writers must be stopped while this runs (the storage layer snapshots under its own lock);
   * searches may continue. Versioned; checksumming is the storage layer's job.
   *
   * @param out the sink (for example a snapshot blob)
   * @throws IOException from the sink
   */
  void writeIndexTo(DataOutput out) throws IOException {
    commitLock.readLock().lock();
    try {
      out.writeInt(INDEX_FORMAT_VERSION);
      out.writeInt(nextOrd.get());
      out.writeInt(byId.size());
      for (Slot s : byId.values()) {
        out.writeUTF(s.id);
        out.writeInt(s.ord);
      }
      out.writeBoolean(graph != null);
      if (graph != null) {
        graph.writeTo(out, false);
      }
    } finally {
      commitLock.readLock().unlock();
    }
  }

  /**
   * What {@link #restoreFrom} did.
   *
   * @param reused true when the saved graph was used, false when the graph was rebuilt from the records
   * @param problem why saved index state that was there could not be used, or null (reused, or there was
   *     none to use)
   */
  record Restored(boolean reused, String problem) {}

  /**
   * Fills a new, not yet shared collection from recovered records and, when given, the state
   * {@link #writeIndexTo} wrote with them. Without that state, or when it is unreadable or does not
   * match the records (a different set of ids, another index kind), the graph is rebuilt from the
   * records: slower, never wrong; the result then says why. WAL operations after the snapshot are
   * then applied with the ordinary methods.
   *
   * @param records the records of the snapshot section
   * @param index the index state, or null
   * @return whether the saved graph was used, and if not, what was wrong with it
   */
  Restored restoreFrom(Collection<Record> records, DataInput index) {
    String problem = null;
    if (index != null) {
      try {
        restoreSaved(records, index);
        return new Restored(true, null);
      } catch (IOException | RuntimeException e) {
        // fall through to a rebuild: the saved index is an optimisation, the records are the truth
        problem = e.getMessage() != null ? e.getMessage() : e.toString();
      }
      // undo a partial restore
      byId.clear();
      for (int ord = 0; ord < nextOrd.get(); ord++) {
        Slot s = slots.get(ord);
        if (s != null) {
          metadataIndex.remove(ord, s.metadata);
          slots.set(ord, null);
        }
      }
      nextOrd.set(0);
      if (spec.index() instanceof IndexSpec.Hnsw h) {
        graph = new HnswGraph(metric, spec.dimension(), h.m(), h.efConstruction(), 42L, Kernels.active());
      }
    }
    List<Record> all = new ArrayList<>(records);
    for (int from = 0; from < all.size(); from += 1000) {
      applyUpsert(all.subList(from, Math.min(all.size(), from + 1000)));
    }
    return new Restored(false, problem);
  }

  /** @throws IOException saying why the saved state cannot be used */
  private void restoreSaved(Collection<Record> records, DataInput in) throws IOException {
    int version = in.readInt();
    if (version != INDEX_FORMAT_VERSION) {
      throw new IOException("index state format version " + version + " is not supported (this build reads "
          + INDEX_FORMAT_VERSION + ")");
    }
    int savedNext = in.readInt();
    int live = in.readInt();
    if (live != records.size() || savedNext < live) {
      throw new IOException("index state lists " + live + " records (next ordinal " + savedNext + "), the snapshot holds "
          + records.size());
    }
    Map<String, Integer> ords = new HashMap<>();
    for (int i = 0; i < live; i++) {
      String id = in.readUTF();
      int ord = in.readInt();
      if (ord < 0 || ord >= savedNext) {
        throw new IOException("ordinal " + ord + " of record '" + id + "' is outside 0.." + (savedNext - 1));
      }
      ords.put(id, ord);
    }
    boolean hasGraph = in.readBoolean();
    if (hasGraph != (graph != null)) {
      throw new IOException(hasGraph ? "the saved state has a graph but the collection is FLAT"
          : "the saved state has no graph but the collection is HNSW");
    }
    for (Record r : records) {
      Integer ord = ords.get(r.id());
      if (ord == null || slots.get(ord) != null) {
        throw new IOException(ord == null ? "record '" + r.id() + "' has no saved ordinal"
            : "ordinal " + ord + " is saved for two records");
      }
      spec.checkVector("record '" + r.id() + "'", r.vector());
      Slot s = new Slot(ord, r.id(), r.vector(), r.metadata(), scanAux(metric, r.vector()));
      s.live = true;
      slots.set(ord, s);
      byId.put(s.id, s);
      metadataIndex.add(ord, s.metadata);
    }
    nextOrd.set(savedNext);
    if (hasGraph) {
      HnswGraph loaded = HnswGraph.readFrom(in, Kernels.active(), ord -> {
        Slot s = slots.get(ord);
        return s == null ? null : s.vector;
      });
      IndexSpec.Hnsw h = (IndexSpec.Hnsw) spec.index();
      if (loaded.metric() != metric || loaded.m() != h.m() || loaded.efConstruction() != h.efConstruction()
          || loaded.size() > savedNext) {
        throw new IOException("the saved graph (" + loaded.metric() + ", m=" + loaded.m() + ", efConstruction="
            + loaded.efConstruction() + ", " + loaded.size() + " nodes) does not match the collection (" + metric
            + ", m=" + h.m() + ", efConstruction=" + h.efConstruction() + ", next ordinal " + savedNext + ")");
      }
      for (Slot s : byId.values()) {
        if (!loaded.contains(s.ord) || loaded.isDeleted(s.ord)) {
          throw new IOException("the saved graph lacks live record '" + s.id + "' (ordinal " + s.ord + ")");
        }
      }
      graph = loaded;
    }
  }

  /** Name of the snapshot blob holding {@link #writeIndexTo}'s output (HNSW collections only). */
  static final String INDEX_BLOB = "hnsw";

  /**
   * The state a snapshot writes for this collection, captured while writers are stopped (the
   * store's write gate is held exclusively) so that it matches the covered log sequence exactly;
   * the snapshot file is then written from it while writers continue. Vectors are shared, not
   * copied (slots never change them); metadata, which {@link #updateMetadata} replaces, is captured.
   */
  static final class Captured {
    private final CollectionSpec spec;
    private final Slot[] live;
    private final Metadata[] metadata;
    private final byte[] index;

    private Captured(CollectionSpec spec, Slot[] live, Metadata[] metadata, byte[] index) {
      this.spec = spec;
      this.live = live;
      this.metadata = metadata;
      this.index = index;
    }

    /** Writes the section: spec, records in ordinal order, then the graph blob. */
    void writeTo(SnapshotWriter w) throws IOException {
      w.collection(spec);
      for (int i = 0; i < live.length; i++) {
        w.record(Record.of(live[i].id, live[i].vector, metadata[i]));
      }
      if (index != null) {
        w.blob(INDEX_BLOB, out -> out.write(index));
      }
    }
  }

  /**
   * Captures this collection for a snapshot. The caller has stopped writers.
   *
   * @return the captured state
   */
  Captured capture() {
    commitLock.readLock().lock();
    try {
      int n = nextOrd.get();
      List<Slot> live = new ArrayList<>(byId.size());
      for (int ord = 0; ord < n; ord++) {
        Slot s = slots.get(ord);
        if (s != null && s.live) {
          live.add(s);
        }
      }
      Metadata[] md = new Metadata[live.size()];
      for (int i = 0; i < md.length; i++) {
        md[i] = live.get(i).metadata;
      }
      byte[] index = null;
      if (graph != null) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, live.size() * 64));
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(bytes, 1 << 16))) {
          writeIndexTo(out);
        } catch (IOException e) {
          throw new IllegalStateException("writing to memory failed", e);
        }
        index = bytes.toByteArray();
      }
      return new Captured(spec, live.toArray(new Slot[0]), md, index);
    } finally {
      commitLock.readLock().unlock();
    }
  }

  // ------------------------------------------------------------------ helpers

  private static void checkFilter(Filter filter) {
    if (filter == null) {
      throw new InvalidArgumentException("filter must not be null");
    }
  }

  private static String encodeCursor(String lastId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeCursor(String cursor) {
    try {
      return Record.checkId(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("cursor '" + cursor + "' was not made by this collection's list()");
    }
  }

  @Override
  public String toString() {
    return "LocalCollection[" + spec + "]";
  }
}
