package dev.quiver.local.internal.index;

import dev.quiver.Metric;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;

/** Seeded data sets and brute-force ground truth for the index tests. */
final class TestData {

  private TestData() {}

  /** Gaussian vectors around a few random centres (a mixture), which is harder than one blob. */
  static float[][] gaussian(int n, int dim, long seed) {
    Random rnd = new Random(seed);
    int clusters = 16;
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int i = 0; i < dim; i++) {
        c[i] = (float) (rnd.nextGaussian() * 2);
      }
    }
    float[][] out = new float[n][dim];
    for (int j = 0; j < n; j++) {
      float[] c = centres[rnd.nextInt(clusters)];
      for (int i = 0; i < dim; i++) {
        out[j][i] = c[i] + (float) rnd.nextGaussian();
      }
    }
    return out;
  }

  /** Exact top-k ordinals among those {@code admit} accepts, by the reference double distance. */
  static int[] bruteForce(Metric metric, float[][] data, float[] q, int k, IntPredicate admit) {
    List<double[]> all = new ArrayList<>();
    for (int i = 0; i < data.length; i++) {
      if (data[i] != null && admit.test(i)) {
        all.add(new double[] {metric.distance(q, data[i]), i});
      }
    }
    all.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
    int[] out = new int[Math.min(k, all.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) all.get(i)[1];
    }
    return out;
  }

  /** |found ∩ truth| / |truth| over the first k of each. */
  static double recall(int[] truth, int[] found, int k) {
    Set<Integer> t = new HashSet<>();
    for (int i = 0; i < Math.min(k, truth.length); i++) {
      t.add(truth[i]);
    }
    int hit = 0;
    for (int i = 0; i < Math.min(k, found.length); i++) {
      if (t.contains(found[i])) {
        hit++;
      }
    }
    return t.isEmpty() ? 1.0 : (double) hit / t.size();
  }
}
