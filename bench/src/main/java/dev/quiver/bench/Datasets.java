package dev.quiver.bench;

import dev.quiver.Metric;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Makes each dataset's working directory under the cache: base.fvecs, queries.fvecs, gt.ivecs (exact,
 * brute force) and gt-filter-LIMIT.ivecs per selectivity. Everything is cached and reused.
 */
final class Datasets {

  /** The Debian package files. */
  static final Path FASHION_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  static final Path FORTUNES_DIR = Path.of("/usr/share/games/fortunes");
  static final String SETUP_HINT = "run scripts/bench-setup.sh (as root) to install it";

  /** A dataset ready to benchmark. */
  record Prepared(String name, String description, Metric metric, Path dir, int n, int nq, int dim) {}

  /** The dataset cannot be made here; the message says why and what to do. */
  static final class Missing extends Exception {
    private static final long serialVersionUID = 1L;

    Missing(String message) {
      super(message);
    }
  }

  /** What the caller wants. */
  record Want(int n, int nq, int filterQueries, List<Double> filters, int k, int threads) {}

  private final Path cache;

  Datasets(Path cache) {
    this.cache = cache;
  }

  // ---------------------------------------------------------------- Fashion-MNIST

  Prepared fashionMnist(Want w) throws Exception {
    Path train = FASHION_DIR.resolve("train-images-idx3-ubyte.gz");
    Path test = FASHION_DIR.resolve("t10k-images-idx3-ubyte.gz");
    if (!Files.exists(train) || !Files.exists(test)) {
      throw new Missing("Fashion-MNIST not found in " + FASHION_DIR + " (Debian package dataset-fashion-mnist); "
          + SETUP_HINT);
    }
    int n = Math.min(w.n(), 60_000);
    int nq = Math.min(w.nq(), 10_000);
    Path dir = cache.resolve("fashion-mnist-n" + n + "-q" + nq);
    return prepare("fashion-mnist", "Fashion-MNIST (Debian dataset-fashion-mnist): 784-d pixel vectors, "
        + "train images as base, test images as queries", Metric.EUCLIDEAN, dir, w,
        () -> new float[][][] {readIdx(train, n), readIdx(test, nq)});
  }

