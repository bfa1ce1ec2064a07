package dev.quiver.local;

import dev.quiver.Filter;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.local.internal.index.HnswGraph;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.IntPredicate;

/**
 * The reads of one collection: get, count, list and search.
 *
 * <p><b>List</b> walks the live records sorted by id: a cursor is the last id returned, and the next
 * page starts after it.
 *
 * <p><b>Search</b> is exact ({@link ExactScan}) on a FLAT collection. On an HNSW collection the
 * metadata index first computes exactly the records a filter admits; when few pass (see
 * {@link SearchPlanner}) they are scanned exactly; otherwise the graph is searched with the filter
 * applied while collecting results (not while navigating), and if the graph yields fewer than
 * {@code min(topK, admitted)} results the search falls back to the exact scan, so the top-k is always
 * filled. An IVF collection is searched by {@link IvfSearch}, with the same guarantees. Every returned
 * record is checked once more against its current metadata. Scores are always
 * recomputed in double with the reference formulas, so the float kernels used for traversal never leak
 * into reported numbers. Searches never wait for graph inserts.
 */
final class ReadPath {

  /** ef when a search on an HNSW collection does not give one. */
  static final int DEFAULT_EF = 100;

  private final LocalVectorStore store;
  private final LocalCollection owner;
  private final CollectionState state;
  private final ExactScan exact;
  private final IvfSearch ivf;
  private volatile SearchPlanner planner = SearchPlanner.standard();

  ReadPath(LocalVectorStore store, LocalCollection owner, CollectionState state) {
    this.store = store;
    this.owner = owner;
    this.state = state;
    this.exact = new ExactScan(state);
    this.ivf = new IvfSearch(state, exact);
  }

  /** Replaces the planner (tests: for example to force graph traversal at any selectivity). */
  void planner(SearchPlanner planner) {
    this.planner = planner;
  }

  List<Record> get(Collection<String> ids) {
    store.checkLive(owner);
    List<Record> out = new ArrayList<>();
    for (String id : ids) { // valid and unique: the boundary checked them
      Slot s = state.byId.get(id);
      if (s != null) {
        out.add(s.toRecord());
      }
    }
    return out;
  }

  long count() {
    store.checkLive(owner);
    return state.byId.size();
  }

  long count(Filter filter) {
    store.checkLive(owner);
    return state.evaluate(filter).cardinality();
  }

  /**
   * A page of the records sorted by id, after the cursor's id. With a filter the metadata index answers
   * alone (no unindexed declared field), the admitted records are computed first; when they are few
   * ({@link SearchPlanner#preferIndexedList}) the page is the smallest admitted ids after the cursor,
   * found without walking the others, all under the read side of the commit lock (so a record replaced
   * meanwhile is seen in its old or its new version, never in neither); otherwise the records are walked
   * in id order from the cursor. Both give the same page: the cursor is the last id either way.
   */
  Page list(ListRequest request) {
    store.checkLive(owner);
    Optional<String> after = request.cursor().map(ReadPath::decodeCursor);
    Filter filter = request.filter().orElse(null);
    int pageSize = request.pageSize();
    if (filter != null && state.indexAnswers(filter)) {
      state.commitLock.readLock().lock();
      try {
        BitSet admitted = state.evaluateLocked(filter);
        if (planner.preferIndexedList(admitted.cardinality(), state.byId.size(), pageSize)) {
          return listAdmitted(admitted, after.orElse(null), pageSize);
        }
      } finally {
        state.commitLock.readLock().unlock();
      }
    }
    return walk(after, s -> filter == null || filter.matches(s.metadata), pageSize);
  }

  /** The page found by walking the live records in id order from the cursor. */
  private Page walk(Optional<String> after, java.util.function.Predicate<Slot> wanted, int pageSize) {
    List<Record> page = new ArrayList<>(Math.min(pageSize, 1024));
    boolean more = false;
    Map<String, Slot> tail = after.isPresent() ? state.byId.tailMap(after.get(), false) : state.byId;
    for (Slot s : tail.values()) {
      if (!wanted.test(s)) {
        continue;
      }
      if (page.size() == pageSize) {
        more = true;
        break;
      }
      page.add(s.toRecord());
    }
    return page(page, more);
  }

