package dev.quiver.qdrant.internal;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.NamedVectors;
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
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.VectorsOutput;
import io.qdrant.client.grpc.Points.VectorsSelector;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One Qdrant collection seen through the Quiver API. See docs/backends/qdrant.md for every mapping.
 */
public final class QdrantCollection implements VectorCollection {

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
  private final Capabilities capabilities;
  private final CollectionSpec spec;
  private final String name;

  /**
   * @param rpc the store's connection
   * @param capabilities the store's capabilities
   * @param spec the collection's spec
   */
  public QdrantCollection(Rpc rpc, Capabilities capabilities, CollectionSpec spec) {
    this.rpc = rpc;
    this.capabilities = capabilities;
    this.spec = spec;
    this.name = spec.name();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CollectionSpec spec() {
    return spec;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void upsert(List<Record> records) {
    List<Record> valid = spec.checkRecords(records);
    List<PointStruct> points = new ArrayList<>(valid.size());
    for (Record r : valid) {
      points.add(point(r));
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
    float[] v = r.vector();
    NamedVectors.Builder nv = NamedVectors.newBuilder().putVectors(Specs.VECTOR, dense(v));
    if (Specs.hasRaw(spec)) {
      nv.putVectors(Specs.RAW, dense(v));
    }
    return PointStruct.newBuilder()
        .setId(PointIds.pointId(r.id()))
        .setVectors(io.qdrant.client.grpc.Points.Vectors.newBuilder().setVectors(nv))
        .putAllPayload(Payloads.toPayload(r.id(), r.metadata()))
        .build();
  }

  private static Vector dense(float[] v) {
    DenseVector.Builder d = DenseVector.newBuilder();
    for (float x : v) {
      d.addData(x);
    }
    return Vector.newBuilder().setDense(d).build();
  }

  private void sendUpsert(List<PointStruct> batch) {
    UpsertPoints req = UpsertPoints.newBuilder().setCollectionName(name).setWait(true).addAllPoints(batch).build();
    rpc.call("upsert", name, true, () -> rpc.points().upsert(req));
  }

  @Override
  public void delete(Collection<String> ids) {
    List<String> list = new ArrayList<>(Record.checkIds(ids));
    for (int i = 0; i < list.size(); i += ID_BATCH) {
      PointsIdsList.Builder sel = PointsIdsList.newBuilder();
      for (String id : list.subList(i, Math.min(list.size(), i + ID_BATCH))) {
        sel.addIds(PointIds.pointId(id));
      }
      DeletePoints req = DeletePoints.newBuilder().setCollectionName(name).setWait(true)
          .setPoints(PointsSelector.newBuilder().setPoints(sel)).build();
      rpc.call("delete", name, true, () -> rpc.points().delete(req));
    }
  }

  @Override
  public void delete(Filter filter) {
    checkFilter(filter);
    capabilities.require(Feature.DELETE_BY_FILTER);
    DeletePoints req = DeletePoints.newBuilder().setCollectionName(name).setWait(true)
        .setPoints(PointsSelector.newBuilder().setFilter(Filters.toQdrant(filter))).build();
    rpc.call("delete by filter", name, true, () -> rpc.points().delete(req));
  }

  @Override
  public boolean updateMetadata(String id, Metadata metadata) {
    Record.checkId(id);
    if (metadata == null) {
      throw new InvalidArgumentException("metadata must not be null");
    }
    capabilities.require(Feature.UPDATE_METADATA);
    SetPayloadPoints req = SetPayloadPoints.newBuilder().setCollectionName(name).setWait(true)
        .putAllPayload(Payloads.toPayload(id, metadata))
        .setPointsSelector(PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addIds(PointIds.pointId(id))))
        .build();
    // OverwritePayload replaces the whole payload (vectors untouched); a missing point is NOT_FOUND "No point with id"
    return rpc.callOr("update metadata", name, true, () -> {
      rpc.points().overwritePayload(req);
      return Boolean.TRUE;
    }, e -> Errors.isPointNotFound(e) ? Boolean.FALSE : null);
  }

  // ---------------------------------------------------------------- reads

  @Override
  public List<Record> get(Collection<String> ids) {
    List<String> wanted = new ArrayList<>(Record.checkIds(ids));
    Map<String, Record> found = new HashMap<>();
    for (int i = 0; i < wanted.size(); i += ID_BATCH) {
      GetPoints.Builder req = GetPoints.newBuilder().setCollectionName(name)
          .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
          .setWithVectors(vectors());
      for (String id : wanted.subList(i, Math.min(wanted.size(), i + ID_BATCH))) {
        req.addIds(PointIds.pointId(id));
      }
      GetPoints built = req.build();
      for (RetrievedPoint p : rpc.call("get", name, true, () -> rpc.points().get(built)).getResultList()) {
        Record r = record(p);
        found.put(r.id(), r);
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
  public long count() {
    CountPoints req = CountPoints.newBuilder().setCollectionName(name).setExact(true).build();
    return rpc.call("count", name, true, () -> rpc.points().count(req)).getResult().getCount();
  }

  @Override
  public long count(Filter filter) {
    checkFilter(filter);
    CountPoints req = CountPoints.newBuilder().setCollectionName(name).setExact(true)
        .setFilter(Filters.toQdrant(filter)).build();
    return rpc.call("count", name, true, () -> rpc.points().count(req)).getResult().getCount();
  }

  @Override
  public Page list(ListRequest request) {
    if (request == null) {
      throw new InvalidArgumentException("list request must not be null");
    }
    PointId offset = request.cursor().map(QdrantCollection::decodeCursor).orElse(null);
    io.qdrant.client.grpc.Common.Filter filter = request.filter().map(Filters::toQdrant).orElse(null);
    List<Record> page = new ArrayList<>(Math.min(request.pageSize(), SCROLL_BATCH));
    while (page.size() < request.pageSize()) {
      ScrollPoints.Builder req = ScrollPoints.newBuilder().setCollectionName(name)
          .setLimit(Math.min(request.pageSize() - page.size(), SCROLL_BATCH))
          .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
          .setWithVectors(vectors());
      if (filter != null) {
        req.setFilter(filter);
      }
      if (offset != null) {
        req.setOffset(offset);
      }
      ScrollPoints built = req.build();
      ScrollResponse resp = rpc.call("list", name, true, () -> rpc.points().scroll(built));
      for (RetrievedPoint p : resp.getResultList()) {
        page.add(record(p));
      }
      offset = resp.hasNextPageOffset() ? resp.getNextPageOffset() : null;
      if (offset == null) {
        break;
      }
    }
    return new Page(page, offset == null ? java.util.Optional.empty() : java.util.Optional.of(encodeCursor(offset)));
  }

  @Override
  public List<Match> search(SearchRequest request) {
    if (request == null) {
      throw new InvalidArgumentException("search request must not be null");
    }
    float[] query = request.vector();
    spec.checkVector("query vector", query);
    if (request.ef().isPresent()) {
      capabilities.require(Feature.SEARCH_EF);
    }
    if (request.nprobe().isPresent()) {
      capabilities.require(Feature.SEARCH_NPROBE);
    }
    if (request.topK() > capabilities.maxTopK()) {
      throw new InvalidArgumentException("topK " + request.topK() + " exceeds the limit of " + capabilities.maxTopK());
    }
    QueryPoints req = searchRequest(request);
    List<ScoredPoint> hits = rpc.call("search", name, true, () -> rpc.points().query(req)).getResultList();
    Metric metric = spec.metric();
    double minScore = request.minScore().orElse(Double.NEGATIVE_INFINITY);
    List<Match> out = new ArrayList<>(hits.size());
    for (ScoredPoint p : hits) {
      String id = Payloads.id(p.getPayloadMap(), PointIds.text(p.getId()));
      float[] stored = p.hasVectors() ? vector(p.getVectors()) : null;
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
      Metadata md = request.includeMetadata() ? Payloads.toMetadata(p.getPayloadMap(), id) : Metadata.empty();
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
    if (spec.index() instanceof dev.quiver.IndexSpec.Flat) {
      params.setExact(true);
    } else if (request.ef().isPresent()) {
      params.setHnswEf(request.ef().getAsInt());
    }
    WithPayloadSelector payload = request.includeMetadata()
        ? WithPayloadSelector.newBuilder().setEnable(true).build()
        : WithPayloadSelector.newBuilder().setInclude(PayloadIncludeSelector.newBuilder().addFields(Payloads.ID)).build();
    QueryPoints.Builder q = QueryPoints.newBuilder().setCollectionName(name)
        .setQuery(Query.newBuilder().setNearest(VectorInput.newBuilder().setDense(d)))
        .setUsing(Specs.VECTOR)
        .setLimit(request.topK() + margin(request.topK()))
        .setParams(params)
        .setWithPayload(payload)
        .setWithVectors(vectors());
    request.filter().ifPresent(f -> q.setFilter(Filters.toQdrant(f)));
    if (request.minScore().isPresent()) {
      threshold(request.minScore().getAsDouble()).ifPresent(t -> q.setScoreThreshold(t));
    }
    return q.build();
  }

  /**
   * Qdrant's own threshold, loosened slightly (its scores are float32); the exact cut is made on the
   * recomputed scores. Cosine and Dot keep {@code score >= t}; Euclid keeps {@code L2 <= t}.
   */
  java.util.Optional<Float> threshold(double minScore) {
    switch (spec.metric()) {
      case EUCLIDEAN: {
        if (minScore <= 0) {
          return java.util.Optional.empty();  // every 1/(1+L2) is > 0
        }
        double maxDistance = Math.max(0, 1.0 / minScore - 1.0);
        return java.util.Optional.of((float) (maxDistance * (1 + 1e-4) + 1e-4));
      }
      default:
        return java.util.Optional.of((float) (minScore - Math.abs(minScore) * 1e-4 - 1e-4));
    }
  }

  private WithVectorsSelector vectors() {
    return WithVectorsSelector.newBuilder()
        .setInclude(VectorsSelector.newBuilder().addNames(Specs.readVector(spec))).build();
  }

  @SuppressWarnings("deprecation") // VectorOutput.data: the pre-1.10 layout, read when dense is absent
  private float[] vector(VectorsOutput vo) {
    VectorOutput v = vo.hasVectors() ? vo.getVectors().getVectorsMap().get(Specs.readVector(spec)) : vo.getVector();
    if (v == null) {
      return null;
    }
    List<Float> data = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
    float[] out = new float[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.get(i);
    }
    return out;
  }

  Record record(RetrievedPoint p) {
    Map<String, Value> payload = p.getPayloadMap();
    String id = Payloads.id(payload, PointIds.text(p.getId()));
    float[] v = p.hasVectors() ? vector(p.getVectors()) : null;
    if (v == null || v.length == 0) {
      throw new dev.quiver.BackendException("Qdrant returned record '" + id + "' of collection '" + name
          + "' without its vector '" + Specs.readVector(spec) + "'", null);
    }
    return Record.of(id, v, Payloads.toMetadata(payload, id));
  }

  // ---------------------------------------------------------------- helpers

  static String encodeCursor(PointId next) {
    return CURSOR_PREFIX + PointIds.text(next);
  }

  static PointId decodeCursor(String cursor) {
    if (cursor.startsWith(CURSOR_PREFIX)) {
      String u = cursor.substring(CURSOR_PREFIX.length());
      try {
        if (UUID.fromString(u).toString().equals(u.toLowerCase(Locale.ROOT))) {
          return PointId.newBuilder().setUuid(u).build();
        }
      } catch (IllegalArgumentException e) {
        // fall through
      }
    }
    throw new InvalidArgumentException("cursor '" + cursor + "' was not made by a Qdrant collection's list()");
  }

  private static void checkFilter(Filter filter) {
    if (filter == null) {
      throw new InvalidArgumentException("filter must not be null");
    }
  }

  @Override
  public String toString() {
    return "QdrantCollection[" + spec + "]";
  }
}
