package dev.quiver.pinecone.emulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;

/**
 * A strict, in-memory Pinecone (API version 2025-10) on OkHttp's MockWebServer, for tests. It serves
 * the control plane ({@code /indexes}) and each index's data plane (under {@code /data/<index>/},
 * which is the "host" it describes), validates every request against the documented schema and
 * limits (unknown fields, wrong types, oversize batches, bad filters → Pinecone's status codes and
 * error bodies), evaluates filters with its own {@link EmulatorFilter}, returns squared L2 for
 * euclidean, keeps metadata numbers as doubles, lists ids sorted, and can inject 429/5xx, slow
 * responses and dropped connections, and simulate eventual consistency with LSN headers.
 */
public final class PineconeEmulator implements AutoCloseable {

  /** The API key the emulator accepts. */
  public static final String API_KEY = "emulator-key-0123";
  /** The API version it requires. */
  public static final String API_VERSION = "2025-10";
  /** Namespace key describe_index_stats reports for the default namespace. */
  public static final String DEFAULT_NS = "__default__";

  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Pattern INDEX_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?");
  private static final Pattern TAG_KEY = Pattern.compile("[A-Za-z0-9_-]{1,80}");
  private static final Pattern TAG_VALUE = Pattern.compile("[A-Za-z0-9;@_.+ -]{0,120}");
  private static final int MAX_BODY = 2 * 1024 * 1024;
  private static final int MAX_METADATA = 40 * 1024;

  /** One request as received. */
  public record Received(String method, String path, HttpUrl url, String body, okhttp3.Headers headers) {
    /** @return the body as JSON */
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private record Fault(int status, String retryAfter, long delayMs, boolean drop, String pathContains) {}

  private record Rec(String id, float[] values, ObjectNode metadata) {}

  private static final class Index {
    final String name;
    final int dimension;
    final String metric;
    final ObjectNode tags;
    int describesUntilReady;
    TreeMap<String, Rec> committed = new TreeMap<>();
    TreeMap<String, Rec> visible = new TreeMap<>();
    final Deque<Object[]> pending = new ArrayDeque<>(); // {lsn, readsLeft, snapshot}
    long lsn;
    long indexedLsn;
    boolean namespaceExists;

    Index(String name, int dimension, String metric, ObjectNode tags, int describesUntilReady) {
      this.name = name;
      this.dimension = dimension;
      this.metric = metric;
      this.tags = tags;
      this.describesUntilReady = describesUntilReady;
    }
  }

  /** Thrown inside the dispatcher to answer with an error. */
  private static final class Reply extends RuntimeException {
    final MockResponse response;

    Reply(MockResponse response) {
      super(null, null, false, false);
      this.response = response;
    }
  }

  private final MockWebServer server = new MockWebServer();
  private final EmulatorFilter.NeMissing neMissing;
  private final Map<String, Index> indexes = new TreeMap<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private volatile int lagReads;
  private volatile int describesUntilReady = 1;

