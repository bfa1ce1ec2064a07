package dev.quiver.bench;

import dev.quiver.Metric;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code quiver bench}: recall@10 versus queries/second, build time and bytes per vector for Quiver's
 * embedded engine and its peers, on the same data in one run. Each engine runs in a JVM (or Python
 * process) of its own; results are printed as tables and written as Markdown and PNG plots.
 */
public final class BenchMain {

  static final String USAGE = """
      usage: quiver bench [options]

        --quick                 small subsets (20k vectors, 5k sentences, 300 queries, 5 ef values): minutes
        --datasets LIST         fashion-mnist,gaussian,fortunes (default: all three)
        --engines LIST          quiver,quiver-flat,hnswlib-java,jvector,lucene9,lucene10,hnswlib-native,
                                quiver-ivf-flat,quiver-ivf-pq,faiss-ivf-flat,faiss-ivf-pq,faiss-ivf-pq-refine,
                                jvector-pq (default: all; --quick leaves out quiver-flat, the exact baseline)
        --ivf                   only the IVF engines and their peers (quiver-ivf-*, faiss-*, jvector-pq)
        --n N                   base vectors per dataset (default: 60k / 200k / 30k sentences; --quick 20k / 20k / 5k)
        --queries N             queries per dataset (default 2000; --quick 300)
        --ef LIST               search ef sweep (default 10,16,32,64,128,256,512; --quick 10,20,40,80,160)
        --m M                   HNSW M for every engine (default 16)
        --ef-construction N     HNSW efConstruction for every engine (default 100; --quick 64)
        --filters LIST          filtered-search selectivities (default 0.1,0.01,0.001; "none" to skip)
        --filter-ef LIST        ef values of the filtered benchmark (default 32,128,512; --quick 40,160)
        --nlist N               IVF lists (default: the power of two nearest 2·sqrt(N))
        --pq-m N                PQ subspaces (default: dimension / 8, or the nearest divisor)
        --pq-bits N             bits per PQ code (default 8)
        --nprobe LIST           IVF lists probed, the IVF sweep (default 1,2,4,8,16,32,64; --quick 2,4,8,16,32)
        --rerank N              IVF-PQ candidates re-ranked with the stored floats (Quiver's ef, FAISS's
                                IndexRefineFlat k_factor = N/k; default 100)
        --faiss-simd LEVEL      FAISS SIMD level (default AVX2; AVX512 for its best)
        --threads N             "all cores" thread count (default: available processors)
        --kernels LIST          quiver runs: scalar,panama (default both; panama = --add-modules jdk.incubator.vector)
        --vector-api            shorthand for --kernels panama
        --heap SIZE             -Xmx of each engine's JVM (default 6g)
        --base FILE.fvecs       benchmark your own data instead (with --query-file, optional --gt, --metric)
        --query-file FILE.fvecs queries for --base
        --gt FILE.ivecs         exact neighbours for --base (computed and cached when absent)
        --metric M              euclidean | cosine | dot (for --base; default euclidean)
        --out DIR               where the Markdown and PNGs go (default docs/benchmarks)
        --name NAME             report name (default: quick or results)
        --no-write              print tables only
        --cache DIR             dataset and ground-truth cache (default ~/.cache/quiver-bench)
      """;

  private BenchMain() {}

  /** Parsed options. */
  static final class Options {
    boolean quick;
    boolean enginesGiven;
    List<String> datasets = List.of("fashion-mnist", "gaussian", "fortunes");
    List<String> engines = List.of("quiver", "quiver-flat", "hnswlib-java", "jvector", "lucene9", "lucene10",
        "hnswlib-native", "quiver-ivf-flat", "quiver-ivf-pq", "faiss-ivf-flat", "faiss-ivf-pq", "faiss-ivf-pq-refine",
        "jvector-pq");
    Integer nlist;
    Integer pqM;
    int pqBits = 8;
    List<Integer> nprobes;
    int rerank = 100;
    String faissSimd = "AVX2";
    Integer n;
    Integer queries;
    List<Integer> efs;
    int m = 16;
    Integer efConstruction;
    List<Double> filters = List.of(0.1, 0.01, 0.001);
    List<Integer> filterEfs;
    int threads = Runtime.getRuntime().availableProcessors();
    List<String> kernels = List.of("scalar", "panama");
    String heap = "6g";
    Path base;
    Path queryFile;
    Path gt;
    Metric metric = Metric.EUCLIDEAN;
    Path out;
    String name;
    boolean write = true;
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "quiver-bench");
    String commandLine;
    final long startNanos = System.nanoTime();

