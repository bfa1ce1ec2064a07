package dev.quiver.local.internal.ivf;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.CodeKernel;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Searches an {@link IvfIndex}: ranks the lists by their centroid, scans the nearest ones, and keeps
 * the best candidates by estimated distance.
 *
 * <p><b>Estimates</b> are float distances in the metric's traversal form (squared L2, {@code −dot},
 * {@code 1 − cos}). IVF-FLAT computes them on the stored vectors. IVF-PQ computes them from codes
 * without decoding: with {@code q} the query, {@code c} the list's centroid and {@code r̂} the decoded
 * residual, {@code ||q − c − r̂||² = ||q − c||² + (||r̂||² + 2<c, r̂>) − 2<q, r̂>}, where the first
 * term is known per list, the second is stored per entry, and {@code <q, r̂>} is a sum of one table
 * entry per subspace; the table is computed once per query. Inner products ({@code −<q, c> − <q, r̂>})
 * need no stored term. The table sums run in the {@link CodeKernel}, sixteen entries at a time.
 *
 * <p><b>Probing and filters.</b> Lists are scanned nearest first. The search probes at least
 * {@code nprobe} lists and goes on probing, in order, until it holds {@code candidates} accepted entries
 * (or every list was probed), so lists thinned by deletes make it probe further instead of returning
 * fewer results. With a filter the caller also asks for a number of <em>admitted</em> entries to scan
 * ({@code minAdmitted}, as many as an unfiltered search of {@code nprobe} lists scans entries): the
 * nearest admitted records of a filter passing a fraction {@code p} lie about {@code 1/p} times further
 * out, so this keeps recall at the unfiltered level instead of letting it fall with the selectivity. The
 * caller's planner prefers an exact scan when that is cheaper. {@code accept} (live and admitted) is
 * asked only about entries that would enter the candidate list; {@code admitted} (the filter alone, a
 * bit-set look-up) about every scanned entry when {@code minAdmitted > 0}.
 */
final class IvfSearcher {

  /** Blocks of codes summed per kernel call (bounds the scratch array). */
  private static final int BLOCKS_PER_CALL = 32;

  private final IvfIndex index;
  private final IvfQuantizer quantizer;
  private final Metric metric;
  private final VectorKernel kernel;
  private final CodeKernel codes;
  private final ThreadLocal<float[]> tables;
  private final ThreadLocal<float[]> sums = ThreadLocal.withInitial(() -> new float[BLOCKS_PER_CALL * CodeKernel.BLOCK]);

  IvfSearcher(IvfIndex index, VectorKernel kernel, CodeKernel codes) {
    this.index = index;
    this.quantizer = index.quantizer;
    this.metric = quantizer.params.metric();
    this.kernel = kernel;
    this.codes = codes;
    PqCodebook pq = quantizer.pq;
    this.tables = ThreadLocal.withInitial(() -> new float[pq == null ? 0 : pq.m * pq.ksub]);
  }

  IvfIndex.Result search(float[] query, int nprobe, int candidates, IntPredicate accept, IntPredicate admitted,
      long minAdmitted) {
    float[] q = quantizer.prepare(query);
    int nlist = quantizer.centroids.length;
    float[] rank = new float[nlist];
    float[] base = new float[nlist];
    float qq = metric == Metric.EUCLIDEAN ? kernel.dot(q, q) : 1f;
    for (int c = 0; c < nlist; c++) {
      float dot = kernel.dot(q, quantizer.centroids[c]);
      switch (metric) {
        case DOT_PRODUCT -> {
          rank[c] = -dot;
          base[c] = -dot;
        }
        case EUCLIDEAN -> {
          rank[c] = qq - 2 * dot + quantizer.centroidNorms[c];
          base[c] = rank[c];
        }
        default -> {
          rank[c] = qq - 2 * dot + quantizer.centroidNorms[c];
          base[c] = 1f - dot;
        }
      }
    }
    PqCodebook pq = quantizer.pq;
    float[] table = null;
    if (pq != null) {
      table = tables.get();
      pq.table(q, metric == Metric.EUCLIDEAN ? -2f : -1f, table, codes);
    }
    float[] out = pq != null && pq.bits <= 8 ? sums.get() : null;
    CandidateHeap heap = new CandidateHeap(candidates);
    int[] order = nearestLists(rank, Math.min(nprobe, nlist));
    int probed = 0;
    long scanned = 0;
    long admittedSeen = 0;
    for (int pass = 0; pass < 2 && order != null; pass++) {
      for (int list : order) {
        if (probed >= nprobe && heap.full() && admittedSeen >= minAdmitted) {
          break;
        }
        InvertedList.Postings p = index.lists[list].postings();
        int n = p.size;
        if (pq == null) {
          scanFlat(p, n, q, heap, accept);
        } else if (pq.bits <= 8) {
          scanCodes(p, n, pq, table, out, base[list], heap, accept);
        } else {
          scanWideCodes(p, n, pq, table, base[list], heap, accept);
        }
        probed++;
        scanned += n;
        if (minAdmitted > 0) {
          for (int i = 0; i < n; i++) {
            if (admitted.test(p.ords[i])) {
              admittedSeen++;
            }
          }
        }
      }
      // the nprobe nearest lists did not yield enough: the others, nearest first
      boolean more = !heap.full() || admittedSeen < minAdmitted;
      order = pass == 0 && more && probed < nlist ? remainingLists(rank, order) : null;
    }
    int[] ords = new int[heap.size()];
    float[] est = new float[ords.length];
    heap.drainSorted(ords, est);
    return new IvfIndex.Result(ords, est, probed, scanned);
  }

