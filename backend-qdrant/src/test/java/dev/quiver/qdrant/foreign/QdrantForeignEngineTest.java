package dev.quiver.qdrant.foreign;

import static io.qdrant.client.ValueFactory.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.Page;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Edges of the native-layout mapping on the engine server, with collections made by the Qdrant Java
 * client: a collection mixing integer and UUID ids (up to 2^64 - 1), a point whose payload Quiver
 * metadata cannot hold, a vendor-made payload index reported by describe, a collection name outside
 * Quiver's rule, and Quiver's own collections still recognised as Quiver's. Skipped without
 * {@code QUIVER_QDRANT_URL}.
 */
class QdrantForeignEngineTest {

  private VectorStore store;
  private QdrantClient client;
  private final Set<String> made = new HashSet<>();

  @BeforeEach
  void open() {
    String url = QdrantVendorKit.URL;
    Assumptions.assumeTrue(url != null && !url.isBlank(), "SKIPPED: QUIVER_QDRANT_URL is not set");
    store = Quiver.open(url.trim());
    client = QdrantVendorKit.client(url);
  }

  @AfterEach
  void close() {
    if (client != null) {
      for (String n : made) {
        QdrantVendorKit.await(client.deleteCollectionAsync(n));
      }
      client.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private String create(String prefix) {
    String name = prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    QdrantVendorKit.await(client.createCollectionAsync(name, VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot).build()));
    made.add(name);
    return name;
  }

  private void upsert(String name, PointStruct... points) {
    QdrantVendorKit.await(client.upsertAsync(name, List.of(points)));
  }

  @Test
  @DisplayName("integer and UUID ids in one collection, up to 2^64 - 1: get, list, search, count and write by their text")
  void mixedIds() {
    String name = create("mixed_");
    String uuid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    upsert(name,
        PointStruct.newBuilder().setId(PointIdFactory.id(7)).setVectors(VectorsFactory.vectors(1, 0, 0, 0))
            .putPayload("k", value("seven")).build(),
        PointStruct.newBuilder().setId(PointIdFactory.id(-1L)).setVectors(VectorsFactory.vectors(0, 1, 0, 0))
            .putPayload("k", value("max")).build(),
        PointStruct.newBuilder().setId(PointIdFactory.id(UUID.fromString(uuid))).setVectors(VectorsFactory.vectors(0, 0, 1, 0))
            .putPayload("k", value("uuid")).putPayload("n", value(3)).build());
    VectorCollection c = store.collection(name);
    assertEquals(List.of("18446744073709551615", "7", uuid),
        c.get(List.of("18446744073709551615", "7", uuid, "8", "007")).stream().map(Record::id).toList());
    Set<String> listed = new HashSet<>();
    Optional<String> cursor = Optional.empty();
    do {
      Page page = c.list(cursor.map(x -> ListRequest.of(1).cursor(x)).orElse(ListRequest.of(1)));
      page.records().forEach(r -> assertTrue(listed.add(r.id()), "listed twice: " + r.id()));
      cursor = page.nextCursor();
    } while (cursor.isPresent());
    assertEquals(Set.of("7", "18446744073709551615", uuid), listed);
    assertEquals("18446744073709551615", c.search(SearchRequest.of(new float[] {0, 1, 0, 0}, 1)).get(0).id());
    assertEquals(1, c.count(Filter.eq("n", 3L)));
    assertEquals(1, c.count(Filter.eq("n", 3.0)));
    assertEquals(2, c.count(Filter.not(Filter.exists("n"))));
    c.upsert(Record.of("42", new float[] {1, 1, 0, 0}, Metadata.of("k", "quiver")));
    assertEquals("quiver", QdrantVendorKit.plain(QdrantVendorKit.await(client.retrieveAsync(name, PointIdFactory.id(42),
        true, false, null)).get(0).getPayloadMap().get("k")));
    assertTrue(c.updateMetadata("7", Metadata.of("k", "updated")));
    assertFalse(c.updateMetadata("8", Metadata.of("k", "nobody")));
    assertThrows(InvalidArgumentException.class, () -> c.updateMetadata("doc-7", Metadata.of("k", "x")));
    c.delete(List.of("42", "not-an-id"));
    assertEquals(3, c.count());
    assertEquals("updated", c.get("7").orElseThrow().metadata().get("k").orElseThrow());
  }

  @Test
  @DisplayName("a payload Quiver metadata cannot hold fails the read of that record, naming the key; other records read")
  void unmappablePayload() {
    String name = create("nested_");
    upsert(name,
        PointStruct.newBuilder().setId(PointIdFactory.id(1)).setVectors(VectorsFactory.vectors(1, 0, 0, 0))
            .putPayload("metadata", Value.newBuilder().setStructValue(Struct.newBuilder()
                .putFields("author", value("ann"))).build()).build(),
        PointStruct.newBuilder().setId(PointIdFactory.id(2)).setVectors(VectorsFactory.vectors(0, 1, 0, 0))
            .putPayload("ok", value(true)).build());
    VectorCollection c = store.collection(name);
    BackendException e = assertThrows(BackendException.class, () -> c.get("1"));
    assertTrue(e.getMessage().contains("'metadata'") && e.getMessage().contains("nested object"), e.getMessage());
    assertEquals(Metadata.of("ok", true), c.get("2").orElseThrow().metadata());
    assertThrows(BackendException.class, () -> c.list(ListRequest.of(10)));
    assertEquals(List.of("1"), c.search(SearchRequest.of(new float[] {1, 0, 0, 0}, 1).includeMetadata(false))
        .stream().map(m -> m.id()).toList(), "a search without metadata still finds it");
    assertEquals(2, c.count());
  }

  @Test
  @DisplayName("describe reports the native layout, with the vendor's payload indexes; names outside Quiver's rule are not listed")
  void describeAndList() {
    String name = create("indexed_");
    QdrantVendorKit.await(client.createPayloadIndexAsync(name, "city", PayloadSchemaType.Keyword, null, true, null, null));
    CollectionSpec spec = store.describeCollection(name);
    assertEquals(4, spec.dimension());
    assertTrue(spec.layout().get("payloadIndexes").contains("city: Keyword"), spec.layout().toString());
    assertTrue(spec.layout().containsKey("id") && spec.layout().containsKey("vector"), spec.layout().toString());
    String odd = "odd.name" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffff);
    QdrantVendorKit.await(client.createCollectionAsync(odd, VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot).build()));
    made.add(odd);
    assertTrue(QdrantVendorKit.await(client.listCollectionsAsync()).contains(odd));
    assertFalse(store.listCollections().contains(odd), "a name Quiver cannot open is not listed");
    assertTrue(store.listCollections().contains(name));
  }

  @Test
  @DisplayName("Quiver's own collections keep their layout: ids hashed, describe without a native layout")
  void quiverCollectionsStayQuivers() {
    String name = "own_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    made.add(name);
    VectorCollection c = store.createCollection(CollectionSpec.builder(name).dimension(4).build());
    c.upsert(Record.of("doc-1", new float[] {1, 0, 0, 0}, Metadata.empty()));
    assertTrue(store.describeCollection(name).layout().isEmpty());
    assertEquals("doc-1", store.collection(name).get("doc-1").orElseThrow().id());
    assertThrows(InvalidArgumentException.class, () -> store.collection(name, "v"));
    Map<String, Value> payload = QdrantVendorKit.await(client.scrollAsync(io.qdrant.client.grpc.Points.ScrollPoints
        .newBuilder().setCollectionName(name).setLimit(1).build())).getResult(0).getPayloadMap();
    assertEquals("doc-1", payload.get("__quiver_id").getStringValue());
  }
}
