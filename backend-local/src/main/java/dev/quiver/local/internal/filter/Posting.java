package dev.quiver.local.internal.filter;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A set of record ordinals, stored as a sorted int array while small and as a bitset once the
 * array would take more room than the bitset. Unique values (titles, ids) therefore cost four
 * bytes per record instead of a bitset as long as the collection. Not thread-safe.
 */
final class Posting {

  private static final int MIN_BITSET = 64;

  private int[] small = new int[2];
  private int size;
  private BitSet big;

  void add(int ord) {
    if (big != null) {
      big.set(ord);
      return;
    }
    int at = Arrays.binarySearch(small, 0, size, ord);
    if (at >= 0) {
      return;
    }
    at = -at - 1;
    // switch when the array (4 bytes per entry) would outgrow a bitset (1 bit per ordinal)
    if (size >= MIN_BITSET && size * 32L > Math.max(ord, small[size - 1])) {
      big = new BitSet();
      for (int i = 0; i < size; i++) {
        big.set(small[i]);
      }
      big.set(ord);
      small = null;
      size = 0;
      return;
    }
    if (size == small.length) {
      small = Arrays.copyOf(small, size * 2);
    }
    System.arraycopy(small, at, small, at + 1, size - at);
    small[at] = ord;
    size++;
  }

  void remove(int ord) {
    if (big != null) {
      big.clear(ord);
      return;
    }
    int at = Arrays.binarySearch(small, 0, size, ord);
    if (at >= 0) {
      System.arraycopy(small, at + 1, small, at, size - at - 1);
      size--;
    }
  }

  boolean isEmpty() {
    return big != null ? big.isEmpty() : size == 0;
  }

  /** Adds every member to {@code target}. */
  void orInto(BitSet target) {
    if (big != null) {
      target.or(big);
    } else {
      for (int i = 0; i < size; i++) {
        target.set(small[i]);
      }
    }
  }
}
