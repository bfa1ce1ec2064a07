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
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
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
  private final AtomicInteger tombstonesSinceRepair = new AtomicInteger();
  private volatile SearchPlanner planner = SearchPlanner.standard();

  /** One stored version of a record. Immutable except for metadata (updateMetadata) and liveness. */
  static final class Slot {
    final int ord;
    final String id;
    final float[] vector; // never handed out without copying
    volatile Metadata metadata;
    volatile boolean live;

    Slot(int ord, String id, float[] vector, Metadata metadata) {
      this.ord = ord;
      this.id = id;
      this.vector = vector;
      this.metadata = metadata;
    }

    Record toRecord() {
      return Record.of(id, vector, metadata);
    }
  }

  LocalCollection(LocalVectorStore store, CollectionSpec spec) {
    this.store = store;
    this.spec = spec;
    this.metric = spec.metric();
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

  @Override
  public void upsert(List<Record> batch) {
    store.checkLive(this);
    if (batch == null) {
      throw new InvalidArgumentException("records must not be null");
    }
    // Validate everything first: a bad record fails the whole call and nothing is written.
    Set<String> seen = new HashSet<>();
    for (Record r : batch) {
      if (r == null) {
        throw new InvalidArgumentException("records must not contain null");
      }
      spec.checkVector("record '" + r.id() + "'", r.vector());
      if (!seen.add(r.id())) {
        throw new InvalidArgumentException("record id '" + r.id() + "' appears twice in one upsert");
      }
    }
    List<Slot> fresh = new ArrayList<>(batch.size());
    for (Record r : batch) {
      Slot s = new Slot(nextOrd.getAndIncrement(), r.id(), r.vector(), r.metadata());
      slots.set(s.ord, s);
      fresh.add(s);
    }
    boolean committed = false;
    try {
      if (graph != null) {
        for (Slot s : fresh) {
          graph.insert(s.ord, s.vector); // not live yet: searches may traverse it but never return it
        }
      }
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
        committed = true;
      } finally {
        commitLock.writeLock().unlock();
      }
      afterRetire(retired);
    } finally {
      if (!committed) {
        for (Slot s : fresh) {
          slots.set(s.ord, null);
          if (graph != null && graph.contains(s.ord)) {
            graph.markDeleted(s.ord);
          }
        }
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
    Set<String> wanted = checkIds(ids);
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
    Set<String> doomed = checkIds(ids);
    int retired = 0;
    commitLock.writeLock().lock();
    try {
      for (String id : doomed) {
        Slot old = byId.remove(id);
        if (old != null) {
          retire(old);
          retired++;
        }
      }
    } finally {
      commitLock.writeLock().unlock();
    }
    afterRetire(retired);
  }

  @Override
  public void delete(Filter filter) {
    store.checkLive(this);
    checkFilter(filter);
    int retired = 0;
    commitLock.writeLock().lock();
    try {
      BitSet doomed = metadataIndex.evaluate(filter);
      for (int ord = doomed.nextSetBit(0); ord >= 0; ord = doomed.nextSetBit(ord + 1)) {
        Slot s = slots.get(ord);
        if (s != null && byId.remove(s.id, s)) {
          retire(s);
          retired++;
        }
      }
    } finally {
      commitLock.writeLock().unlock();
    }
    afterRetire(retired);
  }

  @Override
  public boolean updateMetadata(String id, Metadata metadata) {
    store.checkLive(this);
    Record.checkId(id);
    if (metadata == null) {
      throw new InvalidArgumentException("metadata must not be null");
    }
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
      best = exact(query, filter, admitted, k);
    } else {
      int ef = Math.max(k, request.ef().orElse(DEFAULT_EF));
      if (planner.preferScan(matching, byId.size(), ef, graph.m())) {
        best = exact(query, filter, admitted, k);
      } else {
        best = viaGraph(query, filter, admitted, k, ef);
        if (best.size() < Math.min(k, matching)) {
          // the graph could not reach enough admitted records (a tiny, badly connected subset):
          // the exact scan is the guarantee that the top-k is filled
          best = exact(query, filter, admitted, k);
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

  /** Exact top-k of the admitted (or, without a filter, all) live records, in double precision. */
  private List<Scored> exact(float[] query, Filter filter, BitSet admitted, int k) {
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
   * Fills a new, not yet shared collection from recovered records and, when given, the state
   * {@link #writeIndexTo} wrote with them. Without that state, or when it does not match the
   * records (a different set of ids, another index kind), the graph is rebuilt from the records:
   * slower, never wrong. WAL operations after the snapshot are then applied with the ordinary methods.
   *
   * @param records the records of the snapshot section
   * @param index the index state, or null
   * @return true when the saved graph was used, false when it was rebuilt
   */
  boolean restoreFrom(Collection<Record> records, DataInput index) {
    if (index != null) {
      try {
        if (restoreSaved(records, index)) {
          return true;
        }
      } catch (IOException | RuntimeException e) {
        // fall through to a rebuild: the saved index is an optimisation, the records are the truth
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
      upsert(all.subList(from, Math.min(all.size(), from + 1000)));
    }
    return false;
  }

  private boolean restoreSaved(Collection<Record> records, DataInput in) throws IOException {
    if (in.readInt() != INDEX_FORMAT_VERSION) {
      return false;
    }
    int savedNext = in.readInt();
    int live = in.readInt();
    if (live != records.size() || savedNext < live) {
      return false;
    }
    Map<String, Integer> ords = new HashMap<>();
    for (int i = 0; i < live; i++) {
      String id = in.readUTF();
      int ord = in.readInt();
      if (ord < 0 || ord >= savedNext) {
        return false;
      }
      ords.put(id, ord);
    }
    boolean hasGraph = in.readBoolean();
    if (hasGraph != (graph != null)) {
      return false;
    }
    for (Record r : records) {
      Integer ord = ords.get(r.id());
      if (ord == null || slots.get(ord) != null) {
        return false;
      }
      spec.checkVector("record '" + r.id() + "'", r.vector());
      Slot s = new Slot(ord, r.id(), r.vector(), r.metadata());
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
        return false;
      }
      for (Slot s : byId.values()) {
        if (!loaded.contains(s.ord) || loaded.isDeleted(s.ord)) {
          return false;
        }
      }
      graph = loaded;
    }
    return true;
  }

  // ------------------------------------------------------------------ helpers

  private static Set<String> checkIds(Collection<String> ids) {
    if (ids == null) {
      throw new InvalidArgumentException("ids must not be null");
    }
    Set<String> out = new LinkedHashSet<>();
    for (String id : ids) {
      out.add(Record.checkId(id));
    }
    return out;
  }

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
