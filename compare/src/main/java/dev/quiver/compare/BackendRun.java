package dev.quiver.compare;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.StoreUri;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Measures one store: load, wait until visible, latency and recall runs, correctness of every filter,
 * score agreement, adapter overhead, time to searchable. Any failure ends the run of this store only;
 * its report entry is then {@link Report#NOT_RUN} with the reason, never a pass.
 */
final class BackendRun {

  /** Relative score difference still counted as agreement (float32 storage on some backends). */
  static final double SCORE_TOLERANCE = 1e-4;
  private static final long VISIBLE_TIMEOUT_NANOS = 120_000_000_000L;

  private final CompareOptions.Target target;
  private final CompareOptions options;
  private final Workload work;
  private final String collectionName;
  private final Progress progress;
  /** (query index, id) → score of the first unfiltered run, for agreement across backends. */
  final Map<String, Double> scores = new HashMap<>();

  private final List<String> notes = new ArrayList<>();
  private String step = "opening the store";
  private String backend = "?";
  private String consistency = "?";
  private String index = "?";
  private String serverVersion = "";
  private List<Report.Deviation> deviations = List.of();

  BackendRun(CompareOptions.Target target, CompareOptions options, Workload work, String collectionName,
      Progress progress) {
    this.target = target;
    this.options = options;
    this.work = work;
    this.collectionName = collectionName;
    this.progress = progress;
  }

  Report.Backend measure() {
    String address = masked(target.uri());
    VectorStore store;
    try {
      store = Quiver.open(target.uri());
    } catch (RuntimeException e) {
      return notRun(address, "cannot open " + address + ": " + describe(e));
    }
    boolean created = false;
    try (store) {
      Capabilities caps = store.capabilities();
      backend = caps.backend();
      consistency = caps.consistency().name();
      deviations = caps.entries().stream().filter(e -> e.support() != Capabilities.Support.NATIVE)
          .map(e -> new Report.Deviation(e.feature().name(), e.support().name(), e.note())).toList();
      serverVersion = "local".equals(backend) ? "embedded (Quiver " + Versions.get("quiver") + ")" : "not reported";
      VectorCollection c;
      Report.Ingest ingest;
      if (options.existingCollection() != null) {
        step = "opening collection " + collectionName;
        c = store.collection(collectionName);
        index = c.spec().index().toString();
        long n = c.count();
        if (n != work.dataset().records().size()) {
          notes.add("the collection holds " + n + " records, the data read for ground truth " + work.dataset().records().size());
        }
        ingest = new Report.Ingest(0, 0, 0, null, null);
      } else {
        step = "creating collection " + collectionName;
        c = store.createCollection(spec(caps));
        created = true;
        ingest = load(c, caps);
      }
      List<Report.SearchRun> runs = searchRuns(c, caps);
      step = "checking filters";
      List<Report.FilterCheck> checks = checkFilters(c);
      Report.Scores s = referenceScores();
      Report.Overhead overhead = overhead(c);
      if (caps.consistency() == Capabilities.Consistency.EVENTUAL && options.existingCollection() == null) {
        ingest = timeToSearchable(c, ingest);
      }
      if (created && !options.keep()) {
        step = "dropping the collection";
        store.dropCollection(collectionName);
        created = false;
      }
      return new Report.Backend(target.label(), address, backend, Report.MEASURED, "", serverVersion, consistency, index,
          List.copyOf(notes), deviations, ingest, runs, checks, s, overhead);
    } catch (RuntimeException e) {
      return notRun(address, "failed while " + step + ": " + describe(e));
    } finally {
      if (created && !options.keep()) {
        try (VectorStore again = Quiver.open(target.uri())) {
          again.dropCollection(collectionName);
        } catch (RuntimeException ignored) {
          notes.add("could not drop collection " + collectionName);
        }
      }
    }
  }

  private Report.Backend notRun(String address, String why) {
    progress.line("compare: " + target.label() + " NOT RUN: " + why);
    return new Report.Backend(target.label(), address, backend, Report.NOT_RUN, why, serverVersion, consistency, index,
        List.copyOf(notes), deviations, null, List.of(), List.of(), null, null);
  }

  private CollectionSpec spec(Capabilities caps) {
    IndexSpec wanted = options.index();
    IndexSpec use = wanted;
    if (!caps.supports(wanted.feature())) {
      use = caps.supports(Feature.INDEX_HNSW) ? IndexSpec.hnsw(16, 200) : IndexSpec.flat();
      notes.add(wanted + " is not supported here (" + caps.entry(wanted.feature()).note() + "); used " + use);
    }
    index = use.toString();
    return CollectionSpec.builder(collectionName).dimension(work.dataset().dimension())
        .metric(work.dataset().metric()).index(use).build();
  }

  private Report.Ingest load(VectorCollection c, Capabilities caps) {
    step = "loading records";
    List<Record> records = work.dataset().records();
    Progress.Bar bar = progress.bar(target.label() + " load", records.size());
    long t0 = System.nanoTime();
    for (int i = 0; i < records.size(); i += options.batchSize()) {
      List<Record> batch = records.subList(i, Math.min(records.size(), i + options.batchSize()));
      c.upsert(batch);
      bar.set(i + batch.size());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    bar.done();
    step = "waiting until every record is counted";
    long deadline = System.nanoTime() + VISIBLE_TIMEOUT_NANOS;
    long n = c.count();
    while (n != records.size() && caps.consistency() == Capabilities.Consistency.EVENTUAL
        && System.nanoTime() < deadline) {
      sleep(200);
      n = c.count();
    }
    if (n != records.size()) {
      notes.add("after loading " + records.size() + " records count() returned " + n);
    }
    return new Report.Ingest(records.size(), Latencies.round(seconds), Latencies.round(records.size() / seconds),
        null, null);
  }

  private List<Report.SearchRun> searchRuns(VectorCollection c, Capabilities caps) {
    List<String> efs = new ArrayList<>(List.of("default"));
    if (!options.efs().isEmpty()) {
      if (caps.supports(Feature.SEARCH_EF)) {
        options.efs().forEach(ef -> efs.add(Integer.toString(ef)));
      } else {
        notes.add("ef sweep skipped: " + caps.entry(Feature.SEARCH_EF).note());
      }
    }
    List<Report.SearchRun> runs = new ArrayList<>();
    for (String ef : efs) {
      for (boolean filtered : work.hasFilteredRuns() ? new boolean[] {false, true} : new boolean[] {false}) {
        step = "searching (" + (filtered ? "filtered" : "unfiltered") + ", ef " + ef + ")";
        int queries = work.dataset().queries().size();
        SearchLoad.run(queries, q -> c.search(request(q, filtered, ef)), 1, Math.min(queries, 20), Progress.NONE.bar("", 0));
        for (int level : options.concurrency()) {
          Progress.Bar bar = progress.bar(target.label() + " search c=" + level + (filtered ? " filtered" : "")
              + ("default".equals(ef) ? "" : " ef=" + ef), options.searchesPerLevel());
          SearchLoad.Result r = SearchLoad.run(queries, q -> c.search(request(q, filtered, ef)), level,
              options.searchesPerLevel(), bar);
          bar.done();
          if (r.latencies().size() == 0) {
            if (r.firstError() instanceof UnsupportedFeatureException u && filtered) {
              notes.add("filtered search refused: " + u.getMessage());
              break;
            }
            throw r.firstError();
          }
          List<List<String>> truth = filtered ? work.filteredTruth() : work.truth();
          double recall = 0;
          int counted = 0;
          for (int q = 0; q < queries; q++) {
            List<Match> got = r.firstResults().get(q);
            if (got != null) {
              recall += GroundTruth.recall(truth.get(q), got.stream().map(Match::id).toList(), work.k());
              counted++;
            }
          }
          if (!filtered && "default".equals(ef) && scores.isEmpty()) {
            captureScores(r.firstResults());
          }
          Latencies l = r.latencies();
          runs.add(new Report.SearchRun(filtered, ef, level, l.size(), Latencies.round(r.qps()),
              Latencies.round(counted == 0 ? 0 : recall / counted), Latencies.round(l.ms(50)),
              Latencies.round(l.ms(95)), Latencies.round(l.ms(99)), l.quantiles(), r.errors()));
          if (r.errors() > 0) {
            notes.add(r.errors() + " searches failed at concurrency " + level + ": " + describe(r.firstError()));
          }
        }
      }
    }
    return runs;
  }

  private SearchRequest request(int q, boolean filtered, String ef) {
    SearchRequest r = SearchRequest.of(work.dataset().queries().get(q), work.k());
    if (filtered) {
      r = r.filter(work.queryFilters().get(q));
    }
    return "default".equals(ef) ? r : r.ef(Integer.parseInt(ef));
  }

  private void captureScores(List<List<Match>> results) {
    for (int q = 0; q < results.size(); q++) {
      if (results.get(q) != null) {
        for (Match m : results.get(q)) {
          scores.put(q + "\u0000" + m.id(), m.score());
        }
      }
    }
  }

  private Report.Scores referenceScores() {
    Metric metric = work.dataset().metric();
    double worst = 0;
    for (Map.Entry<String, Double> e : scores.entrySet()) {
      int sep = e.getKey().indexOf('\u0000');
      float[] query = work.dataset().queries().get(Integer.parseInt(e.getKey().substring(0, sep)));
      Record r = work.byId().get(e.getKey().substring(sep + 1));
      double diff = r == null ? Double.POSITIVE_INFINITY : relative(e.getValue(), metric.score(query, r.vector()));
      worst = Math.max(worst, diff);
    }
    return new Report.Scores(scores.size(), worst, 0, SCORE_TOLERANCE);
  }

  static double relative(double a, double reference) {
    return Math.abs(a - reference) / Math.max(1.0, Math.abs(reference));
  }

  private List<Report.FilterCheck> checkFilters(VectorCollection c) {
    List<Report.FilterCheck> out = new ArrayList<>();
    Progress.Bar bar = progress.bar(target.label() + " filters", work.filters().size());
    for (int i = 0; i < work.filters().size(); i++) {
      out.add(checkFilter(c, work.filters().get(i), work.expected().get(i),
          work.dataset().queries().get(i % work.dataset().queries().size())));
      bar.step();
    }
    bar.done();
    return out;
  }

  private Report.FilterCheck checkFilter(VectorCollection c, Filter f, Set<String> expected, float[] query) {
    int searchExpected = Math.min(work.k(), expected.size());
    long count = -1;
    long missing = 0;
    long extra = 0;
    int returned = 0;
    int wrong = 0;
    String error = "";
    try {
      count = c.count(f);
      Set<String> seen = new HashSet<>();
      ListRequest req = ListRequest.of(1000).filter(f);
      while (true) {
        Page page = c.list(req);
        for (Record r : page.records()) {
          if (!seen.add(r.id()) || !expected.contains(r.id())) {
            extra++;
          }
        }
        if (page.nextCursor().isEmpty()) {
          break;
        }
        req = ListRequest.of(1000).filter(f).cursor(page.nextCursor().get());
      }
      for (String id : expected) {
        if (!seen.contains(id)) {
          missing++;
        }
      }
      List<Match> hits = c.search(SearchRequest.of(query, work.k()).filter(f));
      returned = hits.size();
      for (Match m : hits) {
        Record r = work.byId().get(m.id());
        if (r == null || !f.matches(r.metadata())) {
          wrong++;
        }
      }
    } catch (RuntimeException e) {
      error = describe(e);
    }
    return new Report.FilterCheck(f.toString(), expected.size(), count, missing, extra, returned, searchExpected, wrong,
        error);
  }

  private Report.Overhead overhead(VectorCollection c) {
    step = "measuring the adapter's overhead";
    DirectSearch direct;
    try {
      direct = DirectSearch.open(target.uri(), c.spec()).orElse(null);
    } catch (RuntimeException e) {
      notes.add("adapter overhead not measured: the vendor SDK could not open the collection: " + describe(e));
      return null;
    }
    if (direct == null) {
      return null;
    }
    try (direct) {
      serverVersion = direct.serverVersion();
      List<float[]> queries = work.dataset().queries();
      int n = options.searchesPerLevel();
      for (int i = 0; i < Math.min(20, queries.size()); i++) {
        c.search(SearchRequest.of(queries.get(i), work.k()));
        direct.search(queries.get(i), work.k());
      }
      long[] quiver = new long[n];
      long[] vendor = new long[n];
      int same = 0;
      Progress.Bar bar = progress.bar(target.label() + " overhead", n);
      for (int i = 0; i < n; i++) {
        float[] q = queries.get(i % queries.size());
        List<Match> ours = null;
        java.util.Collection<String> theirs = null;
        for (int turn = 0; turn < 2; turn++) {
          // alternate which goes first, so neither always runs on a warmer cache
          if ((turn == 0) == (i % 2 == 0)) {
            long t0 = System.nanoTime();
            ours = c.search(SearchRequest.of(q, work.k()));
            quiver[i] = System.nanoTime() - t0;
          } else {
            long t0 = System.nanoTime();
            theirs = direct.search(q, work.k());
            vendor[i] = System.nanoTime() - t0;
          }
        }
        Set<String> tokens = new HashSet<>(theirs);
        if (direct.lastHits() == ours.size() && ours.stream().allMatch(m -> tokens.contains(m.id()))) {
          same++;
        }
        bar.step();
      }
      bar.done();
      Latencies lq = new Latencies(quiver);
      Latencies lv = new Latencies(vendor);
      double overhead = (lq.ms(50) - lv.ms(50)) / lv.ms(50) * 100.0;
      return new Report.Overhead(direct.sdk(), n, Latencies.round(lq.ms(50)), Latencies.round(lv.ms(50)),
          Math.round(overhead * 10) / 10.0, Latencies.round(lq.ms(95)), Latencies.round(lv.ms(95)), same,
          direct.describe());
    } catch (RuntimeException e) {
      notes.add("adapter overhead not measured: " + describe(e));
      return null;
    }
  }

  private Report.Ingest timeToSearchable(VectorCollection c, Report.Ingest ingest) {
    step = "timing writes until searchable";
    Random random = new Random(options.seed());
    List<Double> ms = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    Progress.Bar bar = progress.bar(target.label() + " time to searchable", options.probes());
    float[] like = work.dataset().records().get(0).vector();
    for (int p = 0; p < options.probes(); p++) {
      String id = "quiver-compare-probe-" + p;
      ids.add(id);
      float[] v = new float[like.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = like[i] + (float) random.nextGaussian();
      }
      long t0 = System.nanoTime();
      c.upsert(List.of(Record.of(id, v)));
      long deadline = t0 + VISIBLE_TIMEOUT_NANOS;
      while (true) {
        List<Match> top = c.search(SearchRequest.of(v, 1).includeMetadata(false));
        if (!top.isEmpty() && top.get(0).id().equals(id)) {
          ms.add((System.nanoTime() - t0) / 1e6);
          break;
        }
        if (System.nanoTime() > deadline) {
          notes.add("probe " + id + " not searchable after " + VISIBLE_TIMEOUT_NANOS / 1_000_000_000L + " s");
          break;
        }
        sleep(5);
      }
      bar.step();
    }
    bar.done();
    c.delete(ids);
    if (ms.isEmpty()) {
      return ingest;
    }
    ms.sort(Double::compare);
    return new Report.Ingest(ingest.records(), ingest.seconds(), ingest.recordsPerSecond(),
        Latencies.round(ms.get(ms.size() / 2)), Latencies.round(ms.get(ms.size() - 1)));
  }

  private static String masked(String uri) {
    try {
      return StoreUri.parse(uri).toString();
    } catch (RuntimeException e) {
      return "(an address that does not parse)";
    }
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
