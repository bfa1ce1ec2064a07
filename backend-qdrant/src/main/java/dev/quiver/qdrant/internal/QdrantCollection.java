package dev.quiver.qdrant.internal;

import dev.quiver.BackendException;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.spi.AbstractVectorCollection;
import dev.quiver.spi.AbstractVectorStore;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.HasIdCondition;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.FacetCounts;
import io.qdrant.client.grpc.Points.FacetHit;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.PayloadIncludeSelector;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One Qdrant collection seen through the Quiver API: only the mapping to Qdrant's requests; the
 * arguments were checked by {@link AbstractVectorCollection}. See docs/backends/qdrant.md for every
 * mapping.
 */
public final class QdrantCollection extends AbstractVectorCollection {

  /** Most points per upsert request. */
  public static final int UPSERT_BATCH = 256;
  /** Most serialized bytes per upsert request (Qdrant's default gRPC limit is 32 MiB). */
  public static final int UPSERT_BATCH_BYTES = 8 << 20;
  /** Most ids per get/delete request. */
  public static final int ID_BATCH = 1000;
  /** Most points per scroll request; a larger page is filled by several scrolls. */
  public static final int SCROLL_BATCH = 1000;
  /** Cursor prefix: format version 1, followed by the Qdrant point UUID the next page starts at. */
  static final String CURSOR_PREFIX = "qd1.";

  private final Rpc rpc;
  private final Layout layout;
  private final String name;

  /**
   * @param store the store (its boundary checks and maps every call)
   * @param rpc the store's connection
   * @param layout how the collection's records map to points (its spec included)
   */
  public QdrantCollection(AbstractVectorStore store, Rpc rpc, Layout layout) {
    super(store, layout.spec());
    this.rpc = rpc;
    this.layout = layout;
    this.name = layout.spec().name();
  }

  /** A tenant's handle: the same collection, every call scoped to the tenant by its layout. */
  private QdrantCollection(QdrantCollection collection, String tenant) {
    super(collection, tenant);
    this.rpc = collection.rpc;
    this.layout = ((QuiverLayout) collection.layout).forTenant(tenant);
    this.name = collection.name;
  }

  @Override
  protected AbstractVectorCollection doTenant(String tenant) {
    return new QdrantCollection(this, tenant);
  }

  /** Most tenants one facet request returns; beyond it the tenants are read by a scroll. */
  static final int FACET_LIMIT = 100_000;

  /**
   * Qdrant's facet on the tenant key: distinct values with counts, answered from the tenant's keyword
   * index. A facet is capped by its limit, so when it comes back full the tenants are collected by a
   * scroll over every point's tenant key instead.
   */
  @Override
  protected List<String> doTenants() {
    FacetCounts req = FacetCounts.newBuilder().setCollectionName(name).setKey(Payloads.TENANT)
        .setLimit(FACET_LIMIT).setExact(true).build();
    List<FacetHit> hits = rpc.idempotent("tenants", name, () -> rpc.points().facet(req)).getHitsList();
    if (hits.size() < FACET_LIMIT) {
      List<String> out = new ArrayList<>();
      for (FacetHit h : hits) {
        if (h.getCount() > 0) {  // the keyword index may keep a value whose points are all deleted, counted 0
          out.add(h.getValue().getStringValue());
        }
      }
      return out;
    }
    Set<String> out = new HashSet<>();
    PointId offset = null;
    do {
      ScrollPoints.Builder scroll = ScrollPoints.newBuilder().setCollectionName(name).setLimit(SCROLL_BATCH)
          .setWithPayload(WithPayloadSelector.newBuilder().setInclude(PayloadIncludeSelector.newBuilder()
              .addFields(Payloads.TENANT)))
          .setWithVectors(WithVectorsSelector.newBuilder().setEnable(false));
      if (offset != null) {
        scroll.setOffset(offset);
      }
      ScrollPoints built = scroll.build();
      ScrollResponse resp = rpc.idempotent("tenants", name, () -> rpc.points().scroll(built));
      for (RetrievedPoint p : resp.getResultList()) {
        Value t = p.getPayloadMap().get(Payloads.TENANT);
        if (t != null && t.hasStringValue()) {
          out.add(t.getStringValue());
        }
      }
      offset = resp.hasNextPageOffset() ? resp.getNextPageOffset() : null;
    } while (offset != null);
    return new ArrayList<>(out);
  }

