package dev.quiver.qdrant.internal;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.NamedVectors;
import io.qdrant.client.grpc.Points.PayloadIncludeSelector;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.VectorsOutput;
import io.qdrant.client.grpc.Points.VectorsSelector;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The layout of a collection Quiver created (docs/backends/qdrant.md): point id = UUIDv5 of the id
 * (of tenant + NUL + id in a tenant), the id and the bookkeeping in reserved payload keys, the named
 * vector {@link Specs#VECTOR} searched and {@link Specs#RAW} read back under COSINE. A tenant handle
 * writes {@link Payloads#TENANT} and adds {@code __tenant == tenant} as a {@code must} to every filter.
 */
public final class QuiverLayout extends Layout {

  private final CollectionSpec spec;
  private final String tenant;
  private final Condition scope;

  /**
   * @param spec the collection's spec
   * @param tenant the handle's tenant, or {@code null} for the collection's own handle
   */
  public QuiverLayout(CollectionSpec spec, String tenant) {
    this.spec = spec;
    this.tenant = tenant;
    this.scope = tenant == null ? null : Filters.keywordIs(Payloads.TENANT, tenant);
  }

  /**
   * @param tenant a tenant
   * @return this layout scoped to it
   */
  public QuiverLayout forTenant(String tenant) {
    return new QuiverLayout(spec, tenant);
  }

  @Override
  public CollectionSpec spec() {
    return spec;
  }

  @Override
  public Optional<String> using() {
    return Optional.of(Specs.VECTOR);
  }

  @Override
  public boolean exact() {
    return spec.index() instanceof IndexSpec.Flat;
  }

  @Override
  public Vectors vectors(float[] v) {
    NamedVectors.Builder nv = NamedVectors.newBuilder().putVectors(Specs.VECTOR, dense(v));
    if (Specs.hasRaw(spec)) {
      nv.putVectors(Specs.RAW, dense(v));
    }
    return Vectors.newBuilder().setVectors(nv).build();
  }

  @Override
  public PointId writeId(String id) {
    return PointIds.pointId(tenant, id);
  }

  @Override
  public Optional<PointId> readId(String id) {
    return Optional.of(PointIds.pointId(tenant, id));
  }

  @Override
  public Map<String, Value> payload(String id, Metadata metadata) {
    return Payloads.toPayload(id, metadata, tenant);
  }

  @Override
  public Condition scope() {
    return scope;
  }

  @Override
  public io.qdrant.client.grpc.Common.Filter translate(Filter filter) {
    return Filters.toQdrant(filter, spec.fields());
  }

  @Override
  public WithVectorsSelector readVectors() {
    return WithVectorsSelector.newBuilder()
        .setInclude(VectorsSelector.newBuilder().addNames(Specs.readVector(spec))).build();
  }

  @Override
  @SuppressWarnings("deprecation") // VectorOutput.data: the pre-1.10 layout, read when dense is absent
  public float[] vector(VectorsOutput vo) {
    VectorOutput v = vo.hasVectors() ? vo.getVectors().getVectorsMap().get(Specs.readVector(spec)) : vo.getVector();
    return v == null ? null : floats(v.hasDense() ? v.getDense().getDataList() : v.getDataList());
  }

  static float[] floats(List<Float> data) {
    float[] out = new float[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.get(i);
    }
    return out;
  }

  @Override
  public String id(Map<String, Value> payload, PointId point) {
    return Payloads.id(payload, PointIds.text(point));
  }

  @Override
  public Metadata metadata(Map<String, Value> payload, String id) {
    return Payloads.toMetadata(payload, id);
  }

  @Override
  public boolean owns(Map<String, Value> payload) {
    if (tenant == null) {
      return true;
    }
    Value t = payload.get(Payloads.TENANT);
    return t != null && t.hasStringValue() && t.getStringValue().equals(tenant);
  }

  @Override
  public WithPayloadSelector idOnly() {
    PayloadIncludeSelector.Builder keys = PayloadIncludeSelector.newBuilder().addFields(Payloads.ID);
    return WithPayloadSelector.newBuilder().setInclude(keys).build();
  }
}
