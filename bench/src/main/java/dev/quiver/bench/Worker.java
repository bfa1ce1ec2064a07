package dev.quiver.bench;

import dev.quiver.Metric;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one engine on one prepared dataset directory, in a JVM of its own (so heap deltas and JIT state
 * belong to that engine alone), and reports on stdout in lines the parent parses ({@link WorkerProtocol}).
 */
public final class Worker {

  private Worker() {}

  /**
   * @param args {@code --engine E --dir D --metric M --efs 10,20 --m 16 --efc 100 --threads T --k 10
   *     [--filters 0.1,0.01] [--filter-efs 40,160]}
   */
  public static void main(String[] args) {
    PrintStream out = System.out;
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    try {
      run(a, out);
      out.flush();
      System.exit(0);
    } catch (AnnEngine.Unavailable e) {
      out.println(WorkerProtocol.UNAVAILABLE + "\t" + oneLine(e.getMessage()));
      out.flush();
      System.exit(0);
    } catch (Throwable e) {
      e.printStackTrace();
      out.println(WorkerProtocol.ERROR + "\t" + oneLine(String.valueOf(e)));
      out.flush();
      System.exit(1);
    }
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }

  static AnnEngine engine(String name) {
    return switch (name) {
      case "quiver-hnsw" -> new QuiverEngine(QuiverEngine.Kind.HNSW);
      case "quiver-flat" -> new QuiverEngine(QuiverEngine.Kind.FLAT);
      case "quiver-ivf-flat" -> new QuiverEngine(QuiverEngine.Kind.IVF_FLAT);
      case "quiver-ivf-pq" -> new QuiverEngine(QuiverEngine.Kind.IVF_PQ);
      case "jvector-pq" -> new JVectorPqEngine();
      case "hnswlib-java" -> new HnswlibJavaEngine();
      case "jvector" -> new JVectorEngine();
      case "lucene" -> new LuceneEngine();
      default -> throw new IllegalArgumentException("unknown engine " + name);
    };
  }

  static void run(Map<String, String> a, PrintStream out) throws Exception {
    Path dir = Path.of(a.get("dir"));
    Metric metric = Metric.valueOf(a.get("metric"));
    int k = Integer.parseInt(a.getOrDefault("k", "10"));
    double minSeconds = Double.parseDouble(a.getOrDefault("min-seconds", "1"));
    int threads = Integer.parseInt(a.getOrDefault("threads", String.valueOf(Runtime.getRuntime().availableProcessors())));
    List<Integer> efs = ints(a.get("efs"));
    List<Integer> filterEfs = a.containsKey("filter-efs") ? ints(a.get("filter-efs")) : List.of();
    List<Double> filters = new ArrayList<>();
    if (a.containsKey("filters") && !a.get("filters").isBlank()) {
      for (String s : a.get("filters").split(",")) {
        filters.add(Double.parseDouble(s));
      }
    }
    try (AnnEngine engine = engine(a.get("engine"))) {
      long used0 = usedHeap();
      float[][] base = VecIO.readFvecs(dir.resolve("base.fvecs"), -1);
      int n = base.length;
      int dim = base[0].length;
      long t0 = System.nanoTime();
      try (Progress p = new Progress("build " + engine.name() + " (" + n + " vectors)", n)) {
        engine.build(base, new AnnEngine.BuildParams(metric, Integer.parseInt(a.get("m")),
            Integer.parseInt(a.get("efc")), threads, Integer.parseInt(a.getOrDefault("nlist", "0")),
            Integer.parseInt(a.getOrDefault("pq-m", "0")), Integer.parseInt(a.getOrDefault("pq-bits", "0")),
            Integer.parseInt(a.getOrDefault("rerank", "0"))), p);
      }
      double buildSec = (System.nanoTime() - t0) / 1e9;
      base = null; // from here on, whatever is still on the heap is the engine's
      long used1 = usedHeap();
      out.println(WorkerProtocol.NOTES + "\t" + oneLine(engine.notes()));
      if (!Double.isNaN(engine.trainSeconds())) {
        out.printf(Locale.ROOT, "%s\t%.3f\t%d%n", WorkerProtocol.TRAIN, engine.trainSeconds(), engine.indexBytes());
      }
      out.printf(Locale.ROOT, "%s\t%.3f\t%d\t%d\t%d%n", WorkerProtocol.BUILD, buildSec, used1 - used0, n, dim);
      out.flush();

      float[][] queries = VecIO.readFvecs(dir.resolve("queries.fvecs"), -1);
      int[][] gt = VecIO.readIvecs(dir.resolve("gt.ivecs"), queries.length);
      queries = java.util.Arrays.copyOf(queries, gt.length);
      List<Integer> sweep = engine.approximate() ? efs : List.of(efs.get(0));
      // warm-up: JIT the search path before anything is timed
      engine.prepare(sweep.get(0));
      for (int q = 0; q < Math.min(queries.length, 200); q++) {
        engine.search(queries[q], k, sweep.get(0));
      }
      try (Progress p = new Progress("search " + engine.name() + " (" + sweep.size() + " ef values × "
          + queries.length + " queries, 1 and " + threads + " threads)", (long) sweep.size() * 2 * queries.length)) {
        for (int ef : sweep) {
          engine.prepare(ef);
          int[][] res = new int[queries.length][];
          double qps1 = timeSingle(engine, queries, k, ef, res, p, minSeconds);
          double recall = GroundTruth.recall(res, gt, k);
          double qpsN = threads > 1 ? timeMulti(engine, queries, k, ef, threads, p, minSeconds) : qps1;
          out.printf(Locale.ROOT, "%s\t%d\t%.5f\t%.2f\t%.2f%n", WorkerProtocol.SWEEP, engine.approximate() ? ef : 0,
              recall, qps1, qpsN);
          out.flush();
        }
      }
      if (engine.supportsFilter() && !filters.isEmpty()) {
        List<Integer> fe = engine.approximate() ? filterEfs : List.of(filterEfs.isEmpty() ? k : filterEfs.get(0));
        for (double f : filters) {
          int limit = Selectivity.limit(f);
          Path gtf = dir.resolve("gt-filter-" + limit + ".ivecs");
          if (!Files.exists(gtf)) {
            continue;
          }
          int[][] fgt = VecIO.readIvecs(gtf, -1);
          float[][] fq = java.util.Arrays.copyOf(queries, Math.min(queries.length, fgt.length));
          fgt = java.util.Arrays.copyOf(fgt, fq.length);
          for (int ef : fe) {
            engine.prepare(ef);
            int[][] res = new int[fq.length][];
            long s = System.nanoTime();
            for (int q = 0; q < fq.length; q++) {
              res[q] = engine.searchFiltered(fq[q], k, ef, limit);
            }
            double qps = fq.length / ((System.nanoTime() - s) / 1e9);
            out.printf(Locale.ROOT, "%s\t%s\t%d\t%.5f\t%.2f%n", WorkerProtocol.FILTER, f, engine.approximate() ? ef : 0,
                GroundTruth.recall(res, fgt, k), qps);
            out.flush();
          }
        }
      }
    }
  }

