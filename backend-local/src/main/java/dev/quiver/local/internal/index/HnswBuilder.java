package dev.quiver.local.internal.index;

import java.util.Arrays;

/**
 * Inserts nodes into an HNSW graph (in the spirit of Lucene's {@code HnswGraphBuilder}): the level
 * assignment, the search for neighbour candidates, the neighbour-selection heuristic and the back-links
 * that keep every neighbour array within its bound. Any number of threads may insert at once: each
 * neighbour array is replaced as a whole while holding its node's monitor.
 */
final class HnswBuilder {

  private final GraphStore graph;
  private final GraphDistance dist;
  private final HnswSearcher searcher;
  private final int dimension;
  private final int m;
  private final int maxConn0;
  private final int efConstruction;
  private final long seed;
  private final double levelMultiplier;

  HnswBuilder(GraphStore graph, GraphDistance dist, HnswSearcher searcher, int dimension, int m, int efConstruction,
      long seed) {
    this.graph = graph;
    this.dist = dist;
    this.searcher = searcher;
    this.dimension = dimension;
    this.m = m;
    this.maxConn0 = 2 * m;
    this.efConstruction = efConstruction;
    this.seed = seed;
    this.levelMultiplier = 1.0 / Math.log(m);
  }

  private int randomLevel(int ord) {
    long z = seed + (ord + 1L) * 0x9E3779B97F4A7C15L; // SplitMix64 of the ordinal
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    double u = ((z >>> 11) + 1) * 0x1.0p-53; // (0, 1]
    return Math.min(32, (int) (-Math.log(u) * levelMultiplier));
  }

  private int maxConn(int layer) {
    return layer == 0 ? maxConn0 : m;
  }

  /**
   * Inserts a vector under an ordinal not used before (Algorithm 1 of the paper). Thread-safe.
   * The node is reachable by searches as soon as its first back-link is written; owners that must
   * not return it yet filter it out through the search predicate.
   *
   * @param ord the node's ordinal, ≥ 0, unique
   * @param vector the vector, kept by reference (the caller must not modify it)
   */
  void insert(int ord, float[] vector) {
    if (vector.length != dimension) {
      throw new IllegalArgumentException("vector has " + vector.length + " dimensions, graph has " + dimension);
    }
    int level = randomLevel(ord);
    HnswNode node = new HnswNode(vector, dist.invNorm(vector), level);
    graph.add(ord, node);
    GraphStore.Entry ep = graph.entryOrInit(ord, level);
    if (ep == null) {
      return; // the first node: the entry point, nothing to link to
    }
    float qInv = node.invNorm;
    int cur = ep.node();
    float curDist = dist.distance(vector, qInv, graph.node(cur));
    for (int l = ep.level(); l > level; l--) {
      long packed = searcher.greedy(vector, qInv, cur, curDist, l);
      cur = (int) (packed >>> 32);
      curDist = Float.intBitsToFloat((int) packed);
    }
    NodeHeap eps = NodeHeap.min(efConstruction);
    eps.push(cur, curDist);
    for (int l = Math.min(level, ep.level()); l >= 0; l--) {
      NodeHeap w = searcher.searchLayer(vector, qInv, eps, efConstruction, l, graph::isLive, Integer.MAX_VALUE);
      int[] chosen = selectNeighbours(node, ord, w, m, l);
      synchronized (node) {
        int[] existing = node.neighbours(l);
        node.setNeighbours(l, existing.length == 0 ? chosen : merge(node, ord, existing, chosen, l));
      }
      for (int e : chosen) {
        link(e, ord, node, l);
      }
      eps = w;
      if (eps.isEmpty()) {
        eps.push(cur, curDist); // everything near was deleted; keep descending from the greedy point
      }
    }
    if (level > ep.level()) {
      graph.raiseEntry(ord, level);
    }
  }

  /** Adds {@code from -> to} at a layer, shrinking {@code from}'s list with the heuristic when full. */
  private void link(int from, int to, HnswNode toNode, int layer) {
    HnswNode f = graph.node(from);
    if (f == null || f.level < layer) {
      return;
    }
    synchronized (f) {
      int[] cur = f.neighbours(layer);
      for (int x : cur) {
        if (x == to) {
          return;
        }
      }
      if (cur.length < maxConn(layer)) {
        int[] grown = Arrays.copyOf(cur, cur.length + 1);
        grown[cur.length] = to;
        f.setNeighbours(layer, grown);
      } else {
        f.setNeighbours(layer, merge(f, from, cur, new int[] {to}, layer));
      }
    }
  }

  /** The heuristic choice among a node's current neighbours plus new ones (tombstones dropped). */
  private int[] merge(HnswNode base, int baseOrd, int[] current, int[] extra, int layer) {
    NodeHeap all = NodeHeap.min(current.length + extra.length);
    addCandidates(base, baseOrd, current, all);
    addCandidates(base, baseOrd, extra, all);
    return heuristic(base, all, maxConn(layer), false);
  }

  private void addCandidates(HnswNode base, int baseOrd, int[] ords, NodeHeap into) {
    outer:
    for (int x : ords) {
      if (x == baseOrd) {
        continue;
      }
      HnswNode n = graph.node(x);
      if (n == null || n.deleted) {
        continue;
      }
      for (int i = 0; i < into.size(); i++) {
        if (into.nodeAt(i) == x) {
          continue outer;
        }
      }
      into.push(x, dist.distance(base, n));
    }
  }

  private int[] selectNeighbours(HnswNode base, int baseOrd, NodeHeap w, int max, int layer) {
    NodeHeap candidates = NodeHeap.min(w.size());
    for (int i = 0; i < w.size(); i++) {
      int x = w.nodeAt(i);
      if (x != baseOrd && graph.isLive(x)) {
        candidates.push(x, w.keyAt(i));
      }
    }
    return heuristic(base, candidates, max, false);
  }

  /**
   * Algorithm 4 of the paper (without extending candidates): take candidates nearest first, and
   * keep one only if it is closer to the base than to every neighbour kept so far. This spreads
   * neighbours in different directions, which keeps clustered data navigable. With
   * {@code keepPruned} the list is then topped up with the nearest discarded candidates (the paper's
   * keepPrunedConnections): repair uses it, because a rewired node has lost in-links it will not get
   * back from later inserts, and the extra edges keep its neighbourhood reachable.
   * Consumes {@code candidates} (a min-heap keyed by distance to the base).
   */
  private int[] heuristic(HnswNode base, NodeHeap candidates, int max, boolean keepPruned) {
    int[] out = new int[Math.min(max, candidates.size())];
    HnswNode[] kept = new HnswNode[out.length];
    int[] pruned = keepPruned ? new int[candidates.size()] : null;
    int prunedCount = 0;
    int n = 0;
    while (!candidates.isEmpty() && n < out.length) {
      int c = candidates.topNode();
      float dc = candidates.topKey();
      candidates.pop();
      HnswNode cn = graph.node(c);
      boolean good = true;
      for (int i = 0; i < n; i++) {
        if (dist.distance(cn, kept[i]) < dc) {
          good = false;
          break;
        }
      }
      if (good) {
        kept[n] = cn;
        out[n++] = c;
      } else if (keepPruned) {
        pruned[prunedCount++] = c;
      }
    }
    for (int i = 0; i < prunedCount && n < out.length; i++) {
      out[n++] = pruned[i];
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

}
