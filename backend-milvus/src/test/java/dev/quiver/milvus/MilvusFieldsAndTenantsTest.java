package dev.quiver.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.DataType;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.common.ConsistencyLevel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Declared fields and tenants as Milvus sees them (Milvus Lite at {@code QUIVER_MILVUS_URI}): the
 * declared keys are typed, indexed scalar fields, missing values stay missing, values beyond a field's
 * limits are refused before anything is written, and a tenant's records are rows of its own under a
 * {@code tenant/id} key that no filter of another tenant reaches. The kit runs the portable semantics
 * ({@code MilvusLiteDeclaredFieldsConformanceTest}, the kit's tenant group); this checks the native side.
 * {@link MilvusServerFieldsAndTenantsTest} runs the same against real Milvus.
 */
class MilvusFieldsAndTenantsTest {

  static final List<MetadataField> FIELDS = List.of(MetadataField.indexed("p", FieldType.STRING),
      MetadataField.indexed("n", FieldType.LONG), MetadataField.of("d", FieldType.DOUBLE),
      MetadataField.indexed("flag", FieldType.BOOL), MetadataField.of("tags", FieldType.STRING_LIST),
      MetadataField.indexed("id", FieldType.STRING));

  private MilvusVectorStore store;
  private MilvusClientV2 raw;
  private String name;

  MilvusVectorStore openStore() {
    return MilvusTestServer.open();
  }

  /** @return the server's address for the SDK's own client */
  String sdkUri() {
    return MilvusTestServer.sdkUri(MilvusTestServer.uri());
  }

  /** @return whether this server gets nullable declared fields (Milvus Lite) */
  boolean nullableFields() {
    return true;
  }

  @BeforeEach
  void open() {
    store = openStore();
    raw = new MilvusClientV2(ConnectConfig.builder().uri(sdkUri()).build());
    name = "fields_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  @AfterEach
  void close() throws InterruptedException {
    try {
      store.dropCollection(name);
    } finally {
      store.close();
      raw.close(1);
    }
  }

  private static float[] v(int i) {
    return new float[] {1 + i, 2, 3 - i % 2, 4};
  }

  @Test
  void declaredKeysAreTypedIndexedFieldsAndMissingValuesStayMissing() {
    CollectionSpec spec = CollectionSpec.builder(name).dimension(4).fields(FIELDS).build();
    VectorCollection c = store.createCollection(spec);
    assertEquals(spec, store.describeCollection(name), "describeCollection returns the declared fields");
    assertEquals(spec, store.collection(name).spec());

    CreateCollectionReq.CollectionSchema schema = raw.describeCollection(DescribeCollectionReq.builder()
        .collectionName(name).build()).getCollectionSchema();
    Map<String, DataType> types = schema.getFieldSchemaList().stream()
        .collect(Collectors.toMap(CreateCollectionReq.FieldSchema::getName, CreateCollectionReq.FieldSchema::getDataType));
    assertEquals(DataType.VarChar, types.get("p"));
    assertEquals(DataType.Int64, types.get("n"));
    assertEquals(DataType.Double, types.get("d"));
    assertEquals(DataType.Bool, types.get("flag"));
    assertEquals(DataType.Array, types.get("tags"));
    assertEquals(DataType.VarChar, types.get("__k_id"), "a declared key named like Quiver's id field is escaped");
    assertEquals(nullableFields(), !types.containsKey("__absent"), "placeholders are listed in __absent where fields are not nullable");
    for (String indexed : List.of("p", "n", "__k_id")) {
      assertFalse(raw.describeIndex(DescribeIndexReq.builder().collectionName(name).fieldName(indexed).build())
          .getIndexDescriptions().isEmpty(), "scalar index on " + indexed);
    }

    Record full = Record.of("full", v(1), Metadata.of("p", "x", "n", 7L, "d", 0.5, "flag", true,
        "tags", List.of("a", "b"), "id", "other-id", "extra", "json"));
    Record empty = Record.of("empty", v(2), Metadata.of("extra", 1L));
    Record zeros = Record.of("zeros", v(3), Metadata.of("p", "", "n", 0L, "d", 0.0, "flag", false, "tags", List.of()));
    c.upsert(full, empty, zeros);
    assertEquals(List.of(full, empty, zeros), c.get(List.of("full", "empty", "zeros")), "values, missing keys and"
        + " values equal to the placeholders read back as written");

    Map<String, Object> row = raw.query(QueryReq.builder().collectionName(name).filter("id == \"full\"")
        .outputFields(List.of("p", "n", "flag", "meta")).consistencyLevel(ConsistencyLevel.STRONG).build())
        .getQueryResults().get(0).getEntity();
    assertEquals("x", row.get("p"));
    assertEquals(7L, ((Number) row.get("n")).longValue());
    assertEquals(Boolean.TRUE, row.get("flag"));
    assertFalse(String.valueOf(row.get("meta")).contains("\"p\""), "declared keys are not in the JSON field: " + row);

    assertEquals(2, c.count(Filter.exists("p")));
    assertEquals(1, c.count(Filter.ne("p", "x")) - 1, "!= matches the missing value and the empty string");
    assertEquals(1, c.count(Filter.eq("p", "")));
    assertEquals(1, c.count(Filter.eq("n", 0L)));
    assertEquals(2, c.count(Filter.lt("n", 8)));
    assertEquals(1, c.count(Filter.not(Filter.lt("n", 8))), "the record without n");
    assertEquals(1, c.count(Filter.eq("flag", false)));
    assertEquals(2, c.count(Filter.ne("flag", true)));
    assertEquals(1, c.count(Filter.eq("tags", "a")));
    assertEquals(2, c.count(Filter.notIn("tags", "a", "zz")));
    assertEquals(1, c.count(Filter.eq("id", "other-id")));
    assertEquals(0, c.count(Filter.eq("n", "7")), "a literal of another type matches nothing");
    assertEquals(3, c.count(Filter.ne("n", "7")));
    assertEquals(List.of("full"), c.search(SearchRequest.of(v(1), 3).filter(Filter.parse("p == 'x' and n > 6.5")))
        .stream().map(Match::id).toList());
  }

  @Test
  void valuesBeyondTheFieldsLimitsAreRefusedBeforeAnythingIsWritten() {
    VectorCollection c = store.createCollection(CollectionSpec.builder(name).dimension(4).fields(FIELDS).build());
    Record ok = Record.of("ok", v(1), Metadata.of("p", "é".repeat(32_767)));
    c.upsert(ok);
    assertEquals(ok, c.get("ok").orElseThrow(), "65,534 UTF-8 bytes fit");
    String tooLong = "é".repeat(32_768);
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("a", v(1), Metadata.empty()),
        Record.of("b", v(1), Metadata.of("p", tooLong))));
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("c", v(1),
        Metadata.of("tags", java.util.Collections.nCopies(4_097, "t")))));
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("d", v(1), Metadata.of("n", 1.5))),
        "a double in a LONG field");
    assertThrows(InvalidArgumentException.class, () -> c.updateMetadata("ok", Metadata.of("p", tooLong)));
    assertEquals(1, c.count(), "nothing else was written");
    assertEquals(ok, c.get("ok").orElseThrow());
  }

  @Test
  void tenantsAreRowsOfTheirOwnThatNoFilterOfAnotherTenantReaches() {
    VectorCollection c = store.createCollection(CollectionSpec.builder(name).dimension(4).multiTenant(true)
        .fields(List.of(MetadataField.indexed("p", FieldType.STRING))).build());
    assertTrue(store.describeCollection(name).multiTenant());
    VectorCollection a = c.tenant("acme");
    VectorCollection b = store.collection(name).tenant("beta.co");
    a.upsert(Record.of("doc", v(1), Metadata.of("p", "x", "tenant", "acme")), Record.of("a-only", v(2), Metadata.empty()));
    b.upsert(Record.of("doc", v(3), Metadata.of("p", "y", "tenant", "beta.co")));
    assertEquals(Optional.of("acme"), a.get("doc").orElseThrow().metadata().get("tenant"));
    assertEquals(Optional.of("beta.co"), b.get("doc").orElseThrow().metadata().get("tenant"), "same id, two records");
    List<String> keys = raw.query(QueryReq.builder().collectionName(name).filter("id > \"\"").outputFields(List.of("id"))
        .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults().stream()
        .map(r -> String.valueOf(r.getEntity().get("id"))).sorted().toList();
    assertEquals(List.of("acme/a-only", "acme/doc", "beta.co/doc"), keys);

    for (String evil : List.of("tenant == 'beta.co'", "p == 'y' or not (p == 'y')", "not exists(p)",
        "tenant != 'acme' or tenant == 'acme'")) {
      Filter f = Filter.parse(evil);
      long want = a.list(ListRequest.of(100)).records().stream().filter(r -> f.matches(r.metadata())).count();
      assertEquals(want, a.count(f), evil);
      assertTrue(a.search(SearchRequest.of(v(3), 10).filter(f)).stream().noneMatch(m -> m.id().equals("doc")
          && m.metadata().get("tenant").orElse("").equals("beta.co")), evil);
    }
    assertEquals(2, a.count());
    assertTrue(a.get("beta.co/doc").isEmpty(), "an id that looks like another tenant's key stays in the tenant");
    a.delete(List.of("beta.co/doc"));
    a.delete(Filter.parse("tenant == 'beta.co' or exists(p) or not exists(p)"));
    assertEquals(0, a.count());
    assertEquals(1, b.count(), "deleting every record of one tenant leaves the other");
    assertThrows(InvalidArgumentException.class, () -> c.count(), "the collection's own handle reads no records");
  }
}
