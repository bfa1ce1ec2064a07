package dev.quiver.local;

import dev.quiver.Filter;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.Kernels;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The exact top-k of one collection's admitted (or, without a filter, all) live records, ranked and
 * scored exactly as the double-precision reference formulas rank and score them.
 *
 * <p>The scan ranks every candidate by a float distance from the active kernel (SIMD when the Vector
 * API is present) over the stored arrays, keeping the best k + margin in a bounded heap of
 * primitive keys. Only those are then rescored in double with the reference formula, filtered
 * once more against their current metadata, and sorted by (distance, id). The result is the
 * reference top-k whenever no record left out of the heap can beat the k-th kept one: for each
 * record left out the scan keeps a rigorous lower bound of its exact distance (its float distance
 * minus the worst-case rounding error of a float dot product or squared L2 of this dimension,
 * doubled for safety), and the result is used only when the k-th exact distance lies strictly
 * below the smallest such bound. Otherwise (near-ties at the cut, many duplicates, non-finite
 * float sums, cosine norms too small or large for float) the search repeats the scan in double.
 */
final class ExactScan {

  private final CollectionState state;
  private final Metric metric;

  ExactScan(CollectionState state) {
    this.state = state;
    this.metric = state.metric;
    this.floatError = 2.0 * (state.spec.dimension() + 16) * FLOAT_U;
    this.underflowError = (state.spec.dimension() + 16) * 0x1p-140;
  }

  /**
   * Exact top-k of the admitted (or, without a filter, all) live records, ranked and scored exactly
   * as the double-precision reference formulas rank and score them.
   */
  List<Scored> exact(float[] query, Filter filter, BitSet admitted, int k, long matching) {
    List<Scored> fast = scan(query, filter, admitted, k, matching);
    return fast != null ? fast : referenceExact(query, filter, admitted, k);
  }

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

  /** Float distance: squared L2 (EUCLIDEAN), -dot (DOT_PRODUCT), 1 - cosine (COSINE); also IVF re-ranking's. */
  float scanDistance(float[] query, float queryAux, Slot s) {
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
    Iterable<Slot> candidates = admitted == null ? state.byId.values()
        : () -> admitted.stream().mapToObj(state.slots::get).iterator();
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
    best.sort(Scored.WORST_FIRST.reversed());
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
    PriorityQueue<Scored> heap = new PriorityQueue<>(Scored.WORST_FIRST);
    if (admitted == null) {
      for (Slot s : state.byId.values()) {
        offer(heap, query, filter, s, k);
      }
    } else {
      for (int ord = admitted.nextSetBit(0); ord >= 0; ord = admitted.nextSetBit(ord + 1)) {
        offer(heap, query, filter, state.slots.get(ord), k);
      }
    }
    List<Scored> best = new ArrayList<>(heap);
    best.sort(Scored.WORST_FIRST.reversed());
    return best;
  }

  void offer(PriorityQueue<Scored> heap, float[] query, Filter filter, Slot s, int k) {
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
}
