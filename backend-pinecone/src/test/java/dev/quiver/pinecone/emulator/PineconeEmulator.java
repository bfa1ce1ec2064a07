package dev.quiver.pinecone.emulator;

import static dev.quiver.pinecone.emulator.EmulatorWire.JSON;
import static dev.quiver.pinecone.emulator.EmulatorWire.badControl;
import static dev.quiver.pinecone.emulator.EmulatorWire.controlError;
import static dev.quiver.pinecone.emulator.EmulatorWire.dataError;
import static dev.quiver.pinecone.emulator.EmulatorWire.json;
import static dev.quiver.pinecone.emulator.EmulatorWire.json404;
import static dev.quiver.pinecone.emulator.EmulatorWire.parse;
import static dev.quiver.pinecone.emulator.EmulatorWire.text;
import static dev.quiver.pinecone.emulator.EmulatorWire.unprocessable;
import static dev.quiver.pinecone.emulator.EmulatorWire.allowOnly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * A strict, in-memory Pinecone (API version 2025-10) on OkHttp's MockWebServer, for tests. It serves
 * the control plane ({@code /indexes}) and each index's data plane (under {@code /data/<index>/},
 * which is the "host" it describes), validates every request against the documented schema and
 * limits (unknown fields, wrong types, oversize batches, bad filters → Pinecone's status codes and
 * error bodies), evaluates filters with its own {@link EmulatorFilter}, returns squared L2 for
 * euclidean, keeps metadata numbers as doubles, lists ids sorted, and can inject 429/5xx, raw
 * answers (malformed JSON), slow responses, dropped connections and random storms of them
 * ({@link EmulatorFaults}), and simulate eventual consistency with LSN headers. The data plane is
 * {@link EmulatorDataPlane}; request validation and error shapes are {@link EmulatorWire}.
 */
public final class PineconeEmulator implements AutoCloseable {

  /** The API key the emulator accepts unless told otherwise ({@link #acceptKey(String)}). */
  public static final String API_KEY = "emulator-key-0123";
  /** The API version it requires. */
  public static final String API_VERSION = "2025-10";
  /** Namespace key describe_index_stats reports for the default namespace. */
  public static final String DEFAULT_NS = "__default__";

  private static final Pattern INDEX_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?");
  private static final Pattern TAG_KEY = Pattern.compile("[A-Za-z0-9_-]{1,80}");
  private static final Pattern TAG_VALUE = Pattern.compile("[A-Za-z0-9;@_.+ -]{0,120}");

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

  /**
   * A storm: each request whose path contains {@code pathContains} fails with this probability, with
   * one of {@code statuses} (0 = the connection is dropped); a share of the failures come after the
   * request was applied.
   *
   * @param pathContains the requests it hits ("" for all)
   * @param probability the chance that one request fails
   * @param afterApplyShare the share of failures that come after the request was applied
   * @param retryAfter the Retry-After header of 429s, or null
   * @param statuses the failures to draw from
   * @param seed the random seed (storms repeat)
   */
  public record Storm(String pathContains, double probability, double afterApplyShare, String retryAfter,
      List<Integer> statuses, long seed) {}

  private final MockWebServer server = new MockWebServer();
  private final Map<String, EmulatorIndex> indexes = new TreeMap<>();
  private final EmulatorFaults faults = new EmulatorFaults();
  private final EmulatorDataPlane data;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private volatile int lagReads;
  private volatile int describesUntilReady = 1;
  private volatile String apiKey = API_KEY;

