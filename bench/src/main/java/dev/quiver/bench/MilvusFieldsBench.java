package dev.quiver.bench;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Filtered search on Milvus with metadata in the JSON field (no declared fields) versus the same keys
 * declared as typed, indexed scalar fields (issue 10, item 5). For each server given: loads the same
 * records into two collections (HNSW M=16, efConstruction=64, COSINE), then runs the same filtered
 * queries at 10 %, 1 % and 0.1 % selectivity against both, one at a time, and prints one table of
 * queries per second and recall@10 (against an exact search of the filtered records) side by side.
 *
 * <pre>
 *   java ... dev.quiver.bench.MilvusFieldsBench RECORDS DIMENSION QUERIES NAME=URI [NAME=URI ...]
 * </pre>
 *
 * Started by {@code scripts/bench-milvus-fields.sh}; results in {@code docs/benchmarks/milvus-declared-fields.md}.
 */
public final class MilvusFieldsBench {

  private static final int TOP_K = 10;
  private static final int BATCH = 5_000;

  private record Selectivity(String label, Filter filter) {}

  private MilvusFieldsBench() {}

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: MilvusFieldsBench RECORDS DIMENSION QUERIES NAME=URI [NAME=URI ...]");
      System.exit(2);
    }
    int n = Integer.parseInt(args[0]);
    int dim = Integer.parseInt(args[1]);
    int queries = Integer.parseInt(args[2]);
    List<Record> records = records(n, dim);
    List<float[]> qs = new ArrayList<>();
    Random rnd = new Random(7);
    for (int i = 0; i < queries; i++) {
      qs.add(vector(rnd, dim));
    }
    List<Selectivity> sels = List.of(new Selectivity("10 %", Filter.eq("category", "c3")),
        new Selectivity("1 %", Filter.eq("bucket", 42L)), new Selectivity("0.1 %", Filter.eq("shard", 420L)));
    List<List<List<String>>> truth = new ArrayList<>();
    for (Selectivity s : sels) {
      List<List<String>> perQuery = new ArrayList<>();
      for (float[] q : qs) {
        perQuery.add(exact(records, q, s.filter()));
      }
      truth.add(perQuery);
    }
    StringBuilder out = new StringBuilder();
    for (int a = 3; a < args.length; a++) {
      String[] nameUri = args[a].split("=", 2);
      out.append(run(nameUri[0], nameUri[1], records, dim, qs, sels, truth));
    }
    System.out.println();
    System.out.println(out);
  }

  private static String run(String server, String uri, List<Record> records, int dim, List<float[]> qs,
      List<Selectivity> sels, List<List<List<String>>> truth) {
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    List<MetadataField> fields = List.of(MetadataField.indexed("category", FieldType.STRING),
        MetadataField.indexed("bucket", FieldType.LONG), MetadataField.indexed("shard", FieldType.LONG));
    double[][] qps = new double[2][sels.size()];
    double[][] recall = new double[2][sels.size()];
    long[] loadMs = new long[2];
    try (VectorStore store = Quiver.open(uri + (uri.contains("?") ? "&" : "?") + "deadlineMs=120000")) {
      for (int layout = 0; layout < 2; layout++) {
        String name = (layout == 0 ? "bench_json_" : "bench_fields_") + suffix;
        CollectionSpec.Builder b = CollectionSpec.builder(name).dimension(dim).metric(Metric.COSINE)
            .index(IndexSpec.hnsw(16, 64));
        if (layout == 1) {
          b.fields(fields);
        }
        VectorCollection c = store.createCollection(b.build());
        try {
          long t0 = System.nanoTime();
          for (int i = 0; i < records.size(); i += BATCH) {
            c.upsert(records.subList(i, Math.min(records.size(), i + BATCH)));
          }
          loadMs[layout] = (System.nanoTime() - t0) / 1_000_000;
          System.err.printf(Locale.ROOT, "%s %s: loaded %d records in %.1f s%n", server, layout == 0 ? "JSON" : "fields",
              records.size(), loadMs[layout] / 1000.0);
          for (int s = 0; s < sels.size(); s++) {
            Filter f = sels.get(s).filter();
            for (int w = 0; w < 1; w++) { // warm-up (loads the collection, builds what the server builds lazily)
              c.search(SearchRequest.of(qs.get(w % qs.size()), TOP_K).filter(f));
            }
            double hits = 0;
            double possible = 0;
            long start = System.nanoTime();
            for (int q = 0; q < qs.size(); q++) {
              List<Match> got = c.search(SearchRequest.of(qs.get(q), TOP_K).filter(f));
              Set<String> want = new HashSet<>(truth.get(s).get(q));
              possible += want.size(); // fewer than 10 when fewer records match
              for (Match m : got) {
                if (want.contains(m.id())) {
                  hits++;
                }
              }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            qps[layout][s] = qs.size() / secs;
            recall[layout][s] = hits / possible;
            System.err.printf(Locale.ROOT, "%s %s %s: %.1f QPS, recall@10 %.3f%n", server,
                layout == 0 ? "JSON" : "fields", sels.get(s).label(), qps[layout][s], recall[layout][s]);
          }
        } finally {
          store.dropCollection(name);
        }
      }
    }
    MarkdownTable t = new MarkdownTable("selectivity", "filter", ">JSON layout QPS", ">JSON recall@10",
        ">declared fields QPS", ">declared recall@10", ">speed-up");
    for (int s = 0; s < sels.size(); s++) {
      t.row(sels.get(s).label(), "`" + sels.get(s).filter() + "`", fmt(qps[0][s], 1), fmt(recall[0][s], 3),
          fmt(qps[1][s], 1), fmt(recall[1][s], 3), fmt(qps[1][s] / qps[0][s], 2) + "×");
    }
    return "### " + server + " (" + records.size() + " records, dim " + records.get(0).dimension()
        + ", HNSW M=16 efConstruction=64, COSINE, " + qs.size() + " queries per row, top-10)\n\n"
        + "Load: JSON layout " + fmt(loadMs[0] / 1000.0, 1) + " s, declared fields " + fmt(loadMs[1] / 1000.0, 1) + " s.\n\n"
        + t.render() + "\n";
  }

  private static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** Records with category (10 values), bucket (100), shard (1000) and two undeclared keys. */
  static List<Record> records(int n, int dim) {
    Random rnd = new Random(42);
    List<Record> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Metadata m = Metadata.of("category", "c" + rnd.nextInt(10), "bucket", (long) rnd.nextInt(100),
          "shard", (long) rnd.nextInt(1000), "title", "document " + i, "score", rnd.nextDouble());
      out.add(Record.of("r" + i, vector(rnd, dim), m));
    }
    return out;
  }

  private static float[] vector(Random rnd, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  /** The ids of the exact top-10 by cosine among the records the filter matches. */
  private static List<String> exact(List<Record> records, float[] q, Filter f) {
    PriorityQueue<Object[]> heap = new PriorityQueue<>((a, b) -> Double.compare((double) a[0], (double) b[0]));
    for (Record r : records) {
      if (!f.matches(r.metadata())) {
        continue;
      }
      double s = Metric.COSINE.score(q, r.vector());
      if (heap.size() < TOP_K) {
        heap.add(new Object[] {s, r.id()});
      } else if (s > (double) heap.peek()[0]) {
        heap.poll();
        heap.add(new Object[] {s, r.id()});
      }
    }
    List<String> ids = new ArrayList<>();
    heap.forEach(o -> ids.add((String) o[1]));
    return ids;
  }
}
