package dev.quiver.local.internal.index;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One node of an HNSW graph: its vector and its neighbour array per layer. A neighbour array is an
 * immutable {@code int[]} of ordinals, replaced as a whole (copy on write) while holding the node's
 * monitor, so searches read it without locking.
 */
final class HnswNode {

  static final int[] EMPTY = new int[0];

  final float[] vector;
  /** The inverse norm under COSINE (see {@link GraphDistance#invNorm}), 1 otherwise. */
  final float invNorm;
  /** The highest layer the node is on. */
  final int level;
  /** Neighbour arrays, one per layer 0..level. */
  final AtomicReferenceArray<int[]> links;
  /** A tombstone: traversed, never returned, never chosen as a new neighbour. */
  volatile boolean deleted;

  HnswNode(float[] vector, float invNorm, int level) {
    this.vector = vector;
    this.invNorm = invNorm;
    this.level = level;
    this.links = new AtomicReferenceArray<>(level + 1);
    for (int l = 0; l <= level; l++) {
      links.set(l, EMPTY);
    }
  }

  /** @return the neighbours on a layer the node is on */
  int[] neighbours(int layer) {
    return links.get(layer);
  }

  /** Replaces the neighbours on a layer; callers hold this node's monitor. */
  void setNeighbours(int layer, int[] ords) {
    links.set(layer, ords);
  }
}
