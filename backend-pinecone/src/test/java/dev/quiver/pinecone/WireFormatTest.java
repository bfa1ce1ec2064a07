package dev.quiver.pinecone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import dev.quiver.pinecone.internal.FilterTranslator;
import dev.quiver.pinecone.internal.Ids;
import dev.quiver.pinecone.internal.Layout;
import dev.quiver.pinecone.internal.Names;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exact JSON (and URLs and headers) the adapter sends for each operation, and the filter translation table. */
class WireFormatTest {

  private static final ObjectMapper M = new ObjectMapper();

  private PineconeEmulator emulator;
  private PineconeVectorStore store;

  @BeforeEach
  void start() {
    emulator = new PineconeEmulator(EmulatorFilter.NeMissing.DOES_NOT_MATCH);
    store = EmulatorStores.store(emulator);
  }

  @AfterEach
  void stop() {
    store.close();
    emulator.close();
  }

  private static JsonNode json(String text) {
    try {
      return M.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private VectorCollection collection(Metric metric) {
    return store.createCollection(CollectionSpec.builder("wire").dimension(3).metric(metric)
        .index(IndexSpec.hnsw(16, 200)).build());
  }

  @Test
  void createIndexBodyAndHeaders() {
    collection(Metric.EUCLIDEAN);
    PineconeEmulator.Received create = emulator.requests("/indexes").get(0);
    assertEquals("POST", create.method());
    assertEquals(json("{'name':'wire','dimension':3,'metric':'euclidean','spec':{'serverless':{'cloud':'aws',"
        + "'region':'us-east-1'}},'deletion_protection':'disabled','vector_type':'dense',"
        + "'tags':{'quiver_index':'hnsw-16-200'}}"), create.json());
    for (PineconeEmulator.Received r : emulator.requests()) {
      assertEquals(PineconeEmulator.API_KEY, r.headers().get("Api-Key"));
      assertEquals("2025-10", r.headers().get("X-Pinecone-Api-Version"));
    }
  }

  @Test
  void escapedCollectionNameKeepsTheOriginalInTags() {
    VectorCollection c = store.createCollection(CollectionSpec.builder("Kit_Name").dimension(2)
        .index(IndexSpec.hnsw(8, 50)).build());
    String index = Names.indexName("Kit_Name");
    assertTrue(index.startsWith("kit-name--"), index);
    JsonNode body = emulator.requests("/indexes").get(0).json();
    assertEquals(index, body.get("name").asText());
    assertEquals("Kit_Name", body.get("tags").get("quiver_name").asText());
    assertEquals(List.of("Kit_Name"), store.listCollections());
    assertEquals(IndexSpec.hnsw(8, 50), store.describeCollection("Kit_Name").index());
    assertEquals("Kit_Name", c.name());
    assertFalse(store.hasCollection("kit_name"), "another escaped name must not see this index");
  }

  @Test
  void upsertBody() {
    VectorCollection c = collection(Metric.COSINE);
    c.upsert(Record.of("a b", new float[] {1, 2, 3}, Metadata.of("year", 2024, "score", 0.5, "tags",
        List.of("x", "y"), "ok", true, "s", "t")));
    JsonNode body = emulator.requests("/vectors/upsert").get(0).json();
    assertEquals(json("{'vectors':[{'id':'a%20b','values':[1.0,2.0,3.0],'metadata':{'ok':true,'s':'t','score':0.5,"
        + "'tags':['x','y'],'year':2024,'__quiver_n_score':'d','__quiver_n_year':'l'}}]}"), body);
    // and the record comes back exactly, long as Long
    Record back = c.get("a b").orElseThrow();
    assertEquals(2024L, back.metadata().get("year").orElseThrow());
    assertEquals(0.5, back.metadata().get("score").orElseThrow());
    assertEquals(Metadata.of("year", 2024, "score", 0.5, "tags", List.of("x", "y"), "ok", true, "s", "t"),
        back.metadata());
  }

  @Test
  void upsertSplitsAtThousandVectorsAndTwoMegabytes() {
    VectorCollection c = collection(Metric.DOT_PRODUCT);
    List<Record> many = new java.util.ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      many.add(Record.of("r" + i, new float[] {1, i, 2}));
    }
    c.upsert(many);
    List<Integer> sizes = emulator.requests("/vectors/upsert").stream().map(r -> r.json().get("vectors").size()).toList();
    assertEquals(List.of(1000, 1000, 500), sizes);
    emulator.clearRequests();
    String big = "x".repeat(30_000);
    List<Record> heavy = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      heavy.add(Record.of("h" + i, new float[] {1, 1, 1}, Metadata.of("blob", big)));
    }
    c.upsert(heavy);
    List<PineconeEmulator.Received> reqs = emulator.requests("/vectors/upsert");
    assertTrue(reqs.size() >= 2, "a 3 MB upsert must be split");
    for (PineconeEmulator.Received r : reqs) {
      assertTrue(r.body().length() <= 2 * 1024 * 1024, "request of " + r.body().length() + " bytes");
    }
  }

