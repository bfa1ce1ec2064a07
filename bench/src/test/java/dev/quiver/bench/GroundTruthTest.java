package dev.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Metric;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GroundTruthTest {

  @Test
  void euclideanOnALine() {
    float[][] base = {{0f}, {10f}, {3f}, {7f}, {4f}};
    float[][] q = {{3.9f}, {9f}};
    int[][] gt = GroundTruth.compute(base, q, Metric.EUCLIDEAN, 3, null, 2, null);
    assertArrayEquals(new int[] {4, 2, 3}, gt[0]);
    assertArrayEquals(new int[] {1, 3, 4}, gt[1]);
  }

  @Test
  void cosineIgnoresLength() {
    float[][] base = {{1f, 0f}, {100f, 1f}, {0f, 1f}, {-1f, 0f}};
    int[][] gt = GroundTruth.compute(base, new float[][] {{2f, 0f}}, Metric.COSINE, 4, null, 1, null);
    assertArrayEquals(new int[] {0, 1, 2, 3}, gt[0]);
  }

  @Test
  void dotProductPrefersLongVectors() {
    float[][] base = {{1f, 0f}, {5f, 0f}, {0f, 9f}};
    int[][] gt = GroundTruth.compute(base, new float[][] {{1f, 0f}}, Metric.DOT_PRODUCT, 2, null, 1, null);
    assertArrayEquals(new int[] {1, 0}, gt[0]);
  }

  @Test
  void filterRestrictsCandidatesAndMayLeaveFewerThanK() {
    float[][] base = {{0f}, {1f}, {2f}, {3f}};
    int[][] gt = GroundTruth.compute(base, new float[][] {{0f}}, Metric.EUCLIDEAN, 3, i -> i % 2 == 1, 1, null);
    assertArrayEquals(new int[] {1, 3}, gt[0]);
  }

  @Test
  void matchesASortedScanOnRandomData() {
    Random r = new Random(1);
    float[][] base = new float[500][16];
    float[][] qs = new float[20][16];
    for (float[] v : base) {
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) r.nextGaussian();
      }
    }
    for (float[] v : qs) {
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) r.nextGaussian();
      }
    }
    int[][] gt = GroundTruth.compute(base, qs, Metric.EUCLIDEAN, 10, null, 3, null);
    for (int q = 0; q < qs.length; q++) {
      float[] qv = qs[q];
      int[] want = IntStream.range(0, base.length).boxed()
          .sorted(Comparator.comparingDouble((Integer i) -> Metric.EUCLIDEAN.distance(base[i], qv)))
          .limit(10).mapToInt(Integer::intValue).toArray();
      assertArrayEquals(want, gt[q], "query " + q);
    }
  }

  @Test
  void recallCountsTheOverlapOfTheFirstK() {
    int[][] truth = {{1, 2, 3, 4}, {5, 6, 7, 8}};
    int[][] res = {{4, 3, 9, 1}, {5, 6, 7, 8}};
    assertEquals((0.75 + 1.0) / 2, GroundTruth.recall(res, truth, 4), 1e-12);
    // only the first k of each list count
    assertEquals((0.0 + 1.0) / 2, GroundTruth.recall(res, truth, 2), 1e-12);
  }

  @Test
  void recallIgnoresDuplicatesAndShortResults() {
    int[][] truth = {{1, 2, 3, 4}};
    assertEquals(0.25, GroundTruth.recall(new int[][] {{1, 1, 1, 1}}, truth, 4), 1e-12);
    assertEquals(0.5, GroundTruth.recall(new int[][] {{2, 1}}, truth, 4), 1e-12);
    assertEquals(0.0, GroundTruth.recall(new int[][] {{}}, truth, 4), 1e-12);
  }

  @Test
  void recallAgainstShortTruthUsesItsLength() {
    // a filter that leaves 2 matches: finding both is full recall
    assertEquals(1.0, GroundTruth.recall(new int[][] {{7, 9}}, new int[][] {{9, 7}}, 10), 1e-12);
  }

  @Test
  void selectivityBucketsAreSpreadEvenly() {
    int n = 100_000;
    long tenPercent = IntStream.range(0, n).filter(i -> Selectivity.bucket(i) < Selectivity.limit(0.1)).count();
    long onePercent = IntStream.range(0, n).filter(i -> Selectivity.bucket(i) < Selectivity.limit(0.01)).count();
    assertEquals(10_000, tenPercent, 600);
    assertEquals(1_000, onePercent, 200);
    assertEquals("0.1%", Selectivity.label(0.001));
    assertEquals("10%", Selectivity.label(0.1));
    assertEquals(1, Selectivity.limit(0.001));
    assertEquals(true, Arrays.stream(new int[] {0, 1, 999_999}).allMatch(i -> Selectivity.bucket(i) >= 0
        && Selectivity.bucket(i) < 1000));
  }
}
