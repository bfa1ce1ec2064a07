package dev.quiver.local;

import dev.quiver.Filter;
import dev.quiver.SearchRequest;
import dev.quiver.local.internal.ivf.IvfIndex;
import dev.quiver.local.internal.ivf.IvfParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntPredicate;

/**
 * Search of an IVF collection: plans between the index and {@link ExactScan}, probes the index and
 * re-ranks its candidates exactly.
 *
 * <ul>
 *   <li>Before the index is trained, and when the {@link SearchPlanner} finds an exact scan of the
 *       admitted records cheaper, the search is exact.
 *   <li>{@code nprobe} (default {@link IvfParams#defaultNprobe()}) lists are probed at least, more when
 *       they hold too few candidates; with a filter, until as many admitted records were scanned as an
 *       unfiltered search of {@code nprobe} lists scans records, so recall does not fall with the
 *       selectivity (see {@code IvfSearcher}; the planner turns to the exact scan when that is cheaper).
 *   <li>IVF-FLAT keeps the best {@code k + 16} by float distance. IVF-PQ keeps the best
 *       {@code max(k, ef)} by estimated distance (the search hint {@code ef} sets this re-ranking depth;
 *       default {@value #DEFAULT_RERANK}, at least {@code 2k}), computes their float distance from the
 *       stored vectors and keeps the best {@code k + 16} of those.
 *   <li>The kept candidates are scored in double with the reference formula, checked against their
 *       current metadata and cut to {@code k}, best first, ties by id. If that leaves fewer than
 *       {@code min(k, admitted)} matches, the exact scan answers instead, so the top-k is always filled.
 * </ul>
 */
final class IvfSearch {

  /** IVF-PQ candidates re-ranked from the stored vectors when the search gives no {@code ef}. */
  static final int DEFAULT_RERANK = 100;
  /** Candidates kept beyond k for the final double-precision ranking. */
  static final int MARGIN = 16;

  private final CollectionState state;
  private final ExactScan exact;

  IvfSearch(CollectionState state, ExactScan exact) {
    this.state = state;
    this.exact = exact;
  }

  List<Scored> search(IvfCollectionIndex ivf, SearchRequest request, Filter filter, BitSet admitted, int k,
      long matching, SearchPlanner planner) {
    float[] query = request.vector();
    IvfIndex index = ivf.searchable();
    if (index == null) {
      return exact.exact(query, filter, admitted, k, matching);
    }
    IvfParams p = index.params();
    int nprobe = request.nprobe().orElse(p.defaultNprobe());
    int candidates = p.quantized()
        ? Math.max(k, request.ef().orElse(Math.max(DEFAULT_RERANK, 2 * k)))
        : k + MARGIN;
    double entryCost = p.quantized() ? 2.0 * p.subspaces() / p.dimension() : 1.0;
    double tableCost = p.quantized() ? 1 << p.bits() : 0;
    if (planner.preferScanIvf(matching, state.byId.size(), nprobe, p.nlist(), candidates, entryCost, tableCost)) {
      return exact.exact(query, filter, admitted, k, matching);
    }
    IntPredicate accept = admitted == null ? state::isLive : ord -> admitted.get(ord) && state.isLive(ord);
    IvfIndex.Result r = admitted == null ? index.search(query, nprobe, candidates, accept)
        : index.search(query, nprobe, candidates, accept, admitted::get,
            Math.min(matching, (long) Math.ceil((double) state.byId.size() * Math.min(nprobe, p.nlist()) / p.nlist())));
    int[] ords = r.ords();
    if (p.quantized() && ords.length > k + MARGIN) {
      ords = rerankInFloat(query, ords, k + MARGIN);
    }
    PriorityQueue<Scored> heap = new PriorityQueue<>(Scored.WORST_FIRST);
    for (int ord : ords) {
      exact.offer(heap, query, filter, state.slots.get(ord), k);
    }
    List<Scored> best = new ArrayList<>(heap);
    best.sort(Scored.WORST_FIRST.reversed());
    if (best.size() < Math.min(k, matching)) {
      // too few admitted records were reached (records deleted or updated since the probe): the exact
      // scan is the guarantee that the top-k is filled
      return exact.exact(query, filter, admitted, k, matching);
    }
    return best;
  }

  /**
   * @return the {@code keep} candidates of smallest float distance to the stored vectors; all of them when
   *     a float distance is not finite (extreme norms: the double scoring then ranks them all)
   */
  private int[] rerankInFloat(float[] query, int[] ords, int keep) {
    float queryAux = ExactScan.scanAux(state.metric, query);
    long[] keyed = new long[ords.length];
    int n = 0;
    for (int ord : ords) {
      Slot s = state.slots.get(ord);
      if (s == null) {
        continue; // deleted since the probe
      }
      float f = exact.scanDistance(query, queryAux, s);
      if (!Float.isFinite(f)) {
        return ords;
      }
      keyed[n++] = (long) sortable(f) << 32 | (ord & 0xFFFFFFFFL);
    }
    Arrays.sort(keyed, 0, n);
    int[] out = new int[Math.min(keep, n)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) keyed[i];
    }
    return out;
  }

  /** Maps a float to an int with the same order. */
  private static int sortable(float f) {
    int bits = Float.floatToIntBits(f);
    return bits ^ ((bits >> 31) & 0x7FFFFFFF);
  }
}