  static float[][] readIdx(Path gz, int limit) throws IOException {
    try (DataInputStream in = VecIO.data(new GZIPInputStream(Files.newInputStream(gz), 1 << 16))) {
      int magic = in.readInt();
      if (magic != 2051) {
        throw new IOException(gz + ": not an IDX image file (magic " + magic + ")");
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      int n = Math.min(count, limit);
      int d = rows * cols;
      float[][] out = new float[n][d];
      byte[] px = new byte[d];
      for (int i = 0; i < n; i++) {
        in.readFully(px);
        for (int j = 0; j < d; j++) {
          out[i][j] = px[j] & 0xff;
        }
      }
      return out;
    }
  }

  // ---------------------------------------------------------------- Gaussian mixture

  Prepared gaussian(Want w, long seed) throws Exception {
    int dim = 128;
    int n = w.n();
    int nq = w.nq();
    Path dir = cache.resolve("gaussian-d" + dim + "-s" + seed + "-n" + n + "-q" + nq);
    return prepare("gaussian-128", "seeded Gaussian mixture (seed " + seed + "): 128-d, 100 clusters with "
        + "per-cluster spread, queries drawn from the same mixture", Metric.EUCLIDEAN, dir, w,
        () -> gaussianMixture(seed, dim, 100, n, nq));
  }

  static float[][][] gaussianMixture(long seed, int dim, int clusters, int n, int nq) {
    Random r = new Random(seed);
    float[][] centers = new float[clusters][dim];
    float[] spread = new float[clusters];
    for (int c = 0; c < clusters; c++) {
      for (int j = 0; j < dim; j++) {
        centers[c][j] = (float) (r.nextGaussian() * 2.0);
      }
      spread[c] = 0.5f + r.nextFloat();
    }
    float[][] base = new float[n][];
    float[][] qs = new float[nq][];
    Random rb = new Random(seed * 31 + 1);
    for (int i = 0; i < n; i++) {
      base[i] = point(rb, centers, spread);
    }
    Random rq = new Random(seed * 31 + 2);
    for (int i = 0; i < nq; i++) {
      qs[i] = point(rq, centers, spread);
    }
    return new float[][][] {base, qs};
  }

  private static float[] point(Random r, float[][] centers, float[] spread) {
    int c = r.nextInt(centers.length);
    float[] v = new float[centers[c].length];
    for (int j = 0; j < v.length; j++) {
      v[j] = centers[c][j] + (float) (r.nextGaussian() * spread[c]);
    }
    return v;
  }

  // ---------------------------------------------------------------- sentence embeddings

  /** Fixed number of sentences set aside as queries (a prefix of the shuffled corpus). */
  static final int QUERY_POOL = 1000;

  Prepared fortunes(Want w) throws Exception {
    List<String> sentences = fortuneSentences(FORTUNES_DIR);
    if (sentences.size() < QUERY_POOL + 100) {
      throw new Missing("too few sentences in " + FORTUNES_DIR + " (Debian package fortunes): " + sentences.size()
          + "; " + SETUP_HINT);
    }
    int nq = Math.min(w.nq(), QUERY_POOL);
    int n = Math.min(w.n(), sentences.size() - QUERY_POOL);
    Path dir = cache.resolve("fortunes-minilm-n" + n + "-q" + nq);
    return prepare("fortunes-minilm-384", "sentences from Debian's fortunes corpus embedded with all-MiniLM-L6-v2 "
        + "(ONNX, langchain4j): 384-d, cosine; " + sentences.size() + " distinct sentences, " + QUERY_POOL
        + " held out as queries", Metric.COSINE, dir, w, () -> {
          float[][] all = Embeddings.embedPrefix(cache.resolve("fortunes-minilm"), sentences, QUERY_POOL + n);
          return new float[][][] {Arrays.copyOfRange(all, QUERY_POOL, QUERY_POOL + n), Arrays.copyOf(all, nq)};
        });
  }

  /** Sentences of the fortune files, de-duplicated, in a seeded shuffled order. */
  static List<String> fortuneSentences(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      throw new Missing("no fortune files in " + dir + " (Debian package fortunes); " + SETUP_HINT);
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().contains("."))
          .sorted().toList();
    }
    Set<String> out = new LinkedHashSet<>();
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
      for (String entry : text.split("\n%\n")) {
        String flat = entry.replaceAll("\\s+", " ").trim();
        for (String s : flat.split("(?<=[.!?])\\s+")) {
          String t = s.trim();
          if (t.length() >= 20 && t.length() <= 300 && t.chars().filter(Character::isLetter).count() >= 12) {
            out.add(t);
          }
        }
      }
    }
    List<String> list = new ArrayList<>(out);
    Collections.sort(list);
    Collections.shuffle(list, new Random(7));
    return list;
  }

  // ---------------------------------------------------------------- user files

  Prepared user(Path basePath, Path queryPath, Path gtPath, Metric metric, Want w) throws Exception {
    for (Path p : new Path[] {basePath, queryPath}) {
      if (!Files.isRegularFile(p)) {
        throw new Missing("no such file: " + p);
      }
    }
    String name = basePath.getFileName().toString().replaceAll("\\.fvecs$", "").replaceAll("[^A-Za-z0-9_-]", "_");
    String key = Integer.toHexString((basePath.toAbsolutePath() + ":" + Files.size(basePath) + ":"
        + Files.getLastModifiedTime(basePath) + ":" + queryPath.toAbsolutePath() + ":" + Files.size(queryPath)
        + ":" + metric).hashCode());
    Path dir = cache.resolve("user-" + name + "-" + key + "-n" + w.n() + "-q" + w.nq());
    Prepared p = prepare(name, "user dataset " + basePath + " (queries " + queryPath
        + (gtPath != null ? ", ground truth " + gtPath : "") + ")", metric, dir, w, () -> {
          float[][] base = VecIO.readFvecs(basePath, w.n());
          float[][] qs = VecIO.readFvecs(queryPath, w.nq());
          if (gtPath != null && Files.isRegularFile(gtPath) && VecIO.readFvecs(basePath, -1).length == base.length) {
            int[][] gt = VecIO.readIvecs(gtPath, qs.length);
            if (gt.length == qs.length && gt.length > 0 && gt[0].length >= w.k()) {
              int[][] cut = new int[gt.length][];
              for (int i = 0; i < gt.length; i++) {
                cut[i] = Arrays.copyOf(gt[i], w.k());
              }
              Files.createDirectories(dir);
              VecIO.writeIvecs(dir.resolve("gt.ivecs"), cut);
            }
          }
          return new float[][][] {base, qs};
        });
    return p;
  }

  // ---------------------------------------------------------------- common

  interface Source {
    float[][][] make() throws Exception;
  }

  private Prepared prepare(String name, String description, Metric metric, Path dir, Want w, Source source)
      throws Exception {
    Path base = dir.resolve("base.fvecs");
    Path queries = dir.resolve("queries.fvecs");
    Path gt = dir.resolve("gt.ivecs");
    Files.createDirectories(dir);
    float[][] b = null;
    float[][] q = null;
    if (!Files.exists(base) || !Files.exists(queries)) {
      System.err.println("  " + name + ": preparing vectors");
      float[][][] bq = source.make();
      b = bq[0];
      q = bq[1];
      if (metric == Metric.COSINE) {
        checkNonZero(name, b);
      }
      VecIO.writeFvecs(queries, q);
      VecIO.writeFvecs(base, b);
    }
    if (!Files.exists(gt)) {
      b = b != null ? b : VecIO.readFvecs(base, -1);
      q = q != null ? q : VecIO.readFvecs(queries, -1);
      try (Progress p = new Progress(name + ": exact ground truth (" + b.length + " × " + q.length + ")", q.length)) {
        VecIO.writeIvecs(gt, GroundTruth.compute(b, q, metric, w.k(), null, w.threads(), p));
      }
    }
    for (double f : w.filters()) {
      int limit = Selectivity.limit(f);
      Path fgt = dir.resolve("gt-filter-" + limit + ".ivecs");
      if (!Files.exists(fgt) || VecIO.readIvecs(fgt, -1).length < Math.min(w.filterQueries(), w.nq())) {
        b = b != null ? b : VecIO.readFvecs(base, -1);
        q = q != null ? q : VecIO.readFvecs(queries, -1);
        float[][] fq = Arrays.copyOf(q, Math.min(q.length, w.filterQueries()));
        try (Progress p = new Progress(name + ": exact filtered ground truth at " + Selectivity.label(f), fq.length)) {
          VecIO.writeIvecs(fgt, GroundTruth.compute(b, fq, metric, w.k(), i -> Selectivity.bucket(i) < limit,
              w.threads(), p));
        }
      }
    }
    int n;
    int nq;
    int dim;
    if (b != null && q != null) {
      n = b.length;
      nq = q.length;
      dim = b[0].length;
    } else {
      float[][] first = VecIO.readFvecs(base, 1);
      dim = first[0].length;
      n = (int) (Files.size(base) / (4L + 4L * dim));
      nq = (int) (Files.size(queries) / (4L + 4L * dim));
    }
    return new Prepared(name, description, metric, dir, n, nq, dim);
  }

  private static void checkNonZero(String name, float[][] vs) throws Missing {
    for (int i = 0; i < vs.length; i++) {
      boolean zero = true;
      for (float x : vs[i]) {
        if (x != 0f) {
          zero = false;
          break;
        }
      }
      if (zero) {
        throw new Missing(name + ": vector " + i + " is all zeros, which has no direction under COSINE");
      }
    }
  }
}
