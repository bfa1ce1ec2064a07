package dev.quiver.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.quiver.CollectionSpec;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration of collections Quiver did not create: a Qdrant collection made by Qdrant's own Java
 * client in the quick-start layout (integer point ids, a flat payload) and a Milvus collection made
 * by Milvus's own Java SDK with its quick setup (INT64 {@code id}, {@code vector}, dynamic field),
 * each copied into a durable local store and verified record by record, then copied on into a
 * Quiver collection on the other server. Needs the servers of scripts/test.sh; skipped with the
 * reason printed without them.
 */
class ForeignCollectionMigrationTest {

  static final int N = 300;
  static final int DIM = 8;

  /** The records as the vendor client writes them: decimal ids, typed metadata. */
  static List<Record> records() {
    Random r = new Random(7);
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = (float) r.nextGaussian();
      }
      out.add(Record.of(String.valueOf(10_000 + i), v, Metadata.of("category", "c" + i % 4, "year", 2000L + i % 20,
          "rating", i * 0.125, "published", i % 3 == 0, "text", "document number " + i)));
    }
    return out;
  }

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      System.out.println("ForeignCollectionMigrationTest: SKIPPED: " + name + " is not set (scripts/test.sh sets it)");
      Assumptions.abort(name + " is not set");
    }
    return v.trim();
  }

  private static String name(String prefix) {
    return prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  }

  /** Copies {@code foreign} into a durable local store, verifies, and checks every record against {@code written}. */
  private static VectorCollection copyToLocalAndCheck(VectorCollection foreign, Path dir, VectorStore local) {
    assertTrue(!foreign.spec().layout().isEmpty(), "a foreign collection describes its layout: " + foreign.spec());
    MigrationReport report = Migration.from(foreign).to(local, "copy").checkpoint(dir.resolve("cp.json")).run();
    assertTrue(report.ok(), report.describe());
    assertEquals(N, report.writtenTotal());
    VectorCollection copy = local.collection("copy");
    assertEquals(N, copy.count());
    Map<String, Record> want = new HashMap<>();
    records().forEach(r -> want.put(r.id(), r));
    for (Record got : copy.list(ListRequest.of(N)).records()) {
      Record w = want.get(got.id());
      assertTrue(w != null, "unknown id " + got.id());
      for (String key : w.metadata().keys()) {
        Object a = w.metadata().get(key).orElseThrow();
        Object b = got.metadata().get(key).orElse(null);
        boolean same = a instanceof Number x && b instanceof Number y ? x.doubleValue() == y.doubleValue() : a.equals(b);
        assertTrue(same, got.id() + "." + key + ": written " + a + ", copied " + b);
      }
    }
    return copy;
  }

  @Test
  @DisplayName("a Qdrant quick-start collection made by Qdrant's Java client is migrated to a local store and on to Milvus, verified")
  void qdrantQuickStart(@TempDir Path dir) throws Exception {
    URI url = URI.create(env("QUIVER_QDRANT_URL").replaceFirst("^qdrant://", "http://"));
    String name = name("qs_");
    try (QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder(url.getHost(), url.getPort(), false).build())) {
      client.createCollectionAsync(name, VectorParams.newBuilder().setSize(DIM).setDistance(Distance.Cosine).build()).get();
      List<PointStruct> points = new ArrayList<>();
      for (Record r : records()) {
        Map<String, Value> payload = new HashMap<>();
        r.metadata().asMap().forEach((k, v) -> payload.put(k, v instanceof String s ? ValueFactory.value(s)
            : v instanceof Long l ? ValueFactory.value(l) : v instanceof Double d ? ValueFactory.value(d)
            : ValueFactory.value((Boolean) v)));
        points.add(PointStruct.newBuilder().setId(PointIdFactory.id(Long.parseLong(r.id())))
            .setVectors(VectorsFactory.vectors(r.vector())).putAllPayload(payload).build());
      }
      client.upsertAsync(name, points).get();
      try (VectorStore qdrant = Quiver.open(env("QUIVER_QDRANT_URL"));
          VectorStore local = Quiver.open("local:" + dir.resolve("store"))) {
        VectorCollection copy = copyToLocalAndCheck(qdrant.collection(name), dir, local);
        String milvus = System.getenv("QUIVER_MILVUS_URI");
        if (milvus != null && !milvus.isBlank()) {
          try (VectorStore lite = Quiver.open(milvus.trim())) {
            String onward = name("onward_");
            MigrationReport r = Migration.from(copy).to(lite, onward).checkpoint(dir.resolve("cp2.json")).run();
            assertTrue(r.ok(), r.describe());
            assertEquals(N, lite.collection(onward).count());
            lite.dropCollection(onward);
          }
        }
      }
    } finally {
      try (QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder(url.getHost(), url.getPort(), false).build())) {
        client.deleteCollectionAsync(name).get();
      }
    }
  }

  @Test
  @DisplayName("a Milvus quick-setup collection made by Milvus's Java SDK (INT64 id, dynamic field) is migrated to a local store and on to Qdrant, verified")
  void milvusQuickSetup(@TempDir Path dir) throws Exception {
    URI uri = URI.create(env("QUIVER_MILVUS_URI").replaceFirst("^milvus://", "http://"));
    String name = name("qs_");
    MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder()
        .uri("http://" + uri.getHost() + ":" + uri.getPort()).build());
    try {
      client.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(DIM)
          .metricType("COSINE").build());
      List<JsonObject> rows = new ArrayList<>();
      for (Record r : records()) {
        JsonObject row = new JsonObject();
        row.addProperty("id", Long.parseLong(r.id()));
        com.google.gson.JsonArray v = new com.google.gson.JsonArray();
        for (float x : r.vector()) {
          v.add(x);
        }
        row.add("vector", v);
        r.metadata().asMap().forEach((k, val) -> {
          if (val instanceof String s) {
            row.addProperty(k, s);
          } else if (val instanceof Number n) {
            row.addProperty(k, n);
          } else {
            row.addProperty(k, (Boolean) val);
          }
        });
        rows.add(row);
      }
      client.insert(InsertReq.builder().collectionName(name).data(rows).build());
      try (VectorStore milvus = Quiver.open(env("QUIVER_MILVUS_URI"));
          VectorStore local = Quiver.open("local:" + dir.resolve("store"))) {
        VectorCollection copy = copyToLocalAndCheck(milvus.collection(name), dir, local);
        String qdrant = System.getenv("QUIVER_QDRANT_URL");
        if (qdrant != null && !qdrant.isBlank()) {
          try (VectorStore q = Quiver.open(qdrant.trim())) {
            String onward = name("onward_");
            MigrationReport r = Migration.from(copy).to(q, onward).checkpoint(dir.resolve("cp2.json")).run();
            assertTrue(r.ok(), r.describe());
            assertEquals(N, q.collection(onward).count());
            q.dropCollection(onward);
          }
        }
      }
    } finally {
      client.dropCollection(DropCollectionReq.builder().collectionName(name).build());
      client.close();
    }
  }
}
