package dev.quiver.qdrant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import dev.quiver.AuthenticationException;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.DimensionMismatchException;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.RateLimitedException;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.Secret;
import dev.quiver.StoreClosedException;
import dev.quiver.UnavailableException;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.qdrant.internal.PointIds;
import dev.quiver.qdrant.internal.Rpc;
import io.grpc.Status;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Wire-level contract tests: the adapter talks to an in-process gRPC server with Qdrant's services,
 * and each test asserts the exact protobuf request of an operation and how the documented replies
 * (and errors) come back through the Quiver API.
 */
class QdrantWireTest {

  static final String DOC1 = "267f616e-53fb-5e28-a6d9-0db6aeb5a088";  // uuid5(quiver ns, "doc-1"), computed with Python
  static final String DOC2 = "6a6049d2-b0f6-51ac-88e3-b1dbe288ea62";

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

  static <T extends Message> T proto(Class<T> type, String text) {
    try {
      return TextFormat.parse(text, type);
    } catch (TextFormat.ParseException e) {
      throw new AssertionError(e);
    }
  }

  static CollectionSpec spec(String name, int dim, Metric metric, IndexSpec index) {
    return CollectionSpec.builder(name).dimension(dim).metric(metric).index(index).build();
  }

  GetCollectionInfoResponse infoOf(CollectionSpec spec) {
    CreateCollection c = dev.quiver.qdrant.internal.Specs.createRequest(spec);
    return GetCollectionInfoResponse.newBuilder().setResult(
        io.qdrant.client.grpc.Collections.CollectionInfo.newBuilder()
            .setConfig(io.qdrant.client.grpc.Collections.CollectionConfig.newBuilder()
                .setParams(io.qdrant.client.grpc.Collections.CollectionParams.newBuilder().setVectorsConfig(c.getVectorsConfig()))
                .setHnswConfig(c.getHnswConfig())
                .putAllMetadata(c.getMetadataMap()))).build();
  }

  VectorCollection open(CollectionSpec spec) {
    fake.reply("collectionGet", infoOf(spec));
    VectorCollection c = store.collection(spec.name());
    fake.calls.clear();
    return c;
  }

  // ------------------------------------------------------------ collections

  @Test
  void createCosineFlatCollection() {
    store.createCollection(spec("docs", 4, Metric.COSINE, IndexSpec.flat()));
    assertEquals(proto(CreateCollection.class, """
        collection_name: "docs"
        hnsw_config { m: 0 }
        vectors_config { params_map {
          map { key: "v" value { size: 4 distance: Cosine } }
          map { key: "raw" value { size: 4 distance: Dot hnsw_config { m: 0 } on_disk: true } }
        } }
        metadata { key: "quiver" value { struct_value {
          fields { key: "format" value { integer_value: 1 } }
          fields { key: "dimension" value { integer_value: 4 } }
          fields { key: "metric" value { string_value: "COSINE" } }
          fields { key: "index" value { string_value: "FLAT" } }
        } } }
        """), fake.last("create"));
  }

  @Test
  void createEuclideanHnswCollection() {
    store.createCollection(spec("img", 3, Metric.EUCLIDEAN, IndexSpec.hnsw(32, 128)));
    assertEquals(proto(CreateCollection.class, """
        collection_name: "img"
        hnsw_config { m: 32 ef_construct: 128 }
        vectors_config { params_map { map { key: "v" value { size: 3 distance: Euclid } } } }
        metadata { key: "quiver" value { struct_value {
          fields { key: "format" value { integer_value: 1 } }
          fields { key: "dimension" value { integer_value: 3 } }
          fields { key: "metric" value { string_value: "EUCLIDEAN" } }
          fields { key: "index" value { string_value: "HNSW" } }
          fields { key: "m" value { integer_value: 32 } }
          fields { key: "ef_construction" value { integer_value: 128 } }
        } } }
        """), fake.last("create"));
  }

