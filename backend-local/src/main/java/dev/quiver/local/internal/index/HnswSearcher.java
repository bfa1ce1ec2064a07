package dev.quiver.local.internal.index;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Searches an HNSW graph (in the spirit of Lucene's {@code HnswGraphSearcher}): the greedy descent
 * through the upper layers and the best-first search of one layer that both queries and inserts use.
 * Reads the neighbour arrays without locking, so searches never wait for writers. Thread-safe.
 */
final class HnswSearcher {

  private final GraphStore graph;
  private final GraphDistance dist;
  private final ThreadLocal<Visited> visited = ThreadLocal.withInitial(Visited::new);

  HnswSearcher(GraphStore graph, GraphDistance dist) {
    this.graph = graph;
    this.dist = dist;
  }

  /** Greedy walk on one layer; returns (node << 32 | floatBits(distance)). */
  long greedy(float[] q, float qInv, int cur, float curDist, int layer) {
    boolean changed = true;
    while (changed) {
      changed = false;
      HnswNode cn = graph.node(cur);
      if (cn.level < layer) {
        break;
      }
      for (int e : cn.neighbours(layer)) {
        HnswNode en = graph.node(e);
        float d = dist.distance(q, qInv, en);
        if (d < curDist) {
          curDist = d;
          cur = e;
          changed = true;
        }
      }
    }
    return ((long) cur << 32) | (Float.floatToRawIntBits(curDist) & 0xFFFFFFFFL);
  }

  /**
   * Algorithm 2 of the paper, filter-aware: every node is traversed, but only nodes that
   * {@code accept} admits enter the result list. So a restrictive filter makes the search walk
   * further instead of returning fewer results; it stops when the candidate nearest to the query is
   * farther than the worst of {@code ef} accepted results, or after {@code maxVisits} nodes.
   */
  NodeHeap searchLayer(float[] q, float qInv, NodeHeap entryPoints, int ef, int layer, IntPredicate accept,
      int maxVisits) {
    Visited seen = visited.get();
    seen.reset(graph.size());
    NodeHeap candidates = NodeHeap.min(Math.max(ef, 16));
    NodeHeap results = NodeHeap.max(ef + 1);
    for (int i = 0; i < entryPoints.size(); i++) {
      int ep = entryPoints.nodeAt(i);
      if (seen.visit(ep)) {
        float d = entryPoints.keyAt(i);
        candidates.push(ep, d);
        if (accept.test(ep)) {
          results.push(ep, d);
          if (results.size() > ef) {
            results.pop();
          }
        }
      }
    }
    int visits = 0;
    while (!candidates.isEmpty()) {
      float cd = candidates.topKey();
      int c = candidates.topNode();
      if (results.size() >= ef && cd > results.topKey()) {
        break;
      }
      candidates.pop();
      HnswNode cn = graph.node(c);
      if (cn.level < layer) {
        continue;
      }
      for (int e : cn.neighbours(layer)) {
        if (!seen.visit(e)) {
          continue;
        }
        HnswNode en = graph.node(e);
        if (en == null) {
          continue;
        }
        float d = dist.distance(q, qInv, en);
        if (results.size() < ef || d < results.topKey()) {
          candidates.push(e, d);
          if (accept.test(e)) {
            results.push(e, d);
            if (results.size() > ef) {
              results.pop();
            }
          }
        }
      }
      if (++visits >= maxVisits) {
        break;
      }
    }
    return results;
  }

  /**
   * k-nearest-neighbour search (Algorithm 5), filter-aware on layer 0.
   *
   * @param query the query vector
   * @param ef candidate list size; at most this many results come back
   * @param accept which ordinals may be returned (tombstones are never returned)
   * @param maxVisits bound on expanded nodes on layer 0 ({@code Integer.MAX_VALUE} for none)
   * @return up to {@code ef} accepted, live nodes, nearest first
   */
  HnswGraph.Result search(float[] query, int ef, IntPredicate accept, int maxVisits) {
    GraphStore.Entry ep = graph.entry();
    if (ep == null) {
      return new HnswGraph.Result(HnswNode.EMPTY, new float[0], 0);
    }
    float qInv = dist.invNorm(query);
    int cur = ep.node();
    float curDist = dist.distance(query, qInv, graph.node(cur));
    for (int l = ep.level(); l > 0; l--) {
      long packed = greedy(query, qInv, cur, curDist, l);
      cur = (int) (packed >>> 32);
      curDist = Float.intBitsToFloat((int) packed);
    }
    NodeHeap eps = NodeHeap.min(1);
    eps.push(cur, curDist);
    IntPredicate liveAndAccepted = ord -> graph.isLive(ord) && accept.test(ord);
    NodeHeap results = searchLayer(query, qInv, eps, ef, 0, liveAndAccepted, maxVisits);
    int n = results.size();
    int[] nodes = new int[n];
    float[] dists = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      nodes[i] = results.topNode();
      dists[i] = results.topKey();
      results.pop();
    }
    return new HnswGraph.Result(nodes, dists, visited.get().count);
  }

  /** Visited marks by generation, so a search never clears an array proportional to the graph. */
  private static final class Visited {
    int[] marks = new int[0];
    int generation;
    int count;

    void reset(int capacity) {
      if (marks.length < capacity) {
        marks = new int[Math.max(capacity, marks.length + (marks.length >> 1)) + 16];
        generation = 0;
      }
      if (++generation == 0) {
        Arrays.fill(marks, 0);
        generation = 1;
      }
      count = 0;
    }

    /** @return true the first time this node is visited in this generation */
    boolean visit(int ord) {
      if (ord >= marks.length) {
        // inserted after the search started; grow so it can be marked too
        marks = Arrays.copyOf(marks, Math.max(ord + 1, marks.length * 2));
      }
      if (marks[ord] == generation) {
        return false;
      }
      marks[ord] = generation;
      count++;
      return true;
    }
  }
}
