package dev.quiver.pinecone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the adapter writes and reads for declared fields (tags, plain values), tenants (the namespace on
 * every call) and indexes made outside Quiver (their own ids and metadata, no reserved keys, errors that
 * name what cannot be mapped), checked on the wire and in the emulator's stored state.
 */
class LayoutsAndTenantsTest {

  private PineconeEmulator emulator;
  private PineconeVectorStore store;
  private PineconeRest rest;

  @BeforeEach
  void start() {
    emulator = new PineconeEmulator(EmulatorFilter.NeMissing.DOES_NOT_MATCH);
    store = EmulatorStores.store(emulator);
    rest = new PineconeRest(emulator.controlPlaneUrl(), PineconeEmulator.API_KEY);
  }

  @AfterEach
  void stop() {
    store.close();
    emulator.close();
  }

  private static float[] v(float... f) {
    return f;
  }

  // ------------------------------------------------------------------ declared fields

  @Test
  void declaredFieldsLiveInTagsAndAreStoredAsPlainMetadata() {
    CollectionSpec spec = CollectionSpec.builder("typed").dimension(2).index(IndexSpec.hnsw(16, 200))
        .field(MetadataField.indexed("year", FieldType.LONG)).field(MetadataField.of("price", FieldType.DOUBLE))
        .field(MetadataField.indexed("tags", FieldType.STRING_LIST)).undeclaredKeysAllowed(true).build();
    VectorCollection c = store.createCollection(spec);
    ObjectNode tags = emulator.tags("typed");
    assertEquals("year.L1;price.D0;tags.T1", tags.path("quiver_fields").asText());
    assertEquals("hnsw-16-200", tags.path("quiver_index").asText());
    assertEquals(spec, store.describeCollection("typed"), "the declaration comes back from the tags");
    assertEquals(spec, store.collection("typed").spec());

    c.upsert(Record.of("a", v(1, 0), Metadata.of("year", 2024L, "price", 2.0, "extra", 7L)));
    JsonNode md = emulator.committedMetadata("typed").get("a");
    assertEquals(Set.of("year", "price", "extra", "__quiver_n_extra"), fieldNames(md),
        "declared numbers carry no type tag; the undeclared one does");
    Record back = c.get("a").orElseThrow();
    assertEquals(2024L, back.metadata().get("year").orElseThrow(), "a declared LONG reads back as Long");
    assertEquals(2.0, back.metadata().get("price").orElseThrow(), "a declared DOUBLE 2.0 stays a Double");
    assertEquals(7L, back.metadata().get("extra").orElseThrow());
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("b", v(1, 1), Metadata.of("year", 1.5))));
    assertEquals(1, emulator.committedCount("typed"));
  }

  @Test
  void onlyDeclaredKeysAndLongFieldListsSurviveTheTags() {
    CollectionSpec.Builder b = CollectionSpec.builder("Wide_Fields").dimension(2).index(IndexSpec.hnsw(16, 200))
        .undeclaredKeysAllowed(false).multiTenant(true);
    for (int i = 0; i < 32; i++) {
      b.field(MetadataField.indexed("field_with_a_rather_long_name_number_" + i, FieldType.values()[i % 5]));
    }
    CollectionSpec spec = b.build();
    store.createCollection(spec);
    String index = dev.quiver.pinecone.internal.Names.indexName("Wide_Fields");
    ObjectNode tags = emulator.tags(index);
    assertTrue(tags.has("quiver_fields2") && tags.has("quiver_undeclared") && tags.has("quiver_tenants"), tags.toString());
    assertEquals(spec, store.describeCollection("Wide_Fields"));
  }

  private static Set<String> fieldNames(JsonNode n) {
    Set<String> out = new TreeSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  // ------------------------------------------------------------------ tenants

  @Test
  void everyCallOfATenantHandleCarriesItsNamespace() {
    VectorCollection c = store.createCollection(CollectionSpec.builder("mt").dimension(2).index(IndexSpec.hnsw(16, 200))
        .multiTenant(true).build());
    assertTrue(store.describeCollection("mt").multiTenant());
    VectorCollection acme = c.tenant("acme");
    VectorCollection other = c.tenant("other.co");
    emulator.clearRequests();
    acme.upsert(List.of(Record.of("x", v(1, 0), Metadata.of("owner", "acme")), Record.of("y", v(0, 1))));
    other.upsert(Record.of("x", v(1, 1), Metadata.of("owner", "other")));
    acme.get("x");
    acme.count();
    acme.count(Filter.eq("owner", "acme"));
    acme.list(ListRequest.of(10));
    acme.search(SearchRequest.of(v(1, 0), 3).filter(Filter.parse("owner == 'other' or not exists(owner)")));
    acme.updateMetadata("y", Metadata.of("k", 1L));
    acme.delete(Filter.eq("owner", "other"));
    acme.delete(List.of("nope"));
    for (PineconeEmulator.Received r : emulator.requests()) {
      String ns = r.method().equals("GET") ? r.url().queryParameter("namespace") : r.json().path("namespace").asText(null);
      if (r.path().endsWith("/describe_index_stats")) {
        continue; // stats cover the index; the adapter reads its namespace's entry
      }
      boolean otherCall = r.body().contains("\"other\"") && r.path().endsWith("/vectors/upsert");
      assertEquals(otherCall ? "other.co" : "acme", ns, r.method() + " " + r.path() + " " + r.body());
    }
    assertEquals(Set.of("acme", "other.co"), emulator.namespaces("mt"));
    assertEquals(0, emulator.committedCount("mt"), "nothing in the default namespace");
    assertEquals(2, acme.count(), "the filter on 'other' deleted nothing in acme");
    assertEquals("other", other.get("x").orElseThrow().metadata().get("owner").orElseThrow());
    assertEquals(List.of("acme", "other.co"), c.tenants());
    assertThrows(InvalidArgumentException.class, c::count, "the own handle holds no records");
  }

  // ------------------------------------------------------------------ foreign indexes

  private String foreignIndex(String name, String namespace, List<ObjectNode> vectors) {
    String host = rest.createServerlessIndex(name, 2, "cosine", false);
    rest.upsert(host, namespace, vectors);
    return host;
  }

  private static ObjectNode md(Object... kv) {
    ObjectNode n = PineconeRest.object();
    for (int i = 0; i < kv.length; i += 2) {
      Object val = kv[i + 1];
      if (val instanceof String s) {
        n.put((String) kv[i], s);
      } else if (val instanceof Double d) {
        n.put((String) kv[i], d);
      } else if (val instanceof Boolean bo) {
        n.put((String) kv[i], bo);
      }
    }
    return n;
  }

  @Test
  void foreignIndexesKeepTheirIdsAndGetNoReservedKeys() {
    foreignIndex("shop", "", List.of(PineconeRest.vector("a%20b", v(1, 0), md("year", 2019.0, "title", "t"))));
    assertEquals(List.of("shop"), store.listCollections());
    CollectionSpec spec = store.describeCollection("shop");
    assertTrue(spec.layout().get("id").contains("as it is"), spec.layout().toString());
    assertTrue(spec.fields().isEmpty() && !spec.multiTenant() && spec.undeclaredKeysAllowed());
    VectorCollection c = store.collection("shop");
    Record r = c.get("a%20b").orElseThrow();
    assertEquals("a%20b", r.id(), "a foreign id is not unescaped");
    assertEquals(2019.0, r.metadata().get("year").orElseThrow(), "numbers of a foreign index read as Double");
    c.upsert(Record.of("long-id", v(0, 1), Metadata.of("year", 2020L, "rating", 1.5, "ok", true)));
    JsonNode stored = emulator.committedMetadata("shop").get("long-id");
    assertEquals(Set.of("year", "rating", "ok"), fieldNames(stored), "no reserved keys in a foreign index");
    assertEquals(2020.0, c.get("long-id").orElseThrow().metadata().get("year").orElseThrow());
    for (String bad : List.of("with space", "caf\u00e9", "x".repeat(513))) {
      assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of(bad, v(1, 1))), bad);
    }
    assertEquals(2, emulator.committedCount("shop"));
    assertEquals(1, c.count(Filter.parse("year > 2019.5")));
    assertEquals(List.of("long-id"), c.search(SearchRequest.of(v(0, 1), 5).filter(Filter.eq("ok", true)))
        .stream().map(dev.quiver.Match::id).toList());
  }

  @Test
  void foreignRecordsQuiverCannotMapAreRefusedByName() {
    foreignIndex("odd", "", List.of(PineconeRest.vector("fine", v(1, 0), md("k", "v")),
        PineconeRest.vector("bad", v(0, 1), md("page-number", 3.0))));
    VectorCollection c = store.collection("odd");
    assertEquals("v", c.get("fine").orElseThrow().metadata().get("k").orElseThrow());
    BackendException e = assertThrows(BackendException.class, () -> c.get("bad"));
    assertTrue(e.getMessage().contains("'bad'") && e.getMessage().contains("page-number"), e.getMessage());
    assertThrows(BackendException.class, () -> c.list(ListRequest.of(10)), "never silently dropped from a scroll");
    emulator.answerNext("/vectors/fetch", 200, "{\"vectors\":{\"fine\":{\"id\":\"fine\",\"values\":[1,0],"
        + "\"sparseValues\":{\"indices\":[3],\"values\":[0.5]}}},\"namespace\":\"\"}");
    BackendException sparse = assertThrows(BackendException.class, () -> c.get("fine"));
    assertTrue(sparse.getMessage().contains("sparse values"), sparse.getMessage());
  }

  @Test
  void sparseIndexesAreNamedNotOpened() {
    rest.createServerlessIndex("sparse-one", 2, "dotproduct", false);
    emulator.answerNext("/indexes/sparse-one", 200, "{\"name\":\"sparse-one\",\"metric\":\"dotproduct\","
        + "\"host\":\"h\",\"vector_type\":\"sparse\",\"status\":{\"ready\":true,\"state\":\"Ready\"}}");
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> store.describeCollection("sparse-one"));
    assertTrue(e.getMessage().contains("sparse"), e.getMessage());
  }

  @Test
  void theNamespaceOptionOpensAnotherNamespaceOfForeignIndexesOnly() {
    foreignIndex("lc", "default", List.of(PineconeRest.vector("u1", v(1, 0), md("text_segment", "hello"))));
    store.createCollection(CollectionSpec.builder("ours").dimension(2).index(IndexSpec.hnsw(16, 200)).build())
        .upsert(Record.of("q", v(1, 1)));
    try (VectorStore defaults = EmulatorStores.store(emulator);
        VectorStore named = Quiver.open(emulator.storeUri() + "&namespace=default")) {
      assertEquals(0, defaults.collection("lc").count(), "the default namespace of lc is empty");
      VectorCollection lc = named.collection("lc");
      assertEquals(1, lc.count());
      assertEquals("hello", lc.get("u1").orElseThrow().metadata().get("text_segment").orElseThrow());
      assertTrue(named.describeCollection("lc").layout().get("namespace").contains("'default'"));
      assertEquals(1, named.collection("ours").count(), "Quiver's own collection stays in the default namespace");
    }
    assertThrows(InvalidArgumentException.class, () -> PineconeVectorStore.builder().namespace("n\u00fc"));
  }

  @Test
  void foreignNamesThatQuiverWouldEscapeAreReachable() {
    foreignIndex("a--b", "", List.of(PineconeRest.vector("x", v(1, 0), md())));
    store.createCollection(CollectionSpec.builder("Mine_1").dimension(2).index(IndexSpec.hnsw(16, 200)).build());
    assertEquals(List.of("Mine_1", "a--b"), store.listCollections());
    assertTrue(store.hasCollection("a--b"));
    assertEquals(1, store.collection("a--b").count());
    assertFalse(store.describeCollection("a--b").layout().isEmpty());
    assertTrue(store.describeCollection("Mine_1").layout().isEmpty(), "Quiver's own collections have no layout");
  }

  @Test
  void deletionProtectionIsNotAnAuthenticationError() {
    rest.createServerlessIndex("guarded", 2, "cosine", true);
    BackendException e = assertThrows(BackendException.class, () -> store.dropCollection("guarded"));
    assertTrue(e.getMessage().toLowerCase().contains("deletion protection"), e.getMessage());
    assertTrue(store.hasCollection("guarded"));
  }

  @Test
  void capabilitiesDeclareTheNewFeatures() {
    var caps = store.capabilities();
    assertEquals(dev.quiver.Capabilities.Support.EMULATED, caps.entry(Feature.DECLARED_FIELDS).support());
    assertEquals(dev.quiver.Capabilities.Support.NATIVE, caps.entry(Feature.TENANTS).support());
    assertEquals(dev.quiver.Capabilities.Support.NATIVE, caps.entry(Feature.FOREIGN_COLLECTIONS).support());
  }
}
