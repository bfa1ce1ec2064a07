package dev.quiver.qdrant.internal;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.Metadata;
import dev.quiver.Record;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.VectorsOutput;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one collection handle's records map to Qdrant points: ids, payload, vectors, and the condition
 * added to every filter. {@link QuiverLayout} is the layout of collections Quiver created (hashed ids,
 * reserved payload keys, optionally a tenant); {@link ForeignLayout} keeps the native layout of a
 * collection made by another client. {@code QdrantCollection} does the requests and asks its layout
 * for every mapping.
 */
public abstract class Layout {

  /** @return the collection's spec as the handle reports it */
  public abstract CollectionSpec spec();

  /** @return the vector searched ({@code using}), or empty for a collection's single unnamed vector */
  public abstract Optional<String> using();

  /** @return whether searches send {@code exact = true} (a FLAT collection: no HNSW graph) */
  public abstract boolean exact();

  /**
   * @param r a valid record
   * @return its vectors as written
   */
  public abstract Vectors vectors(float[] r);

  /**
   * @param id a record id to write
   * @return its point id
   * @throws dev.quiver.InvalidArgumentException if the layout's point ids cannot hold it
   */
  public abstract PointId writeId(String id);

  /**
   * @param id a record id to read or delete
   * @return its point id, or empty when no point of this layout can have the id
   */
  public abstract Optional<PointId> readId(String id);

  /**
   * @param id the record id
   * @param metadata its metadata
   * @return the payload to store
   */
  public abstract Map<String, Value> payload(String id, Metadata metadata);

  /**
   * Checks metadata this layout must refuse before anything is written (beyond the boundary's checks).
   *
   * @param records the batch
   */
  public void checkWritable(List<Record> records) {}

  /** @return the condition every point of this handle meets (its tenant), or {@code null} */
  public abstract Condition scope();

  /**
   * @param filter a Quiver filter
   * @return its translation for this layout, without the scope
   */
  public abstract io.qdrant.client.grpc.Common.Filter translate(Filter filter);

  /**
   * @param filter the caller's filter, if any
   * @return the filter to send: the scope and the caller's filter, or {@code null} for none
   */
  public final io.qdrant.client.grpc.Common.Filter filter(Optional<Filter> filter) {
    return Filters.scoped(scope(), filter.map(this::translate).orElse(null));
  }

  /** @return which vectors reads fetch */
  public abstract WithVectorsSelector readVectors();

  /**
   * @param vo a point's vectors
   * @return the vector this handle reads, or {@code null} when the point has none
   */
  public abstract float[] vector(VectorsOutput vo);

  /**
   * @param payload a point's payload
   * @param point its id
   * @return the record id
   */
  public abstract String id(Map<String, Value> payload, PointId point);

  /**
   * @param payload a point's payload
   * @param id the record id, for messages
   * @return the metadata
   */
  public abstract Metadata metadata(Map<String, Value> payload, String id);

  /**
   * @param payload a point's payload, read by id
   * @return whether the point belongs to this handle (its tenant)
   */
  public abstract boolean owns(Map<String, Value> payload);

  /** @return the payload fetched by searches without metadata: what {@link #id} needs */
  public abstract WithPayloadSelector idOnly();

  /**
   * @return the names of the point's other vectors that an upsert through this handle must keep
   *     (Qdrant's upsert replaces the whole point), empty when there are none
   */
  public List<String> otherVectors() {
    return List.of();
  }

  static Vector dense(float[] v) {
    DenseVector.Builder d = DenseVector.newBuilder();
    for (float x : v) {
      d.addData(x);
    }
    return Vector.newBuilder().setDense(d).build();
  }
}
