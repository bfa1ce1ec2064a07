package dev.quiver.migrate;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.response.QueryResp;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt;
import io.qdrant.client.grpc.Points.PointStruct;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Records per second of {@link Migration} beside hand-written copy loops with the vendor SDKs, in the
 * same run, on the same data: (A) embedded engine → Milvus Lite, the hand loop reading the engine
 * through Quiver's list (there is no other way to read it) and writing with milvus-sdk-java; (B)
 * Milvus Lite → the Qdrant engine server, the hand loop reading with milvus-sdk-java (primary-key
 * cursor) and writing with io.qdrant:client. Each loop is sequential with 500-record batches, as such
 * loops are usually written. Runs alternate (hand, Quiver, hand, Quiver, ...) and medians are
 * reported. Usage: see docs/benchmarks/migration.md ({@code scripts/bench-migration.sh}).
 */
public final class MigrationBenchmark {

  private MigrationBenchmark() {}

  /**
   * @param args records dimension repeats milvusLiteUri qdrantUrl
   * @throws Exception on any failure
   */
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int dim = Integer.parseInt(args[1]);
    int repeats = Integer.parseInt(args[2]);
    String lite = args[3];
    String qdrant = args[4];
    String tag = Long.toHexString(System.nanoTime() & 0xfffff);
    Path tmp = Files.createTempDirectory("quiver-migrate-bench");
    List<double[]> a = new ArrayList<>(); // {hand, quiver, quiver with full verification}
    List<double[]> b = new ArrayList<>();
    try (VectorStore local = Quiver.open("memory:"); VectorStore milvus = Quiver.open(lite);
        VectorStore qd = Quiver.open(qdrant)) {
      VectorCollection src = local.createCollection(CollectionSpec.builder("bench").dimension(dim).metric(Metric.COSINE)
          .index(IndexSpec.flat()).build());
      List<Record> data = data(n, dim);
      for (int i = 0; i < n; i += 5000) {
        src.upsert(data.subList(i, Math.min(n, i + 5000)));
      }
      URI lu = URI.create(lite);
      URI qu = URI.create(qdrant);
      MilvusClientV2 mc = new MilvusClientV2(ConnectConfig.builder().uri("http://" + lu.getHost() + ":" + lu.getPort()).build());
      QdrantClient qc = new QdrantClient(QdrantGrpcClient.newBuilder(qu.getHost(), qu.getPort(), false).build());
      try {
        for (int r = 0; r < repeats; r++) {
          String hand = "hand_" + tag + "_" + r;
          double handA = n / seconds(() -> handLocalToMilvus(src, mc, hand, dim));
          String plainA = "plain_" + tag + "_" + r;
          double apiA = n / seconds(() -> quiverLoop(src, milvus, plainA));
          String q = "q_" + tag + "_" + r;
          double quiverA = n / seconds(() -> Migration.from(src).to(milvus, q).verify(Migration.Verify.NONE)
              .checkpoint(tmp.resolve(q + ".json")).run());
          String qv = "qv_" + tag + "_" + r;
          double quiverAv = n / seconds(() -> Migration.from(src).to(milvus, qv).checkpoint(tmp.resolve(qv + ".json")).run());
          a.add(new double[] {handA, quiverA, quiverAv, apiA});
          System.out.printf(Locale.ROOT, "A run %d: hand %.0f rec/s, quiver api loop %.0f rec/s, quiver %.0f rec/s,"
              + " quiver+verify %.0f rec/s%n", r, handA, apiA, quiverA, quiverAv);

          // B reads the collection Quiver wrote in A (the same records in both loops)
          String handB = "hand-" + tag + "-" + r;
          double hb = n / seconds(() -> handMilvusToQdrant(mc, q, qc, handB, dim));
          String plainB = "plain-" + tag + "-" + r;
          double apiB = n / seconds(() -> quiverLoop(milvus.collection(q), qd, plainB));
          String qb = "q-" + tag + "-" + r;
          double quiverB = n / seconds(() -> Migration.from(milvus.collection(q)).to(qd, qb).verify(Migration.Verify.NONE)
              .checkpoint(tmp.resolve(qb + ".json")).run());
          String qbv = "qv-" + tag + "-" + r;
          double quiverBv = n / seconds(() -> Migration.from(milvus.collection(q)).to(qd, qbv)
              .checkpoint(tmp.resolve(qbv + ".json")).run());
          b.add(new double[] {hb, quiverB, quiverBv, apiB});
          System.out.printf(Locale.ROOT, "B run %d: hand %.0f rec/s, quiver api loop %.0f rec/s, quiver %.0f rec/s,"
              + " quiver+verify %.0f rec/s%n", r, hb, apiB, quiverB, quiverBv);
          mc.dropCollection(DropCollectionReq.builder().collectionName(hand).build());
          for (String c : List.of(q, qv, plainA)) {
            milvus.dropCollection(c);
          }
          qc.deleteCollectionAsync(handB).get();
          qd.dropCollection(qb);
          qd.dropCollection(qbv);
          qd.dropCollection(plainB);
        }
      } finally {
        mc.close();
        qc.close();
      }
    }
    System.out.printf(Locale.ROOT, "%n%d records, dimension %d, COSINE, batches of 500, medians of %d runs%n%n", n, dim, repeats);
    System.out.println("| copy | hand-written loop (vendor SDKs) | hand-written loop (Quiver API) | quiver migrate (no verification) | ratio to the SDK loop | quiver migrate with full verification |");
    System.out.println("|---|---|---|---|---|---|");
    row("embedded → Milvus Lite", a);
    row("Milvus Lite → Qdrant engine server", b);
  }

  private static void row(String name, List<double[]> runs) {
    double hand = median(runs, 0);
    double q = median(runs, 1);
    double qv = median(runs, 2);
    double api = median(runs, 3);
    System.out.printf(Locale.ROOT, "| %s | %,.0f rec/s | %,.0f rec/s | %,.0f rec/s | %.2f× | %,.0f rec/s |%n", name, hand,
        api, q, q / hand, qv);
  }

  private static double median(List<double[]> runs, int i) {
    double[] v = runs.stream().mapToDouble(r -> r[i]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private interface Body {
    void run() throws Exception;
  }

  private static double seconds(Body body) {
    long t0 = System.nanoTime();
    try {
      body.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  static List<Record> data(int n, int dim) {
    return TestData.simple(n, dim, 1);
  }

  /** The same copy as a plain sequential loop over Quiver's API: what the adapters cost without the migration. */
  static void quiverLoop(VectorCollection src, VectorStore to, String name) {
    VectorCollection dst = to.createCollection(CollectionSpec.builder(name).dimension(src.spec().dimension())
        .metric(src.spec().metric()).index(src.spec().index()).build());
    String cursor = null;
    do {
      Page p = src.list(ListRequest.of(500).cursor(cursor));
      dst.upsert(p.records());
      cursor = p.nextCursor().orElse(null);
    } while (cursor != null);
  }

  /** The hand-written loop for A: read pages from the engine, upsert them with milvus-sdk-java. */
  static void handLocalToMilvus(VectorCollection src, MilvusClientV2 mc, String name, int dim) {
    CreateCollectionReq.CollectionSchema schema = CreateCollectionReq.CollectionSchema.builder().build();
    schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.VarChar).maxLength(512)
        .isPrimaryKey(true).autoID(false).build());
    schema.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(dim).build());
    schema.addField(AddFieldReq.builder().fieldName("meta").dataType(DataType.JSON).build());
    mc.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema)
        .indexParams(List.of(IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.FLAT)
            .metricType(IndexParam.MetricType.COSINE).build()))
        .consistencyLevel(ConsistencyLevel.STRONG).build());
    String cursor = null;
    do {
      Page p = src.list(ListRequest.of(500).cursor(cursor));
      List<JsonObject> rows = new ArrayList<>(p.records().size());
      for (Record r : p.records()) {
        JsonObject row = new JsonObject();
        row.addProperty("id", r.id());
        JsonArray vec = new JsonArray();
        for (float f : r.vector()) {
          vec.add(f);
        }
        row.add("vec", vec);
        JsonObject meta = new JsonObject();
        r.metadata().asMap().forEach((k, v) -> {
          if (v instanceof String s) {
            meta.addProperty(k, s);
          } else if (v instanceof Number x) {
            meta.addProperty(k, x);
          } else if (v instanceof Boolean x) {
            meta.addProperty(k, x);
          } else if (v instanceof List<?> l) {
            JsonArray arr = new JsonArray();
            l.forEach(e -> arr.add((String) e));
            meta.add(k, arr);
          }
        });
        row.add("meta", meta);
        rows.add(row);
      }
      mc.upsert(UpsertReq.builder().collectionName(name).data(rows).build());
      cursor = p.nextCursor().orElse(null);
    } while (cursor != null);
  }

  /** The hand-written loop for B: a primary-key cursor over Milvus, upserts with the Qdrant client. */
  static void handMilvusToQdrant(MilvusClientV2 mc, String quiverName, QdrantClient qc, String name, int dim)
      throws Exception {
    qc.createCollectionAsync(name, VectorParams.newBuilder().setDistance(Distance.Cosine).setSize(dim).build()).get();
    String milvusName = quiverName; // plain names are used unchanged by the Quiver adapter
    String last = null;
    Map<String, Object> params = new HashMap<>();
    params.put("iterator", "True");
    while (true) {
      String expr = last == null ? "" : "id > \"" + last + "\"";
      List<QueryResp.QueryResult> rows = mc.query(QueryReq.builder().collectionName(milvusName).filter(expr)
          .outputFields(List.of("id", "vec", "meta")).limit(500).queryParams(params)
          .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults();
      if (rows.isEmpty()) {
        break;
      }
      List<PointStruct> points = new ArrayList<>(rows.size());
      for (QueryResp.QueryResult row : rows) {
        Map<String, Object> e = row.getEntity();
        String id = (String) e.get("id");
        last = last == null || id.compareTo(last) > 0 ? id : last;
        @SuppressWarnings("unchecked")
        List<Float> vec = (List<Float>) e.get("vec");
        float[] v = new float[vec.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = vec.get(i);
        }
        Map<String, JsonWithInt.Value> payload = new HashMap<>();
        payload.put("_id", ValueFactory.value(id));
        for (Map.Entry<String, JsonElement> m : ((JsonObject) e.get("meta")).entrySet()) {
          payload.put(m.getKey(), value(m.getValue()));
        }
        points.add(PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8))))
            .setVectors(VectorsFactory.vectors(v)).putAllPayload(payload).build());
      }
      qc.upsertAsync(name, points).get();
      if (rows.size() < 500) {
        break;
      }
    }
  }

  private static JsonWithInt.Value value(JsonElement j) {
    if (j.isJsonArray()) {
      List<JsonWithInt.Value> l = new ArrayList<>();
      j.getAsJsonArray().forEach(x -> l.add(value(x)));
      return ValueFactory.list(l);
    }
    var p = j.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return ValueFactory.value(p.getAsBoolean());
    }
    if (p.isNumber()) {
      String s = p.getAsString();
      return s.contains(".") || s.contains("e") || s.contains("E") ? ValueFactory.value(p.getAsDouble())
          : ValueFactory.value(p.getAsLong());
    }
    return ValueFactory.value(p.getAsString());
  }

}