  /**
   * @param neMissing what {@code $ne}/{@code $nin} do on records without the field
   */
  public PineconeEmulator(EmulatorFilter.NeMissing neMissing) {
    this.data = new EmulatorDataPlane(neMissing, () -> lagReads);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return handle(request);
      }
    });
    server.setServerSocketFactory(new NoDelayServerSocketFactory());
    try {
      server.start(InetAddress.getLoopbackAddress(), 0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Pinecone emulator", e);
    }
  }

  /** @return the loopback port it listens on */
  public int port() {
    return server.getPort();
  }

  /** @return the control plane's base URL */
  public String controlPlaneUrl() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** @return a {@code pinecone:} URI for this emulator */
  public String storeUri() {
    return "pinecone://127.0.0.1:" + server.getPort() + "?apiKey=" + apiKey + "&tls=false";
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
   * @param key the one API key accepted from now on
   * @return this emulator
   */
  public PineconeEmulator acceptKey(String key) {
    this.apiKey = key;
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
   * Makes the next request(s) whose path contains {@code pathContains} fail with {@code status}
   * (before they are applied).
   *
   * @param pathContains a path fragment ("" for any request)
   * @param status HTTP status
   * @param retryAfter Retry-After header, or null
   * @param times how many requests
   * @return this emulator
   */
  public PineconeEmulator failNext(String pathContains, int status, String retryAfter, int times) {
    for (int i = 0; i < times; i++) {
      faults.add(new EmulatorFaults.Fault(pathContains, status, retryAfter, null, 0, false, false));
    }
    return this;
  }

  /**
   * Answers the next matching request with this status and raw body instead of handling it: a body
   * that is not JSON, or one that is JSON without the documented fields.
   *
   * @param pathContains a path fragment ("" for any request)
   * @param status HTTP status
   * @param body the raw body
   * @return this emulator
   */
  public PineconeEmulator answerNext(String pathContains, int status, String body) {
    faults.add(new EmulatorFaults.Fault(pathContains, status, null, body, 0, false, false));
    return this;
  }

  /**
   * @param pathContains a path fragment
   * @param delay how long the next matching response waits before its headers
   * @return this emulator
   */
  public PineconeEmulator delayNext(String pathContains, Duration delay) {
    faults.add(new EmulatorFaults.Fault(pathContains, 0, null, null, delay.toMillis(), false, false));
    return this;
  }

  /**
   * @param pathContains a path fragment
   * @return this emulator, which will drop the connection of the next matching request
   */
  public PineconeEmulator dropNext(String pathContains) {
    faults.add(new EmulatorFaults.Fault(pathContains, 0, null, null, 0, true, false));
    return this;
  }

  /**
   * @param storm random failures from now on, or {@code null} to end the storm
   * @return this emulator
   */
  public PineconeEmulator storm(Storm storm) {
    faults.storm(storm);
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
   * @return the number of records committed in its default namespace (ignores visibility lag)
   */
  public synchronized int committedCount(String index) {
    return committedCount(index, "");
  }

  /**
   * @param index an index name
   * @param namespace a namespace ("" for the default)
   * @return the number of records committed in that namespace (ignores visibility lag), -1 without the index
   */
  public synchronized int committedCount(String index, String namespace) {
    EmulatorIndex i = indexes.get(index);
    return i == null ? -1 : i.committed.getOrDefault(namespace, new TreeMap<>()).size();
  }

  /**
   * @param index an index name
   * @return the namespaces that hold (or held) records, "" for the default
   */
  public synchronized Set<String> namespaces(String index) {
    return Set.copyOf(indexes.get(index).committed.keySet());
  }

  /**
   * @param index an index name
   * @return its stored metadata by id in the default namespace, committed (for white-box assertions)
   */
  public synchronized Map<String, ObjectNode> committedMetadata(String index) {
    return committedMetadata(index, "");
  }

  /**
   * @param index an index name
   * @param namespace a namespace ("" for the default)
   * @return its stored metadata by id in that namespace, committed (for white-box assertions)
   */
  public synchronized Map<String, ObjectNode> committedMetadata(String index, String namespace) {
    Map<String, ObjectNode> out = new TreeMap<>();
    indexes.get(index).committed.getOrDefault(namespace, new TreeMap<>()).forEach((k, v) -> out.put(k, v.metadata()));
    return out;
  }

  /**
   * @param index an index name
   * @return its tags as described (for white-box assertions)
   */
  public synchronized ObjectNode tags(String index) {
    return indexes.get(index).tags.deepCopy();
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
    EmulatorFaults.Fault fault = faults.take(path);
    if (fault != null && fault.answers() && !fault.afterApply()) {
      return fault.response();
    }
    MockResponse response;
    try {
      response = route(req.getMethod(), path, url, body, req.getHeaders());
    } catch (EmulatorWire.Reply r) {
      response = r.response;
    } catch (RuntimeException e) {
      response = json(500, dataError(13, "emulator bug: " + e));
    }
    if (fault == null) {
      return response;
    }
    return fault.answers() ? fault.response() : fault.delayed(response); // after apply: the answer is lost
  }

  private synchronized MockResponse route(String method, String path, HttpUrl url, String body, okhttp3.Headers headers) {
    boolean control = path.startsWith("/indexes");
    String key = headers.get("Api-Key");
    if (!apiKey.equals(key)) {
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
        EmulatorIndex i = indexes.get(seg.get(1));
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
          if (i.deletionProtection.equals("enabled")) {
            return json(403, controlError(403, "FORBIDDEN", "Deletion protection is enabled for this index. Disable"
                + " deletion protection before retrying."));
          }
          indexes.remove(i.name);
          return new MockResponse.Builder().code(202).build();
        }
        if (method.equals("PATCH")) {
          return configureIndex(i, body);
        }
      }
      return json(405, controlError(405, "UNIMPLEMENTED", "method not allowed"));
    }
    if (seg.size() >= 3 && seg.get(0).equals("data")) {
      EmulatorIndex i = indexes.get(seg.get(1));
      if (i == null) {
        return json(404, dataError(5, "Index not found"));
      }
      String op = String.join("/", seg.subList(2, seg.size()));
      return switch (method + " " + op) {
        case "POST vectors/upsert" -> data.upsert(i, body);
        case "POST query" -> data.query(i, body);
        case "GET vectors/fetch" -> data.fetch(i, url);
        case "POST vectors/delete" -> data.delete(i, body);
        case "GET vectors/list" -> data.list(i, url);
        case "POST describe_index_stats" -> data.stats(i, body);
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
    String protection = deletionProtection(n);
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
    putTags(n, tags);
    if (indexes.containsKey(name)) {
      return json(409, controlError(409, "ALREADY_EXISTS", "Resource already exists."));
    }
    EmulatorIndex i = new EmulatorIndex(name, dim, metric, tags, protection == null ? "disabled" : protection,
        describesUntilReady);
    indexes.put(name, i);
    return json(201, model(i));
  }

  private static String deletionProtection(JsonNode n) {
    if (!n.has("deletion_protection")) {
      return null;
    }
    String p = n.get("deletion_protection").asText();
    if (!n.get("deletion_protection").isTextual() || !Set.of("enabled", "disabled").contains(p)) {
      throw unprocessable("deletion_protection must be enabled or disabled");
    }
    return p;
  }

  /** Tags: keys of at most 80 alphanumerics, '_' or '-'; values of at most 120 from a small set; "" removes a tag. */
  private static void putTags(JsonNode n, ObjectNode tags) {
    if (!n.has("tags")) {
      return;
    }
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
      if (e.getValue().asText().isEmpty()) {
        tags.remove(e.getKey());
      } else {
        tags.put(e.getKey(), e.getValue().asText());
      }
    }
  }

  /** configure_index (PATCH /indexes/{name}): deletion protection and tags (merged; "" deletes a tag). */
  private MockResponse configureIndex(EmulatorIndex i, String body) {
    JsonNode n = parse(body, true);
    allowOnly(n, true, "deletion_protection", "tags", "spec", "embed");
    if (n.has("spec") || n.has("embed")) {
      throw badControl("the emulator configures deletion_protection and tags only");
    }
    String protection = deletionProtection(n);
    putTags(n, i.tags);
    if (protection != null) {
      i.deletionProtection = protection;
    }
    return json(200, model(i));
  }

  private ObjectNode model(EmulatorIndex i) {
    ObjectNode m = JSON.createObjectNode();
    m.put("name", i.name);
    m.put("dimension", i.dimension);
    m.put("metric", i.metric);
    m.put("host", "127.0.0.1:" + server.getPort() + "/data/" + i.name);
    m.put("deletion_protection", i.deletionProtection);
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


  /** Header names, spelled as Pinecone sends them. */
  public static final class PineconeHeaders {
    /** LSN of a write. */
    public static final String REQUEST_LSN = "x-pinecone-request-lsn";
    /** Highest LSN a query reflects. */
    public static final String MAX_INDEXED_LSN = "x-pinecone-max-indexed-lsn";

    private PineconeHeaders() {}
  }
}
