package dev.quiver.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's tables, built once and rendered both as Markdown and as HTML so that the two show
 * the same numbers. A cell may be marked good or bad (green or red in HTML, ✓ or ✗ in Markdown).
 */
final class ReportTables {

  /** Rows of failing filters shown per backend at most (the JSON has all). */
  static final int MAX_FAILURE_ROWS = 40;

  enum Mark { NONE, GOOD, BAD }

  record Cell(String text, Mark mark) {
    static Cell of(Object text) {
      return new Cell(String.valueOf(text), Mark.NONE);
    }

    static Cell good(Object text) {
      return new Cell(String.valueOf(text), Mark.GOOD);
    }

    static Cell bad(Object text) {
      return new Cell(String.valueOf(text), Mark.BAD);
    }

    static Cell check(boolean ok, Object text) {
      return ok ? good(text) : bad(text);
    }
  }

  record Table(String title, String intro, List<String> header, List<List<Cell>> rows) {}

  private ReportTables() {}

  static List<Table> tables(Report r) {
    List<Table> out = new ArrayList<>();
    out.add(summary(r));
    out.add(runs(r));
    out.add(correctness(r));
    out.add(failures(r));
    out.add(scores(r));
    out.add(overhead(r));
    out.add(deviations(r));
    out.add(reproducibility(r));
    return out;
  }

  private static Table summary(Report r) {
    List<List<Cell>> rows = new ArrayList<>();
    int k = r.settings().k();
    for (Report.Backend b : r.backends()) {
      if (!Report.MEASURED.equals(b.status())) {
        rows.add(List.of(Cell.of(b.label()), Cell.of(b.backend()), Cell.bad("NOT RUN: " + b.error()), Cell.of("—"),
            Cell.of("—"), Cell.of("—"), Cell.of("—"), Cell.of("—"), Cell.of("—")));
        continue;
      }
      long passed = b.filters().stream().filter(Report.FilterCheck::passed).count();
      String correct = b.filters().isEmpty() ? "no filters" : passed + "/" + b.filters().size() + " filters";
      if (!b.scores().agrees()) {
        correct += ", scores disagree";
      }
      Report.SearchRun base = find(b, false, 1);
      Report.SearchRun top = b.runs().stream().filter(x -> !x.filtered() && "default".equals(x.ef()))
          .max((x, y) -> Double.compare(x.qps(), y.qps())).orElse(null);
      rows.add(List.of(Cell.of(b.label()), Cell.of(b.backend()), Cell.check(b.correct(), correct),
          Cell.of(base == null ? "—" : num(base.recall())), Cell.of(base == null ? "—" : num(base.p50Ms())),
          Cell.of(top == null ? "—" : num(top.qps()) + " (c=" + top.concurrency() + ")"),
          Cell.of(b.ingest().records() == 0 ? "existing" : num(b.ingest().recordsPerSecond())),
          Cell.of(b.ingest().timeToSearchableMs() == null ? ("EVENTUAL".equals(b.consistency()) ? "—" : "strong")
              : num(b.ingest().timeToSearchableMs()) + " ms"),
          b.overhead() == null ? Cell.of("—") : Cell.of(signed(b.overhead().overheadP50Percent()) + " %")));
    }
    return new Table("Summary", "Correctness: every filter's count, full list and search agree with the reference "
        + "evaluator, and scores agree. Recall@" + k + " and p50 at concurrency 1 without filters; best throughput "
        + "over the concurrency levels.", List.of("store", "backend", "correctness", "recall@" + k, "p50 ms",
        "best QPS", "ingest rec/s", "time to searchable", "overhead p50"), rows);
  }

  private static Report.SearchRun find(Report.Backend b, boolean filtered, int concurrency) {
    return b.runs().stream().filter(x -> x.filtered() == filtered && x.concurrency() == concurrency
        && "default".equals(x.ef())).findFirst().orElse(null);
  }

