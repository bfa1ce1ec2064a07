package dev.quiver.local.internal.ivf;

/**
 * Bounded max-heap of (float key, ordinal) on primitive arrays: keeps the {@code limit} smallest entries
 * offered, the largest kept one on top. Entries are ordered by key, then ordinal, so what is kept does
 * not depend on the order entries are offered in (a list's order differs after a compaction or a
 * restore). One per search; not thread-safe.
 */
final class CandidateHeap {
  private final int limit;
  private final float[] keys;
  private final int[] ords;
  private int size;

  CandidateHeap(int limit) {
    this.limit = limit;
    this.keys = new float[limit];
    this.ords = new int[limit];
  }

  int size() {
    return size;
  }

  boolean full() {
    return size == limit;
  }

  /** @return whether this entry would be kept (checked before the costlier admission test) */
  boolean competitive(float key, int ord) {
    return size < limit || key < keys[0] || key == keys[0] && ord < ords[0];
  }

  /** @return whether entry a orders after entry b */
  private static boolean after(float ka, int oa, float kb, int ob) {
    return ka > kb || ka == kb && oa > ob;
  }

  /** Adds an entry that {@link #competitive} accepted. */
  void add(float key, int ord) {
    if (size < limit) {
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!after(key, ord, keys[parent], ords[parent])) {
          break;
        }
        keys[i] = keys[parent];
        ords[i] = ords[parent];
        i = parent;
      }
      keys[i] = key;
      ords[i] = ord;
      return;
    }
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && after(keys[child + 1], ords[child + 1], keys[child], ords[child])) {
        child++;
      }
      if (!after(keys[child], ords[child], key, ord)) {
        break;
      }
      keys[i] = keys[child];
      ords[i] = ords[child];
      i = child;
    }
    keys[i] = key;
    ords[i] = ord;
  }

  /**
   * Empties the heap into arrays sorted by key, smallest first.
   *
   * @param outOrds receives the ordinals ({@link #size()} of them)
   * @param outKeys receives the keys
   */
  void drainSorted(int[] outOrds, float[] outKeys) {
    for (int i = size - 1; i >= 0; i--) {
      outOrds[i] = ords[0];
      outKeys[i] = keys[0];
      // pop: move the last entry to the top and sift it down
      float k = keys[size - 1];
      int o = ords[size - 1];
      size--;
      int p = 0;
      while (true) {
        int child = 2 * p + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && after(keys[child + 1], ords[child + 1], keys[child], ords[child])) {
          child++;
        }
        if (!after(keys[child], ords[child], k, o)) {
          break;
        }
        keys[p] = keys[child];
        ords[p] = ords[child];
        p = child;
      }
      if (size > 0) {
        keys[p] = k;
        ords[p] = o;
      }
    }
  }
}