  @Test
  void limitsCheckedBeforeSending() {
    VectorCollection c = collection(Metric.COSINE);
    emulator.clearRequests();
    assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of("m", new float[] {1, 1, 1},
        Metadata.of("blob", "y".repeat(41_000)))));
    assertThrows(UnsupportedFeatureException.class, () -> c.upsert(Record.of("l", new float[] {1, 1, 1},
        Metadata.of("n", (1L << 53) + 1))));
    assertThrows(InvalidArgumentException.class, () -> c.search(SearchRequest.of(new float[] {1, 1, 1}, 10_001)));
    assertThrows(UnsupportedFeatureException.class, () -> c.search(SearchRequest.of(new float[] {1, 1, 1}, 1)
        .filter(Filter.eq("n", (1L << 53) + 1))));
    assertThrows(UnsupportedFeatureException.class, () -> c.search(SearchRequest.of(new float[] {1, 1, 1}, 1).ef(5)));
    assertThrows(UnsupportedFeatureException.class, () -> store.createCollection(CollectionSpec.builder("flat")
        .dimension(3).build()));
    assertTrue(emulator.requests("/vectors/upsert").isEmpty() && emulator.requests("/query").isEmpty());
  }

  @Test
  void longNonAsciiIdsAreHashedAndComeBack() {
    VectorCollection c = collection(Metric.COSINE);
    String id = "🙂".repeat(128); // 512 UTF-8 bytes: 1536 characters once escaped
    c.upsert(Record.of(id, new float[] {1, 2, 3}, Metadata.of("k", 1)));
    JsonNode v = emulator.requests("/vectors/upsert").get(0).json().get("vectors").get(0);
    assertTrue(v.get("id").asText().startsWith("%h") && v.get("id").asText().length() == 66, v.toString());
    assertEquals(id, v.get("metadata").get("__quiver_id").asText());
    assertEquals(Metadata.of("k", 1), c.get(id).orElseThrow().metadata());
    assertEquals(id, c.search(SearchRequest.of(new float[] {1, 2, 3}, 1).includeMetadata(false)).get(0).id());
    assertEquals(id, c.list(ListRequest.of(10)).records().get(0).id());
    c.delete(List.of(id));
    assertEquals(0, emulator.committedCount("wire"));
  }

  @Test
  void queryBodyAndScores() {
    VectorCollection c = collection(Metric.EUCLIDEAN);
    c.upsert(Record.of("a", new float[] {1, 0, 0}), Record.of("b", new float[] {0, 3, 4}));
    emulator.clearRequests();
    var hits = c.search(SearchRequest.of(new float[] {0, 0, 0}, 2).filter("k != 'v'").includeVectors(true));
    JsonNode body = emulator.requests("/query").get(emulator.requests("/query").size() - 1).json();
    assertEquals(json("{'vector':[0.0,0.0,0.0],'topK':2,'includeValues':true,'includeMetadata':true,"
        + "'filter':{'$or':[{'k':{'$ne':'v'}},{'k':{'$exists':false}}]}}"), body);
    assertEquals("a", hits.get(0).id());
    assertEquals(1.0, hits.get(0).distance(), 1e-6);
    assertEquals(0.5, hits.get(0).score(), 1e-6);
    assertEquals(5.0, hits.get(1).distance(), 1e-6); // Pinecone said 25 (squared)
  }

  @Test
  void fetchDeleteListStats() {
    VectorCollection c = collection(Metric.COSINE);
    c.upsert(Record.of("a", new float[] {1, 0, 0}, Metadata.of("k", 1)), Record.of("b%", new float[] {0, 1, 0}));
    emulator.clearRequests();
    c.get(List.of("a", "b%", "a"));
    PineconeEmulator.Received fetch = emulator.requests("/vectors/fetch").get(0);
    assertEquals("GET", fetch.method());
    assertEquals(List.of("a", "b%25"), fetch.url().queryParameterValues("ids"));
    c.delete(List.of("a", "zz"));
    assertEquals(json("{'ids':['a','zz']}"), emulator.requests("/vectors/delete").get(0).json());
    c.delete(Filter.parse("k >= 1"));
    assertEquals(json("{'filter':{'k':{'$gte':1}}}"), emulator.requests("/vectors/delete").get(1).json());
    c.list(ListRequest.of(5));
    PineconeEmulator.Received list = emulator.requests("/vectors/list").get(0);
    assertEquals("100", list.url().queryParameter("limit"));
    assertEquals(null, list.url().queryParameter("paginationToken"));
    c.count();
    assertEquals(json("{}"), emulator.requests("/describe_index_stats").get(0).json());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "x == 'a'                 | {'x':{'$eq':'a'}}",
      "x == 1                   | {'x':{'$eq':1}}",
      "x == 1.5                 | {'x':{'$eq':1.5}}",
      "x == true                | {'x':{'$eq':true}}",
      "x != 'a'                 | {'$or':[{'x':{'$ne':'a'}},{'x':{'$exists':false}}]}",
      "x > 5                    | {'x':{'$gt':5}}",
      "x >= 5                   | {'x':{'$gte':5}}",
      "x < 5                    | {'x':{'$lt':5}}",
      "x <= 5                   | {'x':{'$lte':5}}",
      "not x > 5                | {'$or':[{'x':{'$lte':5}},{'x':{'$exists':false}},{'$and':[{'x':{'$exists':true}},{'__quiver_n_x':{'$exists':false}}]}]}",
      "not x <= 2.5             | {'$or':[{'x':{'$gt':2.5}},{'x':{'$exists':false}},{'$and':[{'x':{'$exists':true}},{'__quiver_n_x':{'$exists':false}}]}]}",
      "x in ['a', 'b']          | {'x':{'$in':['a','b']}}",
      "x in ['a', 1, true]      | {'$or':[{'x':{'$in':['a']}},{'x':{'$in':[1]}},{'x':{'$eq':true}}]}",
      "x not in ['a', 'b']      | {'$or':[{'x':{'$nin':['a','b']}},{'x':{'$exists':false}}]}",
      "x not in ['a', false]    | {'$or':[{'$and':[{'x':{'$nin':['a']}},{'x':{'$ne':false}}]},{'x':{'$exists':false}}]}",
      "exists(x)                | {'x':{'$exists':true}}",
      "not exists(x)            | {'x':{'$exists':false}}",
      "not not x == 1           | {'x':{'$eq':1}}",
      "a == 1 and b == 2        | {'$and':[{'a':{'$eq':1}},{'b':{'$eq':2}}]}",
      "a == 1 or b == 2         | {'$or':[{'a':{'$eq':1}},{'b':{'$eq':2}}]}",
      "not (a == 1 and b == 2)  | {'$or':[{'$or':[{'a':{'$ne':1}},{'a':{'$exists':false}}]},{'$or':[{'b':{'$ne':2}},{'b':{'$exists':false}}]}]}",
      "not (a == 1 or exists(b)) | {'$and':[{'$or':[{'a':{'$ne':1}},{'a':{'$exists':false}}]},{'b':{'$exists':false}}]}",
  })
  void filterTable(String quiver, String pinecone) {
    assertEquals(json(pinecone), json(FilterTranslator.translate(Filter.parse(quiver), PLAIN).toString()), quiver);
  }

  /** A Quiver collection without declared fields. */
  private static final Layout PLAIN = Layout.quiver(CollectionSpec.builder("t").dimension(2).build());
  /** One with a declared long {@code n} and a declared string {@code s}. */
  private static final Layout DECLARED = Layout.quiver(CollectionSpec.builder("t").dimension(2)
      .field(MetadataField.indexed("n", FieldType.LONG)).field(MetadataField.of("s", FieldType.STRING)).build());

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "declared | not n > 5 | {'$or':[{'n':{'$lte':5}},{'n':{'$exists':false}}]}",
      "declared | not s > 5 | {'$or':[{'s':{'$lte':5}},{'s':{'$exists':false}},{'s':{'$exists':true}}]}",
      "declared | not x > 5 | {'$or':[{'x':{'$lte':5}},{'x':{'$exists':false}},{'$and':[{'x':{'$exists':true}},{'__quiver_n_x':{'$exists':false}}]}]}",
      "declared | n != 5    | {'$or':[{'n':{'$ne':5}},{'n':{'$exists':false}}]}",
      "foreign  | not x > 5 | {'$or':[{'x':{'$lte':5}},{'x':{'$exists':false}}]}",
      "foreign  | x == 5    | {'x':{'$eq':5}}",
  })
  void negatedRangesFollowTheLayout(String layout, String quiver, String pinecone) {
    Layout l = layout.equals("foreign") ? Layout.foreign() : DECLARED;
    assertEquals(json(pinecone), json(FilterTranslator.translate(Filter.parse(quiver), l).toString()), quiver);
  }

  @Test
  void hugeInListsAreSplit() {
    Object[] values = new Object[10_001];
    for (int i = 0; i < values.length; i++) {
      values[i] = "v" + i;
    }
    JsonNode f = json(FilterTranslator.translate(Filter.in("x", values), PLAIN).toString());
    assertEquals(2, f.get("$or").size());
    assertEquals(10_000, f.get("$or").get(0).get("x").get("$in").size());
  }

  @Test
  void idsAndNames() {
    assertEquals("plain-ID_1", Ids.encode("plain-ID_1"));
    assertEquals("a%20b%25%C3%A9%00", Ids.encode("a b%é\0"));
    for (String id : List.of("a b%é\0", "日本語", "🙂 x", "%41")) {
      assertEquals(id, Ids.decode(Ids.encode(id)));
    }
    assertEquals("abc", Names.indexName("abc"));
    assertEquals("my-index", Names.indexName("my-index"));
    assertTrue(Names.indexName("a--b").contains("--") && !Names.indexName("a--b").equals("a--b"));
    assertTrue(Names.indexName("x".repeat(255)).length() <= 45);
    assertEquals(Map.of(), Names.tags("abc"));
    assertEquals("x".repeat(120), Names.tags("x".repeat(255)).get("quiver_name"));
    assertEquals(java.util.Optional.of("x".repeat(255)),
        Names.collectionName(Names.indexName("x".repeat(255)), Names.tags("x".repeat(255))));
  }

  @Test
  void capabilitiesAreHonest() {
    var caps = store.capabilities();
    assertEquals(dev.quiver.Capabilities.Consistency.EVENTUAL, caps.consistency());
    assertFalse(caps.supports(Feature.INDEX_FLAT));
    assertFalse(caps.supports(Feature.EXACT_LONGS));
    assertTrue(caps.supports(Feature.INDEX_HNSW));
    assertEquals(10_000, caps.maxTopK());
  }
}