  private static Table runs(Report r) {
    List<List<Cell>> rows = new ArrayList<>();
    for (Report.Backend b : r.backends()) {
      for (Report.SearchRun x : b.runs()) {
        rows.add(List.of(Cell.of(b.label()), Cell.of(x.filtered() ? "yes" : "no"), Cell.of(x.ef()),
            Cell.of(x.concurrency()), Cell.of(num(x.qps())), Cell.of(num(x.recall())), Cell.of(num(x.p50Ms())),
            Cell.of(num(x.p95Ms())), Cell.of(num(x.p99Ms())), Cell.check(x.errors() == 0, x.errors())));
      }
    }
    return new Table("Latency, throughput and recall", r.settings().searchesPerLevel() + " searches per level, top-"
        + r.settings().k() + ", recall against exact ground truth (with the same filter for filtered runs).",
        List.of("store", "filtered", "ef", "concurrency", "QPS", "recall@" + r.settings().k(), "p50 ms", "p95 ms",
            "p99 ms", "errors"), rows);
  }

  private static Table correctness(Report r) {
    List<List<Cell>> rows = new ArrayList<>();
    for (Report.Backend b : r.backends()) {
      if (!Report.MEASURED.equals(b.status())) {
        rows.add(List.of(Cell.of(b.label()), Cell.bad("not run"), Cell.bad("not run"), Cell.bad("not run"),
            Cell.bad("not run")));
        continue;
      }
      int n = b.filters().size();
      long count = b.filters().stream().filter(Report.FilterCheck::countOk).count();
      long list = b.filters().stream().filter(Report.FilterCheck::listOk).count();
      long search = b.filters().stream().filter(Report.FilterCheck::searchOk).count();
      long all = b.filters().stream().filter(Report.FilterCheck::passed).count();
      rows.add(List.of(Cell.of(b.label()), Cell.check(count == n, count + "/" + n), Cell.check(list == n, list + "/" + n),
          Cell.check(search == n, search + "/" + n), Cell.check(all == n, all + "/" + n)));
    }
    return new Table("Correctness of filters", "Each filter (" + r.settings().filterSource() + ") run with count, a "
        + "full list scroll and a top-" + r.settings().k() + " search, compared record by record with Filter#matches "
        + "on the same data.", List.of("store", "count", "list", "search", "all three"), rows);
  }

  private static Table failures(Report r) {
    List<List<Cell>> rows = new ArrayList<>();
    for (Report.Backend b : r.backends()) {
      int shown = 0;
      for (Report.FilterCheck f : b.filters()) {
        if (f.passed() || shown++ >= MAX_FAILURE_ROWS) {
          continue;
        }
        rows.add(List.of(Cell.of(b.label()), Cell.of(f.filter()), Cell.of(f.expected()),
            Cell.check(f.countOk(), f.count()),
            Cell.check(f.listOk(), f.listMissing() + " missing, " + f.listExtra() + " extra"),
            Cell.check(f.searchOk(), f.searchReturned() + "/" + f.searchExpected() + ", " + f.searchWrong() + " wrong"),
            Cell.of(f.error().isEmpty() ? "" : f.error())));
      }
    }
    return new Table("Filters that disagreed", rows.isEmpty() ? "None: every backend measured agreed on every filter."
        : "Up to " + MAX_FAILURE_ROWS + " per store (the JSON report lists every filter).",
        List.of("store", "filter", "expected", "count", "list", "search returned/expected", "error"), rows);
  }

  private static Table scores(Report r) {
    List<List<Cell>> rows = new ArrayList<>();
    for (Report.Backend b : r.backends()) {
      if (b.scores() != null) {
        Report.Scores s = b.scores();
        rows.add(List.of(Cell.of(b.label()), Cell.of(s.compared()),
            Cell.check(s.maxDiffVsReference() <= s.tolerance(), sci(s.maxDiffVsReference())),
            Cell.check(s.maxDiffVsOthers() <= s.tolerance(), sci(s.maxDiffVsOthers()))));
      }
    }
    return new Table("Score agreement", "For the same query and record: the score each backend returned against "
        + "Metric#score on the data (double precision) and against every other backend, relative to max(1, |score|);"
        + " agreement within " + sci(BackendRun.SCORE_TOLERANCE) + ".",
        List.of("store", "matches compared", "max diff vs reference", "max diff vs other backends"), rows);
  }

