package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.spi.AbstractVectorCollection;
import dev.quiver.spi.AbstractVectorStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One Pinecone index seen as a Quiver collection. See docs/backends/pinecone.md for every mapping
 * decision; in short: ids escaped to ASCII ({@link Ids}), metadata with number tags
 * ({@link MetadataCodec}), filters translated exactly ({@link FilterTranslator}), batches split to
 * Pinecone's limits, scores converted to Quiver's, and read-your-writes through Pinecone's LSN headers
 * where Pinecone sends them. Arguments arrive checked by {@link AbstractVectorCollection}.
 *
 * <p>Namespaces: a single-tenant collection lives in the index's default namespace (a foreign index:
 * the namespace the store was opened with); a multi-tenant collection's tenant {@code t} is namespace
 * {@code t}, and a tenant handle's {@link DataPlane} sends that namespace with every call, so no
 * filter can reach another tenant. How ids and metadata are written depends on the {@link Layout}.
 */
public final class PineconeCollection extends AbstractVectorCollection {

  /** Pinecone's largest upsert batch, in vectors. */
  public static final int MAX_UPSERT_VECTORS = 1000;
  /** Pinecone's largest request body (2 MB). */
  public static final int MAX_REQUEST_BYTES = 2 * 1024 * 1024;
  /** Pinecone's largest fetch and delete, in ids. */
  public static final int MAX_IDS_PER_REQUEST = 1000;
  /** Keep fetch URLs (ids go in the query string) below this many characters of ids. */
  public static final int MAX_FETCH_URL_CHARS = 12_000;
  /** Ids per list page asked of Pinecone. */
  public static final int LIST_LIMIT = 100;

  /**
   * How a collection waits for its own writes before reading.
   *
   * @param freshnessTimeout how long a read waits for the collection's own earlier writes (0: not at all)
   * @param freshnessPollFirst the first pause between freshness probes
   * @param freshnessPollMax the longest pause between freshness probes
   */
  public record Context(Duration freshnessTimeout, Duration freshnessPollFirst, Duration freshnessPollMax) {}

  /** Default first pause between freshness probes. */
  public static final Duration FRESHNESS_POLL_FIRST = Duration.ofMillis(20);
  /** Default longest pause between freshness probes. */
  public static final Duration FRESHNESS_POLL_MAX = Duration.ofMillis(500);

  private final Context ctx;
  private final DataPlane data;
  private final Layout layout;
  private final AtomicLong writtenLsn = new AtomicLong(-1);
  private final AtomicLong indexedLsn = new AtomicLong(-1);

  /**
   * @param store the store (its boundary checks every call)
   * @param ctx freshness settings
   * @param spec the collection's spec
   * @param data the index's data plane, in the collection's namespace
   * @param layout how records are laid out in the index
   */
  public PineconeCollection(AbstractVectorStore store, Context ctx, CollectionSpec spec, DataPlane data,
      Layout layout) {
    super(store, spec);
    this.ctx = ctx;
    this.data = data;
    this.layout = layout;
  }

  /** A tenant's handle: the same index, every call in namespace {@code tenant}. */
  private PineconeCollection(PineconeCollection collection, String tenant) {
    super(collection, tenant);
    this.ctx = collection.ctx;
    this.data = collection.data.inNamespace(tenant);
    this.layout = collection.layout;
  }

  @Override
  protected AbstractVectorCollection doTenant(String tenant) {
    return new PineconeCollection(this, tenant);
  }

  /** The namespaces that hold records (describe_index_stats; may lag behind the latest writes, as Pinecone's stats do). */
  @Override
  protected List<String> doTenants() {
    awaitFreshness();
    List<String> out = new ArrayList<>();
    data.namespaces().fields().forEachRemaining(e -> {
      // the default namespace holds no tenant's records unless a tenant is named after it
      String name = e.getKey().isEmpty() ? DataPlane.DEFAULT_NAMESPACE : e.getKey();
      if (e.getValue().path("vectorCount").asLong(0) > 0) {
        out.add(name);
      }
    });
    return out;
  }

  // ---------------------------------------------------------------- writes

  @Override
  protected void doUpsert(List<Record> records) {
    // every record is encoded (and its metadata checked against Pinecone's limits) before the first batch goes
    List<ObjectNode> nodes = new ArrayList<>(records.size());
    for (Record r : records) {
      nodes.add(vectorNode(r.id(), r.vector(), r.metadata()));
    }
    sendUpserts(nodes);
  }

