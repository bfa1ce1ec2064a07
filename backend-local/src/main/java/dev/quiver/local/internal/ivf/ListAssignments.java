package dev.quiver.local.internal.ivf;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Which list each ordinal was added to, so that adding is idempotent (the training thread's backfill
 * and a concurrent writer may both offer the same record) and a removal can be charged to its list.
 * Readable without locking; values live in fixed-size chunks that never move.
 */
final class ListAssignments {

  private static final int CHUNK_BITS = 12;
  private static final int CHUNK = 1 << CHUNK_BITS;

  private final Object growLock = new Object();
  /** Per ordinal: 0 = not added, list + 1 otherwise. */
  private volatile AtomicIntegerArray[] chunks = new AtomicIntegerArray[0];

  /**
   * @param ord an ordinal ≥ 0
   * @param list its list
   * @return true when the ordinal was not assigned before (and now is), false when it already was
   */
  boolean claim(int ord, int list) {
    return chunkFor(ord).compareAndSet(ord & (CHUNK - 1), 0, list + 1);
  }

  /** @return the ordinal's list, or -1 */
  int listOf(int ord) {
    AtomicIntegerArray[] cs = chunks;
    int c = ord >>> CHUNK_BITS;
    return c < cs.length ? cs[c].get(ord & (CHUNK - 1)) - 1 : -1;
  }

  private AtomicIntegerArray chunkFor(int ord) {
    int c = ord >>> CHUNK_BITS;
    AtomicIntegerArray[] cs = chunks;
    if (c >= cs.length) {
      synchronized (growLock) {
        cs = chunks;
        if (c >= cs.length) {
          AtomicIntegerArray[] grown = Arrays.copyOf(cs, Math.max(c + 1, cs.length * 2));
          for (int i = cs.length; i < grown.length; i++) {
            grown[i] = new AtomicIntegerArray(CHUNK);
          }
          chunks = grown;
          cs = grown;
        }
      }
    }
    return cs[c];
  }

  /** @return bytes held */
  long bytes() {
    return (long) chunks.length * CHUNK * 4;
  }
}