  private static Table overhead(Report r) {
    List<List<Cell>> rows = new ArrayList<>();
    for (Report.Backend b : r.backends()) {
      Report.Overhead o = b.overhead();
      if (o != null) {
        rows.add(List.of(Cell.of(b.label()), Cell.of(o.sdk()), Cell.of(o.searches()), Cell.of(num(o.quiverP50Ms())),
            Cell.of(num(o.directP50Ms())), Cell.check(o.overheadP50Percent() <= 5.0, signed(o.overheadP50Percent()) + " %"),
            Cell.of(num(o.quiverP95Ms())), Cell.of(num(o.directP95Ms())),
            Cell.check(o.sameIds() == o.searches(), o.sameIds() + "/" + o.searches()), Cell.of(o.note())));
      }
    }
    return new Table("Adapter overhead", rows.isEmpty() ? "Not measured (only for Milvus and Qdrant stores)."
        : "Quiver's search beside the same search made directly with the vendor SDK, interleaved in one run at "
        + "concurrency 1, unfiltered. Target: at most 5 % at p50.", List.of("store", "SDK", "searches",
        "Quiver p50 ms", "SDK p50 ms", "overhead p50", "Quiver p95 ms", "SDK p95 ms", "same results", "direct query"),
        rows);
  }

  private static Table deviations(Report r) {
    List<List<Cell>> rows = new ArrayList<>();
    for (Report.Backend b : r.backends()) {
      for (Report.Deviation d : b.deviations()) {
        rows.add(List.of(Cell.of(b.label()), Cell.of(d.feature()), Cell.of(d.support()), Cell.of(d.note())));
      }
      for (String note : b.notes()) {
        rows.add(List.of(Cell.of(b.label()), Cell.of("(this run)"), Cell.of("note"), Cell.of(note)));
      }
    }
    return new Table("Declared deviations", "What each backend declares EMULATED or UNSUPPORTED in its "
        + "capabilities, and remarks on this run.", List.of("store", "feature", "support", "note"), rows);
  }

  private static Table reproducibility(Report r) {
    Report.Reproducibility p = r.reproducibility();
    Report.DatasetInfo d = r.dataset();
    Report.Settings s = r.settings();
    List<List<Cell>> rows = new ArrayList<>();
    rows.add(row("Quiver", p.quiverVersion()));
    p.sdkVersions().forEach((k, v) -> rows.add(row(k, v)));
    for (Report.Backend b : r.backends()) {
      rows.add(row("server of " + b.label(), b.address() + " — " + b.serverVersion() + ", " + b.consistency()
          + ", index " + b.index()));
    }
    rows.add(row("dataset", d.name() + ": " + d.source()));
    rows.add(row("dataset SHA-256", d.sha256()));
    rows.add(row("records / queries / dimension / metric", d.records() + " / " + d.queries() + " / " + d.dimension()
        + " / " + d.metric()));
    rows.add(row("metadata keys", String.join(", ", d.metadataKeys())));
    rows.add(row("seed", p.seed()));
    rows.add(row("k, concurrency, searches per level", s.k() + ", " + s.concurrency() + ", " + s.searchesPerLevel()));
    rows.add(row("index asked for, ef values", s.index() + ", " + s.efs()));
    rows.add(row("batch size", s.batchSize()));
    rows.add(row("collection", s.collection() + (s.existingCollection() ? " (existing)" : " (created, then dropped)")));
    rows.add(row("filtered runs use", s.workloadFilters().isEmpty() ? "—" : String.join("  |  ", s.workloadFilters())));
    rows.add(row("machine", p.cores() + " cores, " + (p.memoryBytes() < 0 ? "?" : gib(p.memoryBytes()))
        + " memory, " + p.os()));
    rows.add(row("JVM", p.jvm() + ", max heap " + gib(p.maxHeapBytes())));
    rows.add(row("command", p.command().isEmpty() ? "—" : p.command()));
    rows.add(row("started", r.createdAt()));
    return new Table("Reproducibility", "Everything needed to run this comparison again.", List.of("what", "value"),
        rows);
  }

  private static List<Cell> row(String what, Object value) {
    return List.of(Cell.of(what), Cell.of(value));
  }

  static String num(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.3f", v);
  }

  private static String signed(double v) {
    return String.format(Locale.ROOT, "%+.1f", v);
  }

  private static String sci(double v) {
    return v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v);
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }
}
