package dev.quiver.bench;

/**
 * The synthetic metadata field of the filtered benchmark: every vector gets a bucket 0..999 from a
 * scrambled ordinal, so "bucket &lt; 100" keeps 10 % of the vectors, spread over the whole set.
 */
public final class Selectivity {

  /** Number of buckets. */
  public static final int BUCKETS = 1000;

  private Selectivity() {}

  /**
   * @param ordinal a vector ordinal
   * @return its bucket, 0..999
   */
  public static int bucket(int ordinal) {
    long h = (ordinal + 1L) * 0x9E3779B97F4A7C15L;
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 29;
    return (int) Math.floorMod(h, (long) BUCKETS);
  }

  /**
   * @param fraction the wanted selectivity, e.g. 0.01
   * @return the bucket limit: vectors with bucket below it pass
   */
  public static int limit(double fraction) {
    return Math.max(1, (int) Math.round(fraction * BUCKETS));
  }

  /**
   * @param fraction a selectivity
   * @return a label such as "10%" or "0.1%"
   */
  public static String label(double fraction) {
    double p = fraction * 100;
    return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
  }
}