  /**
   * @param neMissing what {@code $ne}/{@code $nin} do on records without the field
   */
  public PineconeEmulator(EmulatorFilter.NeMissing neMissing) {
    this.neMissing = neMissing;
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return handle(request);
      }
    });
    // Without TCP_NODELAY every response waits ~40 ms: MockWebServer writes headers and body in separate
    // segments, and Nagle holds the second until the client's delayed ACK of the first.
    server.setServerSocketFactory(new NoDelayServerSocketFactory());
    try {
      server.start(InetAddress.getLoopbackAddress(), 0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Pinecone emulator", e);
    }
  }

  /** @return the control plane's base URL */
  public String controlPlaneUrl() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** @return a {@code pinecone:} URI for this emulator */
  public String storeUri() {
    return "pinecone://127.0.0.1:" + server.getPort() + "?apiKey=" + API_KEY + "&tls=false";
  }

  /**
   * Simulates eventual consistency: each write becomes visible to reads (and counted in
   * {@code x-pinecone-max-indexed-lsn}) only after this many later reads of its index.
   *
   * @param reads 0 for immediate visibility
   * @return this emulator
   */
  public PineconeEmulator lagReads(int reads) {
    this.lagReads = reads;
    return this;
  }

  /**
   * @param describes how many describes a new index answers with {@code ready: false}
   * @return this emulator
   */
  public PineconeEmulator describesUntilReady(int describes) {
    this.describesUntilReady = describes;
    return this;
  }

  /**
   * Makes the next request(s) whose path contains {@code pathContains} fail with {@code status}.
   *
   * @param pathContains a path fragment ("" for any request)
   * @param status HTTP status
   * @param retryAfter Retry-After header, or null
   * @param times how many requests
   * @return this emulator
   */
  public synchronized PineconeEmulator failNext(String pathContains, int status, String retryAfter, int times) {
    for (int i = 0; i < times; i++) {
      faults.add(new Fault(status, retryAfter, 0, false, pathContains));
    }
    return this;
  }

  /**
   * @param pathContains a path fragment
   * @param delay how long the next matching response waits before its headers
   * @return this emulator
   */
  public synchronized PineconeEmulator delayNext(String pathContains, Duration delay) {
    faults.add(new Fault(0, null, delay.toMillis(), false, pathContains));
    return this;
  }

  /**
   * @param pathContains a path fragment
   * @return this emulator, which will drop the connection of the next matching request
   */
  public synchronized PineconeEmulator dropNext(String pathContains) {
    faults.add(new Fault(0, null, 0, true, pathContains));
    return this;
  }

  /** @return every request received, in order */
  public List<Received> requests() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /**
   * @param pathSuffix the end of a path, for example {@code "/vectors/upsert"}
   * @return the requests whose path ends with it
   */
  public List<Received> requests(String pathSuffix) {
    return requests().stream().filter(r -> r.path().endsWith(pathSuffix)).toList();
  }

  /** Forgets the recorded requests. */
  public void clearRequests() {
    received.clear();
  }

  /**
   * @param index an index name
   * @return the number of records committed in it (ignores visibility lag)
   */
  public synchronized int committedCount(String index) {
    Index i = indexes.get(index);
    return i == null ? -1 : i.committed.size();
  }

  /**
   * @param index an index name
   * @return its stored metadata by id, committed (for white-box assertions)
   */
  public synchronized Map<String, ObjectNode> committedMetadata(String index) {
    Map<String, ObjectNode> out = new TreeMap<>();
    indexes.get(index).committed.forEach((k, v) -> out.put(k, v.metadata()));
    return out;
  }

  @Override
  public void close() {
    server.close();
  }

  // =================================================================== dispatch

  private MockResponse handle(RecordedRequest req) {
    String body = req.getBody() == null ? "" : req.getBody().utf8();
    HttpUrl url = req.getUrl();
    String path = url.encodedPath();
    received.add(new Received(req.getMethod(), path, url, body, req.getHeaders()));
    Fault fault = takeFault(path);
    if (fault != null) {
      if (fault.drop()) {
        return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
      }
      if (fault.status() > 0) {
        MockResponse.Builder b = new MockResponse.Builder().code(fault.status())
            .addHeader("Content-Type", "application/json")
            .body(dataError(fault.status() == 429 ? 8 : 14, fault.status() == 429
                ? "Request failed. You've reached the max request rate for this index." : "Internal error"));
        if (fault.retryAfter() != null) {
          b.addHeader("Retry-After", fault.retryAfter());
        }
        return b.build();
      }
    }
    MockResponse response;
    try {
      response = route(req.getMethod(), path, url, body, req.getHeaders());
    } catch (Reply r) {
      response = r.response;
    } catch (RuntimeException e) {
      response = json(500, dataError(13, "emulator bug: " + e));
    }
    if (fault != null && fault.delayMs() > 0) {
      response = response.newBuilder().headersDelay(fault.delayMs(), TimeUnit.MILLISECONDS).build();
    }
    return response;
  }

  private synchronized Fault takeFault(String path) {
    for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
      Fault f = it.next();
      if (path.contains(f.pathContains())) {
        it.remove();
        return f;
      }
    }
    return null;
  }

  private synchronized MockResponse route(String method, String path, HttpUrl url, String body, okhttp3.Headers headers) {
    boolean control = path.startsWith("/indexes");
    String key = headers.get("Api-Key");
    if (!API_KEY.equals(key)) {
      if (control) {
        return json(401, controlError(401, "UNAUTHENTICATED", "Invalid API key."));
      }
      return new MockResponse.Builder().code(401).addHeader("Content-Type", "text/plain").body("Invalid API Key").build();
    }
    if (!API_VERSION.equals(headers.get("X-Pinecone-Api-Version"))) {
      return control ? json(400, controlError(400, "INVALID_ARGUMENT", "Unsupported or missing X-Pinecone-Api-Version"))
          : json(400, dataError(3, "Unsupported or missing X-Pinecone-Api-Version"));
    }
    List<String> seg = url.pathSegments();
    if (control) {
      if (seg.size() == 1 && method.equals("POST")) {
        return createIndex(body);
      }
      if (seg.size() == 1 && method.equals("GET")) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode arr = out.putArray("indexes");
        indexes.values().forEach(i -> arr.add(model(i)));
        return json(200, out);
      }
      if (seg.size() == 2) {
        Index i = indexes.get(seg.get(1));
        if (i == null) {
          return json(404, controlError(404, "NOT_FOUND", "Index " + seg.get(1) + " not found."));
        }
        if (method.equals("GET")) {
          ObjectNode m = model(i);
          if (i.describesUntilReady > 0) {
            i.describesUntilReady--;
          }
          return json(200, m);
        }
        if (method.equals("DELETE")) {
          indexes.remove(i.name);
          return new MockResponse.Builder().code(202).build();
        }
      }
      return json(405, controlError(405, "UNIMPLEMENTED", "method not allowed"));
    }
    if (seg.size() >= 3 && seg.get(0).equals("data")) {
      Index i = indexes.get(seg.get(1));
      if (i == null) {
        return json(404, dataError(5, "Index not found"));
      }
      String op = String.join("/", seg.subList(2, seg.size()));
      return switch (method + " " + op) {
        case "POST vectors/upsert" -> upsert(i, body);
        case "POST query" -> query(i, body);
        case "GET vectors/fetch" -> fetch(i, url);
        case "POST vectors/delete" -> delete(i, body);
        case "GET vectors/list" -> list(i, url);
        case "POST describe_index_stats" -> stats(i, body);
        default -> json(404, dataError(5, "no route " + method + " " + op));
      };
    }
    return json(404, dataError(5, "no route " + method + " " + path));
  }

  // =================================================================== control plane

  private MockResponse createIndex(String body) {
    JsonNode n = parse(body, true);
    allowOnly(n, true, "name", "dimension", "metric", "spec", "deletion_protection", "tags", "vector_type", "embed");
    String name = text(n, "name", true, true);
    if (!INDEX_NAME.matcher(name).matches()) {
      throw badControl("Index name must contain only lowercase alphanumeric characters or hyphens, and must not "
          + "begin or end with a hyphen.");
    }
    String vectorType = n.has("vector_type") ? text(n, "vector_type", true, true) : "dense";
    if (!vectorType.equals("dense")) {
      throw badControl("the emulator supports dense indexes only");
    }
    if (!n.has("dimension") || !n.get("dimension").canConvertToInt() || !n.get("dimension").isIntegralNumber()) {
      throw unprocessable("missing or non-integer field `dimension`");
    }
    int dim = n.get("dimension").intValue();
    if (dim < 1 || dim > 20_000) {
      throw badControl("Dimension must be between 1 and 20000, got " + dim);
    }
    String metric = n.has("metric") ? text(n, "metric", true, true) : "cosine";
    if (!Set.of("cosine", "euclidean", "dotproduct").contains(metric)) {
      throw unprocessable("unknown variant `" + metric + "`, expected one of `cosine`, `euclidean`, `dotproduct`");
    }
    if (n.has("deletion_protection") && !Set.of("enabled", "disabled").contains(n.get("deletion_protection").asText())) {
      throw unprocessable("deletion_protection must be enabled or disabled");
    }
    JsonNode spec = n.get("spec");
    if (spec == null || !spec.isObject()) {
      throw unprocessable("missing field `spec`");
    }
    allowOnly(spec, true, "serverless", "pod", "byoc");
    JsonNode sl = spec.get("serverless");
    if (sl == null || !sl.isObject() || spec.size() != 1) {
      throw badControl("the emulator serves serverless indexes only: spec must be {\"serverless\":{...}}");
    }
    allowOnly(sl, true, "cloud", "region", "read_capacity", "source_collection", "schema");
    String cloud = text(sl, "cloud", true, true);
    String region = text(sl, "region", true, true);
    if (!Set.of("aws", "gcp", "azure").contains(cloud)) {
      throw unprocessable("unknown variant `" + cloud + "` for cloud");
    }
    if (region.isBlank()) {
      throw json404("Resource cloud: " + cloud + " region: " + region + " not found.");
    }
    ObjectNode tags = JSON.createObjectNode();
    if (n.has("tags")) {
      if (!n.get("tags").isObject()) {
        throw unprocessable("tags must be an object");
      }
      Iterator<Map.Entry<String, JsonNode>> it = n.get("tags").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!TAG_KEY.matcher(e.getKey()).matches() || !e.getValue().isTextual()
            || !TAG_VALUE.matcher(e.getValue().asText()).matches()) {
          throw badControl("invalid tag " + e.getKey());
        }
        tags.put(e.getKey(), e.getValue().asText());
      }
    }
    if (indexes.containsKey(name)) {
      return json(409, controlError(409, "ALREADY_EXISTS", "Resource already exists."));
    }
    Index i = new Index(name, dim, metric, tags, describesUntilReady);
    indexes.put(name, i);
    return json(201, model(i));
  }

  private ObjectNode model(Index i) {
    ObjectNode m = JSON.createObjectNode();
    m.put("name", i.name);
    m.put("dimension", i.dimension);
    m.put("metric", i.metric);
    m.put("host", "127.0.0.1:" + server.getPort() + "/data/" + i.name);
    m.put("deletion_protection", "disabled");
    if (!i.tags.isEmpty()) {
      m.set("tags", i.tags.deepCopy());
    }
    ObjectNode sl = m.putObject("spec").putObject("serverless");
    sl.put("cloud", "aws");
    sl.put("region", "us-east-1");
    ObjectNode rc = sl.putObject("read_capacity");
    rc.put("mode", "OnDemand");
    rc.putObject("status").put("state", "Ready");
    boolean ready = i.describesUntilReady <= 0;
    m.putObject("status").put("ready", ready).put("state", ready ? "Ready" : "Initializing");
    m.put("vector_type", "dense");
    return m;
  }

  // =================================================================== data plane

  private MockResponse upsert(Index i, String body) {
    if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY) {
      throw bad("Request size " + body.length() + " bytes exceeds the maximum of " + MAX_BODY + " bytes");
    }
    JsonNode n = parse(body, false);
    allowOnly(n, false, "vectors", "namespace");
    namespace(n);
    JsonNode vectors = n.get("vectors");
    if (vectors == null || !vectors.isArray()) {
      throw bad("missing required field vectors");
    }
    if (vectors.size() > 1000) {
      throw bad("Upsert batch of " + vectors.size() + " vectors exceeds the maximum of 1000");
    }
    if (vectors.isEmpty()) {
      throw bad("vectors must not be empty");
    }
    List<Rec> recs = new ArrayList<>();
    for (JsonNode v : vectors) {
      if (!v.isObject()) {
        throw bad("each vector must be an object");
      }
      allowOnly(v, false, "id", "values", "sparseValues", "metadata");
      String id = id(v.get("id"));
      JsonNode values = v.get("values");
      if (values == null || !values.isArray()) {
        throw bad("Vector " + id + " has no dense values; this index is dense");
      }
      float[] f = floats(values, "values of " + id);
      if (f.length != i.dimension) {
        throw bad("Vector dimension " + f.length + " does not match the dimension of the index " + i.dimension);
      }
      boolean allZero = true;
      for (float x : f) {
        allZero &= x == 0f;
      }
      if (allZero) {
        throw bad("Dense vectors must contain at least one non-zero value (vector " + id + ")");
      }
      if (v.has("sparseValues")) {
        throw bad("sparse values are not supported by this emulator");
      }
      ObjectNode md = v.has("metadata") ? metadata(v.get("metadata"), id) : null;
      recs.add(new Rec(id, f, md));
    }
    for (Rec r : recs) {
      i.committed.put(r.id(), r);
    }
    i.namespaceExists = true;
    long lsn = commit(i);
    ObjectNode out = JSON.createObjectNode().put("upsertedCount", recs.size());
    return withLsn(json(200, out), PineconeHeaders.REQUEST_LSN, lsn);
  }

  private ObjectNode metadata(JsonNode md, String id) {
    if (!md.isObject()) {
      throw bad("metadata of " + id + " must be a flat JSON object");
    }
    if (JSON.valueToTree(md).toString().getBytes(StandardCharsets.UTF_8).length > MAX_METADATA) {
      throw bad("Metadata size is " + md.toString().getBytes(StandardCharsets.UTF_8).length
          + " bytes, which exceeds the limit of " + MAX_METADATA + " bytes per vector");
    }
    ObjectNode out = JSON.createObjectNode();
    Iterator<Map.Entry<String, JsonNode>> it = md.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      if (k.isEmpty() || k.startsWith("$")) {
        throw bad("metadata key '" + k + "' of " + id + " must be non-empty and not start with '$'");
      }
      if (v.isTextual() || v.isBoolean()) {
        out.set(k, v);
      } else if (v.isNumber()) {
        out.put(k, v.doubleValue()); // Pinecone keeps every number as float64
      } else if (v.isArray()) {
        for (JsonNode x : v) {
          if (!x.isTextual()) {
            throw bad("metadata list '" + k + "' of " + id + " must hold only strings");
          }
        }
        out.set(k, v);
      } else {
        throw bad("metadata value '" + k + "' of " + id + " has unsupported type " + v.getNodeType()
            + " (null and nested objects are not supported)");
      }
    }
    return out;
  }

  private MockResponse query(Index i, String body) {
    JsonNode n = parse(body, false);
    allowOnly(n, false, "namespace", "topK", "filter", "includeValues", "includeMetadata", "vector", "sparseVector",
        "id", "scanFactor", "maxCandidates");
    namespace(n);
    JsonNode topK = n.get("topK");
    if (topK == null || !topK.isIntegralNumber()) {
      throw bad("topK is required and must be an integer");
    }
    if (topK.asLong() < 1 || topK.asLong() > 10_000) {
      throw bad("topK must be between 1 and 10000, got " + topK.asLong());
    }
    boolean values = bool(n, "includeValues");
    boolean meta = bool(n, "includeMetadata");
    if (n.has("vector") == n.has("id")) {
      throw bad("exactly one of vector or id is required");
    }
    if (n.has("sparseVector")) {
      throw bad("sparse queries are not supported by this emulator");
    }
    JsonNode filter = n.get("filter");
    filter(filter);
    TreeMap<String, Rec> view = read(i);
    if (!i.namespaceExists) {
      return withLsn(json(404, dataError(5, "Namespace not found")), PineconeHeaders.MAX_INDEXED_LSN, i.indexedLsn);
    }
    float[] q;
    if (n.has("vector")) {
      q = floats(n.get("vector"), "vector");
      if (q.length != i.dimension) {
        throw bad("Query vector dimension " + q.length + " does not match the dimension of the index " + i.dimension);
      }
    } else {
      Rec r = view.get(id(n.get("id")));
      if (r == null) {
        return withLsn(json(200, JSON.createObjectNode().<ObjectNode>set("matches", JSON.createArrayNode())
            .put("namespace", "")), PineconeHeaders.MAX_INDEXED_LSN, i.indexedLsn);
      }
      q = r.values();
    }
    List<Object[]> scored = new ArrayList<>();
    for (Rec r : view.values()) {
      if (filter != null && !filter.isEmpty() && !EmulatorFilter.matches(filter, r.metadata(), neMissing)) {
        continue;
      }
      scored.add(new Object[] {r, score(i.metric, q, r.values())});
    }
    Comparator<Object[]> order = Comparator.comparingDouble(o -> (Float) o[1]);
    if (!i.metric.equals("euclidean")) {
      order = order.reversed();
    }
    scored.sort(order.thenComparing(o -> ((Rec) o[0]).id()));
    ObjectNode out = JSON.createObjectNode();
    ArrayNode matches = out.putArray("matches");
    for (Object[] o : scored.subList(0, (int) Math.min(scored.size(), topK.asLong()))) {
      Rec r = (Rec) o[0];
      ObjectNode m = matches.addObject();
      m.put("id", r.id());
      m.put("score", (Float) o[1]);
      if (values) {
        ArrayNode arr = m.putArray("values");
        for (float f : r.values()) {
          arr.add(f);
        }
      }
      if (meta && r.metadata() != null) {
        m.set("metadata", r.metadata());
      }
    }
    out.put("namespace", "");
    out.putObject("usage").put("readUnits", 1);
    return withLsn(json(200, out), PineconeHeaders.MAX_INDEXED_LSN, i.indexedLsn);
  }

  private static float score(String metric, float[] q, float[] v) {
    double dot = 0;
    double nq = 0;
    double nv = 0;
    double l2 = 0;
    for (int k = 0; k < q.length; k++) {
      dot += (double) q[k] * v[k];
      nq += (double) q[k] * q[k];
      nv += (double) v[k] * v[k];
      double d = (double) q[k] - v[k];
      l2 += d * d;
    }
    return (float) switch (metric) {
      case "cosine" -> nq == 0 || nv == 0 ? 0 : dot / (Math.sqrt(nq) * Math.sqrt(nv));
      case "dotproduct" -> dot;
      default -> l2; // squared Euclidean distance, as Pinecone documents
    };
  }

  private MockResponse fetch(Index i, HttpUrl url) {
    for (String p : url.queryParameterNames()) {
      if (!p.equals("ids") && !p.equals("namespace")) {
        throw bad("unknown query parameter " + p);
      }
    }
    List<String> ids = url.queryParameterValues("ids");
    if (ids.isEmpty()) {
      throw bad("ids is required");
    }
    if (ids.size() > 1000) {
      throw bad("Fetch of " + ids.size() + " ids exceeds the maximum of 1000");
    }
    for (String id : ids) {
      if (id == null || id.contains(" ")) {
        throw bad("ids must not contain spaces");
      }
      id(JSON.getNodeFactory().textNode(id));
    }
    TreeMap<String, Rec> view = read(i);
    ObjectNode out = JSON.createObjectNode();
    ObjectNode vectors = out.putObject("vectors");
    for (String id : ids) {
      Rec r = view.get(id);
      if (r != null) {
        ObjectNode v = vectors.putObject(id);
        v.put("id", id);
        ArrayNode arr = v.putArray("values");
        for (float f : r.values()) {
          arr.add(f);
        }
        if (r.metadata() != null) {
          v.set("metadata", r.metadata());
        }
      }
    }
    out.put("namespace", "");
    out.putObject("usage").put("readUnits", 1);
    return json(200, out);
  }

  private MockResponse delete(Index i, String body) {
    JsonNode n = parse(body, false);
    allowOnly(n, false, "ids", "deleteAll", "namespace", "filter");
    namespace(n);
    int modes = (n.has("ids") ? 1 : 0) + (bool(n, "deleteAll") ? 1 : 0) + (n.has("filter") ? 1 : 0);
    if (modes != 1) {
      throw bad("exactly one of ids, deleteAll=true or filter is required");
    }
    if (!i.namespaceExists) {
      return json(404, dataError(5, "Namespace not found"));
    }
    if (n.has("ids")) {
      JsonNode ids = n.get("ids");
      if (!ids.isArray() || ids.isEmpty()) {
        throw bad("ids must be a non-empty array");
      }
      if (ids.size() > 1000) {
        throw bad("Delete of " + ids.size() + " ids exceeds the maximum of 1000");
      }
      for (JsonNode id : ids) {
        i.committed.remove(id(id));
      }
    } else if (n.has("filter")) {
      JsonNode filter = n.get("filter");
      filter(filter);
      if (filter.isEmpty()) {
        throw bad("filter must not be empty");
      }
      i.committed.values().removeIf(r -> EmulatorFilter.matches(filter, r.metadata(), neMissing));
    } else {
      i.committed.clear();
    }
    long lsn = commit(i);
    return withLsn(json(200, JSON.createObjectNode()), PineconeHeaders.REQUEST_LSN, lsn);
  }

  private MockResponse list(Index i, HttpUrl url) {
    for (String p : url.queryParameterNames()) {
      if (!Set.of("prefix", "limit", "paginationToken", "namespace").contains(p)) {
        throw bad("unknown query parameter " + p);
      }
    }
    int limit = 100;
    String l = url.queryParameter("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        throw bad("limit must be an integer");
      }
      if (limit < 1) {
        throw bad("limit must be at least 1");
      }
    }
    String prefix = url.queryParameter("prefix") == null ? "" : url.queryParameter("prefix");
    String token = url.queryParameter("paginationToken");
    String after = null;
    if (token != null) {
      try {
        after = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw bad("invalid pagination token");
      }
    }
    TreeMap<String, Rec> view = read(i);
    List<String> ids = new ArrayList<>();
    boolean more = false;
    for (String id : after == null ? view.keySet() : view.tailMap(after, false).keySet()) {
      if (!id.startsWith(prefix)) {
        continue;
      }
      if (ids.size() == limit) {
        more = true;
        break;
      }
      ids.add(id);
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode arr = out.putArray("vectors");
    ids.forEach(id -> arr.addObject().put("id", id));
    if (more) {
      out.putObject("pagination").put("next",
          Base64.getEncoder().encodeToString(ids.get(ids.size() - 1).getBytes(StandardCharsets.UTF_8)));
    }
    out.put("namespace", "");
    out.putObject("usage").put("readUnits", 1);
    return json(200, out);
  }

  private MockResponse stats(Index i, String body) {
    JsonNode n = body.isEmpty() ? JSON.createObjectNode() : parse(body, false);
    allowOnly(n, false, "filter");
    if (n.has("filter")) {
      throw bad("Serverless and starter indexes do not support describing index stats with metadata filtering.");
    }
    TreeMap<String, Rec> view = read(i);
    ObjectNode out = JSON.createObjectNode();
    ObjectNode ns = out.putObject("namespaces");
    if (i.namespaceExists) {
      ns.putObject(DEFAULT_NS).put("vectorCount", view.size());
    }
    out.put("dimension", i.dimension);
    out.put("indexFullness", 0.0);
    out.put("totalVectorCount", view.size());
    out.put("metric", i.metric);
    out.put("vectorType", "dense");
    return json(200, out);
  }

  // =================================================================== consistency

  private long commit(Index i) {
    i.lsn++;
    if (lagReads <= 0) {
      i.visible = new TreeMap<>(i.committed);
      i.indexedLsn = i.lsn;
    } else {
      i.pending.add(new Object[] {i.lsn, lagReads, new TreeMap<>(i.committed)});
    }
    return i.lsn;
  }

  @SuppressWarnings("unchecked")
  private TreeMap<String, Rec> read(Index i) {
    for (Object[] p : i.pending) {
      p[1] = (Integer) p[1] - 1;
    }
    while (!i.pending.isEmpty() && (Integer) i.pending.peekFirst()[1] <= 0) {
      Object[] p = i.pending.pollFirst();
      i.indexedLsn = (Long) p[0];
      i.visible = (TreeMap<String, Rec>) p[2];
    }
    return i.visible;
  }

  // =================================================================== validation helpers

  private JsonNode parse(String body, boolean control) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw control ? unprocessable("body must be a JSON object") : bad("body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw control ? unprocessable("Failed to parse the request body as JSON") : bad("malformed JSON body");
    }
  }

  private static void allowOnly(JsonNode n, boolean control, String... fields) {
    Set<String> allowed = Set.of(fields);
    Iterator<String> it = n.fieldNames();
    while (it.hasNext()) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw control ? unprocessable("unknown field `" + f + "`") : bad("unknown field \"" + f + "\"");
      }
    }
  }

  private static void namespace(JsonNode n) {
    if (n.has("namespace")) {
      JsonNode ns = n.get("namespace");
      if (!ns.isTextual() || !(ns.asText().isEmpty() || ns.asText().equals(DEFAULT_NS))) {
        throw bad("the emulator serves only the default namespace");
      }
    }
  }

  private static boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null) {
      return false;
    }
    if (!v.isBoolean()) {
      throw bad(field + " must be a boolean");
    }
    return v.booleanValue();
  }

  private static String text(JsonNode n, String field, boolean required, boolean control) {
    JsonNode v = n.get(field);
    if (v == null) {
      if (required) {
        throw control ? unprocessable("missing field `" + field + "`") : bad("missing field " + field);
      }
      return null;
    }
    if (!v.isTextual()) {
      throw control ? unprocessable("invalid type for `" + field + "`: expected a string") : bad(field + " must be a string");
    }
    return v.asText();
  }

  private static String id(JsonNode v) {
    if (v == null || !v.isTextual()) {
      throw bad("id must be a string");
    }
    String id = v.asText();
    if (id.isEmpty() || id.length() > 512) {
      throw bad("id must be 1 to 512 characters, got " + id.length());
    }
    for (int k = 0; k < id.length(); k++) {
      char c = id.charAt(k);
      if (c == 0 || c > 127) {
        throw bad("id must be ASCII without \\0");
      }
    }
    return id;
  }

  private static float[] floats(JsonNode values, String what) {
    if (!values.isArray() || values.isEmpty() || values.size() > 20_000) {
      throw bad(what + " must be an array of 1 to 20000 numbers");
    }
    float[] f = new float[values.size()];
    for (int k = 0; k < f.length; k++) {
      JsonNode x = values.get(k);
      if (!x.isNumber()) {
        throw bad(what + " must hold numbers only");
      }
      f[k] = x.floatValue();
    }
    return f;
  }

  private static void filter(JsonNode filter) {
    if (filter == null) {
      return;
    }
    try {
      EmulatorFilter.validate(filter);
    } catch (EmulatorFilter.BadFilter e) {
      throw bad("Invalid filter: " + e.getMessage());
    }
  }

  // =================================================================== responses

  private static MockResponse json(int status, Object body) {
    return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
        .body(body instanceof String s ? s : body.toString()).build();
  }

  private static MockResponse withLsn(MockResponse r, String header, long lsn) {
    return r.newBuilder().addHeader(header, Long.toString(lsn)).build();
  }

  private static String dataError(int grpcCode, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.put("code", grpcCode);
    n.put("message", message);
    n.putArray("details");
    return n.toString();
  }

  private static String controlError(int status, String code, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("error").put("code", code).put("message", message);
    n.put("status", status);
    return n.toString();
  }

  private static Reply bad(String message) {
    return new Reply(json(400, dataError(3, message)));
  }

  private static Reply badControl(String message) {
    return new Reply(json(400, controlError(400, "INVALID_ARGUMENT", message)));
  }

  private static Reply unprocessable(String message) {
    return new Reply(json(422, controlError(422, "UNPROCESSABLE_ENTITY",
        "Failed to deserialize the JSON body into the target type: " + message)));
  }

  private static Reply json404(String message) {
    return new Reply(json(404, controlError(404, "NOT_FOUND", message)));
  }

  /** Server sockets whose accepted connections have Nagle's algorithm off. */
  private static final class NoDelayServerSocketFactory extends javax.net.ServerSocketFactory {
    @Override
    public java.net.ServerSocket createServerSocket() throws IOException {
      return new NoDelayServerSocket();
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port) throws IOException {
      java.net.ServerSocket s = new NoDelayServerSocket();
      s.bind(new java.net.InetSocketAddress(port));
      return s;
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
      java.net.ServerSocket s = new NoDelayServerSocket();
      s.bind(new java.net.InetSocketAddress(port), backlog);
      return s;
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
      java.net.ServerSocket s = new NoDelayServerSocket();
      s.bind(new java.net.InetSocketAddress(address, port), backlog);
      return s;
    }
  }

  private static final class NoDelayServerSocket extends java.net.ServerSocket {
    NoDelayServerSocket() throws IOException {
      super();
    }

    @Override
    public java.net.Socket accept() throws IOException {
      java.net.Socket s = super.accept();
      s.setTcpNoDelay(true);
      return s;
    }
  }

  /** Header names, spelled as Pinecone sends them. */
  public static final class PineconeHeaders {
    /** LSN of a write. */
    public static final String REQUEST_LSN = "x-pinecone-request-lsn";
    /** Highest LSN a query reflects. */
    public static final String MAX_INDEXED_LSN = "x-pinecone-max-indexed-lsn";

    private PineconeHeaders() {}
  }
}
