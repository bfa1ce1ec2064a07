package dev.quiver.pinecone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.io.IOException;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per emulator rule: a request that breaks it is rejected the way Pinecone documents. */
class EmulatorRulesTest {

  private static final ObjectMapper M = new ObjectMapper();
  private static final MediaType JSON = MediaType.get("application/json");

  private PineconeEmulator emu;
  private final OkHttpClient http = new OkHttpClient();

  record Reply(int status, String body) {
    JsonNode json() {
      try {
        return M.readTree(body);
      } catch (IOException e) {
        throw new AssertionError(body, e);
      }
    }
  }

  @BeforeEach
  void start() throws IOException {
    emu = new PineconeEmulator(EmulatorFilter.NeMissing.DOES_NOT_MATCH).describesUntilReady(0);
    assertEquals(201, post("/indexes", "{'name':'idx','dimension':2,'metric':'euclidean',"
        + "'spec':{'serverless':{'cloud':'aws','region':'us-east-1'}}}").status());
    assertEquals(200, post("/data/idx/vectors/upsert", "{'vectors':[{'id':'a','values':[1,0],"
        + "'metadata':{'year':2019,'tags':['x','y'],'s':'v'}},{'id':'b','values':[0,3]}]}").status());
  }

  @AfterEach
  void stop() {
    emu.close();
  }

  private Reply send(String method, String path, String body, String key, String version) throws IOException {
    Request.Builder b = new Request.Builder().url(emu.controlPlaneUrl() + path);
    if (key != null) {
      b.header("Api-Key", key);
    }
    if (version != null) {
      b.header("X-Pinecone-Api-Version", version);
    }
    b.method(method, body == null ? null : RequestBody.create(body.replace('\'', '"'), JSON));
    try (Response r = http.newCall(b.build()).execute()) {
      return new Reply(r.code(), r.body().string());
    }
  }

  private Reply post(String path, String body) throws IOException {
    return send("POST", path, body, PineconeEmulator.API_KEY, "2025-10");
  }

  private Reply get(String path) throws IOException {
    return send("GET", path, null, PineconeEmulator.API_KEY, "2025-10");
  }

  private static void assertDataError(Reply r, int status, int grpc) {
    assertEquals(status, r.status(), r.body());
    assertEquals(grpc, r.json().get("code").asInt(), r.body());
    assertTrue(r.json().has("message") && r.json().get("details").isArray(), r.body());
  }

