package dev.quiver.local.internal.ivf;

import dev.quiver.local.internal.kernel.VectorKernel;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Lloyd's k-means under squared L2 with k-means++ seeding (Arthur &amp; Vassilvitskii, 2007), the
 * trainer of the coarse quantiser and of each product-quantisation subspace.
 *
 * <p><b>Parallel and reproducible.</b> The points are cut into chunks of a fixed size; seeding's
 * distance updates and each iteration's assignment (the n·k·d part) run chunk by chunk on the common
 * fork-join pool when {@code parallel} is set; sums are combined in chunk order and the centroid update
 * (n·d) runs in point order. The result is therefore a function of the points and the seed alone,
 * whatever the number of threads.
 *
 * <p><b>Empty clusters</b> are re-seeded by splitting the largest cluster (its centroid is copied and
 * both copies are nudged apart by a relative 1/1024, as FAISS does), so every centroid ends up used.
 * With {@code k ≥ n} every point becomes a centroid and the remaining centroids repeat points.
 */
final class KMeans {

  /** Points per chunk of parallel work (fixed, so results do not depend on the thread count). */
  static final int CHUNK = 1024;
  private static final double SPLIT = 1.0 / 1024;

  private KMeans() {}

  /**
   * @param points n points of one dimension (not modified)
   * @param k clusters, ≥ 1
   * @param iterations Lloyd iterations at most (stops earlier when no assignment changes)
   * @param seed the seed
   * @param kernel distances
   * @param parallel whether to use the common fork-join pool
   * @return k centroids
   */
  static float[][] train(float[][] points, int k, int iterations, long seed, VectorKernel kernel, boolean parallel) {
    int n = points.length;
    if (n == 0) {
      throw new IllegalArgumentException("k-means needs at least one point");
    }
    int d = points[0].length;
    if (n <= k) {
      float[][] c = new float[k][];
      for (int i = 0; i < k; i++) {
        c[i] = points[i % n].clone();
      }
      return c;
    }
    Random rnd = new Random(seed);
    float[][] centroids = seed(points, k, rnd, kernel, parallel);
    int[] assignment = new int[n];
    Arrays.fill(assignment, -1);
    int chunks = (n + CHUNK - 1) / CHUNK;
    for (int it = 0; it < iterations; it++) {
      float[][] cs = centroids;
      int[] changed = new int[chunks];
      range(chunks, parallel).forEach(ch -> {
        int moved = 0;
        for (int i = ch * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
          int best = nearest(points[i], cs, kernel);
          if (best != assignment[i]) {
            assignment[i] = best;
            moved++;
          }
        }
        changed[ch] = moved;
      });
      int moved = 0;
      for (int ch = 0; ch < chunks; ch++) {
        moved += changed[ch];
      }
      if (moved == 0) {
        break; // converged: the centroids of this assignment are the current ones
      }
      // the update is n·d additions against the assignment's n·k·d work: sequential, in point order
      double[][] total = new double[k][d];
      int[] count = new int[k];
      for (int i = 0; i < n; i++) {
        double[] acc = total[assignment[i]];
        float[] p = points[i];
        for (int t = 0; t < d; t++) {
          acc[t] += p[t];
        }
        count[assignment[i]]++;
      }
      float[][] next = new float[k][d];
      for (int c = 0; c < k; c++) {
        if (count[c] > 0) {
          for (int t = 0; t < d; t++) {
            next[c][t] = (float) (total[c][t] / count[c]);
          }
        }
      }
      splitEmpty(next, count);
      centroids = next;
    }
    return centroids;
  }

  /** Re-seeds every empty cluster from the largest one. */
  private static void splitEmpty(float[][] c, int[] count) {
    for (int e = 0; e < c.length; e++) {
      if (count[e] > 0) {
        continue;
      }
      int big = 0;
      for (int i = 1; i < c.length; i++) {
        if (count[i] > count[big]) {
          big = i;
        }
      }
      if (count[big] < 2) {
        c[e] = c[big].clone(); // nothing left to split: a duplicate centroid is harmless
        continue;
      }
      float[] src = c[big];
      float[] copy = new float[src.length];
      for (int t = 0; t < src.length; t++) {
        boolean up = (t & 1) == 0;
        copy[t] = (float) (src[t] * (up ? 1 + SPLIT : 1 - SPLIT));
        src[t] = (float) (src[t] * (up ? 1 - SPLIT : 1 + SPLIT));
      }
      c[e] = copy;
      count[e] = count[big] / 2;
      count[big] -= count[e];
    }
  }

  /** k-means++: each next centroid is drawn with probability proportional to its squared distance to the chosen ones. */
  private static float[][] seed(float[][] points, int k, Random rnd, VectorKernel kernel, boolean parallel) {
    int n = points.length;
    int chunks = (n + CHUNK - 1) / CHUNK;
    float[][] c = new float[k][];
    c[0] = points[rnd.nextInt(n)].clone();
    double[] d2 = new double[n];
    Arrays.fill(d2, Double.POSITIVE_INFINITY);
    double[] chunkSums = new double[chunks];
    for (int next = 1; next <= k; next++) {
      float[] last = c[next - 1];
      range(chunks, parallel).forEach(ch -> {
        double s = 0;
        for (int i = ch * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
          double dist = kernel.squaredL2(points[i], last);
          if (dist < d2[i]) {
            d2[i] = dist;
          }
          s += d2[i];
        }
        chunkSums[ch] = s;
      });
      if (next == k) {
        break;
      }
      double total = 0;
      for (double s : chunkSums) {
        total += s;
      }
      int pick;
      if (!(total > 0)) {
        pick = rnd.nextInt(n); // every point coincides with a centroid already
      } else {
        double r = rnd.nextDouble() * total;
        int ch = 0;
        while (ch < chunks - 1 && r >= chunkSums[ch]) {
          r -= chunkSums[ch++];
        }
        pick = Math.min(n, ch * CHUNK + CHUNK) - 1;
        for (int i = ch * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
          r -= d2[i];
          if (r < 0) {
            pick = i;
            break;
          }
        }
      }
      c[next] = points[pick].clone();
    }
    return c;
  }

  /** @return the index of the centroid nearest to {@code p} (squared L2; ties: the lower index) */
  static int nearest(float[] p, float[][] centroids, VectorKernel kernel) {
    int best = 0;
    float bestD = Float.POSITIVE_INFINITY;
    for (int c = 0; c < centroids.length; c++) {
      float dist = kernel.squaredL2(p, centroids[c]);
      if (dist < bestD) {
        bestD = dist;
        best = c;
      }
    }
    return best;
  }

  private static IntStream range(int chunks, boolean parallel) {
    IntStream s = IntStream.range(0, chunks);
    return parallel && chunks > 1 ? s.parallel() : s;
  }
}
