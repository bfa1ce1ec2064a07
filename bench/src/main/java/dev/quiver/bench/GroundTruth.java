package dev.quiver.bench;

import dev.quiver.Metric;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/** Exact k-nearest neighbours by multi-threaded brute force, and recall against them. */
public final class GroundTruth {

  private GroundTruth() {}

  /**
   * @param base the indexed vectors
   * @param queries the queries
   * @param metric the metric
   * @param k neighbours per query
   * @param accept which base ordinals may be returned (a filter), or {@code null} for all
   * @param threads worker threads
   * @param progress progress reporter, or {@code null}
   * @return per query, the ordinals of the k nearest base vectors, nearest first (ties by lower ordinal)
   */
  public static int[][] compute(float[][] base, float[][] queries, Metric metric, int k, IntPredicate accept,
      int threads, Progress progress) {
    float[][] b = metric == Metric.COSINE ? normalized(base) : base;
    float[] norms = null;
    int[][] out = new int[queries.length][];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      Future<?>[] fs = new Future<?>[Math.max(1, threads)];
      for (int t = 0; t < fs.length; t++) {
        fs[t] = pool.submit(() -> {
          int q;
          while ((q = next.getAndIncrement()) < queries.length) {
            float[] qv = metric == Metric.COSINE ? normalize(queries[q]) : queries[q];
            out[q] = topK(b, qv, metric, k, accept);
            if (progress != null) {
              progress.step();
            }
          }
          return null;
        });
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("ground truth failed", e);
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  static int[] topK(float[][] base, float[] q, Metric metric, int k, IntPredicate accept) {
    int[] ids = new int[k];
    float[] ds = new float[k];
    int size = 0;
    for (int i = 0; i < base.length; i++) {
      if (accept != null && !accept.test(i)) {
        continue;
      }
      float d = metric == Metric.EUCLIDEAN ? l2sq(base[i], q) : -dot(base[i], q);
      if (size < k) {
        int j = size++;
        while (j > 0 && ds[j - 1] > d) {
          ds[j] = ds[j - 1];
          ids[j] = ids[j - 1];
          j--;
        }
        ds[j] = d;
        ids[j] = i;
      } else if (d < ds[k - 1]) {
        int j = k - 1;
        while (j > 0 && ds[j - 1] > d) {
          ds[j] = ds[j - 1];
          ids[j] = ids[j - 1];
          j--;
        }
        ds[j] = d;
        ids[j] = i;
      }
    }
    return size == k ? ids : java.util.Arrays.copyOf(ids, size);
  }

  static float l2sq(float[] a, float[] b) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < a.length; i += 4) {
      float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < a.length; i++) {
      float d = a[i] - b[i];
      s0 += d * d;
    }
    return s0 + s1 + s2 + s3;
  }

  static float dot(float[] a, float[] b) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < a.length; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < a.length; i++) {
      s0 += a[i] * b[i];
    }
    return s0 + s1 + s2 + s3;
  }

  static float[] normalize(float[] v) {
    double n = 0;
    for (float x : v) {
      n += (double) x * x;
    }
    float inv = n == 0 ? 0f : (float) (1.0 / Math.sqrt(n));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * inv;
    }
    return out;
  }

  static float[][] normalized(float[][] vs) {
    float[][] out = new float[vs.length][];
    for (int i = 0; i < vs.length; i++) {
      out[i] = normalize(vs[i]);
    }
    return out;
  }

  /**
   * Recall@k: the fraction of the true k nearest neighbours found, averaged over queries.
   *
   * @param results per query, the returned ordinals (best first; only the first k count)
   * @param truth per query, the exact ordinals (only the first k count)
   * @param k the cut-off
   * @return mean recall in [0, 1]
   */
  public static double recall(int[][] results, int[][] truth, int k) {
    if (results.length != truth.length) {
      throw new IllegalArgumentException(results.length + " results for " + truth.length + " queries");
    }
    double sum = 0;
    int counted = 0;
    for (int q = 0; q < truth.length; q++) {
      int kk = Math.min(k, truth[q].length);
      if (kk == 0) {
        continue;
      }
      java.util.Set<Integer> want = new java.util.HashSet<>();
      for (int i = 0; i < kk; i++) {
        want.add(truth[q][i]);
      }
      int hit = 0;
      int[] r = results[q] == null ? new int[0] : results[q];
      java.util.Set<Integer> seen = new java.util.HashSet<>();
      for (int i = 0; i < Math.min(k, r.length); i++) {
        if (seen.add(r[i]) && want.contains(r[i])) {
          hit++;
        }
      }
      sum += (double) hit / kk;
      counted++;
    }
    return counted == 0 ? 1.0 : sum / counted;
  }
}
