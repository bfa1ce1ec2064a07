package dev.quiver.compare;

import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The Java API behind {@code quiver compare}: loads the same records into every store given (or uses
 * an existing collection), computes exact ground truth and the reference evaluator's answer for every
 * filter locally, measures each store in turn, and returns the {@link Report}. A store that cannot
 * be opened or fails part-way is reported {@link Report#NOT_RUN} and the others are still measured.
 *
 * <pre>{@code
 * Dataset data = DatasetReader.read(Path.of("items.jsonl"), null, null, Metric.COSINE, 200, 0, 42);
 * Report report = Comparison.run(CompareOptions.builder().dataset(data)
 *     .store("local", "memory:").store("milvus", "milvus://localhost:19530").build(), Progress.stderr());
 * ReportWriter.write(report, Path.of("compare-report"));
 * }</pre>
 */
public final class Comparison {

  /** Filters used in the filtered latency runs at most. */
  static final int MAX_WORKLOAD_FILTERS = 8;

  private Comparison() {}

  /**
   * @param options what to compare
   * @param progress where progress goes
   * @return the report
   * @throws IOException if a queries file cannot be read
   */
  public static Report run(CompareOptions options, Progress progress) throws IOException {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Dataset data = options.dataset() != null ? options.dataset() : readExisting(options, progress);
    List<String> notes = new ArrayList<>();
    List<Filter> filters = options.filters() != null ? options.filters()
        : Filters.generate(data.records(), options.randomFilters(), options.seed());
    if (filters.isEmpty()) {
      notes.add("the records have no metadata and no filters were given: no filtered runs and no filter checks");
    }
    Workload work = workload(data, filters, options.k(), progress, notes);
    String name = options.existingCollection() != null ? options.existingCollection()
        : options.collection() != null ? options.collection()
        : "quiver_compare_" + Long.toHexString((System.nanoTime() ^ options.seed()) & 0xffffffL);
    List<Report.Backend> backends = new ArrayList<>();
    List<BackendRun> runs = new ArrayList<>();
    for (CompareOptions.Target t : options.stores()) {
      progress.line("compare: measuring " + t.label());
      BackendRun run = new BackendRun(t, options, work, name, progress);
      runs.add(run);
      backends.add(run.measure());
    }
    backends = crossScores(backends, runs);
    Report.Settings settings = new Report.Settings(options.k(), options.concurrency(), options.searchesPerLevel(),
        options.index().toString(), efs(options), options.batchSize(), options.filters() != null
        ? options.filterSource() : "generated from the data's keys (seed " + options.seed() + ")",
        IntStream.range(0, Math.min(work.queryFilters().size(), MAX_WORKLOAD_FILTERS))
            .mapToObj(i -> work.queryFilters().get(i).toString()).distinct().toList(),
        name, options.existingCollection() != null);
    Report.DatasetInfo info = new Report.DatasetInfo(data.name(), data.source(), data.sha256(), data.records().size(),
        data.queries().size(), data.dimension(), data.metric().name(), data.metadataKeys());
    return new Report("Quiver vendor comparison on " + data.name(), started.toString(), reproducibility(options),
        info, settings, backends, notes);
  }

  private static List<String> efs(CompareOptions o) {
    List<String> out = new ArrayList<>(List.of("default"));
    o.efs().forEach(e -> out.add(Integer.toString(e)));
    return out;
  }

  private static Dataset readExisting(CompareOptions o, Progress progress) throws IOException {
    List<String> errors = new ArrayList<>();
    for (CompareOptions.Target t : o.stores()) {
      try (VectorStore store = Quiver.open(t.uri())) {
        if (store.hasCollection(o.existingCollection())) {
          return DatasetReader.fromCollection(store.collection(o.existingCollection()), o.queriesFile(), 100, o.seed(),
              progress);
        }
        errors.add(t.label() + ": no collection " + o.existingCollection());
      } catch (RuntimeException e) {
        errors.add(t.label() + ": " + BackendRun.describe(e));
      }
    }
    throw new InvalidArgumentException("could not read collection " + o.existingCollection() + " from any store: "
        + errors);
  }

  static Workload workload(Dataset data, List<Filter> filters, int k, Progress progress, List<String> notes) {
    Map<String, Record> byId = data.byId();
    if (byId.size() != data.records().size()) {
      throw new InvalidArgumentException("the data has " + (data.records().size() - byId.size()) + " duplicate ids");
    }
    Progress.Bar bar = progress.bar("reference filter evaluation", filters.size());
    List<Set<String>> expected = filters.parallelStream().map(f -> {
      Set<String> ids = new HashSet<>();
      for (Record r : data.records()) {
        if (f.matches(r.metadata())) {
          ids.add(r.id());
        }
      }
      bar.step();
      return ids;
    }).toList();
    bar.done();
    // The filtered runs use filters that leave at least k records, most selective first.
    List<Integer> usable = new ArrayList<>(IntStream.range(0, filters.size())
        .filter(i -> expected.get(i).size() >= k && expected.get(i).size() < data.records().size()).boxed().toList());
    usable.sort(Comparator.comparingInt(i -> expected.get(i).size()));
    List<Filter> chosen = new ArrayList<>();
    for (int i = 0; i < usable.size() && chosen.size() < MAX_WORKLOAD_FILTERS; i += Math.max(1, usable.size() / MAX_WORKLOAD_FILTERS)) {
      chosen.add(filters.get(usable.get(i)));
    }
    List<Filter> queryFilters = new ArrayList<>();
    if (!chosen.isEmpty()) {
      for (int q = 0; q < data.queries().size(); q++) {
        queryFilters.add(chosen.get(q % chosen.size()));
      }
    } else if (!filters.isEmpty()) {
      notes.add("no filter leaves at least k=" + k + " records (and not all): no filtered latency runs");
    }
    Progress.Bar gt = progress.bar("exact ground truth", data.queries().size() * (chosen.isEmpty() ? 1L : 2L));
    List<List<String>> truth = GroundTruth.topK(data.records(), data.metric(), data.queries(), k, null, gt);
    List<List<String>> filtered = chosen.isEmpty() ? List.of()
        : GroundTruth.topK(data.records(), data.metric(), data.queries(), k, queryFilters, gt);
    gt.done();
    if (data.groundTruth() != null) {
      notes.add(checkGivenTruth(data, truth, k));
    }
    return new Workload(data, byId, filters, expected, queryFilters, truth, filtered, k);
  }

  private static String checkGivenTruth(Dataset data, List<List<String>> truth, int k) {
    double sum = 0;
    for (int q = 0; q < truth.size(); q++) {
      int[] row = data.groundTruth().get(q);
      List<String> given = new ArrayList<>();
      for (int i = 0; i < Math.min(k, row.length); i++) {
        given.add(data.records().get(row[i]).id());
      }
      sum += GroundTruth.recall(truth.get(q), given, k);
    }
    return String.format(java.util.Locale.ROOT, "the ground-truth file given agrees with the exact top-%d computed"
        + " here on %.4f of the neighbours (ties may be ordered differently)", k, sum / truth.size());
  }

  private static List<Report.Backend> crossScores(List<Report.Backend> backends, List<BackendRun> runs) {
    List<Report.Backend> out = new ArrayList<>();
    for (int i = 0; i < backends.size(); i++) {
      Report.Backend b = backends.get(i);
      if (b.scores() == null) {
        out.add(b);
        continue;
      }
      double worst = 0;
      for (int j = 0; j < runs.size(); j++) {
        if (j == i || backends.get(j).scores() == null) {
          continue;
        }
        for (Map.Entry<String, Double> e : runs.get(i).scores.entrySet()) {
          Double other = runs.get(j).scores.get(e.getKey());
          if (other != null) {
            worst = Math.max(worst, BackendRun.relative(e.getValue(), other));
          }
        }
      }
      Report.Scores s = b.scores();
      out.add(new Report.Backend(b.label(), b.address(), b.backend(), b.status(), b.error(), b.serverVersion(),
          b.consistency(), b.index(), b.notes(), b.deviations(), b.ingest(), b.runs(), b.filters(),
          new Report.Scores(s.compared(), s.maxDiffVsReference(), worst, s.tolerance()), b.overhead()));
    }
    return out;
  }

  private static Report.Reproducibility reproducibility(CompareOptions o) {
    long memory = -1;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      memory = os.getTotalMemorySize();
    }
    String jvm = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.runtime.version", System.getProperty("java.version"));
    String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch");
    return new Report.Reproducibility(Versions.get("quiver"), Versions.sdks(), jvm, os,
        Runtime.getRuntime().availableProcessors(), memory, Runtime.getRuntime().maxMemory(), o.seed(), o.command());
  }
}
