package dev.quiver.local.internal.ivf;

import dev.quiver.local.internal.kernel.CodeKernel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * One list of an IVF index: the ordinals of the vectors assigned to its centroid and, per entry,
 * either the PQ code planes (in {@link CodeKernel#BLOCK blocks}) and the EUCLIDEAN correction term
 * (IVF-PQ), or a copy of the vector (normalised under COSINE) stored after the previous entry's, so a
 * scan reads memory in order (IVF-FLAT; the price is a second copy of the vectors).
 *
 * <p><b>Concurrency.</b> Appends and compaction hold this list's monitor; searches never lock. The
 * entries live in a {@link Postings} whose arrays are written only past its published {@code size}, a
 * volatile field a search reads once: an entry is complete before the size that covers it is
 * published. Growing or compacting builds a new {@code Postings} and publishes it through the
 * volatile {@link #postings} field; searches that hold the old one keep a consistent, older view.
 *
 * <p><b>Deletes</b> are not written here: the owner says which ordinals are live when searching and
 * counts removed entries ({@link #dead}); {@link #compact} drops entries the owner no longer keeps.
 */
final class InvertedList {

  /** An immutable-capacity view of the entries; only slots past {@link #size} are ever written. */
  static final class Postings {
    final int[] ords;
    /** Blocked code planes (IVF-PQ), else null. */
    final byte[] codes;
    /** EUCLIDEAN correction (IVF-PQ), else null. */
    final float[] extra;
    /** The vectors, {@code dimension} values each, one after another (IVF-FLAT), else null. */
    final float[] vectors;
    volatile int size;

    Postings(int capacity, int planes, boolean hasExtra, int flatDimension) {
      ords = new int[capacity];
      codes = planes > 0 ? new byte[capacity * planes] : null;
      extra = hasExtra ? new float[capacity] : null;
      vectors = flatDimension > 0 ? new float[Math.multiplyExact(capacity, flatDimension)] : null;
    }

    int capacity() {
      return ords.length;
    }
  }

  private final int planes;
  private final boolean hasExtra;
  /** The dimension for IVF-FLAT, 0 for IVF-PQ. */
  private final int flat;
  private volatile Postings postings;
  /** Entries whose record was removed since the last compaction (as reported by the owner). */
  final AtomicInteger dead = new AtomicInteger();

  /**
   * @param planes code planes per entry (0 for IVF-FLAT)
   * @param hasExtra whether entries carry a float
   * @param dimension the vectors' dimension (stored only for IVF-FLAT)
   */
  InvertedList(int planes, boolean hasExtra, int dimension) {
    this.planes = planes;
    this.hasExtra = hasExtra;
    this.flat = planes == 0 ? dimension : 0;
    this.postings = new Postings(0, planes, hasExtra, flat);
  }

  /** @return the current entries (read {@link Postings#size} once and use that) */
  Postings postings() {
    return postings;
  }

  /** @return how many entries the list holds, removed ones included */
  int size() {
    return postings.size;
  }

  /**
   * Appends an entry.
   *
   * @param ord the ordinal
   * @param code the code planes, entry-major ({@code planes} bytes; ignored for IVF-FLAT)
   * @param extra the entry's float (ignored without one)
   * @param vector the vector as the index works on it (IVF-FLAT; copied)
   */
  synchronized void add(int ord, byte[] code, float extra, float[] vector) {
    Postings p = postings;
    int n = p.size;
    if (n == p.capacity()) {
      p = grow(p, n, Math.max(CodeKernel.BLOCK, roundUp(n + (n >> 1) + 1)));
    }
    write(p, n, ord, code, 0, extra, vector);
    if (p != postings) {
      p.size = n + 1;
      postings = p;
    } else {
      p.size = n + 1;
    }
  }

  private static int roundUp(int n) {
    return (n + CodeKernel.BLOCK - 1) / CodeKernel.BLOCK * CodeKernel.BLOCK;
  }

  private Postings grow(Postings old, int n, int capacity) {
    Postings p = new Postings(capacity, planes, hasExtra, flat);
    System.arraycopy(old.ords, 0, p.ords, 0, n);
    if (p.codes != null) {
      System.arraycopy(old.codes, 0, p.codes, 0, old.codes.length); // whole blocks: the layout is positional
    }
    if (p.extra != null) {
      System.arraycopy(old.extra, 0, p.extra, 0, n);
    }
    if (p.vectors != null) {
      System.arraycopy(old.vectors, 0, p.vectors, 0, n * flat);
    }
    return p;
  }

  /** Writes entry {@code i} of {@code p}; the code is read from {@code code[codeOff, +planes)}. */
  private void write(Postings p, int i, int ord, byte[] code, int codeOff, float extra, float[] vector) {
    p.ords[i] = ord;
    if (p.codes != null) {
      int base = (i / CodeKernel.BLOCK) * planes * CodeKernel.BLOCK + i % CodeKernel.BLOCK;
      for (int j = 0; j < planes; j++) {
        p.codes[base + j * CodeKernel.BLOCK] = code[codeOff + j];
      }
    }
    if (p.extra != null) {
      p.extra[i] = extra;
    }
    if (p.vectors != null) {
      System.arraycopy(vector, 0, p.vectors, i * flat, flat);
    }
  }

  /** Copies entry {@code i}'s code planes into {@code out[off, +planes)}. */
  static void readCode(Postings p, int planes, int i, byte[] out, int off) {
    int base = (i / CodeKernel.BLOCK) * planes * CodeKernel.BLOCK + i % CodeKernel.BLOCK;
    for (int j = 0; j < planes; j++) {
      out[off + j] = p.codes[base + j * CodeKernel.BLOCK];
    }
  }

  /**
   * Drops the entries whose ordinal {@code keep} rejects. Entries of records not yet committed must be
   * kept (the owner's predicate says so).
   *
   * @param keep which ordinals stay
   * @return how many entries were dropped
   */
  synchronized int compact(IntPredicate keep) {
    Postings old = postings;
    int n = old.size;
    int kept = 0;
    for (int i = 0; i < n; i++) {
      if (keep.test(old.ords[i])) {
        kept++;
      }
    }
    dead.set(0);
    if (kept == n) {
      return 0;
    }
    Postings p = new Postings(kept == 0 ? 0 : roundUp(kept), planes, hasExtra, flat);
    byte[] code = new byte[planes];
    int w = 0;
    for (int i = 0; i < n; i++) {
      if (keep.test(old.ords[i])) {
        if (old.codes != null) {
          readCode(old, planes, i, code, 0);
        }
        write(p, w++, old.ords[i], code, 0, old.extra != null ? old.extra[i] : 0f, vectorOf(old, i));
      }
    }
    p.size = w;
    postings = p;
    return n - w;
  }

  /** @return entry {@code i}'s vector (a copy), or null for IVF-PQ */
  private float[] vectorOf(Postings p, int i) {
    return p.vectors == null ? null : java.util.Arrays.copyOfRange(p.vectors, i * flat, (i + 1) * flat);
  }

  /**
   * Replaces the contents with entries read from a snapshot (not yet shared).
   *
   * @param ords the ordinals
   * @param codes their code planes, entry-major (null for IVF-FLAT)
   * @param extra their floats (null without)
   * @param vectors their vectors as the index works on them (IVF-FLAT)
   */
  void load(int[] ords, byte[] codes, float[] extra, float[][] vectors) {
    int n = ords.length;
    Postings p = new Postings(n == 0 ? 0 : roundUp(n), planes, hasExtra, flat);
    for (int i = 0; i < n; i++) {
      write(p, i, ords[i], codes, i * planes, extra != null ? extra[i] : 0f, vectors != null ? vectors[i] : null);
    }
    p.size = n;
    postings = p;
  }

  @Override
  public String toString() {
    return "InvertedList[" + postings.size + " entries, " + dead.get() + " removed]";
  }
}