    int efConstruction() {
      return efConstruction != null ? efConstruction : quick ? 64 : 100;
    }

    int nFor(int full) {
      return n != null ? Math.min(n, full) : quick ? Math.min(20_000, full) : full;
    }

    int nq() {
      return queries != null ? queries : quick ? 300 : 2000;
    }

    List<Integer> efs() {
      return efs != null ? efs : quick ? List.of(10, 20, 40, 80, 160) : List.of(10, 16, 32, 64, 128, 256, 512);
    }

    List<Integer> filterEfs() {
      return filterEfs != null ? filterEfs : quick ? List.of(40, 160) : List.of(32, 128, 512);
    }

    int filterQueries() {
      return Math.min(nq(), quick ? 100 : 500);
    }

    List<Integer> nprobes() {
      return nprobes != null ? nprobes : quick ? List.of(2, 4, 8, 16, 32) : List.of(1, 2, 4, 8, 16, 32, 64);
    }

    /** @return the IVF lists for n vectors: the given --nlist, or the power of two nearest 2·sqrt(n) (16..65536) */
    int nlistFor(int n) {
      if (nlist != null) {
        return nlist;
      }
      double target = 2 * Math.sqrt(n);
      int p = Integer.highestOneBit((int) Math.max(16, Math.min(65536, target)));
      return target / p > 1.5 && p < 65536 ? 2 * p : p;
    }

