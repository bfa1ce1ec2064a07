package dev.quiver.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Collections Quiver did not create, made here with the Milvus Java SDK in shapes the vendor kit does not
 * cover (Milvus Lite at {@code QUIVER_MILVUS_URI}): several vector fields, fields Quiver cannot map, nested
 * JSON, narrow integer and float32 fields, and the typed errors they must give.
 */
class MilvusForeignEdgesTest {

  private MilvusVectorStore store;
  private MilvusClientV2 raw;
  private final List<String> created = new ArrayList<>();

  @BeforeEach
  void open() {
    store = MilvusTestServer.open();
    raw = new MilvusClientV2(ConnectConfig.builder().uri(MilvusTestServer.sdkUri(MilvusTestServer.uri())).build());
  }

  @AfterEach
  void close() throws InterruptedException {
    try {
      for (String n : created) {
        raw.dropCollection(DropCollectionReq.builder().collectionName(n).build());
      }
    } finally {
      store.close();
      raw.close(1);
    }
  }

  private String create(CreateCollectionReq.CollectionSchema schema, List<IndexParam> indexes, List<JsonObject> rows) {
    String name = "edge_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    raw.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema)
        .indexParams(indexes).consistencyLevel(ConsistencyLevel.STRONG).build());
    created.add(name);
    if (!rows.isEmpty()) {
      raw.insert(InsertReq.builder().collectionName(name).data(rows).build());
    }
    return name;
  }

  private static JsonObject row(String json) {
    return JsonParser.parseString(json).getAsJsonObject();
  }

  private static IndexParam flat(String field) {
    return IndexParam.builder().fieldName(field).indexType(IndexParam.IndexType.FLAT)
        .metricType(IndexParam.MetricType.COSINE).build();
  }

  @Test
  void severalVectorsAreChosenByNameAndUnmappedFieldsMakeTheCollectionReadOnly() {
    CreateCollectionReq.CollectionSchema s = CreateCollectionReq.CollectionSchema.builder().build();
    s.addField(AddFieldReq.builder().fieldName("pk").dataType(DataType.Int64).isPrimaryKey(true).build());
    s.addField(AddFieldReq.builder().fieldName("a").dataType(DataType.FloatVector).dimension(4).build());
    s.addField(AddFieldReq.builder().fieldName("b").dataType(DataType.FloatVector).dimension(2).build());
    s.addField(AddFieldReq.builder().fieldName("nums").dataType(DataType.Array).elementType(DataType.Int64)
        .maxCapacity(4).build());
    s.addField(AddFieldReq.builder().fieldName("metadata").dataType(DataType.JSON).build());
    String name = create(s, List.of(flat("a"), flat("b")), List.of(
        row("{\"pk\": 1, \"a\": [1,0,0,0], \"b\": [1,0], \"nums\": [1,2], \"metadata\": {\"k\": \"x\", \"n\": 2}}"),
        row("{\"pk\": 2, \"a\": [0,1,0,0], \"b\": [0,1], \"nums\": [], \"metadata\": {\"nested\": {\"deep\": 1}}}")));

    assertTrue(store.listCollections().contains(name));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> store.collection(name));
    assertTrue(e.getMessage().contains("[a, b]") && e.getMessage().contains("collection(name, vector)"), e.getMessage());
    CollectionSpec spec = store.describeCollection(name);
    assertEquals(4, spec.dimension(), "describe reports the first vector field");
    assertTrue(spec.layout().get("unmapped").contains("nums") && spec.layout().get("unmapped").contains("'b'"),
        spec.layout().toString());
    assertTrue(spec.layout().get("readOnly").startsWith("writes are refused"), spec.layout().toString());

    VectorCollection b = store.collection(name, "b");
    assertEquals(2, b.spec().dimension());
    assertEquals(Metadata.of("k", "x", "n", 2L), b.get("1").orElseThrow().metadata());
    assertEquals("1", b.search(SearchRequest.of(new float[] {1, 0.1f}, 1).filter(Filter.eq("k", "x"))).get(0).id());
    assertThrows(InvalidArgumentException.class, () -> store.collection(name, "nope"));
    BackendException nested = assertThrows(BackendException.class, () -> b.get("2"));
    assertTrue(nested.getMessage().contains("'nested'") && nested.getMessage().contains("nested JSON object"),
        nested.getMessage());
    InvalidArgumentException write = assertThrows(InvalidArgumentException.class,
        () -> b.upsert(Record.of("3", new float[] {1, 1}, Metadata.empty())));
    assertTrue(write.getMessage().contains("nums"), write.getMessage());
    assertEquals(2, b.count(), "nothing was written");
    assertTrue(b.get("abc").isEmpty(), "an id the INT64 key cannot hold is not there");
    b.delete(List.of("1", "abc"));
    assertEquals(1, b.count(), "deletes work on a read-only layout");
  }

  @Test
  void narrowFieldsRefuseWhatTheyCannotHoldAndDynamicKeysFollowTheRecord() {
    CreateCollectionReq.CollectionSchema s = CreateCollectionReq.CollectionSchema.builder().enableDynamicField(true).build();
    s.addField(AddFieldReq.builder().fieldName("code").dataType(DataType.VarChar).maxLength(8).isPrimaryKey(true).build());
    s.addField(AddFieldReq.builder().fieldName("v").dataType(DataType.FloatVector).dimension(4).build());
    s.addField(AddFieldReq.builder().fieldName("small").dataType(DataType.Int8).build());
    s.addField(AddFieldReq.builder().fieldName("f").dataType(DataType.Float).build());
    String name = create(s, List.of(flat("v")), List.of());
    VectorCollection c = store.collection(name);
    assertTrue(c.spec().layout().get("id").contains("VARCHAR(8)"), c.spec().layout().toString());
    float[] v = {1, 2, 3, 4};
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("123456789", v, Metadata.empty())), "9 bytes");
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("a", v, Metadata.of("small", 300L))));
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("a", v, Metadata.of("f", 0.1))),
        "0.1 is not a float32");
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("a", v, Metadata.of("small", "x"))));
    assertEquals(0, c.count());

    Record r = Record.of("a", v, Metadata.of("small", -128L, "f", 0.25, "extra", "dyn", "tags", List.of("t")));
    c.upsert(r);
    assertEquals(r.metadata(), c.get("a").orElseThrow().metadata());
    assertEquals(1, c.count(Filter.lt("small", 1000)), "a literal beyond INT8 folds to every value");
    assertEquals(0, c.count(Filter.gt("small", 1e6)));
    assertEquals(1, c.count(Filter.eq("tags", "t")));
    assertEquals(1, c.count(Filter.not(Filter.exists("other"))));
    assertTrue(c.updateMetadata("a", Metadata.of("small", 1L, "f", 0.5)));
    Map<String, Object> after = c.get("a").orElseThrow().metadata().asMap();
    assertEquals(Map.of("small", 1L, "f", 0.5), after, "the dynamic keys left out are gone");
    assertEquals(0, c.count(Filter.exists("extra")));
    c.upsert(Record.of("b", v, Metadata.empty()));
    assertEquals(Metadata.of("small", 0L, "f", 0.0), c.get("b").orElseThrow().metadata(),
        "non-nullable fields without a default get their type's zero value");
    assertEquals(2, c.count());
  }
}
