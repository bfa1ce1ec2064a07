package dev.quiver.cli;

import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metric;
import dev.quiver.compare.CompareOptions;
import dev.quiver.compare.Comparison;
import dev.quiver.compare.Dataset;
import dev.quiver.compare.DatasetReader;
import dev.quiver.compare.Filters;
import dev.quiver.compare.Progress;
import dev.quiver.compare.Report;
import dev.quiver.compare.ReportWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code quiver compare}: measures every store given on the same data — ingest, recall, latency and
 * throughput with and without filters, and whether each returns the right records for every filter —
 * and writes report.html, report.md and report.json. See docs/compare.md.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare backends on your own data: speed, recall and correctness in one report.",
        "Example: quiver compare --data items.jsonl --metric cosine memory: milvus=milvus://localhost:19530"})
final class CompareCommand implements Callable<Integer> {

  @Parameters(paramLabel = "STORE", description = "Store addresses, optionally labelled: name=uri (also --store).")
  List<String> positional = new ArrayList<>();

  @Option(names = "--store", paramLabel = "[NAME=]URI", description = "A store to measure (repeatable).")
  List<String> stores = new ArrayList<>();

  @Option(names = "--data", paramLabel = "FILE", description = "Records: .jsonl ({id, vector, metadata} per line), .fvecs,"
      + " or a Quiver export file (.arrow, from quiver export).")
  Path data;

  @Option(names = "--queries", paramLabel = "FILE", description = "Query vectors (.fvecs, .jsonl or .arrow); default: hold queries out of the data.")
  Path queries;

  @Option(names = "--ground-truth", paramLabel = "FILE", description = "An .ivecs of neighbours for --queries, checked against the exact top-k computed here.")
  Path groundTruth;

  @Option(names = "--metric", description = "cosine, dot or euclidean (default: an export file's own, else cosine;"
      + " one that differs from an export file's is refused).")
  String metric;

  /** The metric used: given, or the data's own (for the recorded command line). */
  private Metric used;

  @Option(names = "--limit", description = "Read at most this many records (default: all).", defaultValue = "0")
  int limit;

  @Option(names = "--query-count", description = "Queries to use (default: ${DEFAULT-VALUE}).", defaultValue = "100")
  int queryCount;

  @Option(names = "--collection", description = "Collection name to create (default: generated), or the existing one with --existing.")
  String collection;

  @Option(names = "--existing", description = "Use the existing --collection on every store; nothing is loaded or dropped.")
  boolean existing;

  @Option(names = "--filters", paramLabel = "FILE", description = "Filter expressions, one per line (default: generated from the data's keys).")
  Path filters;

  @Option(names = "--random-filters", description = "Random filter trees added to generated filters (default: ${DEFAULT-VALUE}).", defaultValue = "20")
  int randomFilters;

  @Option(names = "-k", description = "Top-k of every search (default: ${DEFAULT-VALUE}).", defaultValue = "10")
  int k;

  @Option(names = "--concurrency", split = ",", description = "Thread counts (default: 1,4,16).")
  List<Integer> concurrency = new ArrayList<>(List.of(1, 4, 16));

  @Option(names = "--searches", description = "Searches per concurrency level (default: ${DEFAULT-VALUE}).", defaultValue = "300")
  int searches;

  @Option(names = "--index", description = "flat, hnsw or hnsw:M:EF_CONSTRUCTION (default: ${DEFAULT-VALUE}).", defaultValue = "hnsw:16:200")
  String index;

  @Option(names = "--ef", split = ",", description = "ef values to sweep besides each backend's default (e.g. 16,64,256).")
  List<Integer> efs = new ArrayList<>();

  @Option(names = "--batch", description = "Records per upsert (default: ${DEFAULT-VALUE}).", defaultValue = "500")
  int batch;

  @Option(names = "--seed", description = "Seed of the query hold-out and generated filters (default: ${DEFAULT-VALUE}).", defaultValue = "42")
  long seed;

  @Option(names = "--keep", description = "Keep the collections created (default: drop them).")
  boolean keep;

  @Option(names = "--out", description = "Directory of report.html, report.md, report.json (default: ${DEFAULT-VALUE}).", defaultValue = "compare-report")
  Path out;

  @Option(names = "--quiet", description = "No progress bars.")
  boolean quiet;

