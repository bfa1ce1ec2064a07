package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * Issue 13's re-index target: an N-vector collection (a seeded Gaussian mixture, 128-d by default) is
 * built with HNSW, then re-indexed to IVF-PQ while a reader thread searches in a loop (passes over a
 * fixed query set) and a writer upserts now and then. Reports the recall@10 of the HNSW index before,
 * of the IVF-PQ index after, the recall of every reader pass during the re-index, how many reads failed,
 * and the re-index's duration. Not a test (nothing is timed or asserted); run it by hand:
 *
 * <pre>
 * mvn -q -B -pl api,conformance-tests,backend-local -am install -DskipTests
 * java -Xmx8g --add-modules jdk.incubator.vector \
 *     -cp backend-local/target/classes:backend-local/target/test-classes:api/target/classes \
 *     dev.quiver.local.ReindexBenchmark --n 100000 [--dim 128] [--nlist 512] [--pq-m 16] [--queries 200]
 * </pre>
 */
public final class ReindexBenchmark {

  private ReindexBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = 100_000;
    int dim = 128;
    int nlist = 512;
    int pqM = 16;
    int nq = 200;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--n" -> n = Integer.parseInt(args[++i].replace("_", ""));
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--nlist" -> nlist = Integer.parseInt(args[++i]);
        case "--pq-m" -> pqM = Integer.parseInt(args[++i]);
        case "--queries" -> nq = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    float[][] centers = gaussian(new Random(1), 100, dim, 1.0f);
    Random rnd = new Random(2);
    float[][] base = new float[n][];
    for (int i = 0; i < n; i++) {
      base[i] = around(centers[rnd.nextInt(centers.length)], rnd, 0.4f);
    }
    float[][] queries = new float[nq][];
    for (int i = 0; i < nq; i++) {
      queries[i] = around(centers[rnd.nextInt(centers.length)], rnd, 0.4f);
    }
    System.out.printf(Locale.ROOT, "%d x %d-d vectors, %d queries, kernel %s%n", n, dim, nq, LocalVectorStore.distanceKernel());
    int[][] truth = truth(base, queries);
    try (LocalVectorStore store = LocalVectorStore.inMemory()) {
      VectorCollection c = store.createCollection(CollectionSpec.builder("r").dimension(dim).metric(Metric.EUCLIDEAN)
          .index(IndexSpec.hnsw(16, 100)).build());
      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<?>> fs = new ArrayList<>();
      for (int from = 0; from < n; from += 1000) {
        int lo = from;
        int hi = Math.min(n, from + 1000);
        fs.add(pool.submit(() -> {
          List<Record> batch = new ArrayList<>();
          for (int i = lo; i < hi; i++) {
            batch.add(Record.of(Integer.toString(i), base[i]));
          }
          c.upsert(batch);
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
      System.out.printf(Locale.ROOT, "HNSW m=16 efC=100 built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      double before = pass(c, queries, truth);
      System.out.printf(Locale.ROOT, "recall@10 before (HNSW, ef 100): %.4f%n", before);

      AtomicBoolean done = new AtomicBoolean();
      List<Double> during = new ArrayList<>();
      int[] failures = new int[1];
      Thread reader = new Thread(() -> {
        while (!done.get()) {
          try {
            double r = pass(c, queries, truth);
            synchronized (during) {
              during.add(r);
            }
          } catch (RuntimeException e) {
            failures[0]++;
            e.printStackTrace();
          }
        }
      }, "reader");
      Thread writer = new Thread(() -> { // far from every query: the true neighbours do not change
        Random w = new Random(3);
        for (int i = 0; !done.get(); i++) {
          float[] v = gaussian(w, 1, base[0].length, 1.0f)[0];
          v[0] += 1000;
          c.upsert(List.of(Record.of("w" + i, v, Metadata.of("w", true))));
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "writer");
      reader.start();
      writer.start();
      Thread.sleep(2000); // a few passes on the old index first
      IndexSpec target = IndexSpec.ivfPq(nlist, pqM, 8);
      long r0 = System.nanoTime();
      c.reindex(target);
      long r1 = System.nanoTime();
      Thread.sleep(2000); // and a few on the new one
      done.set(true);
      reader.join();
      writer.join();
      double after = pass(c, queries, truth);
      LocalIndexInfo info = store.indexInfo("r");
      System.out.printf(Locale.ROOT, "re-index to %s took %.1f s (training %.1f s on %d vectors)%n", target,
          (r1 - r0) / 1e9, info.trainingMillis() / 1000.0, info.trainingSamples());
      System.out.printf(Locale.ROOT, "recall@10 after (IVF-PQ, default nprobe %d, ef 100): %.4f%n",
          Math.min(nlist, Math.max(4, nlist / 16)), after);
      double min = during.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
      System.out.printf(Locale.ROOT, "reader: %d passes, failed reads %d, recall per pass min %.4f, all %s%n",
          during.size(), failures[0], min, during.stream().map(d -> String.format(Locale.ROOT, "%.3f", d)).toList());
      System.out.printf(Locale.ROOT, "lowest pass %s the lower of the two indexes' recall (%.4f)%n",
          min >= Math.min(before, after) - 1e-9 ? "is not below" : "IS BELOW", Math.min(before, after));
    }
  }

  static double pass(VectorCollection c, float[][] queries, int[][] truth) {
    double sum = 0;
    for (int q = 0; q < queries.length; q++) {
      List<Match> got = c.search(SearchRequest.of(queries[q], 10).includeMetadata(false));
      Set<String> want = new HashSet<>();
      for (int t : truth[q]) {
        want.add(Integer.toString(t));
      }
      sum += got.stream().filter(m -> want.contains(m.id())).count() / 10.0;
    }
    return sum / queries.length;
  }

  static int[][] truth(float[][] base, float[][] queries) {
    int[][] out = new int[queries.length][];
    IntStream.range(0, queries.length).parallel().forEach(q -> {
      java.util.PriorityQueue<double[]> worst = new java.util.PriorityQueue<>(
          Comparator.comparingDouble((double[] e) -> e[0]).reversed());
      for (int i = 0; i < base.length; i++) {
        double d = Metric.EUCLIDEAN.distance(queries[q], base[i]);
        if (worst.size() < 10 || d < worst.peek()[0]) {
          worst.add(new double[] {d, i});
          if (worst.size() > 10) {
            worst.poll();
          }
        }
      }
      out[q] = worst.stream().mapToInt(e -> (int) e[1]).toArray();
    });
    return out;
  }

  static float[][] gaussian(Random r, int n, int dim, float sd) {
    float[][] out = new float[n][dim];
    for (float[] v : out) {
      for (int i = 0; i < dim; i++) {
        v[i] = (float) r.nextGaussian() * sd;
      }
    }
    return out;
  }

  static float[] around(float[] c, Random r, float sd) {
    float[] v = new float[c.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = c[i] + (float) r.nextGaussian() * sd;
    }
    return v;
  }
}