    /** @return the PQ subspaces for a dimension: the given --pq-m, or the divisor of dim nearest dim/8 */
    int pqMFor(int dim) {
      if (pqM != null) {
        return pqM;
      }
      int best = 1;
      for (int m = 1; m <= dim; m++) {
        if (dim % m == 0 && Math.abs(m - dim / 8.0) < Math.abs(best - dim / 8.0)) {
          best = m;
        }
      }
      return best;
    }
  }

  /** The IVF engines and their peers: their sweep's knob is nprobe (jvector-pq: the graph beam). */
  static final List<String> IVF_ENGINES = List.of("quiver-ivf-flat", "quiver-ivf-pq", "faiss-ivf-flat", "faiss-ivf-pq",
      "faiss-ivf-pq-refine", "jvector-pq");

  /** @return whether an engine's sweep is over nprobe */
  static boolean probesLists(String engine) {
    return engine.contains("ivf");
  }

  static Options parse(String[] args) {
    Options o = new Options();
    o.commandLine = "./quiver bench" + (args.length == 0 ? "" : " " + String.join(" ", args));
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = null;
      if (a.contains("=") && a.startsWith("--")) {
        v = a.substring(a.indexOf('=') + 1);
        a = a.substring(0, a.indexOf('='));
      }
      switch (a) {
        case "--quick" -> o.quick = true;
        case "--no-write" -> o.write = false;
        case "--vector-api" -> o.kernels = List.of("panama");
        case "--ivf" -> {
          o.engines = IVF_ENGINES;
          o.enginesGiven = true;
        }
        case "-h", "--help" -> {
          System.out.print(USAGE);
          System.exit(0);
        }
        default -> {
          if (!VALUED.contains(a)) {
            throw new IllegalArgumentException("unknown option " + a + "\n\n" + USAGE);
          }
          if (v == null) {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException(a + " needs a value\n\n" + USAGE);
            }
            v = args[++i];
          }
          switch (a) {
            case "--datasets" -> o.datasets = csv(v);
            case "--engines" -> {
              o.engines = csv(v);
              o.enginesGiven = true;
            }
            case "--n" -> o.n = Integer.parseInt(v);
            case "--queries" -> o.queries = Integer.parseInt(v);
            case "--ef" -> o.efs = csv(v).stream().map(Integer::parseInt).toList();
            case "--m" -> o.m = Integer.parseInt(v);
            case "--ef-construction" -> o.efConstruction = Integer.parseInt(v);
            case "--filters" -> o.filters = v.equals("none") ? List.of() : csv(v).stream().map(Double::parseDouble).toList();
            case "--filter-ef" -> o.filterEfs = csv(v).stream().map(Integer::parseInt).toList();
            case "--threads" -> o.threads = Integer.parseInt(v);
            case "--nlist" -> o.nlist = Integer.parseInt(v);
            case "--pq-m" -> o.pqM = Integer.parseInt(v);
            case "--pq-bits" -> o.pqBits = Integer.parseInt(v);
            case "--nprobe" -> o.nprobes = csv(v).stream().map(Integer::parseInt).toList();
            case "--rerank" -> o.rerank = Integer.parseInt(v);
            case "--faiss-simd" -> o.faissSimd = v;
            case "--kernels" -> o.kernels = csv(v);
            case "--heap" -> o.heap = v;
            case "--base" -> o.base = Path.of(v);
            case "--query-file" -> o.queryFile = Path.of(v);
            case "--gt" -> o.gt = Path.of(v);
            case "--metric" -> o.metric = switch (v.toLowerCase(Locale.ROOT)) {
              case "euclidean", "l2" -> Metric.EUCLIDEAN;
              case "cosine", "angular" -> Metric.COSINE;
              case "dot", "dot_product", "ip" -> Metric.DOT_PRODUCT;
              default -> throw new IllegalArgumentException("unknown metric " + v);
            };
            case "--out" -> o.out = Path.of(v);
            case "--name" -> o.name = v;
            case "--cache" -> o.cache = Path.of(v);
            default -> throw new IllegalArgumentException("unknown option " + a + "\n\n" + USAGE);
          }
        }
      }
    }
    if (o.name == null) {
      o.name = o.base != null ? "user-" + o.base.getFileName().toString().replaceAll("\\.fvecs$", "")
          : o.quick ? "quick" : "results";
    }
    if (o.quick && !o.enginesGiven) {
      o.engines = o.engines.stream().filter(e -> !e.equals("quiver-flat")).toList();
    }
    if (o.base != null && o.queryFile == null) {
      throw new IllegalArgumentException("--base needs --query-file");
    }
    return o;
  }

  static final java.util.Set<String> VALUED = java.util.Set.of("--datasets", "--engines", "--n", "--queries",
      "--ef", "--m", "--ef-construction", "--filters", "--filter-ef", "--threads", "--kernels", "--heap", "--base",
      "--query-file", "--gt", "--metric", "--out", "--name", "--cache", "--nlist", "--pq-m", "--pq-bits", "--nprobe",
      "--rerank", "--faiss-simd");

  static List<String> csv(String s) {
    return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  /**
   * @param args see {@link #USAGE}
   */
  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("quiver bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path root = Path.of(System.getProperty("quiver.root", ".")).toAbsolutePath().normalize();
    if (o.out == null) {
      o.out = root.resolve("docs").resolve("benchmarks");
    }
    System.out.println("quiver bench: " + o.commandLine);
    System.out.println("  machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
        + Runtime.version() + ", cache " + o.cache);
    List<String> setup = setupProblems(o);
    for (String s : setup) {
      System.out.println("  ! " + s);
    }
    if (!setup.isEmpty()) {
      System.out.println("  ! to install what is missing: sudo scripts/bench-setup.sh (then run this again)");
    }

    Datasets ds = new Datasets(o.cache);
    List<Results.DatasetRun> all = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> names = o.base != null ? List.of("user") : o.datasets;
    for (String name : names) {
      Datasets.Prepared d;
      try {
        Datasets.Want w = new Datasets.Want(o.nFor(name.equals("gaussian") ? 200_000 : name.equals("fortunes")
            ? (o.quick ? 5_000 : 30_000) : name.equals("user") ? Integer.MAX_VALUE : 60_000),
            o.nq(), o.filterQueries(), o.filters, 10, o.threads);
        System.out.println();
        System.out.println("== dataset " + name);
        d = switch (name) {
          case "fashion-mnist" -> ds.fashionMnist(w);
          case "gaussian" -> ds.gaussian(w, 42);
          case "fortunes" -> ds.fortunes(w);
          case "user" -> ds.user(o.base, o.queryFile, o.gt, o.metric, w);
          default -> throw new Datasets.Missing("unknown dataset " + name + " (fashion-mnist, gaussian, fortunes)");
        };
      } catch (Datasets.Missing e) {
        System.out.println("  skipped: " + e.getMessage());
        skipped.add(name + ": " + e.getMessage());
        continue;
      }
      System.out.printf(Locale.ROOT, "  %s: %d base vectors, %d queries, %d-d, %s%n", d.name(), d.n(), d.nq(),
          d.dim(), d.metric());
      List<Results.EngineRun> runs = new ArrayList<>();
      for (EngineLaunch l : launches(o, root)) {
        System.out.println("  -- " + l.run().label());
        Results.EngineRun r = l.run();
        runChild(l, d, o, r);
        if (!r.ok()) {
          System.out.println("     " + r.status + ": " + r.reason);
        } else {
          System.out.printf(Locale.ROOT, "     built in %.1fs, %s bytes/vector; best recall %.4f%n", r.buildSeconds,
              Report.bytes(r.bytesPerVector()), r.sweep.stream().mapToDouble(Results.Point::recall).max().orElse(0));
        }
        runs.add(r);
      }
      Results.DatasetRun dr = new Results.DatasetRun(d, runs);
      all.add(dr);
      System.out.println();
      System.out.println(Report.datasetSection(dr, o, false));
    }
    if (o.write && !all.isEmpty()) {
      Path md = Report.write(o, all, skipped);
      System.out.println("wrote " + root.relativize(md.toAbsolutePath()) + " and its plots");
    }
  }

  /** One child process to run: which engine, on which runtime. */
  record EngineLaunch(Results.EngineRun run, List<String> command, String unavailable) {
    EngineLaunch(String engine, String runtime, List<String> command, String unavailable) {
      this(new Results.EngineRun(engine, runtime), command, unavailable);
    }
  }

  static List<String> setupProblems(Options o) {
    List<String> out = new ArrayList<>();
    if (o.base == null && o.datasets.contains("fashion-mnist")
        && !Files.exists(Datasets.FASHION_DIR.resolve("train-images-idx3-ubyte.gz"))) {
      out.add("Debian package dataset-fashion-mnist is missing: the fashion-mnist dataset will be skipped");
    }
    if (o.base == null && o.datasets.contains("fortunes") && !Files.isDirectory(Datasets.FORTUNES_DIR)) {
      out.add("Debian package fortunes is missing: the sentence-embedding dataset will be skipped");
    }
    if (o.engines.contains("hnswlib-native") && !pythonHasHnswlib()) {
      out.add("Debian package python3-hnswlib is missing: native hnswlib (the ceiling) will be skipped");
    }
    return out;
  }

  static final String PYTHON = "/usr/bin/python3";

  static boolean pythonHasHnswlib() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import hnswlib, numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static Path newerJdk() {
    String env = System.getenv("QUIVER_BENCH_JDK21");
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    candidates.add(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"));
    candidates.add(Path.of("/usr/lib/jvm/temurin-21-jdk-amd64"));
    candidates.add(Path.of("/usr/lib/jvm/java-21-openjdk-amd64"));
    for (Path c : candidates) {
      if (Files.isExecutable(c.resolve("bin/java"))) {
        return c;
      }
    }
    return null;
  }

  static List<EngineLaunch> launches(Options o, Path root) throws IOException {
    String java17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    List<EngineLaunch> out = new ArrayList<>();
    for (String e : o.engines) {
      switch (e) {
        case "quiver", "quiver-hnsw", "quiver-flat", "quiver-ivf-flat", "quiver-ivf-pq" -> {
          String engine = e.equals("quiver") ? "quiver-hnsw" : e;
          for (String k : o.kernels) {
            List<String> cmd = new ArrayList<>(List.of(java17, "-Xmx" + o.heap));
            if (k.equals("panama")) {
              cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
            }
            cmd.addAll(List.of("-cp", cp, Worker.class.getName(), "--engine", engine));
            out.add(new EngineLaunch(engine, "Java " + Runtime.version().feature()
                + (k.equals("panama") ? " + Vector API" : ""), cmd, null));
          }
        }
        case "faiss-ivf-flat", "faiss-ivf-pq", "faiss-ivf-pq-refine" -> {
          String python = faissPython(root);
          List<String> cmd = new ArrayList<>();
          if (python != null) {
            Path script = o.cache.resolve("faiss_ivf.py");
            Files.createDirectories(o.cache);
            try (InputStream in = BenchMain.class.getResourceAsStream("faiss_ivf.py")) {
              Files.write(script, in.readAllBytes());
            }
            cmd.addAll(List.of(python, script.toString(), "--engine", e.substring("faiss-".length()), "--simd",
                o.faissSimd));
          }
          out.add(new EngineLaunch(e, "C++ via Python", cmd,
              python == null ? "FAISS could not be installed: scripts/faiss-venv.sh failed (see its output)" : null));
        }
        case "hnswlib-java", "jvector", "lucene9", "jvector-pq" -> out.add(new EngineLaunch(
            e.equals("lucene9") ? "lucene-9" : e, "Java " + Runtime.version().feature(),
            new ArrayList<>(List.of(java17, "-Xmx" + o.heap, "-cp", cp, Worker.class.getName(), "--engine",
                e.equals("lucene9") ? "lucene" : e)), null));
        case "lucene10" -> {
          Path jdk = newerJdk();
          Path lib10 = lucene10Dir();
          String why = jdk == null ? "needs a JDK 21+ (none found in /usr/lib/jvm; set QUIVER_BENCH_JDK21)"
              : lib10 == null ? "lucene-core 10 jar not found (build the bench module: mvn -pl bench -am package)" : null;
          List<String> cmd = new ArrayList<>();
          if (why == null) {
            String cp10 = Arrays.stream(cp.split(java.io.File.pathSeparator))
                .filter(p -> !Path.of(p).getFileName().toString().startsWith("lucene-core-"))
                .collect(Collectors.joining(java.io.File.pathSeparator));
            try (var s = Files.list(lib10)) {
              cp10 += java.io.File.pathSeparator + s.map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
            }
            cmd.addAll(List.of(jdk.resolve("bin/java").toString(), "-Xmx" + o.heap, "--add-modules",
                "jdk.incubator.vector", "-cp", cp10, Worker.class.getName(), "--engine", "lucene"));
          }
          out.add(new EngineLaunch("lucene-10", jdk == null ? "" : "Java " + javaFeature(jdk), cmd, why));
        }
        case "hnswlib-native" -> {
          String why = pythonHasHnswlib() ? null
              : "Debian's python3-hnswlib is not installed; run scripts/bench-setup.sh";
          List<String> cmd = new ArrayList<>();
          if (why == null) {
            Path script = o.cache.resolve("native_hnswlib.py");
            Files.createDirectories(o.cache);
            try (InputStream in = BenchMain.class.getResourceAsStream("native_hnswlib.py")) {
              Files.write(script, in.readAllBytes());
            }
            cmd.addAll(List.of(PYTHON, script.toString()));
          }
          out.add(new EngineLaunch("hnswlib-native", "C++ via Python", cmd, why));
        }
        default -> throw new IllegalArgumentException("unknown engine " + e);
      }
    }
    return out;
  }

  private static String faissPython;

  /** @return the python of the project's FAISS virtualenv (made by scripts/faiss-venv.sh on first use), or null */
  static synchronized String faissPython(Path root) {
    if (faissPython == null) {
      try {
        Process p = new ProcessBuilder(root.resolve("scripts/faiss-venv.sh").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        faissPython = p.waitFor() == 0 && !out.isEmpty() ? out : "";
      } catch (IOException | InterruptedException e) {
        faissPython = "";
      }
    }
    return faissPython.isEmpty() ? null : faissPython;
  }

  static String javaFeature(Path jdk) {
    try {
      for (String line : Files.readAllLines(jdk.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          return line.substring(13).replace("\"", "").split("\\.")[0];
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    return jdk.getFileName().toString();
  }

  static Path lucene10Dir() {
    try {
      Path jar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path target = Files.isDirectory(jar) ? jar.getParent() : jar.getParent();
      Path d = target.resolve("lib-lucene10");
      return Files.isDirectory(d) ? d : null;
    } catch (Exception e) {
      return null;
    }
  }

  static void runChild(EngineLaunch l, Datasets.Prepared d, Options o, Results.EngineRun r) {
    if (l.unavailable() != null) {
      r.status = "not available";
      r.reason = l.unavailable();
      return;
    }
    List<String> cmd = new ArrayList<>(l.command());
    Map<String, String> a = new LinkedHashMap<>();
    a.put("--dir", d.dir().toString());
    a.put("--metric", d.metric().name());
    boolean ivf = probesLists(l.run().engine);
    List<Integer> knobs = ivf ? o.nprobes() : o.efs();
    a.put("--efs", knobs.stream().map(String::valueOf).collect(Collectors.joining(",")));
    a.put("--m", String.valueOf(o.m));
    a.put("--efc", String.valueOf(o.efConstruction()));
    a.put("--threads", String.valueOf(o.threads));
    a.put("--k", "10");
    a.put("--min-seconds", o.quick ? "0.25" : "1");
    a.put("--filters", o.filters.stream().map(String::valueOf).collect(Collectors.joining(",")));
    a.put("--filter-efs", (ivf ? List.of(knobs.get(knobs.size() / 2), knobs.get(knobs.size() - 1)) : o.filterEfs())
        .stream().map(String::valueOf).collect(Collectors.joining(",")));
    a.put("--nlist", String.valueOf(o.nlistFor(d.n())));
    a.put("--pq-m", String.valueOf(o.pqMFor(d.dim())));
    a.put("--pq-bits", String.valueOf(o.pqBits));
    a.put("--rerank", String.valueOf(o.rerank));
    a.put("--train-n", String.valueOf(ivfTrainingSize(o.nlistFor(d.n()), o.pqMFor(d.dim()),
        l.run().engine.contains("pq") ? o.pqBits : 0, d.dim())));
    a.forEach((k, v) -> {
      cmd.add(k);
      cmd.add(v);
    });
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String error = null;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          String[] f = line.split("\t");
          switch (f[0]) {
            case WorkerProtocol.NOTES -> r.notes = f.length > 1 ? f[1] : "";
            case WorkerProtocol.TRAIN -> {
              r.trainSeconds = Double.parseDouble(f[1]);
              r.indexBytes = Long.parseLong(f[2]);
            }
            case WorkerProtocol.BUILD -> {
              r.buildSeconds = Double.parseDouble(f[1]);
              r.memoryDelta = Long.parseLong(f[2]);
              r.n = Integer.parseInt(f[3]);
              r.dim = Integer.parseInt(f[4]);
            }
            case WorkerProtocol.SWEEP -> r.sweep.add(new Results.Point(Integer.parseInt(f[1]),
                Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])));
            case WorkerProtocol.FILTER -> r.filtered.add(new Results.FilterPoint(Double.parseDouble(f[1]),
                Integer.parseInt(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])));
            case WorkerProtocol.UNAVAILABLE -> {
              r.status = "not available";
              r.reason = f.length > 1 ? f[1] : "";
            }
            case WorkerProtocol.ERROR -> error = f.length > 1 ? f[1] : "error";
            default -> System.out.println("     " + line);
          }
        }
      }
      int rc = p.waitFor();
      if (r.ok() && (rc != 0 || error != null)) {
        r.status = "failed";
        r.reason = (error != null ? error : "") + " (exit code " + rc + ")";
      }
    } catch (IOException | InterruptedException e) {
      r.status = "failed";
      r.reason = e.toString();
    }
  }

  /**
   * @return the number of records at which Quiver trains an IVF index with these parameters, as the engine
   *     reports it (FAISS is trained on as many)
   */
  static int ivfTrainingSize(int nlist, int pqM, int bits, int dim) {
    try (dev.quiver.local.LocalVectorStore s = dev.quiver.local.LocalVectorStore.inMemory()) {
      s.createCollection(dev.quiver.CollectionSpec.builder("t").dimension(dim)
          .index(bits > 0 ? dev.quiver.IndexSpec.ivfPq(nlist, pqM, bits) : dev.quiver.IndexSpec.ivfFlat(nlist)).build());
      return s.indexInfo("t").trainingSize();
    }
  }

  static String now() {
    return ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"));
  }
}