  private ObjectNode vectorNode(String id, float[] vector, Metadata metadata) {
    ObjectNode n = Json.object();
    n.put("id", layout.encodeId(id));
    ArrayNode values = n.putArray("values");
    for (float v : vector) {
      values.add(v);
    }
    ObjectNode md = MetadataCodec.encode(metadata, id, layout);
    if (!md.isEmpty()) {
      n.set("metadata", md);
    }
    return n;
  }

  private void sendUpserts(List<ObjectNode> nodes) {
    final int overhead = "{\"vectors\":[]}".length();
    ArrayNode batch = Json.array();
    long bytes = overhead;
    for (ObjectNode n : nodes) {
      int size = Json.bytes(n).length + 1;
      if (batch.size() > 0 && (batch.size() == MAX_UPSERT_VECTORS || bytes + size > MAX_REQUEST_BYTES)) {
        noteWrite(data.upsert(batch));
        batch = Json.array();
        bytes = overhead;
      }
      batch.add(n);
      bytes += size;
    }
    if (batch.size() > 0) {
      noteWrite(data.upsert(batch));
    }
  }

  @Override
  protected void doDelete(List<String> ids) {
    List<String> encoded = encodeIds(ids);
    for (int i = 0; i < encoded.size(); i += MAX_IDS_PER_REQUEST) {
      ObjectNode body = Json.object();
      ArrayNode arr = body.putArray("ids");
      encoded.subList(i, Math.min(encoded.size(), i + MAX_IDS_PER_REQUEST)).forEach(arr::add);
      noteWrite(data.delete(body));
    }
  }

  @Override
  protected void doDelete(Filter filter) {
    ObjectNode body = Json.object();
    body.set("filter", FilterTranslator.translate(filter, layout));
    noteWrite(data.delete(body));
  }

  @Override
  protected boolean doUpdateMetadata(String id, Metadata metadata) {
    String pid = layout.encodeId(id);
    MetadataCodec.encode(metadata, id, layout); // validate before reading
    awaitFreshness();
    JsonNode v = data.fetch(List.of(pid)).path(pid);
    if (v.isMissingNode() || v.isNull()) {
      return false;
    }
    ObjectNode n = vectorNode(id, floats(v.path("values")), metadata);
    ArrayNode batch = Json.array();
    batch.add(n);
    noteWrite(data.upsert(batch));
    return true;
  }

  // ---------------------------------------------------------------- reads