  /**
   * The page made of the smallest admitted ids after {@code after}: a heap of pageSize + 1 over the
   * admitted. Caller holds the read side of the commit lock, under which {@code admitted} was computed.
   */
  private Page listAdmitted(BitSet admitted, String after, int pageSize) {
    PriorityQueue<Slot> largestFirst = new PriorityQueue<>(Math.min(pageSize + 1, 1024), (a, b) -> b.id.compareTo(a.id));
    for (int ord = admitted.nextSetBit(0); ord >= 0; ord = admitted.nextSetBit(ord + 1)) {
      Slot s = state.slots.get(ord);
      if (s == null || (after != null && s.id.compareTo(after) <= 0)) {
        continue;
      }
      if (largestFirst.size() > pageSize && s.id.compareTo(largestFirst.peek().id) >= 0) {
        continue;
      }
      largestFirst.add(s);
      if (largestFirst.size() > pageSize + 1) {
        largestFirst.poll();
      }
    }
    List<Record> page = new ArrayList<>(largestFirst.size());
    largestFirst.forEach(s -> page.add(s.toRecord()));
    page.sort(java.util.Comparator.comparing(Record::id));
    boolean more = page.size() > pageSize;
    return page(more ? page.subList(0, pageSize) : page, more);
  }

  private static Page page(List<Record> records, boolean more) {
    Optional<String> next = more ? Optional.of(encodeCursor(records.get(records.size() - 1).id())) : Optional.empty();
    return new Page(new ArrayList<>(records), next);
  }

  List<Match> search(SearchRequest request) {
    store.checkLive(owner);
    // the boundary checked the dimension, top-k and hints
    float[] query = request.vector();
    int k = request.topK();
    Filter filter = request.filter().orElse(null);
    BitSet admitted = null;
    long matching;
    if (filter != null) {
      admitted = state.evaluate(filter);
      matching = admitted.cardinality();
    } else {
      matching = state.byId.size();
    }
    IndexSet index = state.serving(); // one read: a reindex may swap the index meanwhile
    HnswGraph graph = index.graph;
    List<Scored> best;
    if (matching == 0) {
      best = List.of();
    } else if (index.ivf != null) {
      best = ivf.search(index.ivf, request, filter, admitted, k, matching, planner);
    } else if (graph == null) {
      best = exact.exact(query, filter, admitted, k, matching);
    } else {
      int ef = Math.max(k, request.ef().orElse(DEFAULT_EF));
      if (planner.preferScan(matching, state.byId.size(), ef, graph.m())) {
        best = exact.exact(query, filter, admitted, k, matching);
      } else {
        best = viaGraph(graph, query, filter, admitted, k, ef);
        if (best.size() < Math.min(k, matching)) {
          // the graph could not reach enough admitted records (a tiny, badly connected subset):
          // the exact scan is the guarantee that the top-k is filled
          best = exact.exact(query, filter, admitted, k, matching);
        }
      }
    }
    double minScore = request.minScore().orElse(Double.NEGATIVE_INFINITY);
    List<Match> out = new ArrayList<>(best.size());
    for (Scored s : best) {
      double score = state.metric.scoreFromDistance(s.distance());
      if (score < minScore) {
        continue;
      }
      out.add(new Match(s.slot().id, score, s.distance(),
          request.includeVectors() ? s.slot().vector.clone() : null,
          request.includeMetadata() ? s.metadata() : Metadata.empty()));
    }
    return out;
  }

  private List<Scored> viaGraph(HnswGraph graph, float[] query, Filter filter, BitSet admitted, int k, int ef) {
    IntPredicate accept = admitted == null
        ? state::isLive
        : ord -> admitted.get(ord) && state.isLive(ord);
    HnswGraph.Result r = graph.search(query, ef, accept, Integer.MAX_VALUE);
    PriorityQueue<Scored> heap = new PriorityQueue<>(Scored.WORST_FIRST);
    for (int i = 0; i < r.size(); i++) {
      exact.offer(heap, query, filter, state.slots.get(r.nodes()[i]), k);
    }
    List<Scored> best = new ArrayList<>(heap);
    best.sort(Scored.WORST_FIRST.reversed());
    return best;
  }

  // ------------------------------------------------------------------ helpers

  private static String encodeCursor(String lastId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
  }

  /** The boundary hands back only cursors this collection made (it checks their digest). */
  private static String decodeCursor(String cursor) {
    return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
  }
}
