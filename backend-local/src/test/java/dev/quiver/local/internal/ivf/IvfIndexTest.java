package dev.quiver.local.internal.ivf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.CodeKernel;
import dev.quiver.local.internal.kernel.Kernels;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The IVF index on its own: training, the distance estimates, search, concurrency, the saved form. */
class IvfIndexTest {

  static final VectorKernel K = Kernels.active();
  static final CodeKernel C = Kernels.codes();

  static float[][] clustered(int n, int dim, long seed) {
    Random rnd = new Random(seed);
    float[][] centers = new float[20][dim];
    for (float[] c : centers) {
      for (int i = 0; i < dim; i++) {
        c[i] = (float) rnd.nextGaussian() * 2;
      }
    }
    float[][] out = new float[n][dim];
    for (float[] v : out) {
      float[] c = centers[rnd.nextInt(centers.length)];
      for (int i = 0; i < dim; i++) {
        v[i] = c[i] + (float) rnd.nextGaussian() * 0.5f;
      }
    }
    return out;
  }

  static IvfIndex build(IvfParams p, float[][] data) {
    IvfIndex index = new IvfIndex(IvfQuantizer.train(p, data, 7, K), K, C);
    for (int i = 0; i < data.length; i++) {
      assertTrue(index.add(i, data[i]));
    }
    return index;
  }

  @Test
  void kMeansIsReproducibleWhateverTheThreadCount() {
    float[][] x = clustered(5000, 12, 1);
    float[][] a = KMeans.train(x, 32, 10, 3, K, true);
    float[][] b = KMeans.train(x, 32, 10, 3, K, false);
    for (int c = 0; c < a.length; c++) {
      assertArrayEquals(a[c], b[c], "centroid " + c);
    }
    // every centroid is used, and k-means beats its own k-means++ seeding
    int[] count = new int[32];
    for (float[] v : x) {
      count[KMeans.nearest(v, a, K)]++;
    }
    for (int c = 0; c < 32; c++) {
      assertTrue(count[c] > 0, "empty cluster " + c);
    }
    assertTrue(inertia(x, a) < inertia(x, KMeans.train(x, 32, 0, 3, K, false)));
  }

  static double inertia(float[][] x, float[][] c) {
    double s = 0;
    for (float[] v : x) {
      s += K.squaredL2(v, c[KMeans.nearest(v, c, K)]);
    }
    return s;
  }

