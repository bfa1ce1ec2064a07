package dev.quiver.local.internal.index;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A growable array from ordinal to value that any thread may read without locking while others
 * write. Values live in fixed-size chunks that never move, so growing copies only the chunk
 * directory and never loses a concurrent write.
 *
 * @param <T> the value type
 */
public final class OrdinalTable<T> {

  private static final int CHUNK_BITS = 12;
  private static final int CHUNK = 1 << CHUNK_BITS;

  private final Object growLock = new Object();
  private volatile AtomicReferenceArray<T>[] chunks = newDirectory(0);

  @SuppressWarnings("unchecked")
  private static <T> AtomicReferenceArray<T>[] newDirectory(int n) {
    return (AtomicReferenceArray<T>[]) new AtomicReferenceArray<?>[n];
  }

  /**
   * @param ord an ordinal ≥ 0
   * @return its value, or null
   */
  public T get(int ord) {
    AtomicReferenceArray<T>[] cs = chunks;
    int c = ord >>> CHUNK_BITS;
    return c < cs.length ? cs[c].get(ord & (CHUNK - 1)) : null;
  }

  /**
   * @param ord an ordinal ≥ 0
   * @param value the value, or null to clear
   */
  public void set(int ord, T value) {
    chunkFor(ord).set(ord & (CHUNK - 1), value);
  }

  /**
   * Sets a value only where there is none yet, atomically.
   *
   * @param ord an ordinal ≥ 0
   * @param value the value, not null
   * @return true when it was set, false when the ordinal already had a value (left unchanged)
   */
  public boolean setIfAbsent(int ord, T value) {
    return chunkFor(ord).compareAndSet(ord & (CHUNK - 1), null, value);
  }

  /** @return the chunk holding {@code ord}, growing the directory if needed */
  private AtomicReferenceArray<T> chunkFor(int ord) {
    int c = ord >>> CHUNK_BITS;
    AtomicReferenceArray<T>[] cs = chunks;
    if (c >= cs.length) {
      synchronized (growLock) {
        cs = chunks;
        if (c >= cs.length) {
          AtomicReferenceArray<T>[] grown = Arrays.copyOf(cs, Math.max(c + 1, cs.length * 2));
          for (int i = cs.length; i < grown.length; i++) {
            grown[i] = new AtomicReferenceArray<>(CHUNK);
          }
          chunks = grown;
          cs = grown;
        }
      }
    }
    return cs[c];
  }
}
