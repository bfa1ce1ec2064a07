package dev.quiver.qdrant.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.BackendException;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.MultiVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Common.PointId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The native-layout mapping of collections Quiver did not create, without a server. */
class ForeignLayoutTest {

  static final VectorParams COS8 = VectorParams.newBuilder().setSize(8).setDistance(Distance.Cosine).build();

  static CollectionInfo info(VectorsConfig vectors, Map<String, SparseVectorParams> sparse) {
    CollectionParams.Builder p = CollectionParams.newBuilder();
    if (vectors != null) {
      p.setVectorsConfig(vectors);
    }
    if (!sparse.isEmpty()) {
      p.setSparseVectorsConfig(SparseVectorConfig.newBuilder().putAllMap(sparse));
    }
    return CollectionInfo.newBuilder().setConfig(CollectionConfig.newBuilder().setParams(p)
        .setHnswConfig(HnswConfigDiff.newBuilder().setM(16).setEfConstruct(100))).build();
  }

  static CollectionInfo named(Map<String, VectorParams> m) {
    return info(VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder().putAllMap(m)).build(), Map.of());
  }

  @Test
  @DisplayName("an unnamed vector is the default; dimension, metric and index come from the collection's config")
  void unnamed() {
    ForeignLayout l = ForeignLayout.open("c", info(VectorsConfig.newBuilder().setParams(COS8).build(), Map.of()),
        Optional.empty(), false);
    assertEquals(8, l.spec().dimension());
    assertEquals(Metric.COSINE, l.spec().metric());
    assertEquals(IndexSpec.hnsw(16, 100), l.spec().index());
    assertEquals(Optional.empty(), l.using());
    assertTrue(l.spec().layout().get("vector").contains("unnamed"), l.spec().layout().toString());
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> ForeignLayout.open("c", info(VectorsConfig.newBuilder().setParams(COS8).build(), Map.of()), Optional.of("text"), false));
    assertTrue(e.getMessage().contains("unnamed"), e.getMessage());
  }

  @Test
  @DisplayName("several named vectors must be chosen by name; the error names them; describing reports the first")
  void severalNamed() {
    CollectionInfo info = named(Map.of("text", COS8, "image",
        VectorParams.newBuilder().setSize(4).setDistance(Distance.Euclid).build()));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> ForeignLayout.open("c", info, Optional.empty(), false));
    assertTrue(e.getMessage().contains("[image, text]"), e.getMessage());
    ForeignLayout text = ForeignLayout.open("c", info, Optional.of("text"), false);
    assertEquals(Optional.of("text"), text.using());
    assertEquals(List.of("image"), text.otherVectors());
    assertEquals(8, text.spec().dimension());
    ForeignLayout described = ForeignLayout.open("c", info, Optional.empty(), true);
    assertEquals(4, described.spec().dimension());
    assertEquals(Metric.EUCLIDEAN, described.spec().metric());
    e = assertThrows(InvalidArgumentException.class, () -> ForeignLayout.open("c", info, Optional.of("audio"), false));
    assertTrue(e.getMessage().contains("audio") && e.getMessage().contains("[image, text]"), e.getMessage());
    assertEquals(Optional.of("solo"), ForeignLayout.open("c", named(Map.of("solo", COS8)), Optional.empty(), false).using());
  }

  @Test
  @DisplayName("sparse-only collections, multi-vectors, Manhattan and non-float32 vectors are refused by name")
  void unmappableVectors() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> ForeignLayout.open("c",
        info(null, Map.of("bm25", SparseVectorParams.getDefaultInstance())), Optional.empty(), false));
    assertTrue(e.getMessage().contains("sparse") && e.getMessage().contains("bm25"), e.getMessage());
    e = assertThrows(InvalidArgumentException.class, () -> ForeignLayout.open("c",
        named(Map.of("m", COS8.toBuilder().setDistance(Distance.Manhattan).build())), Optional.empty(), false));
    assertTrue(e.getMessage().contains("Manhattan"), e.getMessage());
    e = assertThrows(InvalidArgumentException.class, () -> ForeignLayout.open("c",
        named(Map.of("colbert", COS8.toBuilder().setMultivectorConfig(MultiVectorConfig.getDefaultInstance()).build())),
        Optional.empty(), false));
    assertTrue(e.getMessage().contains("multi-vector"), e.getMessage());
    e = assertThrows(InvalidArgumentException.class, () -> ForeignLayout.open("c",
        named(Map.of("q", COS8.toBuilder().setDatatype(io.qdrant.client.grpc.Collections.Datatype.Uint8).build())),
        Optional.empty(), false));
    assertTrue(e.getMessage().contains("Uint8"), e.getMessage());
    ForeignLayout withSparse = ForeignLayout.open("c", info(VectorsConfig.newBuilder().setParamsMap(
        VectorParamsMap.newBuilder().putMap("dense", COS8)).build(), Map.of("bm25", SparseVectorParams.getDefaultInstance())),
        Optional.empty(), false);
    assertEquals(List.of("bm25"), withSparse.otherVectors(), "upserts keep the sparse vector");
    assertTrue(withSparse.spec().layout().get("vector").contains("bm25"));
  }

  static Value v(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  @Test
  @DisplayName("payload as metadata: integers are Longs, floats Doubles; null and [] are missing; what metadata cannot hold is named")
  void payloads() {
    ForeignLayout l = ForeignLayout.open("c", info(VectorsConfig.newBuilder().setParams(COS8).build(), Map.of()),
        Optional.empty(), false);
    Map<String, Value> p = new LinkedHashMap<>();
    p.put("s", v("x"));
    p.put("n", Value.newBuilder().setIntegerValue(7).build());
    p.put("d", Value.newBuilder().setDoubleValue(0.5).build());
    p.put("b", Value.newBuilder().setBoolValue(true).build());
    p.put("tags", Value.newBuilder().setListValue(ListValue.newBuilder().addValues(v("a")).addValues(v("b"))).build());
    p.put("gone", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build());
    p.put("empty", Value.newBuilder().setListValue(ListValue.getDefaultInstance()).build());
    assertEquals(Metadata.of("s", "x", "n", 7L, "d", 0.5, "b", true, "tags", List.of("a", "b")), l.metadata(p, "r1"));
    Map<String, Value> nested = Map.of("metadata", Value.newBuilder().setStructValue(Struct.newBuilder()
        .putFields("author", v("ann"))).build());
    BackendException e = assertThrows(BackendException.class, () -> l.metadata(nested, "r2"));
    assertTrue(e.getMessage().contains("'metadata'") && e.getMessage().contains("nested object") && e.getMessage().contains("r2"),
        e.getMessage());
    Map<String, Value> numbers = Map.of("scores", Value.newBuilder().setListValue(ListValue.newBuilder()
        .addValues(Value.newBuilder().setIntegerValue(1))).build());
    e = assertThrows(BackendException.class, () -> l.metadata(numbers, "r3"));
    assertTrue(e.getMessage().contains("'scores'") && e.getMessage().contains("non-strings"), e.getMessage());
    for (String bad : List.of("text-segment", "__id", "in", "1st", "a b")) {
      e = assertThrows(BackendException.class, () -> l.metadata(Map.of(bad, v("x")), "r4"));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertEquals(Map.of("s", v("x"), "n", Value.newBuilder().setIntegerValue(7).build()),
        l.payload("1", Metadata.of("s", "x", "n", 7L)), "no reserved keys are written");
  }

  @Test
  @DisplayName("ids: decimal u64 and canonical UUIDs only; other spellings name no point and are refused on write")
  void ids() {
    assertEquals(PointId.newBuilder().setNum(0).build(), PointIds.nativeId("0").orElseThrow());
    assertEquals(PointId.newBuilder().setNum(-1L).build(), PointIds.nativeId("18446744073709551615").orElseThrow());
    String u = "6f1c0d9a-3b2e-4c1f-9a7d-0e5b8c2d4f6a";
    assertEquals(PointId.newBuilder().setUuid(u).build(), PointIds.nativeId(u).orElseThrow());
    for (String bad : List.of("18446744073709551616", "007", "-1", "+1", "1.0", u.toUpperCase(java.util.Locale.ROOT),
        "{" + u + "}", u.replace("-", ""), "doc-1", "")) {
      assertEquals(Optional.empty(), PointIds.nativeId(bad), bad);
    }
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> PointIds.requireNativeId(u.toUpperCase(java.util.Locale.ROOT), "c"));
    assertTrue(e.getMessage().contains("write it as '" + u + "'"), e.getMessage());
    ForeignLayout l = ForeignLayout.open("c", info(VectorsConfig.newBuilder().setParams(COS8).build(), Map.of()),
        Optional.empty(), false);
    float[] vec = {1, 0, 0, 0, 0, 0, 0, 0};
    assertThrows(InvalidArgumentException.class, () -> l.checkWritable(List.of(Record.of("007", vec, Metadata.empty()))));
    e = assertThrows(InvalidArgumentException.class,
        () -> l.checkWritable(List.of(Record.of("7", vec, Metadata.of("tags", List.of())))));
    assertTrue(e.getMessage().contains("'tags'"), e.getMessage());
    assertEquals("18446744073709551615", PointIds.text(PointIds.nativeId("18446744073709551615").orElseThrow()));
  }
}
