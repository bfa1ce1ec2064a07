package dev.quiver.local.internal.index;

import java.util.Arrays;

/**
 * A binary heap of (distance, node) pairs on primitive arrays, min- or max-ordered. Used for the
 * candidate and result queues of a graph search, where boxing a pair per visited node would
 * dominate the cost. Not thread-safe: one per search.
 */
final class NodeHeap {

  private final boolean max;
  private float[] keys;
  private int[] nodes;
  private int size;

  NodeHeap(int capacity, boolean max) {
    this.max = max;
    this.keys = new float[Math.max(4, capacity)];
    this.nodes = new int[keys.length];
  }

  static NodeHeap min(int capacity) {
    return new NodeHeap(capacity, false);
  }

  static NodeHeap max(int capacity) {
    return new NodeHeap(capacity, true);
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void clear() {
    size = 0;
  }

  /** @return the key at the top: the smallest for a min-heap, the largest for a max-heap */
  float topKey() {
    return keys[0];
  }

  int topNode() {
    return nodes[0];
  }

  /** Key at an arbitrary slot (heap order), for iterating the contents. */
  float keyAt(int i) {
    return keys[i];
  }

  int nodeAt(int i) {
    return nodes[i];
  }

  private boolean above(float a, float b) {
    return max ? a > b : a < b;
  }

  void push(int node, float key) {
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
      nodes = Arrays.copyOf(nodes, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!above(key, keys[parent])) {
        break;
      }
      keys[i] = keys[parent];
      nodes[i] = nodes[parent];
      i = parent;
    }
    keys[i] = key;
    nodes[i] = node;
  }

  /** Removes the top; read it first with {@link #topNode()} and {@link #topKey()}. */
  void pop() {
    int last = --size;
    if (last == 0) {
      return;
    }
    float key = keys[last];
    int node = nodes[last];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= last) {
        break;
      }
      if (child + 1 < last && above(keys[child + 1], keys[child])) {
        child++;
      }
      if (!above(keys[child], key)) {
        break;
      }
      keys[i] = keys[child];
      nodes[i] = nodes[child];
      i = child;
    }
    keys[i] = key;
    nodes[i] = node;
  }
}
