package dev.quiver.qdrant.internal;

import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.NamedVectors;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.SparseIndices;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.VectorsSelector;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upserts through a handle on one named vector of a collection with several: Qdrant's upsert replaces
 * the whole point, so the points that exist are read first (their other vectors only) and written
 * back with them. The read and the write are two requests: a concurrent change of another vector
 * between them is overwritten (docs/backends/qdrant.md).
 */
final class OtherVectors {

  private OtherVectors() {}

  static List<PointStruct> keep(Rpc rpc, String collection, Layout layout, List<PointStruct> points) {
    Map<PointId, Map<String, VectorOutput>> existing = new HashMap<>();
    for (int i = 0; i < points.size(); i += QdrantCollection.ID_BATCH) {
      GetPoints.Builder req = GetPoints.newBuilder().setCollectionName(collection)
          .setWithPayload(WithPayloadSelector.newBuilder().setEnable(false))
          .setWithVectors(WithVectorsSelector.newBuilder().setInclude(VectorsSelector.newBuilder()
              .addAllNames(layout.otherVectors())));
      points.subList(i, Math.min(points.size(), i + QdrantCollection.ID_BATCH)).forEach(p -> req.addIds(p.getId()));
      GetPoints built = req.build();
      for (RetrievedPoint p : rpc.idempotent("upsert", collection, () -> rpc.points().get(built)).getResultList()) {
        if (p.hasVectors() && p.getVectors().hasVectors()) {
          existing.put(p.getId(), p.getVectors().getVectors().getVectorsMap());
        }
      }
    }
    if (existing.isEmpty()) {
      return points;
    }
    List<PointStruct> out = new ArrayList<>(points.size());
    for (PointStruct p : points) {
      Map<String, VectorOutput> others = existing.get(p.getId());
      if (others == null) {
        out.add(p);
        continue;
      }
      NamedVectors.Builder nv = p.getVectors().getVectors().toBuilder();
      others.forEach((name, v) -> {
        if (layout.otherVectors().contains(name)) {
          nv.putVectors(name, input(v));
        }
      });
      out.add(p.toBuilder().setVectors(p.getVectors().toBuilder().setVectors(nv)).build());
    }
    return out;
  }

  /** A vector as read, as it is written (dense, sparse or multi-dense). */
  @SuppressWarnings("deprecation") // VectorOutput.data/indices: the pre-1.10 layout, read when the oneof is absent
  private static Vector input(VectorOutput v) {
    Vector.Builder b = Vector.newBuilder();
    if (v.hasDense()) {
      b.setDense(v.getDense());
    } else if (v.hasSparse()) {
      b.setSparse(v.getSparse());
    } else if (v.hasMultiDense()) {
      b.setMultiDense(v.getMultiDense());
    } else {
      b.addAllData(v.getDataList());
      if (v.hasIndices()) {
        b.setIndices(SparseIndices.newBuilder().addAllData(v.getIndices().getDataList()));
      }
    }
    return b.build();
  }
}