  /** IVF-FLAT: the list's vectors lie one after another, so the scan reads memory in order. */
  private void scanFlat(InvertedList.Postings p, int n, float[] q, CandidateHeap heap, IntPredicate accept) {
    float[] data = p.vectors;
    int dim = q.length;
    for (int i = 0; i < n; i++) {
      float est = switch (metric) {
        case EUCLIDEAN -> codes.squaredL2At(q, data, i * dim);
        case DOT_PRODUCT -> -codes.dotAt(q, data, i * dim);
        default -> 1f - codes.dotAt(q, data, i * dim); // both normalised
      };
      int ord = p.ords[i];
      if (heap.competitive(est, ord) && accept.test(ord)) {
        heap.add(est, ord);
      }
    }
  }

  private void scanCodes(InvertedList.Postings p, int n, PqCodebook pq, float[] table, float[] out, float base,
      CandidateHeap heap, IntPredicate accept) {
    int blocks = (n + CodeKernel.BLOCK - 1) / CodeKernel.BLOCK;
    float[] extra = p.extra;
    for (int b0 = 0; b0 < blocks; b0 += BLOCKS_PER_CALL) {
      int nb = Math.min(BLOCKS_PER_CALL, blocks - b0);
      codes.sumBlocks(p.codes, b0, nb, pq.planes, table, pq.ksub, out);
      int first = b0 * CodeKernel.BLOCK;
      int end = Math.min(n, first + nb * CodeKernel.BLOCK);
      for (int i = first; i < end; i++) {
        float est = base + out[i - first] + (extra != null ? extra[i] : 0f);
        int ord = p.ords[i];
        if (heap.competitive(est, ord) && accept.test(ord)) {
          heap.add(est, ord);
        }
      }
    }
  }

  /** Codes of more than 8 bits (two planes per subspace): plain Java. */
  private void scanWideCodes(InvertedList.Postings p, int n, PqCodebook pq, float[] table, float base,
      CandidateHeap heap, IntPredicate accept) {
    int planes = pq.planes;
    int ksub = pq.ksub;
    for (int i = 0; i < n; i++) {
      int blockBase = (i / CodeKernel.BLOCK) * planes * CodeKernel.BLOCK + i % CodeKernel.BLOCK;
      float s = 0;
      for (int j = 0; j < pq.m; j++) {
        int lo = p.codes[blockBase + (2 * j) * CodeKernel.BLOCK] & 0xFF;
        int hi = p.codes[blockBase + (2 * j + 1) * CodeKernel.BLOCK] & 0xFF;
        s += table[j * ksub + (lo | hi << 8)];
      }
      float est = base + s + (p.extra != null ? p.extra[i] : 0f);
      int ord = p.ords[i];
      if (heap.competitive(est, ord) && accept.test(ord)) {
        heap.add(est, ord);
      }
    }
  }

  /** @return the {@code count} lists of smallest rank, nearest first (ties: the lower list) */
  static int[] nearestLists(float[] rank, int count) {
    CandidateHeap h = new CandidateHeap(count);
    for (int c = 0; c < rank.length; c++) {
      if (h.competitive(rank[c], c)) {
        h.add(rank[c], c);
      }
    }
    int[] out = new int[h.size()];
    h.drainSorted(out, new float[out.length]);
    return out;
  }

  /** @return every list not in {@code taken}, nearest first */
  static int[] remainingLists(float[] rank, int[] taken) {
    boolean[] used = new boolean[rank.length];
    for (int c : taken) {
      used[c] = true;
    }
    long[] keyed = new long[rank.length - taken.length];
    int w = 0;
    for (int c = 0; c < rank.length; c++) {
      if (!used[c]) {
        keyed[w++] = (long) sortable(rank[c]) << 32 | c;
      }
    }
    Arrays.sort(keyed);
    int[] out = new int[keyed.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) keyed[i];
    }
    return out;
  }

  /** Maps a float to an int with the same order (NaN last). */
  private static int sortable(float f) {
    int bits = Float.floatToIntBits(f);
    return bits ^ ((bits >> 31) & 0x7FFFFFFF);
  }
}
