package dev.quiver.qdrant;

import dev.quiver.qdrant.internal.QdrantFilterModel;
import io.grpc.Status;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.CountResult;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.NamedVectorsOutput;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.VectorsOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The points of a {@link FakeQdrant} in stateful mode: upsert, overwrite payload, get, scroll, count, query and delete keep
 * and read one in-memory collection (query returns the matching points unscored), filters are evaluated by {@link QdrantFilterModel}, and every
 * stored double is moved by one ulp ({@link QdrantFilterModel#roundDoubles}), as a Qdrant server
 * moves some of them. Scroll walks points by UUID text, Qdrant's order for UUID ids.
 */
final class FakePoints {

  private final Map<String, PointStruct> points = new TreeMap<>();

  synchronized Object upsert(UpsertPoints r) {
    for (PointStruct p : r.getPointsList()) {
      points.put(p.getId().getUuid(), p.toBuilder().clearPayload()
          .putAllPayload(QdrantFilterModel.roundDoubles(p.getPayloadMap())).build());
    }
    return FakeQdrant.completed();
  }

  synchronized Object delete(DeletePoints r) {
    if (r.getPoints().hasPoints()) {
      r.getPoints().getPoints().getIdsList().forEach(id -> points.remove(id.getUuid()));
    } else {
      points.values().removeIf(p -> QdrantFilterModel.matches(r.getPoints().getFilter(), p.getPayloadMap()));
    }
    return FakeQdrant.completed();
  }

  /** OverwritePayload on ids: NOT_FOUND "No point with id" for a missing point, as Qdrant answers. */
  synchronized Object overwrite(SetPayloadPoints r) {
    for (PointId id : r.getPointsSelector().getPoints().getIdsList()) {
      PointStruct p = points.get(id.getUuid());
      if (p == null) {
        return Status.NOT_FOUND.withDescription("Not found: No point with id " + id.getUuid() + " found");
      }
      points.put(id.getUuid(), p.toBuilder().clearPayload()
          .putAllPayload(QdrantFilterModel.roundDoubles(r.getPayloadMap())).build());
    }
    return FakeQdrant.completed();
  }

  synchronized Object get(GetPoints r) {
    GetResponse.Builder out = GetResponse.newBuilder();
    for (PointId id : r.getIdsList()) {
      PointStruct p = points.get(id.getUuid());
      if (p != null) {
        out.addResult(retrieved(p));
      }
    }
    return out.build();
  }

  synchronized Object count(CountPoints r) {
    long n = points.values().stream()
        .filter(p -> !r.hasFilter() || QdrantFilterModel.matches(r.getFilter(), p.getPayloadMap())).count();
    return CountResponse.newBuilder().setResult(CountResult.newBuilder().setCount(n)).build();
  }

  synchronized Object scroll(ScrollPoints r) {
    ScrollResponse.Builder out = ScrollResponse.newBuilder();
    int limit = r.hasLimit() ? r.getLimit() : 10;
    for (PointStruct p : points.values()) {
      String id = p.getId().getUuid();
      if (r.hasOffset() && id.compareTo(r.getOffset().getUuid()) < 0
          || r.hasFilter() && !QdrantFilterModel.matches(r.getFilter(), p.getPayloadMap())) {
        continue;
      }
      if (out.getResultCount() == limit) {
        out.setNextPageOffset(p.getId());
        break;
      }
      out.addResult(retrieved(p));
    }
    return out.build();
  }

  /** Every matching point, unscored (the adapter recomputes scores from the vectors), up to the limit. */
  synchronized Object query(QueryPoints r) {
    QueryResponse.Builder out = QueryResponse.newBuilder();
    for (PointStruct p : points.values()) {
      if (out.getResultCount() < r.getLimit() && (!r.hasFilter() || QdrantFilterModel.matches(r.getFilter(), p.getPayloadMap()))) {
        RetrievedPoint rp = retrieved(p);
        out.addResult(ScoredPoint.newBuilder().setId(rp.getId()).putAllPayload(rp.getPayloadMap()).setVectors(rp.getVectors()));
      }
    }
    return out.build();
  }

  private static RetrievedPoint retrieved(PointStruct p) {
    NamedVectorsOutput.Builder nv = NamedVectorsOutput.newBuilder();
    for (Map.Entry<String, Vector> e : p.getVectors().getVectors().getVectorsMap().entrySet()) {
      nv.putVectors(e.getKey(), VectorOutput.newBuilder().setDense(e.getValue().getDense()).build());
    }
    return RetrievedPoint.newBuilder().setId(p.getId()).putAllPayload(p.getPayloadMap())
        .setVectors(VectorsOutput.newBuilder().setVectors(nv)).build();
  }

  synchronized List<Map<String, Value>> payloads() {
    List<Map<String, Value>> out = new ArrayList<>();
    points.values().forEach(p -> out.add(p.getPayloadMap()));
    return out;
  }
}