  @Override
  public Integer call() {
    try {
      return compare();
    } catch (dev.quiver.VectorStoreException | java.io.IOException | java.io.UncheckedIOException e) {
      System.err.println("quiver compare: " + e.getMessage());
      return 2;
    }
  }

  private int compare() throws java.io.IOException {
    List<String> all = new ArrayList<>(stores);
    all.addAll(positional);
    CompareOptions.Builder o = CompareOptions.builder();
    for (String s : all) {
      o.store(CompareOptions.Target.parse(s));
    }
    Metric m = metric == null ? null : metric(metric);
    used = m;
    if (existing) {
      if (collection == null) {
        throw new InvalidArgumentException("--existing needs --collection NAME");
      }
      o.existingCollection(collection).queriesFile(queries);
    } else {
      if (data == null) {
        throw new InvalidArgumentException("give --data FILE (or --collection NAME --existing)");
      }
      Dataset dataset = DatasetReader.read(data, queries, groundTruth, m, queryCount, limit, seed);
      used = dataset.metric();
      o.dataset(dataset).collection(collection);
    }
    if (filters != null) {
      o.filters(Filters.read(filters), filters.getFileName().toString());
    }
    o.randomFilters(randomFilters).k(k).concurrency(concurrency).searchesPerLevel(searches).index(index(index))
        .efs(efs).batchSize(batch).seed(seed).keep(keep).command(commandLine());
    Report report = Comparison.run(o.build(), quiet ? Progress.NONE : Progress.stderr());
    List<Path> files = ReportWriter.write(report, out);
    for (Report.Backend b : report.backends()) {
      System.out.printf(Locale.ROOT, "%-20s %-9s %s%n", b.label(), b.status(), Report.MEASURED.equals(b.status())
          ? (b.correct() ? "correct on every filter" : b.failedChecks() + " filter checks disagree") : b.error());
    }
    files.forEach(f -> System.out.println("wrote " + f));
    return 0;
  }

  private String commandLine() {
    // addresses are left out: they may carry credentials
    return "./quiver compare " + String.join(" ", args());
  }

  private List<String> args() {
    List<String> a = new ArrayList<>();
    if (data != null) {
      a.add("--data " + data);
    }
    if (queries != null) {
      a.add("--queries " + queries);
    }
    if (existing) {
      a.add("--existing --collection " + collection);
    }
    if (filters != null) {
      a.add("--filters " + filters);
    }
    a.add((used == null ? "" : "--metric " + name(used) + " ") + "--query-count " + queryCount + (limit > 0 ? " --limit " + limit : "")
        + " -k " + k + " --concurrency " + join(concurrency) + " --searches " + searches + " --index " + index
        + (efs.isEmpty() ? "" : " --ef " + join(efs)) + " --batch " + batch + " --seed " + seed
        + " --random-filters " + randomFilters);
    for (String s : stores) {
      a.add("--store '" + CompareOptions.Target.parse(s).label() + "=<address>'");
    }
    for (String s : positional) {
      a.add("'" + CompareOptions.Target.parse(s).label() + "=<address>'");
    }
    return a;
  }

  private static String join(List<Integer> values) {
    return String.join(",", values.stream().map(String::valueOf).toList());
  }

  private static String name(Metric m) {
    return m == Metric.DOT_PRODUCT ? "dot" : m.name().toLowerCase(Locale.ROOT);
  }

  static Metric metric(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "cosine" -> Metric.COSINE;
      case "dot", "dot_product", "ip" -> Metric.DOT_PRODUCT;
      case "euclidean", "l2" -> Metric.EUCLIDEAN;
      default -> throw new InvalidArgumentException("unknown metric '" + name + "': cosine, dot or euclidean");
    };
  }

  static IndexSpec index(String spec) {
    String[] parts = spec.toLowerCase(Locale.ROOT).split(":");
    try {
      if (parts[0].equals("flat") && parts.length == 1) {
        return IndexSpec.flat();
      }
      if (parts[0].equals("hnsw") && parts.length == 1) {
        return IndexSpec.hnsw(16, 200);
      }
      if (parts[0].equals("hnsw") && parts.length == 3) {
        return IndexSpec.hnsw(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new InvalidArgumentException("unknown index '" + spec + "': flat, hnsw or hnsw:M:EF_CONSTRUCTION");
  }
}