  private static void assertControlError(Reply r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.json().get("error").get("code").asText(), r.body());
    assertEquals(status, r.json().get("status").asInt(), r.body());
  }

  @Test
  void apiKeyRequired() throws IOException {
    assertControlError(send("GET", "/indexes", null, "wrong", "2025-10"), 401, "UNAUTHENTICATED");
    assertEquals(401, send("POST", "/data/idx/query", "{}", null, "2025-10").status());
  }

  @Test
  void versionHeaderRequired() throws IOException {
    assertEquals(400, send("GET", "/indexes", null, PineconeEmulator.API_KEY, null).status());
    assertDataError(send("POST", "/data/idx/query", "{'topK':1,'vector':[1,1]}", PineconeEmulator.API_KEY, "2024-04"),
        400, 3);
  }

  @Test
  void createIndexRules() throws IOException {
    String spec = "'spec':{'serverless':{'cloud':'aws','region':'us-east-1'}}";
    assertControlError(post("/indexes", "{'name':'Bad_Name','dimension':2,'metric':'cosine'," + spec + "}"), 400,
        "INVALID_ARGUMENT");
    assertControlError(post("/indexes", "{'name':'x" + "y".repeat(45) + "','dimension':2," + spec + "}"), 400,
        "INVALID_ARGUMENT");
    assertControlError(post("/indexes", "{'name':'ok','dimension':0," + spec + "}"), 400, "INVALID_ARGUMENT");
    assertControlError(post("/indexes", "{'name':'ok','dimension':20001," + spec + "}"), 400, "INVALID_ARGUMENT");
    assertControlError(post("/indexes", "{'name':'ok','dimension':2,'metric':'manhattan'," + spec + "}"), 422,
        "UNPROCESSABLE_ENTITY");
    assertControlError(post("/indexes", "{'name':'ok','dimension':2,'shards':1," + spec + "}"), 422,
        "UNPROCESSABLE_ENTITY");
    assertControlError(post("/indexes", "{'name':'ok','dimension':2}"), 422, "UNPROCESSABLE_ENTITY");
    assertControlError(post("/indexes", "{'name':'ok','dimension':'2'," + spec + "}"), 422, "UNPROCESSABLE_ENTITY");
    assertControlError(post("/indexes", "{'name':'idx','dimension':2," + spec + "}"), 409, "ALREADY_EXISTS");
    assertControlError(post("/indexes", "{'name':'ok','dimension':2,'tags':{'k':'no/slash'}," + spec + "}"), 400,
        "INVALID_ARGUMENT");
  }

  @Test
  void unknownIndex() throws IOException {
    assertControlError(get("/indexes/nope"), 404, "NOT_FOUND");
    assertControlError(send("DELETE", "/indexes/nope", null, PineconeEmulator.API_KEY, "2025-10"), 404, "NOT_FOUND");
    assertDataError(post("/data/nope/query", "{'topK':1,'vector':[1,1]}"), 404, 5);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{'vectors':[{'id':'a','values':[1,1]}],'extra':1}",
      "{'vectors':[{'id':'a','values':[1,1],'meta':{}}]}",
      "{'vectors':[{'id':'','values':[1,1]}]}",
      "{'vectors':[{'id':'é','values':[1,1]}]}",
      "{'vectors':[{'id':'a','values':[1,1,1]}]}",
      "{'vectors':[{'id':'a','values':[0,0]}]}",
      "{'vectors':[{'id':'a','values':['1',1]}]}",
      "{'vectors':[{'id':'a','values':[1,1],'metadata':{'k':null}}]}",
      "{'vectors':[{'id':'a','values':[1,1],'metadata':{'k':{'nested':1}}}]}",
      "{'vectors':[{'id':'a','values':[1,1],'metadata':{'k':[1,2]}}]}",
      "{'vectors':[{'id':'a','values':[1,1],'metadata':{'$k':1}}]}",
      "{'vectors':[{'id':'a','values':[1,1],'metadata':[1]}]}",
      "{'vectors':[]}",
      "{'vectors':{}}",
      "not json",
  })
  void upsertRules(String body) throws IOException {
    assertDataError(post("/data/idx/vectors/upsert", body), 400, 3);
  }

  @Test
  void upsertLimits() throws IOException {
    StringBuilder many = new StringBuilder("{'vectors':[");
    for (int i = 0; i < 1001; i++) {
      many.append(i == 0 ? "" : ",").append("{'id':'v").append(i).append("','values':[1,1]}");
    }
    assertDataError(post("/data/idx/vectors/upsert", many + "]}"), 400, 3);
    assertDataError(post("/data/idx/vectors/upsert", "{'vectors':[{'id':'" + "i".repeat(513) + "','values':[1,1]}]}"),
        400, 3);
    String meta = "m".repeat(41_000);
    assertDataError(post("/data/idx/vectors/upsert", "{'vectors':[{'id':'a','values':[1,1],'metadata':{'k':'" + meta
        + "'}}]}"), 400, 3);
    StringBuilder big = new StringBuilder("{'vectors':[");
    for (int i = 0; i < 60; i++) {
      big.append(i == 0 ? "" : ",").append("{'id':'v").append(i).append("','values':[1,1],'metadata':{'k':'")
          .append("z".repeat(39_000)).append("'}}");
    }
    assertDataError(post("/data/idx/vectors/upsert", big + "]}"), 400, 3);
    assertEquals(2, emu.committedCount("idx"), "nothing of a rejected batch is written");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{'topK':'1','vector':[1,1]}",
      "{'topK':0,'vector':[1,1]}",
      "{'topK':10001,'vector':[1,1]}",
      "{'vector':[1,1]}",
      "{'topK':1}",
      "{'topK':1,'vector':[1,1],'id':'a'}",
      "{'topK':1,'vector':[1,1,1]}",
      "{'topK':1,'vector':[1,1],'includeValues':'yes'}",
      "{'topK':1,'vector':[1,1],'top_k':1}",
      "{'topK':1,'vector':[1,1],'namespace':'n\\u00fc'}",
      "{'topK':1,'vector':[1,1],'filter':{'s':{'$regex':'v'}}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':{'$eq':['a','b']}}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':['a','b']}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':{'$in':[true]}}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':{'$in':'a'}}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':{'$gt':'a'}}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':{'$eq':null}}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':null}}",
      "{'topK':1,'vector':[1,1],'filter':{'$eq':{'s':'v'}}}",
      "{'topK':1,'vector':[1,1],'filter':{'$and':[]}}",
      "{'topK':1,'vector':[1,1],'filter':{'$or':{'s':'v'}}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':{'$exists':1}}}",
      "{'topK':1,'vector':[1,1],'filter':{'s':{}}}",
      "{'topK':1,'vector':[1,1],'filter':[]}",
  })
  void queryAndFilterRules(String body) throws IOException {
    assertDataError(post("/data/idx/query", body), 400, 3);
  }

  @Test
  void inListLimit() throws IOException {
    StringBuilder in = new StringBuilder("[");
    for (int i = 0; i < 10_001; i++) {
      in.append(i == 0 ? "" : ",").append(i);
    }
    assertDataError(post("/data/idx/query", "{'topK':1,'vector':[1,1],'filter':{'year':{'$in':" + in + "]}}}"), 400, 3);
  }

  @Test
  void fetchRules() throws IOException {
    StringBuilder q = new StringBuilder("/data/idx/vectors/fetch?");
    for (int i = 0; i < 1001; i++) {
      q.append("ids=i").append(i).append('&');
    }
    assertDataError(get(q.toString()), 400, 3);
    assertDataError(get("/data/idx/vectors/fetch?ids=a%20b"), 400, 3);
    assertDataError(get("/data/idx/vectors/fetch"), 400, 3);
    assertDataError(get("/data/idx/vectors/fetch?ids=a&id=b"), 400, 3);
  }

  @Test
  void deleteRules() throws IOException {
    assertDataError(post("/data/idx/vectors/delete", "{'ids':['a'],'filter':{'s':'v'}}"), 400, 3);
    assertDataError(post("/data/idx/vectors/delete", "{}"), 400, 3);
    assertDataError(post("/data/idx/vectors/delete", "{'ids':['a'],'deleteAll':true}"), 400, 3);
    assertDataError(post("/data/idx/vectors/delete", "{'filter':{'s':{'$bad':1}}}"), 400, 3);
    StringBuilder ids = new StringBuilder("[");
    for (int i = 0; i < 1001; i++) {
      ids.append(i == 0 ? "" : ",").append("'i").append(i).append("'");
    }
    assertDataError(post("/data/idx/vectors/delete", "{'ids':" + ids + "]}"), 400, 3);
    assertEquals(2, emu.committedCount("idx"));
  }

  @Test
  void listAndStatsRules() throws IOException {
    assertDataError(get("/data/idx/vectors/list?limit=0"), 400, 3);
    assertDataError(get("/data/idx/vectors/list?limit=x"), 400, 3);
    assertDataError(get("/data/idx/vectors/list?paginationToken=%25%25"), 400, 3);
    assertDataError(get("/data/idx/vectors/list?cursor=a"), 400, 3);
    assertDataError(post("/data/idx/describe_index_stats", "{'filter':{'s':'v'}}"), 400, 3);
  }

  @Test
  void missingNamespace() throws IOException {
    assertEquals(201, post("/indexes", "{'name':'empty','dimension':2,"
        + "'spec':{'serverless':{'cloud':'aws','region':'us-east-1'}}}").status());
    assertDataError(post("/data/empty/vectors/delete", "{'ids':['a']}"), 404, 5);
    assertDataError(post("/data/empty/query", "{'topK':1,'vector':[1,1]}"), 404, 5);
  }

  // ------------------------------------------------------------ documented behaviour (not rejections)

  @Test
  void euclideanScoresAreSquaredAndNumbersAreDoubles() throws IOException {
    Reply r = post("/data/idx/query", "{'topK':2,'vector':[0,0],'includeMetadata':true}");
    JsonNode m = r.json().get("matches");
    assertEquals("a", m.get(0).get("id").asText());
    assertEquals(1.0, m.get(0).get("score").asDouble(), 1e-6);
    assertEquals(9.0, m.get(1).get("score").asDouble(), 1e-6);
    assertTrue(m.get(0).get("metadata").get("year").isDouble(), r.body());
    assertTrue(r.body().contains("2019.0"), r.body());
  }

  @Test
  void listIsSortedAndPaged() throws IOException {
    post("/data/idx/vectors/upsert", "{'vectors':[{'id':'C','values':[1,1]},{'id':'B','values':[1,1]}]}");
    Reply first = get("/data/idx/vectors/list?limit=3");
    List<String> ids = new java.util.ArrayList<>();
    first.json().get("vectors").forEach(v -> ids.add(v.get("id").asText()));
    assertEquals(List.of("B", "C", "a"), ids);
    String token = first.json().get("pagination").get("next").asText();
    Reply second = get("/data/idx/vectors/list?limit=3&paginationToken=" + token);
    assertEquals("b", second.json().get("vectors").get(0).get("id").asText());
    assertTrue(!second.json().has("pagination"));
  }

  @ParameterizedTest
  @EnumSource(EmulatorFilter.NeMissing.class)
  void neOnMissingKeyIsASwitch(EmulatorFilter.NeMissing mode) throws IOException {
    emu.close();
    emu = new PineconeEmulator(mode).describesUntilReady(0);
    post("/indexes", "{'name':'idx','dimension':2,'spec':{'serverless':{'cloud':'aws','region':'us-east-1'}}}");
    post("/data/idx/vectors/upsert", "{'vectors':[{'id':'a','values':[1,0],'metadata':{'s':'v','tags':['x','y']}},"
        + "{'id':'b','values':[0,3]},{'id':'c','values':[1,1],'metadata':{'s':'w','tags':['z']}}]}");
    List<String> ne = ids(post("/data/idx/query", "{'topK':10,'vector':[1,1],'filter':{'s':{'$ne':'v'}}}"));
    List<String> nin = ids(post("/data/idx/query", "{'topK':10,'vector':[1,1],'filter':{'s':{'$nin':['v']}}}"));
    List<String> expected = mode == EmulatorFilter.NeMissing.MATCHES ? List.of("b", "c") : List.of("c");
    assertEquals(expected, ne.stream().sorted().toList());
    assertEquals(expected, nin.stream().sorted().toList());
    List<String> listNe = ids(post("/data/idx/query", "{'topK':10,'vector':[1,1],'filter':{'tags':{'$ne':'x'}}}"));
    assertEquals(mode == EmulatorFilter.NeMissing.MATCHES ? List.of("b", "c") : List.of("c"),
        listNe.stream().sorted().toList(), "$ne on a list: no element equals");
    List<String> listEq = ids(post("/data/idx/query", "{'topK':10,'vector':[1,1],'filter':{'tags':'y'}}"));
    assertEquals(List.of("a"), listEq);
  }

  @Test
  void namespacesSeparateIdsAndEveryOperationStaysInItsNamespace() throws IOException {
    assertEquals(200, post("/data/idx/vectors/upsert", "{'namespace':'t1','vectors':[{'id':'a','values':[0,1],"
        + "'metadata':{'s':'t1'}},{'id':'z','values':[1,1],'metadata':{'s':'t1'}}]}").status());
    assertEquals(200, post("/data/idx/vectors/upsert", "{'namespace':'t2','vectors':[{'id':'a','values':[1,1],"
        + "'metadata':{'s':'t2'}}]}").status());
    // the same id is three records: default, t1, t2
    assertEquals("v", get("/data/idx/vectors/fetch?ids=a").json().at("/vectors/a/metadata/s").asText());
    assertEquals("t1", get("/data/idx/vectors/fetch?ids=a&namespace=t1").json().at("/vectors/a/metadata/s").asText());
    assertEquals("t2", get("/data/idx/vectors/fetch?ids=a&namespace=t2").json().at("/vectors/a/metadata/s").asText());
    assertEquals("t1", get("/data/idx/vectors/fetch?ids=a&namespace=t1").json().get("namespace").asText());
    assertEquals(List.of("a", "z"), listIds("t1"));
    assertEquals(List.of("a", "b"), listIds("__default__"));
    assertEquals(List.of("a", "z"), ids(post("/data/idx/query", "{'namespace':'t1','topK':5,'vector':[1,1]}"))
        .stream().sorted().toList());
    JsonNode stats = post("/data/idx/describe_index_stats", "{}").json();
    assertEquals(2, stats.at("/namespaces/__default__/vectorCount").asInt());
    assertEquals(2, stats.at("/namespaces/t1/vectorCount").asInt());
    assertEquals(1, stats.at("/namespaces/t2/vectorCount").asInt());
    assertEquals(5, stats.get("totalVectorCount").asInt());
    // delete by ids, by filter and deleteAll touch one namespace only
    post("/data/idx/vectors/delete", "{'namespace':'t1','ids':['a']}");
    assertEquals(2, emu.committedCount("idx", "t2") + emu.committedCount("idx", "t1"));
    assertEquals(2, emu.committedCount("idx"));
    post("/data/idx/vectors/delete", "{'namespace':'t2','filter':{'s':{'$exists':true}}}");
    assertEquals(0, emu.committedCount("idx", "t2"));
    assertEquals(1, emu.committedCount("idx", "t1"));
    assertEquals(2, emu.committedCount("idx"), "a filter in t2 leaves the default namespace alone");
    post("/data/idx/vectors/delete", "{'namespace':'t1','deleteAll':true}");
    assertEquals(0, emu.committedCount("idx", "t1"));
    assertEquals(2, emu.committedCount("idx"));
    // a namespace nobody wrote to
    assertDataError(post("/data/idx/query", "{'namespace':'never','topK':1,'vector':[1,1]}"), 404, 5);
    assertDataError(post("/data/idx/vectors/delete", "{'namespace':'never','deleteAll':true}"), 404, 5);
    assertEquals(0, get("/data/idx/vectors/list?namespace=never").json().get("vectors").size());
  }

  private List<String> listIds(String namespace) throws IOException {
    List<String> out = new java.util.ArrayList<>();
    get("/data/idx/vectors/list?namespace=" + namespace).json().get("vectors").forEach(v -> out.add(v.get("id").asText()));
    return out;
  }

  @Test
  void deletionProtectionRefusesDeleteUntilConfiguredOff() throws IOException {
    assertEquals(201, post("/indexes", "{'name':'kept','dimension':2,'deletion_protection':'enabled',"
        + "'spec':{'serverless':{'cloud':'aws','region':'us-east-1'}}}").status());
    Reply refused = send("DELETE", "/indexes/kept", null, PineconeEmulator.API_KEY, "2025-10");
    assertEquals(403, refused.status(), refused.body());
    assertEquals("FORBIDDEN", refused.json().at("/error/code").asText());
    Reply patched = send("PATCH", "/indexes/kept", "{'deletion_protection':'disabled','tags':{'team':'x'}}",
        PineconeEmulator.API_KEY, "2025-10");
    assertEquals(200, patched.status(), patched.body());
    assertEquals("x", patched.json().at("/tags/team").asText());
    assertEquals(422, send("PATCH", "/indexes/kept", "{'dimension':3}", PineconeEmulator.API_KEY, "2025-10").status());
    assertEquals(202, send("DELETE", "/indexes/kept", null, PineconeEmulator.API_KEY, "2025-10").status());
  }

  private static List<String> ids(Reply r) {
    List<String> out = new java.util.ArrayList<>();
    r.json().get("matches").forEach(m -> out.add(m.get("id").asText()));
    return out;
  }
}
