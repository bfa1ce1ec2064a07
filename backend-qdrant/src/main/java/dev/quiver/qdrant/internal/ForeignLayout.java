package dev.quiver.qdrant.internal;

import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Datatype;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.NamedVectors;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.VectorsOutput;
import io.qdrant.client.grpc.Points.VectorsSelector;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The native layout of a collection Quiver did not create (made by the Qdrant client, LangChain4j,
 * Spring AI, ...), kept as it is: point ids are the record ids (an unsigned integer in decimal or a
 * canonical UUID), the payload is the metadata key for key with no reserved keys, the vector is the
 * collection's unnamed vector or the named one chosen, and filters are Qdrant conditions on the
 * payload as stored ({@link ForeignFilters}). What Quiver metadata cannot hold is named in an error,
 * never dropped. The mapping is reported in {@link CollectionSpec#layout()} and described in
 * docs/backends/qdrant.md.
 */
public final class ForeignLayout extends Layout {

  private final String collection;
  private final CollectionSpec spec;
  /** The vector read, written and searched; {@code null} for the collection's single unnamed vector. */
  private final String vector;
  private final List<String> others;

  private ForeignLayout(String collection, CollectionSpec spec, String vector, List<String> others) {
    this.collection = collection;
    this.spec = spec;
    this.vector = vector;
    this.others = others;
  }

  /**
   * @param name the collection
   * @param info what the server reports about it
   * @param choice the vector to use, or empty for the default (the unnamed vector, or the only named one)
   * @param describing whether the caller only describes the collection: then several named vectors
   *     are no error, and the spec reports the first by name
   * @return the layout
   * @throws InvalidArgumentException if the vector cannot be chosen or mapped (named in the message)
   */
  public static ForeignLayout open(String name, CollectionInfo info, Optional<String> choice, boolean describing) {
    CollectionConfig config = info.getConfig();
    VectorsConfig vc = config.getParams().getVectorsConfig();
    Map<String, VectorParams> dense = new TreeMap<>();
    if (vc.hasParams()) {
      dense.put("", vc.getParams());
    } else if (vc.hasParamsMap()) {
      dense.putAll(vc.getParamsMap().getMapMap());
    }
    List<String> sparse = new ArrayList<>(new TreeSet<>(config.getParams().getSparseVectorsConfig().getMapMap().keySet()));
    String sparseNote = sparse.isEmpty() ? "" : "; its sparse vectors " + sparse + " are not read by Quiver";
    if (dense.isEmpty()) {
      throw new InvalidArgumentException("collection '" + name + "' has no dense vector" + (sparse.isEmpty() ? ""
          : ", only the sparse vectors " + sparse) + ": Quiver reads, writes and searches dense vectors only");
    }
    String chosen;
    if (choice.isPresent()) {
      if (vc.hasParams()) {
        throw new InvalidArgumentException("collection '" + name + "' has one unnamed vector, no vector '" + choice.get()
            + "': open it with collection(name)");
      }
      if (!dense.containsKey(choice.get())) {
        throw new InvalidArgumentException("collection '" + name + "' has no dense vector '" + choice.get()
            + "'; its dense vectors are " + dense.keySet() + sparseNote);
      }
      chosen = choice.get();
    } else if (vc.hasParams()) {
      chosen = null;
    } else if (dense.size() == 1 || describing) {
      chosen = dense.keySet().iterator().next();
    } else {
      throw new InvalidArgumentException("collection '" + name + "' has several named vectors " + dense.keySet()
          + ": open it with collection(name, vector) naming one of them" + sparseNote);
    }
    VectorParams p = dense.get(chosen == null ? "" : chosen);
    String label = chosen == null ? "its unnamed vector" : "vector '" + chosen + "'";
    Metric metric = switch (p.getDistance()) {
      case Cosine -> Metric.COSINE;
      case Dot -> Metric.DOT_PRODUCT;
      case Euclid -> Metric.EUCLIDEAN;
      default -> throw new InvalidArgumentException("collection '" + name + "': " + label + " uses distance "
          + p.getDistance() + ", which Quiver does not offer (COSINE, DOT_PRODUCT, EUCLIDEAN)");
    };
    if (p.hasMultivectorConfig()) {
      throw new InvalidArgumentException("collection '" + name + "': " + label
          + " is a multi-vector (several vectors per point), which Quiver cannot read as one vector");
    }
    if (p.hasDatatype() && p.getDatatype() != Datatype.Float32 && p.getDatatype() != Datatype.Default) {
      throw new InvalidArgumentException("collection '" + name + "': " + label + " stores " + p.getDatatype()
          + " values; Quiver reads and writes float32 vectors only");
    }
    HnswConfigDiff h = p.hasHnswConfig() && p.getHnswConfig().hasM() ? p.getHnswConfig() : config.getHnswConfig();
    long m = h.hasM() ? h.getM() : 16;
    IndexSpec index = m == 0 ? IndexSpec.flat()
        : IndexSpec.hnsw((int) Math.max(2, Math.min(512, m)), (int) Math.max(1, Math.min(4096, h.hasEfConstruct() ? h.getEfConstruct() : 100)));
    List<String> others = new ArrayList<>();
    if (chosen != null) {
      dense.keySet().stream().filter(k -> !k.equals(chosen)).forEach(others::add);
    }
    others.addAll(sparse);
    Map<String, String> layout = new LinkedHashMap<>();
    layout.put("id", "Qdrant point id: an unsigned integer (shown in decimal) or a UUID (shown in canonical lower-case);"
        + " written ids must be one of the two");
    String v = (chosen == null ? "the unnamed dense vector" : "the named dense vector '" + chosen + "'") + " (dim "
        + p.getSize() + ", " + p.getDistance() + (metric == Metric.COSINE ? "; Qdrant stores it normalised" : "") + ")";
    if (chosen != null && dense.size() > 1) {
      v += " of " + dense.keySet() + "; upserts keep the point's other vectors"
          + (choice.isEmpty() ? "; described by the first name, open one with collection(name, vector)" : "");
    }
    layout.put("vector", v + sparseNote);
    layout.put("metadata", "every payload key, as stored: string, integer (Long), float (Double), bool, list of"
        + " strings; null and [] read as a missing key (Qdrant's is_empty); no reserved keys are added");
    layout.put("refused", "a record whose payload holds a nested object, a list of non-strings or a key breaking"
        + " Quiver's key rule fails to read with BackendException naming the key; writing an empty list is"
        + " refused (Qdrant would read it as no value)");
    layout.put("filters", "Qdrant conditions on the stored payload: numbers compare as Qdrant compares them"
        + " (float64, exact below 2^53), exists(x) is not is_empty(x)");
    if (!info.getPayloadSchemaMap().isEmpty()) {
      StringBuilder b = new StringBuilder();
      new TreeMap<>(info.getPayloadSchemaMap()).forEach((k, s) -> b.append(b.length() == 0 ? "" : ", ").append(k)
          .append(": ").append(s.getDataType()).append(tenantIndex(s) ? " (tenant)" : ""));
      layout.put("payloadIndexes", b.toString());
    }
    layout.put("tenants", "none: opened single-tenant; a tenant key is ordinary metadata");
    CollectionSpec spec = CollectionSpec.builder(name).dimension((int) p.getSize()).metric(metric).index(index)
        .layout(layout).build();
    return new ForeignLayout(name, spec, chosen, List.copyOf(others));
  }

  private static boolean tenantIndex(PayloadSchemaInfo s) {
    return s.hasParams() && s.getParams().hasKeywordIndexParams() && s.getParams().getKeywordIndexParams().getIsTenant();
  }

  @Override
  public CollectionSpec spec() {
    return spec;
  }

  @Override
  public Optional<String> using() {
    return Optional.ofNullable(vector);
  }

  @Override
  public boolean exact() {
    return spec.index() instanceof IndexSpec.Flat;
  }

  @Override
  public Vectors vectors(float[] v) {
    if (vector == null) {
      return Vectors.newBuilder().setVector(dense(v)).build();
    }
    return Vectors.newBuilder().setVectors(NamedVectors.newBuilder().putVectors(vector, dense(v))).build();
  }

  @Override
  public PointId writeId(String id) {
    return PointIds.requireNativeId(id, collection);
  }

  @Override
  public Optional<PointId> readId(String id) {
    return PointIds.nativeId(id);
  }

  @Override
  public Map<String, Value> payload(String id, Metadata metadata) {
    Map<String, Value> out = new LinkedHashMap<>();
    metadata.asMap().forEach((k, v) -> out.put(k, Payloads.value(v)));
    return out;
  }

  @Override
  public void checkWritable(List<Record> records) {
    for (Record r : records) {
      writeId(r.id());
      checkMetadata(r.id(), r.metadata());
    }
  }

  /**
   * @param id the record
   * @param metadata its new metadata
   * @throws InvalidArgumentException on an empty list, which Qdrant would read back as no value
   */
  public void checkMetadata(String id, Metadata metadata) {
    metadata.asMap().forEach((k, v) -> {
      if (v instanceof List<?> l && l.isEmpty()) {
        throw new InvalidArgumentException("record '" + id + "': collection '" + collection + "' was not created by"
            + " Quiver and cannot hold an empty list in '" + k + "' (Qdrant reads [] as no value): leave the key out");
      }
    });
  }

  @Override
  public Condition scope() {
    return null;
  }

  @Override
  public io.qdrant.client.grpc.Common.Filter translate(Filter filter) {
    return ForeignFilters.toQdrant(filter);
  }

  @Override
  public WithVectorsSelector readVectors() {
    if (vector == null) {
      return WithVectorsSelector.newBuilder().setEnable(true).build();
    }
    return WithVectorsSelector.newBuilder().setInclude(VectorsSelector.newBuilder().addNames(vector)).build();
  }

  @Override
  @SuppressWarnings("deprecation") // VectorOutput.data: the pre-1.10 layout, read when dense is absent
  public float[] vector(VectorsOutput vo) {
    VectorOutput v = vector == null ? (vo.hasVector() ? vo.getVector() : null)
        : vo.hasVectors() ? vo.getVectors().getVectorsMap().get(vector) : null;
    if (v == null) {
      return null;
    }
    return QuiverLayout.floats(v.hasDense() ? v.getDense().getDataList() : v.getDataList());
  }

  @Override
  public String id(Map<String, Value> payload, PointId point) {
    return PointIds.text(point);
  }

  @Override
  public Metadata metadata(Map<String, Value> payload, String id) {
    Metadata.Builder b = Metadata.builder();
    for (Map.Entry<String, Value> e : new TreeMap<>(payload).entrySet()) {
      Value v = e.getValue();
      if (v.hasNullValue() || v.getKindCase() == Value.KindCase.KIND_NOT_SET
          || v.hasListValue() && v.getListValue().getValuesCount() == 0) {
        continue;  // no value: Qdrant's is_empty, and so Quiver's exists(), treats it as missing
      }
      Object o = Payloads.fromValue(v);
      if (o == null) {
        String kind = v.hasStructValue() ? "a nested object" : v.hasListValue() ? "a list of non-strings" : v.getKindCase().toString();
        throw new BackendException("record '" + id + "' of collection '" + collection + "' has payload key '" + e.getKey()
            + "' holding " + kind + ", which Quiver metadata cannot hold (see describeCollection(...).layout())", null);
      }
      try {
        Metadata.checkKey(e.getKey());
      } catch (InvalidArgumentException ex) {
        throw new BackendException("record '" + id + "' of collection '" + collection + "' has payload key '"
            + e.getKey() + "', which is not a valid Quiver metadata key (letters, digits and _, not starting with __"
            + " or a digit, not a filter keyword)", ex);
      }
      b.put(e.getKey(), o);
    }
    return b.build();
  }

  @Override
  public boolean owns(Map<String, Value> payload) {
    return true;
  }

  @Override
  public WithPayloadSelector idOnly() {
    return WithPayloadSelector.newBuilder().setEnable(false).build();
  }

  @Override
  public List<String> otherVectors() {
    return others;
  }
}
