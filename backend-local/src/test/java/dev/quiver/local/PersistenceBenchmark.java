package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Measures how long a durable store takes to reopen compared with building it: writes N random
 * vectors (dimension D) into a {@code local:<dir>} store with upserts of 1,000 records from T threads,
 * closes it (which writes a snapshot), reopens it and checks that searches give the same results.
 * Not a test (no timing is asserted); run it by hand, see {@code docs/persistence.md}:
 *
 * <pre>
 * mvn -q -B -pl api,conformance-tests,backend-local -am install -DskipTests
 * java -Xmx12g -cp backend-local/target/classes:backend-local/target/test-classes:api/target/classes \
 *     dev.quiver.local.PersistenceBenchmark --n 1000000 --dim 128 --index flat [--dir /tmp/q] [--threads 2] \
 *     [--m 16 --efc 100] [--replay]
 * </pre>
 *
 * {@code --replay} also reopens once from the log alone (no snapshot), which is what reopening costs
 * without snapshots.
 */
public final class PersistenceBenchmark {

  private PersistenceBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = 100_000;
    int dim = 128;
    String index = "flat";
    int m = 16;
    int efc = 100;
    int threads = 2;
    boolean replay = false;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--n" -> n = Integer.parseInt(args[++i].replace("_", ""));
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--index" -> index = args[++i];
        case "--m" -> m = Integer.parseInt(args[++i]);
        case "--efc" -> efc = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--replay" -> replay = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (dir == null) {
      dir = Files.createTempDirectory("quiver-persistence-bench");
    }
    DurableTestAccess.deleteTree(dir);
    IndexSpec is = index.equals("hnsw") ? IndexSpec.hnsw(m, efc) : IndexSpec.flat();
    CollectionSpec spec = CollectionSpec.builder("bench").dimension(dim).metric(Metric.EUCLIDEAN).index(is).build();
    System.out.printf("persistence benchmark: %,d x %d-d, %s, %d writer threads, kernel %s, dir %s, %d cores%n",
        n, dim, is, threads, LocalVectorStore.distanceKernel(), dir, Runtime.getRuntime().availableProcessors());

    // build
    long t0 = System.nanoTime();
    LocalVectorStore store = LocalVectorStore.open(dir);
    VectorCollection c = store.createCollection(spec);
    final int total = n;
    final int d = dim;
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> fs = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    for (int t = 0; t < threads; t++) {
      fs.add(pool.submit(() -> {
        for (int from; (from = next.getAndAdd(1000)) < total; ) {
          List<Record> batch = new ArrayList<>(1000);
          for (int i = from; i < Math.min(total, from + 1000); i++) {
            batch.add(Record.of("v" + i, vector(i, d), Metadata.of("g", (long) (i % 10))));
          }
          c.upsert(batch);
          int k = done.addAndGet(batch.size());
          if (k % 100_000 < 1000) {
            System.out.printf("  %,d written (%.0f s)%n", k, (System.nanoTime() - t0) / 1e9);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    double build = (System.nanoTime() - t0) / 1e9;
    List<List<String>> before = queries(c, dim);
    long t1 = System.nanoTime();
    store.close();
    double close = (System.nanoTime() - t1) / 1e9;
    long bytes = size(dir);
    System.out.printf("build (upserts, each fsynced, incl. %s index): %.1f s  (%.0f vectors/s)%n", is, build, n / build);
    System.out.printf("close (writes the snapshot):                 %.1f s; directory %,d MiB%n", close, bytes >> 20);

    // reopen from the snapshot
    System.gc();
    long t2 = System.nanoTime();
    LocalVectorStore again = LocalVectorStore.open(dir);
    double open = (System.nanoTime() - t2) / 1e9;
    VectorCollection c2 = again.collection("bench");
    if (c2.count() != n) {
      throw new AssertionError("count after reopen " + c2.count());
    }
    boolean same = before.equals(queries(c2, dim));
    System.out.printf("reopen from snapshot:                        %.1f s  = %.1f%% of the build time; graphs reused %d, rebuilt %d;"
        + " identical search results: %s%n", open, 100 * open / build, again.graphsReused(), again.graphsRebuilt(), same);
    if (!same) {
      throw new AssertionError("search results differ after reopening");
    }
    if (replay) {
      // rewrite the store as a log without a snapshot: copy the records into a fresh store that never snapshots
      Path logOnly = dir.resolveSibling(dir.getFileName() + "-log");
      DurableTestAccess.deleteTree(logOnly);
      try (LocalVectorStore l = LocalVectorStore.builder(logOnly).snapshotOnClose(false).snapshotThresholdBytes(0).open()) {
        VectorCollection lc = l.createCollection(spec);
        List<Record> batch = new ArrayList<>(1000);
        for (int i = 0; i < n; i++) {
          batch.add(Record.of("v" + i, vector(i, dim), Metadata.of("g", (long) (i % 10))));
          if (batch.size() == 1000 || i == n - 1) {
            lc.upsert(batch);
            batch = new ArrayList<>(1000);
          }
        }
      }
      again.close();
      System.gc();
      long t3 = System.nanoTime();
      LocalVectorStore fromLog = LocalVectorStore.builder(logOnly).snapshotOnClose(false).snapshotThresholdBytes(0).open();
      double replayed = (System.nanoTime() - t3) / 1e9;
      System.out.printf("reopen from the log alone (no snapshot):     %.1f s  = %.1f%% of the build time%n",
          replayed, 100 * replayed / build);
      fromLog.close();
      DurableTestAccess.deleteTree(logOnly);
    } else {
      again.close();
    }
    DurableTestAccess.deleteTree(dir);
  }

  static float[] vector(int i, int dim) {
    SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
    float[] v = new float[dim];
    for (int k = 0; k < dim; k++) {
      v[k] = (float) r.nextDouble(-1, 1);
    }
    return v;
  }

  private static List<List<String>> queries(VectorCollection c, int dim) {
    Random rnd = new Random(7);
    List<List<String>> out = new ArrayList<>();
    for (int q = 0; q < 20; q++) {
      float[] v = new float[dim];
      for (int k = 0; k < dim; k++) {
        v[k] = rnd.nextFloat() * 2 - 1;
      }
      List<String> ids = new ArrayList<>();
      for (Match mt : c.search(SearchRequest.of(v, 10))) {
        ids.add(mt.id());
      }
      out.add(ids);
    }
    return out;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
