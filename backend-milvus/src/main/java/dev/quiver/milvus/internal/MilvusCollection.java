package dev.quiver.milvus.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import dev.quiver.spi.AbstractVectorCollection;
import dev.quiver.spi.AbstractVectorStore;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One Milvus collection behind the Quiver API. Internal: obtain it through
 * {@link dev.quiver.milvus.MilvusVectorStore}. Arguments arrive checked by the
 * {@link AbstractVectorCollection} boundary; this class only maps them onto Milvus.
 *
 * <p>A collection that is no longer loaded (after a server restart Milvus Lite keeps collections
 * released, and real Milvus may be still recovering) is loaded again and the call retried once,
 * within the call's deadline, so a handle keeps working without being reopened.
 */
public final class MilvusCollection extends AbstractVectorCollection {

  /** Extra candidates fetched per search so re-ranking in double precision cannot miss a boundary tie. */
  static final int OVERSAMPLE = 16;
  /** Rows per upsert request at most. */
  static final int MAX_BATCH_ROWS = 5_000;
  /** Estimated bytes per upsert request at most (real Milvus accepts 64 MiB by default; Lite 256 MiB). */
  static final long MAX_BATCH_BYTES = 16L << 20;
  /** Ids per {@code id in [...]} expression. */
  static final int IDS_PER_EXPR = 1_000;

  private final Calls calls;
  private final String milvusName;
  private final Layout layout;

  /**
   * @param store the store (its boundary checks, maps and observes every call)
   * @param calls the store's remote calls
   * @param spec the collection's spec
   * @param milvusName the collection's name on Milvus
   * @param layout how the collection holds records
   */
  public MilvusCollection(AbstractVectorStore store, Calls calls, CollectionSpec spec, String milvusName, Layout layout) {
    super(store, spec);
    this.calls = calls;
    this.milvusName = milvusName;
    this.layout = layout;
  }

  /** A tenant's handle: every expression it sends is scoped to the tenant by {@link Layout#scoped}. */
  private MilvusCollection(MilvusCollection collection, String tenant) {
    super(collection, tenant);
    this.calls = collection.calls;
    this.milvusName = collection.milvusName;
    this.layout = collection.layout;
  }

  @Override
  protected AbstractVectorCollection doTenant(String tenant) {
    return new MilvusCollection(this, tenant);
  }