  @Override
  protected List<Record> doGet(List<String> ids) {
    List<String> encoded = encodeIds(ids);
    awaitFreshness();
    Map<String, Record> found = new HashMap<>();
    fetchAll(encoded, found::put);
    List<Record> out = new ArrayList<>();
    for (String pid : encoded) {
      Record r = found.get(pid);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  private void fetchAll(List<String> pids, BiConsumer<String, Record> sink) {
    List<String> batch = new ArrayList<>();
    int chars = 0;
    for (String pid : pids) {
      int len = pid.length() * 3 + 5;
      if (!batch.isEmpty() && (batch.size() == MAX_IDS_PER_REQUEST || chars + len > MAX_FETCH_URL_CHARS)) {
        fetchBatch(batch, sink);
        batch = new ArrayList<>();
        chars = 0;
      }
      batch.add(pid);
      chars += len;
    }
    if (!batch.isEmpty()) {
      fetchBatch(batch, sink);
    }
  }

  private void fetchBatch(List<String> batch, BiConsumer<String, Record> sink) {
    JsonNode vectors = data.fetch(batch);
    for (String pid : batch) {
      JsonNode v = vectors.path(pid);
      if (!v.isMissingNode() && !v.isNull()) {
        String id = layout.decodeId(pid, v.path("metadata"));
        refuseSparse(id, v);
        sink.accept(pid, Record.of(id, floats(v.path("values")), MetadataCodec.decode(v.path("metadata"), id, layout)));
      }
    }
  }

  /**
   * A record of a hybrid index carries sparse values beside its dense ones. Quiver has no place for
   * them, and a write through Quiver would replace the record without them, so such a record is refused
   * by name rather than read without them.
   */
  private void refuseSparse(String id, JsonNode v) {
    JsonNode sparse = v.path("sparseValues");
    if (sparse.isObject() && sparse.path("indices").size() > 0) {
      throw new BackendException("record '" + id + "' of Pinecone index '" + spec().name() + "' has sparse values ("
          + sparse.path("indices").size() + " entries); Quiver maps dense vectors only and would lose them, so it"
          + " does not read this record", null);
    }
  }

  @Override
  protected long doCount(Optional<Filter> filterOrAll) {
    if (filterOrAll.isEmpty()) {
      awaitFreshness();
      return data.count();
    }
    Filter filter = filterOrAll.get();
    FilterTranslator.translate(filter, layout); // same up-front checks as a search (e.g. EXACT_LONGS)
    awaitFreshness();
    long[] n = {0};
    String token = null;
    String last = null; // id pages may shift under concurrent writes: never count an id twice
    do {
      DataPlane.IdPage page = data.list(LIST_LIMIT, token);
      List<String> ids = new ArrayList<>();
      for (String pid : page.ids()) {
        if (last == null || pid.compareTo(last) > 0) {
          ids.add(pid);
          last = pid;
        }
      }
      fetchAll(ids, (pid, r) -> {
        if (filter.matches(r.metadata())) {
          n[0]++;
        }
      });
      token = page.next();
    } while (token != null);
    return n[0];
  }

  @Override
  protected Page doList(ListRequest request) {
    Filter filter = request.filter().orElse(null);
    if (filter != null) {
      FilterTranslator.translate(filter, layout); // same up-front checks as a search (e.g. EXACT_LONGS)
    }
    Cursor start = request.cursor().map(PineconeCollection::decodeCursor).orElse(new Cursor(null, null));
    awaitFreshness();
    // Pinecone's id pages are not stable while others write: a token re-read later can start earlier
    // or later in id order than it did, and a listed id can be gone by the time it is fetched. So the
    // cursor's "after" (the last id this scroll examined) is the one authority: every id at or below
    // it is skipped on every page, and an id page is left only once all of its ids were examined.
    List<Record> out = new ArrayList<>();
    String token = start.token();
    String after = start.after();
    while (true) {
      DataPlane.IdPage page = data.list(LIST_LIMIT, token);
      List<String> candidates = new ArrayList<>();
      for (String pid : page.ids()) {
        if (after == null || pid.compareTo(after) > 0) {
          candidates.add(pid);
        }
      }
      int next = 0;
      while (next < candidates.size() && out.size() < request.pageSize()) {
        // without a filter, fetch only what can still fill the page; with one, the whole rest
        int take = filter == null ? Math.min(candidates.size() - next, request.pageSize() - out.size())
            : candidates.size() - next;
        List<String> chunk = candidates.subList(next, next + take);
        Map<String, Record> fetched = new HashMap<>();
        fetchAll(chunk, fetched::put);
        for (String pid : chunk) {
          if (out.size() == request.pageSize()) {
            break;
          }
          next++;
          after = pid;
          Record r = fetched.get(pid); // absent: deleted since it was listed
          if (r != null && (filter == null || filter.matches(r.metadata()))) {
            out.add(r);
          }
        }
      }
      boolean pageDone = next == candidates.size();
      if (out.size() == request.pageSize() && !pageDone) {
        return new Page(out, Optional.of(encodeCursor(new Cursor(token, after))));
      }
      if (page.next() == null) {
        return new Page(out, Optional.empty());
      }
      token = page.next();
      if (out.size() == request.pageSize()) {
        return new Page(out, Optional.of(encodeCursor(new Cursor(token, after))));
      }
    }
  }

  /** The adapter's own cursor (the boundary wraps it and refuses damaged or foreign ones). */
  private record Cursor(String token, String after) {}

  private static String encodeCursor(Cursor c) {
    ObjectNode n = Json.object();
    if (c.token() != null) {
      n.put("t", c.token());
    }
    if (c.after() != null) {
      n.put("a", c.after());
    }
    return Json.text(n);
  }

  private static Cursor decodeCursor(String cursor) {
    try {
      JsonNode n = Json.MAPPER.readTree(cursor);
      return new Cursor(n.path("t").asText(null), n.path("a").asText(null));
    } catch (IOException e) {
      throw new IllegalStateException("a list cursor this adapter made does not parse", e);
    }
  }

  @Override
  protected List<Match> doSearch(SearchRequest request) {
    ObjectNode body = Json.object();
    ArrayNode vec = body.putArray("vector");
    for (float v : request.vector()) {
      vec.add(v);
    }
    body.put("topK", request.topK());
    body.put("includeValues", request.includeVectors());
    body.put("includeMetadata", request.includeMetadata());
    if (request.filter().isPresent()) {
      body.set("filter", FilterTranslator.translate(request.filter().get(), layout));
    }
    awaitFreshness();
    PineconeHttp.Response r = data.query(body);
    noteIndexed(r.longHeader(PineconeHttp.MAX_INDEXED_LSN));
    double minScore = request.minScore().orElse(Double.NEGATIVE_INFINITY);
    List<Match> out = new ArrayList<>();
    Map<String, String> hashedIds = hashedIds(r.body().path("matches"));
    for (JsonNode m : r.body().path("matches")) {
      if (!m.path("id").isTextual() || !m.path("score").isNumber()) {
        throw data.malformed("query");
      }
      String pid = m.path("id").asText();
      String id = layout.isHashed(pid) ? hashedIds.getOrDefault(pid, pid) : layout.decodeId(pid, null);
      refuseSparse(id, m);
      double raw = m.path("score").asDouble();
      double score;
      double distance;
      if (spec().metric() == Metric.EUCLIDEAN) {
        distance = Math.sqrt(Math.max(0, raw)); // Pinecone returns the squared L2 distance
        score = Metric.EUCLIDEAN.scoreFromDistance(distance);
      } else {
        score = raw;
        distance = spec().metric().distanceFromScore(raw);
      }
      if (score < minScore) {
        continue;
      }
      out.add(new Match(id, score, distance, request.includeVectors() ? floats(m.path("values")) : null,
          request.includeMetadata() ? MetadataCodec.decode(m.path("metadata"), id, layout) : Metadata.empty()));
    }
    // Pinecone does not promise score order for filtered queries: re-sort, ties by id.
    out.sort(Comparator.comparingDouble(Match::score).reversed().thenComparing(Match::id));
    return out;
  }

  /** Caller ids of hashed matches: from their metadata when returned, else by one fetch. */
  private Map<String, String> hashedIds(JsonNode matches) {
    Map<String, String> out = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (JsonNode m : matches) {
      String pid = m.path("id").asText();
      if (layout.isHashed(pid)) {
        String id = m.path("metadata").path(Ids.ID_KEY).asText(null);
        if (id != null) {
          out.put(pid, id);
        } else {
          missing.add(pid);
        }
      }
    }
    for (int i = 0; i < missing.size(); i += MAX_IDS_PER_REQUEST) {
      JsonNode vectors = data.fetch(missing.subList(i, Math.min(missing.size(), i + MAX_IDS_PER_REQUEST)));
      vectors.fields().forEachRemaining(e -> out.put(e.getKey(), Ids.decode(e.getKey(), e.getValue().path("metadata"))));
    }
    return out;
  }

  // ---------------------------------------------------------------- freshness

  private void noteWrite(long lsn) {
    if (lsn >= 0) {
      writtenLsn.accumulateAndGet(lsn, Math::max);
    }
  }

  private void noteIndexed(long lsn) {
    if (lsn >= 0) {
      indexedLsn.accumulateAndGet(lsn, Math::max);
    }
  }

  /**
   * Waits until Pinecone reports (via {@code x-pinecone-max-indexed-lsn} on a one-result query) that
   * this handle's writes are indexed, up to the freshness timeout. Best effort: without LSN headers,
   * or after the timeout, the read goes ahead and may be stale (capabilities say EVENTUAL).
   */
  private void awaitFreshness() {
    long target = writtenLsn.get();
    Duration timeout = ctx.freshnessTimeout();
    if (target < 0 || indexedLsn.get() >= target || timeout.isZero() || timeout.isNegative()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleep = Math.max(1, ctx.freshnessPollFirst().toMillis());
    ObjectNode probe = Json.object();
    ArrayNode vec = probe.putArray("vector");
    for (int i = 0; i < spec().dimension(); i++) {
      vec.add(1.0f);
    }
    probe.put("topK", 1);
    while (true) {
      long seen = data.query(probe).longHeader(PineconeHttp.MAX_INDEXED_LSN);
      if (seen < 0) {
        return; // Pinecone did not say; nothing to wait on
      }
      noteIndexed(seen);
      if (seen >= target || System.nanoTime() > deadline) {
        return;
      }
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      sleep = Math.min(Math.max(1, ctx.freshnessPollMax().toMillis()), sleep * 2);
    }
  }

  // ---------------------------------------------------------------- helpers

  private List<String> encodeIds(List<String> ids) {
    List<String> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      out.add(layout.encodeId(id));
    }
    return out;
  }

  /** A stored vector as Pinecone returned it; anything but {@code dimension} numbers is a broken answer. */
  private float[] floats(JsonNode values) {
    if (!values.isArray() || values.size() != spec().dimension()) {
      throw new BackendException("pinecone returned a vector of " + (values.isArray() ? values.size() + " values"
          : "JSON type " + values.getNodeType()) + " for collection '" + spec().name() + "' of dimension "
          + spec().dimension(), null);
    }
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = values.get(i);
      if (!v.isNumber()) {
        throw new BackendException("pinecone returned a vector with a non-number for collection '" + spec().name()
            + "'", null);
      }
      out[i] = v.floatValue();
    }
    return out;
  }

  @Override
  public String toString() {
    return "PineconeCollection[" + spec() + tenant().map(t -> ", tenant " + t).orElse("") + "]";
  }
}