  @Test
  void unsupportedIndexIsRefusedBeforeAnyCall() {
    UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
        () -> store.createCollection(spec("x", 4, Metric.DOT_PRODUCT, IndexSpec.ivfPq(16, 2, 8))));
    assertEquals("qdrant", e.backend());
    assertTrue(fake.calls.isEmpty());
  }

  @Test
  void createExistingIsNotRetriedAndMapsToAlreadyExists() {
    fake.reply("create", Status.ALREADY_EXISTS.withDescription("Wrong input: Collection `docs` already exists!"));
    CollectionAlreadyExistsException e = assertThrows(CollectionAlreadyExistsException.class,
        () -> store.createCollection(spec("docs", 4, Metric.COSINE, IndexSpec.flat())));
    assertEquals("docs", e.collection());
    assertEquals(1, fake.calls("create").size());
  }

  @Test
  void createIsNotRetriedOnTransientErrors() {
    fake.reply("create", Status.UNAVAILABLE.withDescription("connection reset"));
    assertThrows(UnavailableException.class, () -> store.createCollection(spec("docs", 4, Metric.COSINE, IndexSpec.flat())));
    assertEquals(1, fake.calls("create").size());
  }

  @Test
  void describeReadsTheSpecFromCollectionMetadata() {
    CollectionSpec s = spec("docs", 4, Metric.DOT_PRODUCT, IndexSpec.hnsw(8, 64));
    fake.reply("collectionGet", infoOf(s));
    assertEquals(s, store.describeCollection("docs"));
    assertEquals(proto(io.qdrant.client.grpc.Collections.GetCollectionInfoRequest.class, "collection_name: \"docs\""),
        fake.last("collectionGet"));
  }

  @Test
  void describeFallsBackToTheVectorConfigWithoutMetadata() {
    CollectionSpec s = spec("docs", 4, Metric.COSINE, IndexSpec.flat());
    GetCollectionInfoResponse full = infoOf(s);
    GetCollectionInfoResponse bare = full.toBuilder().setResult(full.getResult().toBuilder().setConfig(
        full.getResult().getConfig().toBuilder().clearMetadata())).build();
    fake.reply("collectionGet", bare);
    assertEquals(s, store.describeCollection("docs"));
  }

  @Test
  void missingCollectionMapsToCollectionNotFound() {
    CollectionNotFoundException e = assertThrows(CollectionNotFoundException.class, () -> store.collection("nope"));
    assertEquals("nope", e.collection());
    assertEquals(1, fake.calls("collectionGet").size(), "NOT_FOUND is not retried");
  }

  @Test
  void existsListAndDrop() {
    fake.reply("exists", CollectionExistsResponse.newBuilder().setResult(
        io.qdrant.client.grpc.Collections.CollectionExists.newBuilder().setExists(true)).build());
    assertTrue(store.hasCollection("docs"));
    assertEquals(proto(io.qdrant.client.grpc.Collections.CollectionExistsRequest.class, "collection_name: \"docs\""),
        fake.last("exists"));
    assertFalse(store.hasCollection("other"));

    fake.reply("list", ListCollectionsResponse.newBuilder()
        .addCollections(io.qdrant.client.grpc.Collections.CollectionDescription.newBuilder().setName("zeta"))
        .addCollections(io.qdrant.client.grpc.Collections.CollectionDescription.newBuilder().setName("alpha")).build());
    assertEquals(List.of("alpha", "zeta"), store.listCollections());

    assertTrue(store.dropCollection("docs"));
    assertEquals(proto(io.qdrant.client.grpc.Collections.DeleteCollection.class, "collection_name: \"docs\""),
        fake.last("drop"));
    fake.reply("drop", FakeQdrant.ok(false));
    assertFalse(store.dropCollection("docs"));
    fake.reply("drop", Status.NOT_FOUND.withDescription("Not found: Collection `docs` doesn't exist!"));
    assertFalse(store.dropCollection("docs"));
  }

  @Test
  void badCollectionNamesNeverReachTheServer() {
    assertThrows(InvalidArgumentException.class, () -> store.hasCollection("a b"));
    assertThrows(InvalidArgumentException.class, () -> store.dropCollection("../x"));
    assertTrue(fake.calls.isEmpty());
  }

  // ------------------------------------------------------------ records

  @Test
  void upsertSendsUuidIdsPayloadWithReservedKeysAndBothVectorsUnderCosine() {
    VectorCollection c = open(spec("docs", 2, Metric.COSINE, IndexSpec.flat()));
    c.upsert(Record.of("doc-1", new float[] {3f, 4f}, Metadata.of(
        "cat", "tech", "year", 2024L, "score", 0.5, "ok", true, "tags", List.of("a", "b"), "empty", List.of())));
    assertEquals(proto(UpsertPoints.class, """
        collection_name: "docs"
        wait: true
        points {
          id { uuid: "%s" }
          payload { key: "cat" value { string_value: "tech" } }
          payload { key: "empty" value { list_value { } } }
          payload { key: "ok" value { bool_value: true } }
          payload { key: "score" value { double_value: 0.5 } }
          payload { key: "tags" value { list_value { values { string_value: "a" } values { string_value: "b" } } } }
          payload { key: "year" value { integer_value: 2024 } }
          payload { key: "__quiver_id" value { string_value: "doc-1" } }
          payload { key: "__quiver_keys" value { list_value {
            values { string_value: "cat" } values { string_value: "empty" } values { string_value: "ok" }
            values { string_value: "score" } values { string_value: "tags" } values { string_value: "year" } } } }
          payload { key: "__quiver_dbl" value { list_value { values { string_value: "score" } } } }
          payload { key: "__quiver_dhi_score" value { integer_value: 1071644672 } }
          payload { key: "__quiver_dlo_score" value { integer_value: 0 } }
          vectors { vectors {
            vectors { key: "v" value { dense { data: 3 data: 4 } } }
            vectors { key: "raw" value { dense { data: 3 data: 4 } } }
          } }
        }
        """.formatted(DOC1)), fake.last("upsert"));
  }

  @Test
  void upsertUnderDotHasOnlyTheSearchedVector() {
    VectorCollection c = open(spec("docs", 2, Metric.DOT_PRODUCT, IndexSpec.flat()));
    c.upsert(Record.of("doc-2", new float[] {1f, -1f}));
    assertEquals(proto(UpsertPoints.class, """
        collection_name: "docs"
        wait: true
        points {
          id { uuid: "%s" }
          payload { key: "__quiver_id" value { string_value: "doc-2" } }
          payload { key: "__quiver_keys" value { list_value { } } }
          payload { key: "__quiver_dbl" value { list_value { } } }
          vectors { vectors { vectors { key: "v" value { dense { data: 1 data: -1 } } } } }
        }
        """.formatted(DOC2)), fake.last("upsert"));
  }

  @Test
  void upsertIsSplitIntoBatchesAndRetriedOnTransientErrors() {
    VectorCollection c = open(spec("docs", 2, Metric.DOT_PRODUCT, IndexSpec.flat()));
    List<Record> many = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      many.add(Record.of("r" + i, new float[] {i, 1}));
    }
    fake.reply("upsert", Status.UNAVAILABLE.withDescription("try again"));
    c.upsert(many);
    List<Integer> sizes = fake.calls("upsert").stream().map(x -> ((UpsertPoints) x.request()).getPointsCount()).toList();
    assertEquals(List.of(256, 256, 256, 88), sizes, "first batch failed once and was sent again");
  }

  @Test
  void invalidUpsertsFailBeforeAnyCall() {
    VectorCollection c = open(spec("docs", 2, Metric.COSINE, IndexSpec.flat()));
    assertThrows(DimensionMismatchException.class, () -> c.upsert(Record.of("a", new float[] {1, 2, 3})));
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("a", new float[] {0, 0})));
    assertThrows(InvalidArgumentException.class,
        () -> c.upsert(Record.of("a", new float[] {1, 0}), Record.of("a", new float[] {0, 1})));
    assertTrue(fake.calls.isEmpty());
  }

  static io.qdrant.client.grpc.Points.RetrievedPoint point(String uuid, String id, float[] raw, float[] normalized, String payloadText) {
    io.qdrant.client.grpc.Points.NamedVectorsOutput.Builder nv = io.qdrant.client.grpc.Points.NamedVectorsOutput.newBuilder();
    io.qdrant.client.grpc.Points.VectorOutput.Builder rawOut = io.qdrant.client.grpc.Points.VectorOutput.newBuilder();
    for (float f : raw) {
      rawOut.getDenseBuilder().addData(f);
    }
    nv.putVectors("raw", rawOut.build());
    if (normalized != null) {
      io.qdrant.client.grpc.Points.VectorOutput.Builder n = io.qdrant.client.grpc.Points.VectorOutput.newBuilder();
      for (float f : normalized) {
        n.getDenseBuilder().addData(f);
      }
      nv.putVectors("v", n.build());
    }
    return proto(io.qdrant.client.grpc.Points.RetrievedPoint.class,
        "id { uuid: \"" + uuid + "\" } payload { key: \"__quiver_id\" value { string_value: \"" + id + "\" } } " + payloadText)
        .toBuilder().setVectors(io.qdrant.client.grpc.Points.VectorsOutput.newBuilder().setVectors(nv)).build();
  }

  @Test
  void getAsksForPayloadAndTheRawVectorAndReturnsCallerIdsInRequestOrder() {
    VectorCollection c = open(spec("docs", 2, Metric.COSINE, IndexSpec.flat()));
    fake.reply("get", GetResponse.newBuilder()
        .addResult(point(DOC1, "doc-1", new float[] {3, 4}, null,
            "payload { key: \"n\" value { integer_value: 9007199254740993 } } "
                + "payload { key: \"__quiver_keys\" value { list_value { values { string_value: \"n\" } } } }"))
        .addResult(point(DOC2, "doc-2", new float[] {1, 0}, null, "")).build());
    List<Record> got = c.get(List.of("doc-2", "missing", "doc-1", "doc-2"));
    assertEquals(proto(GetPoints.class, """
        collection_name: "docs"
        ids { uuid: "%s" } ids { uuid: "%s" } ids { uuid: "%s" }
        with_payload { enable: true }
        with_vectors { include { names: "raw" } }
        """.formatted(DOC2, PointIds.uuid("missing"), DOC1)), fake.last("get"));
    assertEquals(List.of("doc-2", "doc-1"), got.stream().map(Record::id).toList());
    assertArrayEquals(new float[] {3, 4}, got.get(1).vector(), "the caller's vector, not the normalized one");
    assertEquals(Metadata.of("n", 9007199254740993L), got.get(1).metadata());
  }

  @Test
  void deleteByIdsAndByFilterWaitAndCount() {
    VectorCollection c = open(spec("docs", 2, Metric.EUCLIDEAN, IndexSpec.flat()));
    c.delete(List.of("doc-1"));
    assertEquals(proto(DeletePoints.class, """
        collection_name: "docs" wait: true points { points { ids { uuid: "%s" } } }
        """.formatted(DOC1)), fake.last("delete"));
    c.delete(Filter.parse("cat != 'x'"));
    assertEquals(proto(DeletePoints.class, """
        collection_name: "docs" wait: true
        points { filter { must_not { field { key: "cat" match { keyword: "x" } } } } }
        """), fake.last("delete"));
    fake.reply("count", CountResponse.newBuilder().setResult(io.qdrant.client.grpc.Points.CountResult.newBuilder().setCount(7)).build());
    assertEquals(7, c.count());
    assertEquals(proto(CountPoints.class, "collection_name: \"docs\" exact: true"), fake.last("count"));
    c.count(Filter.exists("cat"));
    assertEquals(proto(CountPoints.class, """
        collection_name: "docs" exact: true
        filter { must { field { key: "__quiver_keys" match { keyword: "cat" } } } }
        """), fake.last("count"));
  }

  @Test
  void updateMetadataOverwritesThePayloadKeepingTheReservedKeys() {
    VectorCollection c = open(spec("docs", 2, Metric.COSINE, IndexSpec.flat()));
    assertTrue(c.updateMetadata("doc-1", Metadata.of("x", 1.5)));
    assertEquals(proto(SetPayloadPoints.class, """
        collection_name: "docs" wait: true
        payload { key: "x" value { double_value: 1.5 } }
        payload { key: "__quiver_id" value { string_value: "doc-1" } }
        payload { key: "__quiver_keys" value { list_value { values { string_value: "x" } } } }
        payload { key: "__quiver_dbl" value { list_value { values { string_value: "x" } } } }
        payload { key: "__quiver_dhi_x" value { integer_value: 1073217536 } }
        payload { key: "__quiver_dlo_x" value { integer_value: 0 } }
        points_selector { points { ids { uuid: "%s" } } }
        """.formatted(DOC1)), fake.last("overwritePayload"));
    fake.reply("overwritePayload", Status.NOT_FOUND.withDescription("Not found: No point with id " + DOC1 + " found"));
    assertFalse(c.updateMetadata("doc-1", Metadata.empty()));
    fake.reply("overwritePayload", Status.NOT_FOUND.withDescription("Not found: Collection `docs` doesn't exist!"));
    assertThrows(CollectionNotFoundException.class, () -> c.updateMetadata("doc-1", Metadata.empty()));
  }

  @Test
  void listScrollsByPointIdWithAnOpaqueCursor() {
    VectorCollection c = open(spec("docs", 2, Metric.DOT_PRODUCT, IndexSpec.flat()));
    fake.reply("scroll", ScrollResponse.newBuilder()
        .addResult(point(DOC1, "doc-1", new float[] {1, 2}, null, "").toBuilder().setVectors(
            proto(io.qdrant.client.grpc.Points.VectorsOutput.class, "vectors { vectors { key: \"v\" value { dense { data: 1 data: 2 } } } }")))
        .setNextPageOffset(io.qdrant.client.grpc.Common.PointId.newBuilder().setUuid(DOC2)).build());
    Page p = c.list(ListRequest.of(1).filter("cat == 'a'"));
    assertEquals(proto(ScrollPoints.class, """
        collection_name: "docs"
        filter { must { field { key: "cat" match { keyword: "a" } } } }
        limit: 1
        with_payload { enable: true }
        with_vectors { include { names: "v" } }
        """), fake.last("scroll"));
    assertEquals(List.of("doc-1"), p.records().stream().map(Record::id).toList());
    String cursor = p.nextCursor().orElseThrow();
    assertFalse(cursor.contains(DOC2), "the caller sees the boundary's wrapped cursor, not the point id: " + cursor);

    Page last = c.list(ListRequest.of(1).filter("cat == 'a'").cursor(cursor));
    assertEquals(proto(ScrollPoints.class, """
        collection_name: "docs" filter { must { field { key: "cat" match { keyword: "a" } } } }
        offset { uuid: "%s" } limit: 1
        with_payload { enable: true } with_vectors { include { names: "v" } }
        """.formatted(DOC2)), fake.last("scroll"));
    assertTrue(last.nextCursor().isEmpty());
  }

  @Test
  void largePagesAreFilledBySeveralScrolls() {
    VectorCollection c = open(spec("docs", 2, Metric.DOT_PRODUCT, IndexSpec.flat()));
    fake.reply("scroll", ScrollResponse.newBuilder()
        .setNextPageOffset(io.qdrant.client.grpc.Common.PointId.newBuilder().setUuid(DOC2)).build());
    c.list(ListRequest.of(2500));
    List<Integer> limits = fake.calls("scroll").stream().map(x -> ((ScrollPoints) x.request()).getLimit()).toList();
    assertEquals(List.of(1000, 1000), limits);
  }

  static io.qdrant.client.grpc.Points.ScoredPoint scored(String uuid, String id, float score, String vector, float... data) {
    io.qdrant.client.grpc.Points.VectorOutput.Builder v = io.qdrant.client.grpc.Points.VectorOutput.newBuilder();
    for (float f : data) {
      v.getDenseBuilder().addData(f);
    }
    return io.qdrant.client.grpc.Points.ScoredPoint.newBuilder()
        .setId(io.qdrant.client.grpc.Common.PointId.newBuilder().setUuid(uuid))
        .putPayload("__quiver_id", io.qdrant.client.grpc.JsonWithInt.Value.newBuilder().setStringValue(id).build())
        .setScore(score)
        .setVectors(io.qdrant.client.grpc.Points.VectorsOutput.newBuilder().setVectors(
            io.qdrant.client.grpc.Points.NamedVectorsOutput.newBuilder().putVectors(vector, v.build())))
        .build();
  }

  @Test
  void flatSearchIsExactAndScoresAreTheReferenceFormulas() {
    VectorCollection c = open(spec("docs", 2, Metric.COSINE, IndexSpec.flat()));
    fake.reply("query", QueryResponse.newBuilder()
        .addResult(scored(DOC2, "doc-2", 0.99999f, "raw", 1, 0))
        .addResult(scored(DOC1, "doc-1", 0.6f, "raw", 3, 4)).build());
    List<Match> hits = c.search(SearchRequest.of(new float[] {1, 0}, 2).filter("cat == 'a'").includeVectors(true)
        .includeMetadata(false).minScore(0.5));
    assertEquals(proto(QueryPoints.class, """
        collection_name: "docs"
        query { nearest { dense { data: 1 data: 0 } } }
        using: "v"
        filter { must { field { key: "cat" match { keyword: "a" } } } }
        params { exact: true }
        score_threshold: 0.49985
        limit: 4
        with_vectors { include { names: "raw" } }
        with_payload { include { fields: "__quiver_id" } }
        """), fake.last("query"));
    assertEquals(List.of("doc-2", "doc-1"), hits.stream().map(Match::id).toList());
    assertEquals(1.0, hits.get(0).score(), 0.0, "recomputed in double from the stored vector");
    assertEquals(0.6, hits.get(1).score(), 1e-12);
    assertEquals(0.4, hits.get(1).distance(), 1e-12);
    assertArrayEquals(new float[] {3, 4}, hits.get(1).vector().orElseThrow());
    assertTrue(hits.get(1).metadata().isEmpty());
  }

  @Test
  void hnswSearchPassesEfAndEuclidScoresAreOneOverOnePlusL2() {
    VectorCollection c = open(spec("docs", 2, Metric.EUCLIDEAN, IndexSpec.hnsw(16, 100)));
    fake.reply("query", QueryResponse.newBuilder()
        .addResult(scored(DOC1, "doc-1", 5f, "v", 3, 4))
        .addResult(scored(DOC2, "doc-2", 5f, "v", 0, 5)).build());
    List<Match> hits = c.search(SearchRequest.of(new float[] {0, 0}, 1).ef(64));
    assertEquals(proto(QueryPoints.class, """
        collection_name: "docs"
        query { nearest { dense { data: 0 data: 0 } } }
        using: "v"
        params { hnsw_ef: 64 }
        limit: 2
        with_vectors { include { names: "v" } }
        with_payload { enable: true }
        """), fake.last("query"));
    assertEquals(1, hits.size());
    assertEquals("doc-1", hits.get(0).id(), "ties broken by id");
    assertEquals(5.0, hits.get(0).distance(), 1e-12);
    assertEquals(1.0 / 6.0, hits.get(0).score(), 1e-12);
    assertThrows(UnsupportedFeatureException.class, () -> c.search(SearchRequest.of(new float[] {0, 0}, 1).nprobe(4)));
    assertThrows(DimensionMismatchException.class, () -> c.search(SearchRequest.of(new float[] {0}, 1)));
  }

  // ------------------------------------------------------------ errors, retries, deadlines, credentials

  @Test
  void transientErrorsOfIdempotentCallsAreRetriedThenSurface() {
    VectorCollection c = open(spec("docs", 2, Metric.DOT_PRODUCT, IndexSpec.flat()));
    fake.reply("count", Status.UNAVAILABLE).reply("count", Status.DEADLINE_EXCEEDED)
        .reply("count", CountResponse.newBuilder().setResult(io.qdrant.client.grpc.Points.CountResult.newBuilder().setCount(3)).build());
    assertEquals(3, c.count());
    assertEquals(3, fake.calls("count").size());
    fake.calls.clear();
    for (int i = 0; i < 3; i++) {
      fake.reply("count", Status.RESOURCE_EXHAUSTED.withDescription("rate limit"));
    }
    assertThrows(RateLimitedException.class, c::count);
    assertEquals(3, fake.calls("count").size());
  }

  @Test
  void nonTransientErrorsAreMappedAndNotRetried() {
    VectorCollection c = open(spec("docs", 2, Metric.DOT_PRODUCT, IndexSpec.flat()));
    fake.reply("upsert", Status.INVALID_ARGUMENT.withDescription("Wrong input: Vector dimension error: expected dim: 3, got 2"));
    DimensionMismatchException d = assertThrows(DimensionMismatchException.class, () -> c.upsert(Record.of("a", new float[] {1, 2})));
    assertEquals(3, d.expected());
    assertEquals(2, d.actual());
    fake.reply("count", Status.UNAUTHENTICATED.withDescription("Invalid api-key"));
    AuthenticationException a = assertThrows(AuthenticationException.class, c::count);
    assertFalse(a.getMessage().contains("s3cr3t-key"));
    fake.reply("count", Status.INTERNAL.withDescription("boom"));
    assertThrows(dev.quiver.BackendException.class, c::count);
    assertEquals(1, fake.calls("upsert").size());
    assertEquals(2, fake.calls("count").size());
  }

  @Test
  void everyCallCarriesTheApiKeyAndADeadline() {
    VectorCollection c = open(spec("docs", 2, Metric.DOT_PRODUCT, IndexSpec.flat()));
    c.count();
    c.get(List.of("a"));
    store.listCollections();
    assertEquals(3, fake.calls.size());
    for (FakeQdrant.Call call : fake.calls) {
      assertEquals("s3cr3t-key", call.headers().get(Rpc.API_KEY), call.method());
      assertNotNull(call.deadline(), call.method());
      assertTrue(call.deadline().timeRemaining(TimeUnit.MILLISECONDS) <= 5000, call.method());
    }
  }

  static java.util.function.Function<Message, Object> slow(long millis, Message reply) {
    return req -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return reply;
    };
  }

  @Test
  void aSlowServerHitsTheCallsDeadlineRetriesIncluded() {
    try (QdrantVectorStore quick = QdrantVectorStore.builder().channel(fake.channel())
        .timeout(Duration.ofMillis(300)).maxAttempts(3).retryBackoff(Duration.ofMillis(1)).build()) {
      // a fast transient failure is retried; the slow second attempt gets only what is left of the 300 ms
      fake.reply("list", Status.UNAVAILABLE).reply("list", slow(2000, ListCollectionsResponse.getDefaultInstance()));
      long start = System.nanoTime();
      DeadlineExceededException e = assertThrows(DeadlineExceededException.class, quick::listCollections);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 300 + 1000, "failed after " + millis + " ms, deadline 300 ms");
      assertTrue(e.isTransient());
      assertEquals(2, fake.calls("list").size(), "no third attempt: the deadline had passed");
      FakeQdrant.Call second = fake.calls("list").get(1);
      assertTrue(second.deadline().timeRemaining(TimeUnit.MILLISECONDS) < 300, "the retry carries the remaining budget");
    }
  }

  @Test
  void theKeyNeverPrints() {
    assertFalse(store.toString().contains("s3cr3t"));
    QdrantVectorStore remote = QdrantVectorStore.builder().host("qdrant.example.com").apiKey(Secret.of("s3cr3t-key")).build();
    assertEquals("QdrantVectorStore[qdrant+tls://qdrant.example.com:6334]", remote.toString());
    remote.close();
  }

  @Test
  void closedStoreRefusesCalls() {
    VectorCollection c = open(spec("docs", 2, Metric.DOT_PRODUCT, IndexSpec.flat()));
    store.close();
    assertThrows(StoreClosedException.class, c::count);
    assertThrows(StoreClosedException.class, store::listCollections);
  }
}
