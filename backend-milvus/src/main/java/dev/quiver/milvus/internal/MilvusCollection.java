package dev.quiver.milvus.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.quiver.BackendException;
import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Milvus collection behind the Quiver API. Internal: obtain it through
 * {@link dev.quiver.milvus.MilvusVectorStore}.
 */
public final class MilvusCollection implements VectorCollection {

  /** Extra candidates fetched per search so re-ranking in double precision cannot miss a boundary tie. */
  static final int OVERSAMPLE = 16;
  /** Rows per upsert request at most. */
  static final int MAX_BATCH_ROWS = 5_000;
  /** Estimated bytes per upsert request at most (real Milvus accepts 64 MiB by default; Lite 256 MiB). */
  static final long MAX_BATCH_BYTES = 16L << 20;
  /** Ids per {@code id in [...]} expression. */
  static final int IDS_PER_EXPR = 1_000;

  private static final List<String> ALL_FIELDS = List.of(Schema.ID, Schema.VECTOR, Schema.META, Schema.TYPES);
  private static final Comparator<String> CODE_POINT_ORDER = MilvusCollection::compareCodePoints;

  private final MilvusClientV2 client;
  private final Calls calls;
  private final Capabilities capabilities;
  private final CollectionSpec spec;
  private final String milvusName;
  private final Runnable checkOpen;