  @Test
  void kMeansWithMoreClustersThanPointsUsesEveryPoint() {
    float[][] x = clustered(5, 4, 2);
    float[][] c = KMeans.train(x, 8, 10, 1, K, true);
    assertEquals(8, c.length);
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(x[i % 5], c[i]);
    }
  }

  /**
   * With every list probed and every entry a candidate, the estimates are the exact distances to the
   * reconstructions {@code c + r̂} (IVF-PQ) or to the vectors (IVF-FLAT), up to float rounding.
   */
  @ParameterizedTest
  @EnumSource(Metric.class)
  void estimatesAreDistancesToTheReconstruction(Metric metric) {
    float[][] data = clustered(1200, 16, 3);
    for (IvfParams p : List.of(new IvfParams(metric, 16, 8, 4, 6), new IvfParams(metric, 16, 8, 0, 0),
        new IvfParams(metric, 16, 4, 2, 9))) {
      IvfIndex index = build(p, data);
      float[] q = clustered(1, 16, 99)[0];
      IvfIndex.Result r = index.search(q, p.nlist(), data.length, ord -> true);
      assertEquals(data.length, r.size(), p.toString());
      float[] qp = IvfQuantizer.prepare(metric, q);
      for (int i = 0; i < r.size(); i++) {
        float[] x = IvfQuantizer.prepare(metric, data[r.ords()[i]]);
        float[] rec = p.quantized() ? reconstruct(index, x) : x;
        double want = switch (metric) {
          case EUCLIDEAN -> l2(qp, rec);
          case DOT_PRODUCT -> -dot(qp, rec);
          case COSINE -> 1 - dot(qp, rec);
        };
        assertEquals(want, r.estimates()[i], 1e-3 * (1 + Math.abs(want)), p + " entry " + i);
        if (i > 0) {
          assertTrue(r.estimates()[i - 1] <= r.estimates()[i], "sorted");
        }
      }
    }
  }

  private static float[] reconstruct(IvfIndex index, float[] x) {
    IvfQuantizer q = index.quantizer;
    IvfQuantizer.Encoded e = q.encode(x, K);
    PqCodebook pq = q.pq;
    float[] out = q.centroids[e.list()].clone();
    for (int j = 0; j < pq.m; j++) {
      int code = pq.bits <= 8 ? e.planes()[j] & 0xFF : (e.planes()[2 * j] & 0xFF) | (e.planes()[2 * j + 1] & 0xFF) << 8;
      for (int t = 0; t < pq.dsub; t++) {
        out[j * pq.dsub + t] += pq.codebook[(j * pq.ksub + code) * pq.dsub + t];
      }
    }
    return out;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  static double l2(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  @Test
  void moreBitsQuantiseBetter() {
    float[][] data = clustered(4000, 16, 4);
    double last = Double.POSITIVE_INFINITY;
    for (int bits : new int[] {2, 4, 8}) {
      double e = IvfQuantizer.train(new IvfParams(Metric.EUCLIDEAN, 16, 8, 4, bits), data, 1, K).trainingError;
      assertTrue(e < last, bits + " bits: " + e + " after " + last);
      last = e;
    }
  }

  @Test
  void searchProbesFurtherUntilItHasEnoughAcceptedEntries() {
    float[][] data = clustered(2000, 8, 5);
    IvfIndex index = build(new IvfParams(Metric.EUCLIDEAN, 8, 16, 2, 4), data);
    // only ordinals divisible by 50 pass: 40 of them, spread over the lists
    IvfIndex.Result r = index.search(data[0], 1, 40, ord -> ord % 50 == 0);
    assertEquals(40, r.size(), "every accepted entry is found, however many lists that takes");
    assertTrue(r.listsProbed() > 1 && r.listsProbed() <= 16, "probed " + r.listsProbed());
    IvfIndex.Result more = index.search(data[0], 1, 41, ord -> ord % 50 == 0);
    assertEquals(40, more.size());
    assertEquals(16, more.listsProbed(), "asking for more than exist probes every list");
    for (int ord : r.ords()) {
      assertEquals(0, ord % 50);
    }
    IvfIndex.Result plain = index.search(data[0], 1, 10, ord -> true);
    assertEquals(1, plain.listsProbed(), "one list holds more than 10 entries");
  }

  @Test
  void addIsIdempotentAndCompactionDropsOnlyRemovedEntries() {
    float[][] data = clustered(1000, 8, 6);
    IvfIndex index = build(new IvfParams(Metric.DOT_PRODUCT, 8, 4, 4, 4), data);
    assertFalse(index.add(3, data[3]), "second add of an ordinal");
    assertEquals(1000, index.entries());
    boolean[] live = new boolean[1000];
    java.util.Arrays.fill(live, true);
    for (int i = 0; i < 1000; i += 3) {
      live[i] = false;
      index.removed(i);
    }
    assertTrue(index.compactIfNeeded(ord -> live[ord]) > 0);
    assertEquals(666, index.entries());
    IvfIndex.Result all = index.search(data[1], 4, 1000, ord -> true);
    assertEquals(666, all.size());
    for (int ord : all.ords()) {
      assertTrue(live[ord], "removed entry " + ord + " survived compaction");
    }
  }

  @Test
  void concurrentAddsSearchesAndCompactionsLoseNothing() throws Exception {
    float[][] data = clustered(8000, 8, 7);
    IvfIndex index = new IvfIndex(IvfQuantizer.train(new IvfParams(Metric.EUCLIDEAN, 8, 16, 4, 8), data, 1, K), K, C);
    boolean[] removed = new boolean[data.length];
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicBoolean done = new AtomicBoolean();
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int id = w;
        writers.add(pool.submit(() -> {
          for (int i = id; i < data.length; i += 3) {
            index.add(i, data[i]);
            index.add(i, data[i]); // offered twice, as a training backfill and a writer may
            if (i % 7 == 0 && i >= 3) {
              int gone = i - 3; // added by this writer earlier
              synchronized (removed) {
                removed[gone] = true;
              }
              index.removed(gone);
              index.compactIfNeeded(ord -> {
                synchronized (removed) {
                  return !removed[ord];
                }
              });
            }
          }
        }));
      }
      Future<?> reader = pool.submit(() -> {
        Random rnd = new Random(1);
        while (!done.get()) {
          IvfIndex.Result r = index.search(data[rnd.nextInt(data.length)], 2, 50, ord -> true);
          java.util.Set<Integer> seen = new java.util.HashSet<>();
          for (int ord : r.ords()) {
            assertTrue(seen.add(ord), "duplicate candidate " + ord);
          }
        }
      });
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
      done.set(true);
      reader.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    index.compact(ord -> !removed[ord]);
    int live = 0;
    for (boolean r : removed) {
      live += r ? 0 : 1;
    }
    assertEquals(live, index.entries());
    IvfIndex.Result all = index.search(data[0], 16, data.length, ord -> true);
    assertEquals(live, all.size(), "every live entry is in exactly one list");
  }

  @Test
  void savedFormRoundTripsAndRejectsDamage() throws IOException {
    float[][] data = clustered(1500, 12, 8);
    for (IvfParams p : List.of(new IvfParams(Metric.EUCLIDEAN, 12, 8, 3, 8), new IvfParams(Metric.COSINE, 12, 8, 0, 0))) {
      IvfIndex index = build(p, data);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      index.writeTo(new DataOutputStream(bytes), ord -> ord % 10 != 0); // ordinals divisible by 10 are "deleted"
      IvfIndex back = IvfIndex.readFrom(in(bytes.toByteArray()), p, data.length, ord -> data[ord], K, C);
      assertEquals(1350, back.entries());
      assertEquals(index.stats().trainingError(), back.stats().trainingError(), 0.0);
      assertEquals(index.stats().encoded(), back.stats().encoded());
      for (int q = 0; q < 20; q++) {
        float[] query = data[q * 7 + 1];
        IvfIndex.Result a = index.search(query, 3, 30, ord -> ord % 10 != 0);
        IvfIndex.Result b = back.search(query, 3, 30, ord -> true);
        assertArrayEquals(a.ords(), b.ords(), p + " query " + q);
        assertArrayEquals(a.estimates(), b.estimates());
      }
      byte[] saved = bytes.toByteArray();
      IvfParams other = new IvfParams(p.metric(), 12, 4, p.subspaces(), p.bits());
      assertTrue(assertThrows(IOException.class, () -> IvfIndex.readFrom(in(saved), other, data.length, ord -> data[ord], K, C))
          .getMessage().contains("does not match"));
      byte[] future = saved.clone();
      future[3] = 9;
      assertTrue(assertThrows(IOException.class, () -> IvfIndex.readFrom(in(future), p, data.length, ord -> data[ord], K, C))
          .getMessage().contains("version 9"));
      byte[] cut = java.util.Arrays.copyOf(saved, saved.length - 9);
      assertThrows(IOException.class, () -> IvfIndex.readFrom(in(cut), p, data.length, ord -> data[ord], K, C));
      assertThrows(IOException.class, () -> IvfIndex.readFrom(in(saved), p, 100, ord -> data[ord], K, C),
          "more entries than records");
    }
  }

  private static DataInputStream in(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(b));
  }
}
