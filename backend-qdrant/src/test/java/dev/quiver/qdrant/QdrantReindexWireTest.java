package dev.quiver.qdrant;

import static dev.quiver.qdrant.QdrantWireTest.proto;
import static dev.quiver.qdrant.QdrantWireTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.BackendException;
import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.FieldType;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.SearchRequest;
import dev.quiver.Secret;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.qdrant.internal.Specs;
import io.grpc.Status;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Points.QueryPoints;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code reindex} over the wire: the exact {@code UpdateCollection} Quiver sends (fields as Qdrant's
 * collections.proto defines them), how the handle's searches follow the new index, what is refused
 * before any call, and how Qdrant's answers and errors come back.
 */
class QdrantReindexWireTest {

  FakeQdrant fake;
  QdrantVectorStore store;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeQdrant();
    store = QdrantVectorStore.builder().channel(fake.channel()).apiKey(Secret.of("s3cr3t-key"))
        .timeout(Duration.ofSeconds(5)).retryBackoff(Duration.ofMillis(1)).build();
  }

  @AfterEach
  void stop() throws Exception {
    store.close();
    fake.close();
  }

  /** What Qdrant reports for a collection Quiver created with {@code spec}. */
  static GetCollectionInfoResponse quiverInfo(CollectionSpec spec) {
    var c = Specs.createRequest(spec);
    return GetCollectionInfoResponse.newBuilder().setResult(CollectionInfo.newBuilder().setConfig(
        CollectionConfig.newBuilder().setParams(CollectionParams.newBuilder().setVectorsConfig(c.getVectorsConfig()))
            .setHnswConfig(c.getHnswConfig()).putAllMetadata(c.getMetadataMap()))).build();
  }

  /** What Qdrant reports for a collection made by another client: the vectors given, no metadata. */
  static GetCollectionInfoResponse foreignInfo(VectorsConfig vectors) {
    return GetCollectionInfoResponse.newBuilder().setResult(CollectionInfo.newBuilder().setConfig(
        CollectionConfig.newBuilder().setParams(CollectionParams.newBuilder().setVectorsConfig(vectors))
            .setHnswConfig(HnswConfigDiff.newBuilder().setM(16).setEfConstruct(100)))).build();
  }

  VectorCollection open(GetCollectionInfoResponse info, String name) {
    fake.reply("collectionGet", info);
    VectorCollection c = store.collection(name);
    fake.calls.clear();
    return c;
  }

  QueryPoints search(VectorCollection c) {
    c.search(SearchRequest.of(new float[] {1, 0, 0, 0}, 3).ef(40));
    return (QueryPoints) fake.last("query");
  }

  @Test
  void capabilitiesDeclareReindexNativeAndIvfUnsupported() {
    Capabilities caps = store.capabilities();
    assertEquals(Capabilities.Support.NATIVE, caps.entry(Feature.REINDEX).support());
    assertFalse(caps.supports(Feature.INDEX_IVF_FLAT));
    assertFalse(caps.supports(Feature.INDEX_IVF_PQ));
  }

  @Test
  void flatToHnswSendsTheHnswConfigAndTheSpecRecordInOneUpdate() {
    VectorCollection c = open(quiverInfo(spec("docs", 4, Metric.COSINE, IndexSpec.flat())), "docs");
    assertTrue(search(c).getParams().getExact(), "FLAT searches exactly before the reindex");
    fake.calls.clear();
    c.reindex(IndexSpec.hnsw(24, 200));
    assertEquals(proto(UpdateCollection.class, """
        collection_name: "docs"
        hnsw_config { m: 24 ef_construct: 200 }
        metadata { key: "quiver" value { struct_value {
          fields { key: "format" value { integer_value: 1 } }
          fields { key: "dimension" value { integer_value: 4 } }
          fields { key: "metric" value { string_value: "COSINE" } }
          fields { key: "index" value { string_value: "HNSW" } }
          fields { key: "m" value { integer_value: 24 } }
          fields { key: "ef_construction" value { integer_value: 200 } }
        } } }
        """), fake.last("update"));
    assertEquals(List.of("update"), FakeQdrant.methods(fake.calls), "one request, nothing read or written besides");
    assertEquals(IndexSpec.hnsw(24, 200), c.spec().index());
    QueryPoints q = search(c);
    assertFalse(q.getParams().hasExact(), "an HNSW search is not exact");
    assertEquals(40, q.getParams().getHnswEf(), "the ef hint goes to Qdrant now");
  }

  @Test
  void hnswToFlatKeepsDeclaredFieldsAndTenantsInTheSpecRecord() {
    CollectionSpec s = CollectionSpec.builder("mt").dimension(4).metric(Metric.DOT_PRODUCT).index(IndexSpec.hnsw(16, 100))
        .fields(List.of(new MetadataField("year", FieldType.LONG, true))).undeclaredKeysAllowed(false)
        .multiTenant(true).build();
    VectorCollection c = open(quiverInfo(s), "mt");
    c.reindex(IndexSpec.flat());
    assertEquals(proto(UpdateCollection.class, """
        collection_name: "mt"
        hnsw_config { m: 0 }
        metadata { key: "quiver" value { struct_value {
          fields { key: "format" value { integer_value: 2 } }
          fields { key: "dimension" value { integer_value: 4 } }
          fields { key: "metric" value { string_value: "DOT_PRODUCT" } }
          fields { key: "index" value { string_value: "FLAT" } }
          fields { key: "fields" value { list_value { values { struct_value {
            fields { key: "name" value { string_value: "year" } }
            fields { key: "type" value { string_value: "LONG" } }
            fields { key: "indexed" value { bool_value: true } }
          } } } } }
          fields { key: "undeclared_keys" value { bool_value: false } }
          fields { key: "multi_tenant" value { bool_value: true } }
        } } }
        """), fake.last("update"));
    assertEquals(s.toBuilder().index(IndexSpec.flat()).build(), c.spec());
    // the spec record Quiver wrote reads back as the new spec, fields and tenants included
    UpdateCollection sent = (UpdateCollection) fake.last("update");
    GetCollectionInfoResponse after = quiverInfo(s);
    after = after.toBuilder().setResult(after.getResult().toBuilder().setConfig(after.getResult().getConfig().toBuilder()
        .setHnswConfig(sent.getHnswConfig()).putAllMetadata(sent.getMetadataMap()))).build();
    fake.reply("collectionGet", after);
    assertEquals(c.spec(), store.describeCollection("mt"));
    VectorCollection t = c.tenant("acme");
    fake.calls.clear();
    assertTrue(search(t).getParams().getExact(), "a tenant handle follows the collection's new index");
  }

  @Test
  void ivfTargetsAndTenantHandlesAreRefusedBeforeAnyCall() {
    CollectionSpec s = CollectionSpec.builder("mt").dimension(4).index(IndexSpec.flat()).multiTenant(true).build();
    VectorCollection c = open(quiverInfo(s), "mt");
    UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> c.reindex(IndexSpec.ivfFlat(8)));
    assertEquals(Feature.INDEX_IVF_FLAT, e.feature());
    assertEquals("qdrant", e.backend());
    e = assertThrows(UnsupportedFeatureException.class, () -> c.reindex(IndexSpec.ivfPq(8, 2, 8)));
    assertEquals(Feature.INDEX_IVF_PQ, e.feature());
    assertThrows(InvalidArgumentException.class, () -> c.tenant("acme").reindex(IndexSpec.hnsw(16, 64)));
    assertThrows(InvalidArgumentException.class, () -> c.reindex(null));
    assertTrue(fake.calls.isEmpty(), "nothing was sent: " + FakeQdrant.methods(fake.calls));
    assertEquals(IndexSpec.flat(), c.spec().index());
  }

  @Test
  void transientErrorsAreRetriedAndTheSameChangeIsSentAgain() {
    VectorCollection c = open(quiverInfo(spec("docs", 4, Metric.EUCLIDEAN, IndexSpec.hnsw(16, 100))), "docs");
    fake.reply("update", Status.UNAVAILABLE.withDescription("connection reset"));
    c.reindex(IndexSpec.hnsw(32, 64));
    assertEquals(2, fake.calls("update").size());
    assertEquals(fake.calls("update").get(0).request(), fake.calls("update").get(1).request());
    assertEquals(IndexSpec.hnsw(32, 64), c.spec().index());
  }

  @Test
  void aRefusedOrUnconfirmedChangeLeavesTheHandleOnItsIndex() {
    VectorCollection c = open(quiverInfo(spec("docs", 4, Metric.EUCLIDEAN, IndexSpec.flat())), "docs");
    // Qdrant validates ef_construct >= 4 (validate_u64_range_min_4) before it changes anything
    fake.reply("update", Status.INVALID_ARGUMENT.withDescription(
        "Validation error in body: [hnsw_config.ef_construct: value 2 invalid, must be 4 or larger]"));
    InvalidArgumentException bad = assertThrows(InvalidArgumentException.class, () -> c.reindex(IndexSpec.hnsw(16, 2)));
    assertTrue(bad.getMessage().contains("ef_construct"), bad.getMessage());
    assertEquals(1, fake.calls("update").size(), "a refusal is not retried");
    assertEquals(IndexSpec.flat(), c.spec().index());
    fake.reply("update", FakeQdrant.ok(false));
    BackendException unconfirmed = assertThrows(BackendException.class, () -> c.reindex(IndexSpec.hnsw(16, 64)));
    assertTrue(unconfirmed.getMessage().contains("did not confirm"), unconfirmed.getMessage());
    assertEquals(IndexSpec.flat(), c.spec().index());
    fake.calls.clear();
    assertTrue(search(c).getParams().getExact(), "still searched as FLAT");
  }

  @Test
  void aForeignCollectionGetsAVectorLevelChangeAndNoMetadata() {
    VectorsConfig unnamed = VectorsConfig.newBuilder().setParams(VectorParams.newBuilder().setSize(4)
        .setDistance(Distance.Dot)).build();
    VectorCollection c = open(foreignInfo(unnamed), "vendor");
    c.reindex(IndexSpec.flat());
    assertEquals(proto(UpdateCollection.class, """
        collection_name: "vendor"
        vectors_config { params { hnsw_config { m: 0 } } }
        """), fake.last("update"));
    assertEquals(IndexSpec.flat(), c.spec().index());
    assertTrue(search(c).getParams().getExact());

    VectorsConfig named = VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder()
        .putMap("text", VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build())
        .putMap("image", VectorParams.newBuilder().setSize(8).setDistance(Distance.Dot).build())).build();
    fake.reply("collectionGet", foreignInfo(named));
    VectorCollection text = store.collection("vendor", "text");
    fake.calls.clear();
    text.reindex(IndexSpec.hnsw(8, 32));
    assertEquals(proto(UpdateCollection.class, """
        collection_name: "vendor"
        vectors_config { params_map { map { key: "text" value { hnsw_config { m: 8 ef_construct: 32 } } } } }
        """), fake.last("update"));
    assertEquals(IndexSpec.hnsw(8, 32), text.spec().index());
  }

  @Test
  void describeAfterACrashBetweenTheStepsReportsTheOldSpec() {
    // Qdrant saves the HNSW config before it merges the metadata: a crash between the two leaves the
    // new config under the old spec record, and the spec record is what Quiver reports
    GetCollectionInfoResponse info = quiverInfo(spec("docs", 4, Metric.COSINE, IndexSpec.hnsw(16, 100)));
    info = info.toBuilder().setResult(info.getResult().toBuilder().setConfig(info.getResult().getConfig().toBuilder()
        .setHnswConfig(HnswConfigDiff.newBuilder().setM(0).setEfConstruct(100)))).build();
    fake.reply("collectionGet", info);
    assertEquals(IndexSpec.hnsw(16, 100), store.describeCollection("docs").index());
  }
}