  /** @return the layout (for tests) */
  Layout layout() {
    return layout;
  }

  // ---------------------------------------------------------------- writes

  @Override
  protected void doUpsert(List<Record> records) {
    layout.checkWritable(records);
    List<PointStruct> points = new ArrayList<>(records.size());
    for (Record r : records) {
      points.add(point(r));
    }
    if (!layout.otherVectors().isEmpty()) {
      points = OtherVectors.keep(rpc, name, layout, points);
    }
    List<PointStruct> batch = new ArrayList<>();
    long bytes = 0;
    for (PointStruct p : points) {
      int size = p.getSerializedSize();
      if (!batch.isEmpty() && (batch.size() == UPSERT_BATCH || bytes + size > UPSERT_BATCH_BYTES)) {
        sendUpsert(batch);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(p);
      bytes += size;
    }
    if (!batch.isEmpty()) {
      sendUpsert(batch);
    }
  }

  PointStruct point(Record r) {
    return PointStruct.newBuilder()
        .setId(layout.writeId(r.id()))
        .setVectors(layout.vectors(r.vector()))
        .putAllPayload(layout.payload(r.id(), r.metadata()))
        .build();
  }

  private void sendUpsert(List<PointStruct> batch) {
    UpsertPoints req = UpsertPoints.newBuilder().setCollectionName(name).setWait(true).addAllPoints(batch).build();
    rpc.idempotent("upsert", name, () -> rpc.points().upsert(req));
  }

  @Override
  protected void doDelete(List<String> list) {
    List<PointId> ids = new ArrayList<>();
    for (String id : list) {
      layout.readId(id).ifPresent(ids::add);  // an id no point can have is not there to delete
    }
    for (int i = 0; i < ids.size(); i += ID_BATCH) {
      List<PointId> batch = ids.subList(i, Math.min(ids.size(), i + ID_BATCH));
      PointsSelector.Builder sel = PointsSelector.newBuilder();
      if (layout.scope() == null) {
        sel.setPoints(PointsIdsList.newBuilder().addAllIds(batch));
      } else {
        // in a tenant the ids are the tenant's own already; the scope makes the engine check it too
        sel.setFilter(io.qdrant.client.grpc.Common.Filter.newBuilder().addMust(layout.scope())
            .addMust(Condition.newBuilder().setHasId(HasIdCondition.newBuilder().addAllHasId(batch))));
      }
      DeletePoints req = DeletePoints.newBuilder().setCollectionName(name).setWait(true).setPoints(sel).build();
      rpc.idempotent("delete", name, () -> rpc.points().delete(req));
    }
  }

  @Override
  protected void doDelete(Filter filter) {
    DeletePoints req = DeletePoints.newBuilder().setCollectionName(name).setWait(true)
        .setPoints(PointsSelector.newBuilder().setFilter(layout.filter(Optional.of(filter)))).build();
    rpc.idempotent("delete by filter", name, () -> rpc.points().delete(req));
  }

  @Override
  protected boolean doUpdateMetadata(String id, Metadata metadata) {
    PointId point = layout.writeId(id);
    if (layout instanceof ForeignLayout f) {
      f.checkMetadata(id, metadata);
    }
    SetPayloadPoints req = SetPayloadPoints.newBuilder().setCollectionName(name).setWait(true)
        .putAllPayload(layout.payload(id, metadata))
        .setPointsSelector(PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addIds(point)))
        .build();
    // OverwritePayload replaces the whole payload (vectors untouched); a missing point is NOT_FOUND "No point with id"
    return rpc.idempotent("update metadata", name, Rpc.or(() -> {
      rpc.points().overwritePayload(req);
      return Boolean.TRUE;
    }, e -> Errors.isPointNotFound(e) ? Boolean.FALSE : null));
  }

