package dev.quiver.local.internal.index;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A growable array from ordinal to value that any thread may read without locking while others
 * write. Values live in chunks that never move, so growing never copies a value and never loses a
 * concurrent write. Chunks double in size — the first holds {@value #FIRST} ordinals — so a small
 * table (a tenant's partition with a handful of records) costs a few hundred bytes, and a large one at
 * most twice its largest ordinal in references.
 *
 * @param <T> the value type
 */
public final class OrdinalTable<T> {

  private static final int FIRST_BITS = 6;
  private static final int FIRST = 1 << FIRST_BITS;
  /** Chunk {@code k} holds ordinals {@code FIRST·(2^k − 1)} up to {@code FIRST·(2^(k+1) − 1)}; 26 cover every int. */
  private static final int MAX_CHUNKS = 32 - FIRST_BITS;

  private final Object growLock = new Object();
  private final AtomicReferenceArray<AtomicReferenceArray<T>> chunks = new AtomicReferenceArray<>(MAX_CHUNKS);

  private static int chunkOf(int ord) {
    return 31 - Integer.numberOfLeadingZeros((ord >>> FIRST_BITS) + 1);
  }

  private static int start(int chunk) {
    return FIRST * ((1 << chunk) - 1);
  }

  /**
   * @param ord an ordinal ≥ 0
   * @return its value, or null
   */
  public T get(int ord) {
    int k = chunkOf(ord);
    AtomicReferenceArray<T> c = chunks.get(k);
    return c == null ? null : c.get(ord - start(k));
  }

  /**
   * @param ord an ordinal ≥ 0
   * @param value the value, or null to clear
   */
  public void set(int ord, T value) {
    int k = chunkOf(ord);
    chunk(k).set(ord - start(k), value);
  }

  /**
   * Sets a value only where there is none yet, atomically.
   *
   * @param ord an ordinal ≥ 0
   * @param value the value, not null
   * @return true when it was set, false when the ordinal already had a value (left unchanged)
   */
  public boolean setIfAbsent(int ord, T value) {
    int k = chunkOf(ord);
    return chunk(k).compareAndSet(ord - start(k), null, value);
  }

  /** @return chunk {@code k}, made if needed */
  private AtomicReferenceArray<T> chunk(int k) {
    AtomicReferenceArray<T> c = chunks.get(k);
    if (c == null) {
      synchronized (growLock) {
        c = chunks.get(k);
        if (c == null) {
          // the last chunk holds only the ordinals up to Integer.MAX_VALUE
          long size = Math.min((long) FIRST << k, (long) Integer.MAX_VALUE - start(k) + 1);
          c = new AtomicReferenceArray<>((int) size);
          chunks.set(k, c);
        }
      }
    }
    return c;
  }
}