  /**
   * Passes over the query set are repeated until at least this long has been timed and at least
   * {@link #MIN_PASSES} were made, at most {@link #MAX_PASSES}; the QPS reported is the median of the
   * passes' rates.
   */
  static final int MAX_PASSES = 20;
  static final int MIN_PASSES = 3;

  static double median(List<Double> rates) {
    List<Double> sorted = new ArrayList<>(rates);
    java.util.Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static double timeSingle(AnnEngine e, float[][] qs, int k, int ef, int[][] res, Progress p, double minSeconds) {
    long s = System.nanoTime();
    List<Double> rates = new ArrayList<>();
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      long ps = System.nanoTime();
      for (int q = 0; q < qs.length; q++) {
        int[] r = e.search(qs[q], k, ef);
        if (pass == 0) {
          res[q] = r;
          if ((q & 63) == 63) {
            p.add(64);
          }
        }
      }
      if (pass == 0) {
        p.add(qs.length & 63);
      }
      rates.add(qs.length / ((System.nanoTime() - ps) / 1e9));
      if ((System.nanoTime() - s) / 1e9 >= minSeconds && rates.size() >= MIN_PASSES) {
        break;
      }
    }
    return median(rates);
  }

  static double timeMulti(AnnEngine e, float[][] qs, int k, int ef, int threads, Progress p, double minSeconds)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long s = System.nanoTime();
      List<Double> rates = new ArrayList<>();
      for (int pass = 0; pass < MAX_PASSES; pass++) {
        long ps = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        boolean first = pass == 0;
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          fs.add(pool.submit(() -> {
            int q;
            while ((q = next.getAndIncrement()) < qs.length) {
              e.search(qs[q], k, ef);
              if (first) {
                p.step();
              }
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        rates.add(qs.length / ((System.nanoTime() - ps) / 1e9));
        if ((System.nanoTime() - s) / 1e9 >= minSeconds && rates.size() >= MIN_PASSES) {
          break;
        }
      }
      return median(rates);
    } finally {
      pool.shutdownNow();
    }
  }

  static long usedHeap() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }

  static List<Integer> ints(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        out.add(Integer.parseInt(s.trim()));
      }
    }
    return out;
  }
}
