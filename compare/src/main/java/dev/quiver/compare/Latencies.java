package dev.quiver.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Percentiles of a set of latencies, by the nearest-rank method. */
public final class Latencies {

  private final long[] sortedNanos;

  /**
   * @param nanos latencies in nanoseconds (copied)
   */
  public Latencies(long[] nanos) {
    this.sortedNanos = nanos.clone();
    Arrays.sort(sortedNanos);
  }

  /**
   * @param p a percentile, 0..100
   * @return the latency at it in milliseconds (0 when there are none)
   */
  public double ms(double p) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
    int i = Math.max(0, Math.min(sortedNanos.length - 1, rank - 1));
    return sortedNanos[i] / 1e6;
  }

  /** @return latencies at 0, 5, …, 100 percent, in milliseconds */
  public List<Double> quantiles() {
    List<Double> out = new ArrayList<>(21);
    for (int p = 0; p <= 100; p += 5) {
      out.add(round(ms(p)));
    }
    return out;
  }

  /** @return how many */
  public int size() {
    return sortedNanos.length;
  }

  /**
   * @param v a value
   * @return it rounded to 4 decimals (keeps the JSON readable)
   */
  public static double round(double v) {
    return Math.round(v * 10_000.0) / 10_000.0;
  }
}