  // ---------------------------------------------------------------- reads

  @Override
  protected List<Record> doGet(List<String> wanted) {
    Map<String, Record> found = new HashMap<>();
    for (int i = 0; i < wanted.size(); i += ID_BATCH) {
      GetPoints.Builder req = GetPoints.newBuilder().setCollectionName(name)
          .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
          .setWithVectors(layout.readVectors());
      for (String id : wanted.subList(i, Math.min(wanted.size(), i + ID_BATCH))) {
        layout.readId(id).ifPresent(req::addIds);
      }
      if (req.getIdsCount() == 0) {
        continue;
      }
      GetPoints built = req.build();
      for (RetrievedPoint p : rpc.idempotent("get", name, () -> rpc.points().get(built)).getResultList()) {
        if (layout.owns(p.getPayloadMap())) {
          Record r = record(p);
          found.put(r.id(), r);
        }
      }
    }
    List<Record> out = new ArrayList<>();
    for (String id : wanted) {
      Record r = found.get(id);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  protected long doCount(Optional<Filter> filter) {
    CountPoints.Builder req = CountPoints.newBuilder().setCollectionName(name).setExact(true);
    io.qdrant.client.grpc.Common.Filter f = layout.filter(filter);
    if (f != null) {
      req.setFilter(f);
    }
    CountPoints built = req.build();
    return rpc.idempotent("count", name, () -> rpc.points().count(built)).getResult().getCount();
  }

  @Override
  protected Page doList(ListRequest request) {
    PointId offset = request.cursor().map(this::decodeCursor).orElse(null);
    io.qdrant.client.grpc.Common.Filter filter = layout.filter(request.filter());
    List<Record> page = new ArrayList<>(Math.min(request.pageSize(), SCROLL_BATCH));
    while (page.size() < request.pageSize()) {
      ScrollPoints.Builder req = ScrollPoints.newBuilder().setCollectionName(name)
          .setLimit(Math.min(request.pageSize() - page.size(), SCROLL_BATCH))
          .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
          .setWithVectors(layout.readVectors());
      if (filter != null) {
        req.setFilter(filter);
      }
      if (offset != null) {
        req.setOffset(offset);
      }
      ScrollPoints built = req.build();
      ScrollResponse resp = rpc.idempotent("list", name, () -> rpc.points().scroll(built));
      for (RetrievedPoint p : resp.getResultList()) {
        page.add(record(p));
      }
      offset = resp.hasNextPageOffset() ? resp.getNextPageOffset() : null;
      if (offset == null) {
        break;
      }
    }
    return new Page(page, offset == null ? Optional.empty() : Optional.of(encodeCursor(offset)));
  }

  @Override
  protected List<Match> doSearch(SearchRequest request) {
    float[] query = request.vector();
    QueryPoints req = searchRequest(request);
    List<ScoredPoint> hits = rpc.idempotent("search", name, () -> rpc.points().query(req)).getResultList();
    Metric metric = layout.spec().metric();
    double minScore = request.minScore().orElse(Double.NEGATIVE_INFINITY);
    List<Match> out = new ArrayList<>(hits.size());
    for (ScoredPoint p : hits) {
      String id = layout.id(p.getPayloadMap(), p.getId());
      float[] stored = p.hasVectors() ? layout.vector(p.getVectors()) : null;
      double distance;
      if (stored != null && stored.length == query.length) {
        distance = metric.distance(query, stored);  // the reference formula, in double, on the caller's vector
      } else {
        distance = metric == Metric.EUCLIDEAN ? p.getScore() : metric.distanceFromScore(p.getScore());
      }
      double score = metric.scoreFromDistance(distance);
      if (score < minScore) {
        continue;
      }
      Metadata md = request.includeMetadata() ? layout.metadata(p.getPayloadMap(), id) : Metadata.empty();
      out.add(new Match(id, score, distance, request.includeVectors() ? stored : null, md));
    }
    out.sort(Comparator.comparingDouble(Match::distance).thenComparing(Match::id));
    return out.size() > request.topK() ? new ArrayList<>(out.subList(0, request.topK())) : out;
  }

  /** Extra candidates fetched beyond top-k, so re-ranking by exact double-precision scores and ids is stable. */
  static int margin(int topK) {
    return Math.min(topK, 16);
  }

  QueryPoints searchRequest(SearchRequest request) {
    float[] query = request.vector();
    DenseVector.Builder d = DenseVector.newBuilder();
    for (float x : query) {
      d.addData(x);
    }
    SearchParams.Builder params = SearchParams.newBuilder();
    if (layout.exact()) {
      params.setExact(true);
    } else if (request.ef().isPresent()) {
      params.setHnswEf(request.ef().getAsInt());
    }
    WithPayloadSelector payload = request.includeMetadata()
        ? WithPayloadSelector.newBuilder().setEnable(true).build()
        : layout.idOnly();
    QueryPoints.Builder q = QueryPoints.newBuilder().setCollectionName(name)
        .setQuery(Query.newBuilder().setNearest(VectorInput.newBuilder().setDense(d)))
        .setLimit(request.topK() + margin(request.topK()))
        .setParams(params)
        .setWithPayload(payload)
        .setWithVectors(layout.readVectors());
    layout.using().ifPresent(q::setUsing);
    io.qdrant.client.grpc.Common.Filter filter = layout.filter(request.filter());
    if (filter != null) {
      q.setFilter(filter);
    }
    if (request.minScore().isPresent()) {
      threshold(request.minScore().getAsDouble()).ifPresent(t -> q.setScoreThreshold(t));
    }
    return q.build();
  }

  /**
   * Qdrant's own threshold, loosened slightly (its scores are float32); the exact cut is made on the
   * recomputed scores. Cosine and Dot keep {@code score >= t}; Euclid keeps {@code L2 <= t}.
   */
  Optional<Float> threshold(double minScore) {
    switch (layout.spec().metric()) {
      case EUCLIDEAN: {
        if (minScore <= 0) {
          return Optional.empty();  // every 1/(1+L2) is > 0
        }
        double maxDistance = Math.max(0, 1.0 / minScore - 1.0);
        return Optional.of((float) (maxDistance * (1 + 1e-4) + 1e-4));
      }
      default:
        return Optional.of((float) (minScore - Math.abs(minScore) * 1e-4 - 1e-4));
    }
  }

  Record record(RetrievedPoint p) {
    Map<String, Value> payload = p.getPayloadMap();
    String id = layout.id(payload, p.getId());
    float[] v = p.hasVectors() ? layout.vector(p.getVectors()) : null;
    if (v == null || v.length == 0) {
      throw new BackendException("Qdrant returned record '" + id + "' of collection '" + name
          + "' without its vector " + layout.using().map(u -> "'" + u + "'").orElse("(unnamed)"), null);
    }
    return Record.of(id, v, layout.metadata(payload, id));
  }

  // ---------------------------------------------------------------- helpers

  static String encodeCursor(PointId next) {
    return CURSOR_PREFIX + PointIds.text(next);
  }

  /**
   * The boundary refuses damaged or foreign cursors; its digest is no secret, so a forged cursor can
   * still carry any text, and that is refused here too, as bad input rather than a server error.
   */
  PointId decodeCursor(String cursor) {
    String u = cursor.startsWith(CURSOR_PREFIX) ? cursor.substring(CURSOR_PREFIX.length()) : "";
    Optional<PointId> p = PointIds.parse(u);
    if (p.isPresent()) {
      return p.get();
    }
    throw new InvalidArgumentException("list cursor refused by collection '" + name + "': it was not made by a Qdrant list");
  }

  @Override
  public String toString() {
    return "QdrantCollection[" + layout.spec() + tenant().map(t -> ", tenant " + t).orElse("") + "]";
  }
}
