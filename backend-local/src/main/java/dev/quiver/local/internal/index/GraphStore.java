package dev.quiver.local.internal.index;

/**
 * Where an HNSW graph's nodes live (in the spirit of Lucene's {@code OnHeapHnswGraph}): nodes by
 * ordinal in an {@link OrdinalTable}, one past the largest ordinal stored, and the entry point. Any
 * thread may read while others add nodes; only changes of the entry point take a lock.
 */
final class GraphStore {

  /** The entry point: the node searches start from, on its top layer. */
  record Entry(int node, int level) {}

  private final OrdinalTable<HnswNode> nodes = new OrdinalTable<>();
  private final Object sizeLock = new Object();
  private volatile int size; // one past the largest ordinal stored
  private final Object entryLock = new Object();
  private volatile Entry entry;

  /** @return the node with this ordinal, or null */
  HnswNode node(int ord) {
    return nodes.get(ord);
  }

  /**
   * Stores a new node.
   *
   * @throws IllegalStateException if the ordinal is taken
   */
  void add(int ord, HnswNode node) {
    if (!nodes.setIfAbsent(ord, node)) {
      throw new IllegalStateException("ordinal " + ord + " is already in the graph");
    }
    synchronized (sizeLock) {
      if (ord >= size) {
        size = ord + 1;
      }
    }
  }

  /** @return one past the largest ordinal stored */
  int size() {
    return size;
  }

  boolean contains(int ord) {
    return ord >= 0 && node(ord) != null;
  }

  boolean isLive(int ord) {
    HnswNode n = node(ord);
    return n != null && !n.deleted;
  }

  /** @return the entry point, or null while the graph is empty */
  Entry entry() {
    return entry;
  }

  /**
   * Makes a node the entry point if there is none yet.
   *
   * @return null when it became the entry point, otherwise the existing entry point
   */
  Entry entryOrInit(int ord, int level) {
    Entry ep = entry;
    if (ep != null) {
      return ep;
    }
    synchronized (entryLock) {
      if (entry == null) {
        entry = new Entry(ord, level);
        return null;
      }
      return entry;
    }
  }

  /** Makes a node the entry point if it is on a higher layer than the current one. */
  void raiseEntry(int ord, int level) {
    synchronized (entryLock) {
      Entry now = entry;
      if (now == null || level > now.level()) {
        entry = new Entry(ord, level);
      }
    }
  }

  /** Sets the entry point unconditionally (reading a saved graph). */
  void setEntry(Entry e) {
    synchronized (entryLock) {
      entry = e;
    }
  }

  /** Moves the entry point off a tombstone, to the live node on the highest layer. */
  void moveEntryOffTombstone() {
    synchronized (entryLock) {
      Entry ep = entry;
      if (ep == null || isLive(ep.node())) {
        return;
      }
      int best = -1;
      int bestLevel = -1;
      for (int ord = 0, n = size; ord < n; ord++) {
        HnswNode node = node(ord);
        if (node != null && !node.deleted && node.level > bestLevel) {
          best = ord;
          bestLevel = node.level;
        }
      }
      if (best >= 0) {
        entry = new Entry(best, bestLevel);
      }
      // With no live node left the tombstone stays the entry: searches find nothing to return, and
      // the next insert links through it.
    }
  }

  /** @return how many stored nodes are tombstones */
  int deletedCount() {
    int count = 0;
    for (int ord = 0, n = size; ord < n; ord++) {
      HnswNode node = node(ord);
      if (node != null && node.deleted) {
        count++;
      }
    }
    return count;
  }
}