  /**
   * @param client the SDK client
   * @param calls the store's resilience layer
   * @param capabilities the store's capabilities
   * @param spec the collection's spec
   * @param checkOpen throws if the store is closed
   */
  public MilvusCollection(MilvusClientV2 client, Calls calls, Capabilities capabilities, CollectionSpec spec,
      Runnable checkOpen) {
    this.client = client;
    this.calls = calls;
    this.capabilities = capabilities;
    this.spec = spec;
    this.milvusName = Names.toMilvus(spec.name());
    this.checkOpen = checkOpen;
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public CollectionSpec spec() {
    return spec;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void upsert(List<Record> records) {
    checkOpen.run();
    // Validate and encode everything first: a bad record fails the call before anything is sent.
    List<Record> valid = spec.checkRecords(records);
    List<JsonObject> rows = new ArrayList<>(valid.size());
    List<Long> sizes = new ArrayList<>(valid.size());
    for (Record r : valid) {
      JsonObject row = row(r);
      rows.add(row);
      sizes.add(estimate(r, row));
    }
    for (int[] range : batches(sizes, MAX_BATCH_ROWS, MAX_BATCH_BYTES)) {
      List<JsonObject> batch = new ArrayList<>(rows.subList(range[0], range[1]));
      // Upsert with caller ids is idempotent, so a transient failure may be retried.
      calls.idempotentRun("upsert", name(), () -> client.upsert(UpsertReq.builder()
          .collectionName(milvusName).data(batch).build()));
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

  private static JsonObject row(Record r) {
    JsonObject row = new JsonObject();
    row.addProperty(Schema.ID, r.id());
    JsonArray vec = new JsonArray();
    for (float f : r.vector()) {
      vec.add(f);
    }
    row.add(Schema.VECTOR, vec);
    JsonObject[] mt = MetadataCodec.encode(r.metadata(), "record '" + r.id() + "'");
    row.add(Schema.META, mt[0]);
    row.add(Schema.TYPES, mt[1]);
    return row;
  }

  private static long estimate(Record r, JsonObject row) {
    return 64L + 4L * r.dimension() + r.id().getBytes(StandardCharsets.UTF_8).length
        + row.get(Schema.META).toString().getBytes(StandardCharsets.UTF_8).length
        + row.get(Schema.TYPES).toString().length();
  }

  @Override
  public void delete(Collection<String> ids) {
    checkOpen.run();
    List<String> unique = new ArrayList<>(Record.checkIds(ids));
    if (unique.isEmpty()) {
      // Never send an empty expression: Milvus Lite deletes every row for it. Still check the collection exists.
      count();
      return;
    }
    for (int i = 0; i < unique.size(); i += IDS_PER_EXPR) {
      String expr = MilvusExpressions.idIn(unique.subList(i, Math.min(unique.size(), i + IDS_PER_EXPR)));
      calls.idempotentRun("delete", name(), () -> client.delete(DeleteReq.builder()
          .collectionName(milvusName).filter(expr).build()));
    }
  }

  @Override
  public void delete(Filter filter) {
    checkOpen.run();
    String expr = translate(filter);
    calls.idempotentRun("delete by filter", name(), () -> client.delete(DeleteReq.builder()
        .collectionName(milvusName).filter(expr).build()));
  }

  @Override
  public boolean updateMetadata(String id, Metadata metadata) {
    checkOpen.run();
    Record.checkId(id);
    if (metadata == null) {
      throw new InvalidArgumentException("metadata must not be null");
    }
    MetadataCodec.encode(metadata, "record '" + id + "'");
    List<Record> found = get(List.of(id));
    if (found.isEmpty()) {
      return false;
    }
    upsert(List.of(found.get(0).withMetadata(metadata)));
    return true;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public List<Record> get(Collection<String> ids) {
    checkOpen.run();
    List<String> unique = new ArrayList<>(Record.checkIds(ids));
    if (unique.isEmpty()) {
      count();
      return List.of();
    }
    Map<String, Record> byId = new HashMap<>();
    for (int i = 0; i < unique.size(); i += IDS_PER_EXPR) {
      List<String> chunk = unique.subList(i, Math.min(unique.size(), i + IDS_PER_EXPR));
      String expr = MilvusExpressions.idIn(chunk);
      List<QueryResp.QueryResult> rows = calls.idempotent("get", name(), () -> client.query(QueryReq.builder()
          .collectionName(milvusName).filter(expr).outputFields(ALL_FIELDS)
          .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults());
      for (QueryResp.QueryResult row : rows) {
        Record r = toRecord(row.getEntity());
        byId.put(r.id(), r);
      }
    }
    List<Record> out = new ArrayList<>();
    for (String id : unique) {
      Record r = byId.get(id);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public long count() {
    checkOpen.run();
    return countExpr("");
  }

  @Override
  public long count(Filter filter) {
    checkOpen.run();
    return countExpr(translate(filter));
  }

  private long countExpr(String expr) {
    List<QueryResp.QueryResult> rows = calls.idempotent("count", name(), () -> client.query(QueryReq.builder()
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
  public Page list(ListRequest request) {
    checkOpen.run();
    if (request == null) {
      throw new InvalidArgumentException("list request must not be null");
    }
    Optional<String> after = request.cursor().map(MilvusCollection::decodeCursor);
    List<String> parts = new ArrayList<>();
    after.ifPresent(a -> parts.add(MilvusExpressions.idAfter(a)));
    request.filter().ifPresent(f -> parts.add(translate(f)));
    String expr = parts.isEmpty() ? "" : parts.size() == 1 ? parts.get(0) : "(" + parts.get(0) + ") and (" + parts.get(1) + ")";
    int limit = request.pageSize() + 1;
    Map<String, Object> params = new HashMap<>();
    // Makes both Milvus Lite and real Milvus return the rows in primary-key order (the query iterator's mode).
    params.put("iterator", "True");
    List<QueryResp.QueryResult> rows = calls.idempotent("list", name(), () -> client.query(QueryReq.builder()
        .collectionName(milvusName).filter(expr).outputFields(ALL_FIELDS).limit(limit).queryParams(params)
        .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults());
    List<Record> page = new ArrayList<>(rows.size());
    for (QueryResp.QueryResult row : rows) {
      page.add(toRecord(row.getEntity()));
    }
    page.sort(Comparator.comparing(Record::id, CODE_POINT_ORDER));
    boolean more = page.size() > request.pageSize();
    if (more) {
      page = page.subList(0, request.pageSize());
    }
    Optional<String> next = more ? Optional.of(encodeCursor(page.get(page.size() - 1).id())) : Optional.empty();
    return new Page(page, next);
  }

  @Override
  public List<Match> search(SearchRequest request) {
    checkOpen.run();
    if (request == null) {
      throw new InvalidArgumentException("search request must not be null");
    }
    float[] query = request.vector();
    // Milvus Lite answers a wrong-dimension query with an empty result, so check it here.
    spec.checkVector("query vector", query);
    if (request.topK() > capabilities.maxTopK()) {
      throw new InvalidArgumentException("topK " + request.topK() + " exceeds Milvus's limit of " + capabilities.maxTopK());
    }
    if (request.ef().isPresent()) {
      capabilities.require(Feature.SEARCH_EF);
    }
    if (request.nprobe().isPresent()) {
      capabilities.require(Feature.SEARCH_NPROBE);
    }
    String expr = request.filter().map(MilvusCollection::translate).orElse("");
    int k = Math.min(Schema.MAX_TOP_K, request.topK() + OVERSAMPLE);
    Map<String, Object> params = new HashMap<>();
    IndexSpec index = spec.index();
    if (index instanceof IndexSpec.Hnsw h) {
      params.put("ef", Math.max(k, request.ef().orElse(Math.max(h.efConstruction(), 64))));
    } else if (index instanceof IndexSpec.IvfPq ivf) {
      params.put("nprobe", Math.min(ivf.nlist(), request.nprobe().orElse(Math.min(ivf.nlist(), 16))));
    }
    SearchReq.SearchReqBuilder b = SearchReq.builder().collectionName(milvusName).annsField(Schema.VECTOR)
        .data(List.of(new FloatVec(query))).limit(k).metricType(Indexes.metricType(spec.metric()))
        .outputFields(ALL_FIELDS).consistencyLevel(ConsistencyLevel.STRONG).searchParams(params);
    if (!expr.isEmpty()) {
      b.filter(expr);
    }
    SearchReq req = b.build();
    List<List<SearchResp.SearchResult>> results = calls.idempotent("search", name(),
        () -> client.search(req).getSearchResults());
    Metric metric = spec.metric();
    double minScore = request.minScore().orElse(Double.NEGATIVE_INFINITY);
    List<Scored> scored = new ArrayList<>();
    if (!results.isEmpty()) {
      for (SearchResp.SearchResult hit : results.get(0)) {
        Map<String, Object> e = hit.getEntity();
        String id = String.valueOf(hit.getId() != null ? hit.getId() : e.get(Schema.ID));
        float[] vec = floats(e.get(Schema.VECTOR), id);
        // Scores are recomputed in double from the stored vector, so they equal DESIGN's formulas exactly
        // (Milvus computes in float32 and returns squared L2).
        double distance = metric.distance(query, vec);
        double score = metric.scoreFromDistance(distance);
        if (score < minScore) {
          continue;
        }
        scored.add(new Scored(id, distance, score, vec, e));
      }
    }
    scored.sort(Comparator.comparingDouble(Scored::distance).thenComparing(Scored::id));
    List<Match> out = new ArrayList<>(Math.min(scored.size(), request.topK()));
    for (Scored s : scored) {
      if (out.size() == request.topK()) {
        break;
      }
      out.add(new Match(s.id, s.score, s.distance, request.includeVectors() ? s.vector : null,
          request.includeMetadata() ? MetadataCodec.decode(s.entity.get(Schema.META), s.entity.get(Schema.TYPES))
              : Metadata.empty()));
    }
    return out;
  }

  private record Scored(String id, double distance, double score, float[] vector, Map<String, Object> entity) {}

  // ---------------------------------------------------------------- helpers

  private static String translate(Filter filter) {
    if (filter == null) {
      throw new InvalidArgumentException("filter must not be null");
    }
    return MilvusExpressions.translate(filter);
  }

  private Record toRecord(Map<String, Object> e) {
    String id = String.valueOf(e.get(Schema.ID));
    return Record.of(id, floats(e.get(Schema.VECTOR), id), MetadataCodec.decode(e.get(Schema.META), e.get(Schema.TYPES)));
  }

  private float[] floats(Object v, String id) {
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
      throw new BackendException("Milvus returned no vector for record '" + id + "' in '" + name() + "' (got "
          + (v == null ? "null" : v.getClass().getName()) + ")", null);
    }
    if (out.length != spec.dimension()) {
      throw new BackendException("Milvus returned a vector of dimension " + out.length + " for record '" + id + "'", null);
    }
    return out;
  }

  private static final String CURSOR_PREFIX = "m1.";

  private static String encodeCursor(String lastId) {
    return CURSOR_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeCursor(String cursor) {
    try {
      if (!cursor.startsWith(CURSOR_PREFIX)) {
        throw new IllegalArgumentException("prefix");
      }
      byte[] bytes = Base64.getUrlDecoder().decode(cursor.substring(CURSOR_PREFIX.length()));
      String id = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
      return Record.checkId(id);
    } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException | InvalidArgumentException e) {
      throw new InvalidArgumentException("cursor '" + cursor + "' was not made by this collection's list()");
    }
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
    return "MilvusCollection[" + spec + ", milvus name " + milvusName + "]";
  }
}