  /**
   * A skip scan over the primary key: keys are {@code tenant/id} and sort by tenant first, so the
   * smallest key at or after {@code tenant + "0"} ({@code '0'} follows the separator {@code '/'}) is the first
   * key of the next tenant: one query of one row per tenant.
   */
  @Override
  protected List<String> doTenants() {
    List<String> out = new ArrayList<>();
    Map<String, Object> params = new HashMap<>();
    params.put("iterator", "True"); // the smallest keys, in key order (see doList)
    String bound = null;
    while (true) {
      String expr = bound == null ? "" : layout.idField() + " >= " + MilvusExpressions.string(bound);
      List<QueryResp.QueryResult> rows = data("list tenants", client -> client.query(QueryReq.builder()
          .collectionName(milvusName).filter(expr).outputFields(List.of(layout.idField())).limit(1L)
          .queryParams(params).consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults());
      if (rows.isEmpty()) {
        return out;
      }
      String pk = String.valueOf(rows.get(0).getEntity().get(layout.idField()));
      int cut = pk.indexOf(Schema.TENANT_SEPARATOR);
      if (cut <= 0) {
        throw new BackendException("key '" + pk + "' of multi-tenant collection '" + name() + "' has no tenant", null);
      }
      String tenant = pk.substring(0, cut);
      out.add(tenant);
      bound = tenant + (char) (Schema.TENANT_SEPARATOR + 1);
    }
  }

  /** @return how this collection holds records */
  public Layout layout() {
    return layout;
  }

  // ---------------------------------------------------------------- writes

  @Override
  protected void doUpsert(List<Record> records) {
    layout.checkWritable();
    // Encode everything first: a record the layout refuses fails the call before anything is sent.
    List<JsonObject> rows = new ArrayList<>(records.size());
    List<Long> sizes = new ArrayList<>(records.size());
    for (Record r : records) {
      rows.add(layout.row(r, tenant()));
    }
    if (layout.upsertKeepsOldKeys()) {
      Map<String, Record> old = new HashMap<>();
      doGet(records.stream().map(Record::id).toList()).forEach(r -> old.put(r.id(), r));
      for (int i = 0; i < records.size(); i++) {
        Record before = old.get(records.get(i).id());
        if (before != null) {
          layout.clearStale(rows.get(i), before);
        }
      }
    }
    for (int i = 0; i < records.size(); i++) {
      sizes.add(estimate(records.get(i), rows.get(i)));
    }
    for (int[] range : batches(sizes, MAX_BATCH_ROWS, MAX_BATCH_BYTES)) {
      List<JsonObject> batch = new ArrayList<>(rows.subList(range[0], range[1]));
      // Upsert with caller ids is idempotent, so a transient failure may be retried.
      data("upsert", client -> client.upsert(UpsertReq.builder().collectionName(milvusName).data(batch).build()));
    }
  }

  /**
   * Splits rows into consecutive batches of at most {@code maxRows} rows and {@code maxBytes}
   * estimated bytes (a single larger row forms a batch of its own).
   *
   * @param sizes estimated size of each row
   * @param maxRows rows per batch at most
   * @param maxBytes bytes per batch at most
   * @return [from, to) index ranges
   */
  static List<int[]> batches(List<Long> sizes, int maxRows, long maxBytes) {
    List<int[]> out = new ArrayList<>();
    int from = 0;
    while (from < sizes.size()) {
      int to = from;
      long bytes = 0;
      while (to < sizes.size() && to - from < maxRows && (to == from || bytes + sizes.get(to) <= maxBytes)) {
        bytes += sizes.get(to);
        to++;
      }
      out.add(new int[] {from, to});
      from = to;
    }
    return out;
  }

  /** Estimated request bytes of a row: the vector as float32, everything else as its JSON text. */
  private long estimate(Record r, JsonObject row) {
    long bytes = 64L + 4L * r.dimension();
    for (Map.Entry<String, com.google.gson.JsonElement> e : row.entrySet()) {
      if (!e.getKey().equals(layout.vectorField())) {
        bytes += e.getKey().length() + e.getValue().toString().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return bytes;
  }

  @Override
  protected void doDelete(List<String> ids) {
    // Never an empty expression (Milvus Lite deletes every row for it): the boundary sends at least one id,
    // and ids the key cannot hold cannot exist, so they are left out (an expression only of those is not sent).
    for (int i = 0; i < ids.size(); i += IDS_PER_EXPR) {
      Optional<String> in = layout.idIn(ids.subList(i, Math.min(ids.size(), i + IDS_PER_EXPR)), tenant());
      if (in.isEmpty()) {
        continue;
      }
      String expr = layout.scoped(in.get(), tenant());
      data("delete", client -> client.delete(DeleteReq.builder().collectionName(milvusName).filter(expr).build()));
    }
  }

  @Override
  protected void doDelete(Filter filter) {
    String expr = layout.scoped(layout.filter(filter), tenant());
    data("delete by filter", client -> client.delete(DeleteReq.builder()
        .collectionName(milvusName).filter(expr).build()));
  }

  @Override
  protected boolean doUpdateMetadata(String id, Metadata metadata) {
    layout.checkWritable();
    // Refuse what cannot be stored before reading.
    float[] probe = new float[spec().dimension()];
    java.util.Arrays.fill(probe, 1f);
    layout.row(Record.of(id, probe, metadata), tenant());
    List<Record> found = doGet(List.of(id));
    if (found.isEmpty()) {
      return false;
    }
    doUpsert(List.of(found.get(0).withMetadata(metadata)));
    return true;
  }

  // ---------------------------------------------------------------- reads

  @Override
  protected List<Record> doGet(List<String> ids) {
    Map<String, Record> byId = new HashMap<>();
    for (int i = 0; i < ids.size(); i += IDS_PER_EXPR) {
      Optional<String> in = layout.idIn(ids.subList(i, Math.min(ids.size(), i + IDS_PER_EXPR)), tenant());
      if (in.isEmpty()) {
        continue;
      }
      String expr = layout.scoped(in.get(), tenant());
      List<QueryResp.QueryResult> rows = data("get", client -> client.query(QueryReq.builder()
          .collectionName(milvusName).filter(expr).outputFields(layout.outputFields())
          .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults());
      for (QueryResp.QueryResult row : rows) {
        Record r = layout.record(row.getEntity(), tenant());
        byId.put(r.id(), r);
      }
    }
    List<Record> out = new ArrayList<>();
    for (String id : ids) {
      Record r = byId.get(id);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  protected long doCount(Optional<Filter> filter) {
    return countExpr(layout.scoped(filter.map(layout::filter).orElse(""), tenant()));
  }

  private long countExpr(String expr) {
    List<QueryResp.QueryResult> rows = data("count", client -> client.query(QueryReq.builder()
        .collectionName(milvusName).filter(expr).outputFields(List.of("count(*)"))
        .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults());
    if (rows.isEmpty()) {
      return 0;
    }
    Object n = rows.get(0).getEntity().get("count(*)");
    if (!(n instanceof Number num)) {
      throw new BackendException("Milvus count(*) on '" + name() + "' returned " + n, null);
    }
    return num.longValue();
  }

  @Override
  protected Page doList(ListRequest request) {
    // The cursor is the last id of the previous page, as this method returned it (the boundary wraps it).
    Optional<String> after = request.cursor();
    List<String> parts = new ArrayList<>();
    after.ifPresent(a -> parts.add(layout.idAfter(a, tenant())));
    request.filter().ifPresent(f -> parts.add(layout.filter(f)));
    String expr = layout.scoped(parts.isEmpty() ? "" : parts.size() == 1 ? parts.get(0)
        : "(" + parts.get(0) + ") and (" + parts.get(1) + ")", tenant());
    int limit = request.pageSize() + 1;
    Map<String, Object> params = new HashMap<>();
    // Makes both Milvus Lite and real Milvus return the rows in primary-key order (the query iterator's mode).
    params.put("iterator", "True");
    List<QueryResp.QueryResult> rows = data("list", client -> client.query(QueryReq.builder()
        .collectionName(milvusName).filter(expr).outputFields(layout.outputFields()).limit(limit).queryParams(params)
        .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults());
    List<Record> page = new ArrayList<>(rows.size());
    for (QueryResp.QueryResult row : rows) {
      page.add(layout.record(row.getEntity(), tenant()));
    }
    page.sort(Comparator.comparing(Record::id, layout.idOrder()));
    boolean more = page.size() > request.pageSize();
    if (more) {
      page = page.subList(0, request.pageSize());
    }
    Optional<String> next = more ? Optional.of(page.get(page.size() - 1).id()) : Optional.empty();
    return new Page(page, next);
  }

  @Override
  protected List<Match> doSearch(SearchRequest request) {
    // The boundary checked the query's dimension (Milvus Lite would answer a wrong one with no results).
    float[] query = request.vector();
    String expr = layout.scoped(request.filter().map(layout::filter).orElse(""), tenant());
    int k = Math.min(Schema.MAX_TOP_K, request.topK() + OVERSAMPLE);
    Map<String, Object> params = new HashMap<>();
    IndexSpec index = spec().index();
    if (index instanceof IndexSpec.Hnsw h) {
      params.put("ef", Math.max(k, request.ef().orElse(Math.max(h.efConstruction(), 64))));
    } else if (index instanceof IndexSpec.IvfPq ivf) {
      params.put("nprobe", Math.min(ivf.nlist(), request.nprobe().orElse(Math.min(ivf.nlist(), 16))));
    }
    SearchReq.SearchReqBuilder b = SearchReq.builder().collectionName(milvusName).annsField(layout.vectorField())
        .data(List.of(new FloatVec(query))).limit(k).metricType(Indexes.metricType(spec().metric()))
        .outputFields(layout.outputFields()).consistencyLevel(ConsistencyLevel.STRONG).searchParams(params);
    if (!expr.isEmpty()) {
      b.filter(expr);
    }
    SearchReq req = b.build();
    List<List<SearchResp.SearchResult>> results = data("search", client -> client.search(req).getSearchResults());
    Metric metric = spec().metric();
    double minScore = request.minScore().orElse(Double.NEGATIVE_INFINITY);
    List<Scored> scored = new ArrayList<>();
    if (!results.isEmpty()) {
      for (SearchResp.SearchResult hit : results.get(0)) {
        Map<String, Object> e = hit.getEntity();
        if (!e.containsKey(layout.idField()) && hit.getId() != null) {
          e = new HashMap<>(e);
          e.put(layout.idField(), hit.getId());
        }
        Record r = layout.record(e, tenant());
        String id = r.id();
        float[] vec = r.vector();
        // Scores are recomputed in double from the stored vector, so they equal DESIGN's formulas exactly
        // (Milvus computes in float32 and returns squared L2).
        double distance = metric.distance(query, vec);
        double score = metric.scoreFromDistance(distance);
        if (score < minScore) {
          continue;
        }
        scored.add(new Scored(id, distance, score, vec, r.metadata()));
      }
    }
    scored.sort(Comparator.comparingDouble(Scored::distance).thenComparing(Scored::id));
    List<Match> out = new ArrayList<>(Math.min(scored.size(), request.topK()));
    for (Scored s : scored) {
      if (out.size() == request.topK()) {
        break;
      }
      out.add(new Match(s.id, s.score, s.distance, request.includeVectors() ? s.vector : null,
          request.includeMetadata() ? s.metadata : Metadata.empty()));
    }
    return out;
  }

  private record Scored(String id, double distance, double score, float[] vector, Metadata metadata) {}

  // ---------------------------------------------------------------- helpers

  /**
   * One call of a data operation under one deadline: when it fails in a way that may mean the
   * collection is not loaded and the load state confirms it, the collection is loaded and the call
   * retried once.
   */
  private <T> T data(String op, Function<MilvusClientV2, T> call) {
    return calls.within(() -> {
      try {
        return calls.idempotent(op, name(), call);
      } catch (VectorStoreException e) {
        if (!Errors.mayMeanNotLoaded(e) || !loadIfReleased(e)) {
          throw e;
        }
        return calls.idempotent(op, name(), call);
      }
    });
  }

  /** @return whether the collection was released and is loaded now (within the call's deadline) */
  private boolean loadIfReleased(VectorStoreException cause) {
    if (isLoaded()) {
      return false;
    }
    long left = calls.remainingNanos();
    if (!loadAndWait(System.nanoTime() + left)) {
      throw new DeadlineExceededException("Milvus collection '" + name() + "' was not loaded (" + cause.getMessage()
          + "); it is loading again but was not ready within the call's deadline of " + calls.deadline().toMillis()
          + " ms", cause);
    }
    return true;
  }

  /**
   * Loads the collection unless it is loaded, and waits until it is (used when a collection is
   * created or opened).
   *
   * @param timeout how long to wait
   * @throws DeadlineExceededException if it is not loaded in time
   */
  public void awaitLoaded(Duration timeout) {
    if (!isLoaded() && !loadAndWait(System.nanoTime() + timeout.toNanos())) {
      throw new DeadlineExceededException("Milvus collection '" + name() + "' did not finish loading within "
          + timeout.toSeconds() + " s", null);
    }
  }

  private boolean isLoaded() {
    GetLoadStateReq state = GetLoadStateReq.builder().collectionName(milvusName).build();
    return Boolean.TRUE.equals(calls.idempotent("get load state", name(), client -> client.getLoadState(state)));
  }

  /**
   * Starts loading and polls the load state every 20-200 ms until {@code until} ({@link System#nanoTime}).
   * The SDK's synchronous load polls every 500 ms, and real Milvus takes 1-3 s to load even an empty
   * collection, so its granularity would cost up to half a second per created or opened collection.
   *
   * @return whether the collection is loaded
   */
  private boolean loadAndWait(long until) {
    // Idempotent: a collection that is already loading (createCollection starts loading) keeps loading.
    calls.idempotent("load collection", name(), client -> {
      client.loadCollection(LoadCollectionReq.builder().collectionName(milvusName).sync(false).build());
      return null;
    });
    long pause = 20;
    while (!isLoaded()) {
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) - until > 0) {
        return false;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException("interrupted while waiting for Milvus collection '" + name() + "' to load", e);
      }
      pause = Math.min(200, pause * 2);
    }
    return true;
  }

  /**
   * @param v a vector as the SDK returns it
   * @param id the record's id, for errors
   * @param dimension the expected dimension
   * @param collection the collection's name, for errors
   * @return the vector
   */
  static float[] floats(Object v, String id, int dimension, String collection) {
    float[] out;
    if (v instanceof float[] f) {
      out = f.clone();
    } else if (v instanceof List<?> list) {
      out = new float[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ((Number) list.get(i)).floatValue();
      }
    } else if (v instanceof ByteBuffer buf) {
      ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      out = new float[b.remaining() / 4];
      b.asFloatBuffer().get(out);
    } else {
      throw new BackendException("Milvus returned no vector for record '" + id + "' in '" + collection + "' (got "
          + (v == null ? "null" : v.getClass().getName()) + ")", null);
    }
    if (out.length != dimension) {
      throw new BackendException("Milvus returned a vector of dimension " + out.length + " for record '" + id + "'", null);
    }
    return out;
  }

  /** Unicode code point order, which is the byte order of UTF-8 that Milvus uses for VARCHAR keys. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  @Override
  public String toString() {
    return "MilvusCollection[" + spec() + tenant().map(t -> ", tenant " + t).orElse("") + ", milvus name " + milvusName + "]";
  }
}
