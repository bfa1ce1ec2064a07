package dev.quiver.qdrant.internal;

import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Collections.FloatIndexParams;
import io.qdrant.client.grpc.Collections.IntegerIndexParams;
import io.qdrant.client.grpc.Collections.KeywordIndexParams;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.FieldType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collection layout. Every Quiver collection has the named dense vector {@link #VECTOR} with the
 * collection's metric; a COSINE collection also has {@link #RAW}, the caller's vector as given (Qdrant
 * normalises cosine vectors on upsert), stored on disk with no HNSW graph and never searched. FLAT is
 * a collection without an HNSW graph ({@code m = 0}) searched with {@code exact = true}; HNSW sets
 * {@code m} and {@code ef_construct}. The spec is also written to the collection's metadata under
 * {@link #META_KEY}: format {@value #FORMAT}, or {@value #FORMAT_FIELDS} when it declares fields or
 * tenants ({@code fields}: a list of {name, type, indexed}; {@code undeclared_keys}; {@code multi_tenant}).
 * Declared indexed fields and the tenant key get payload indexes ({@link #indexRequests}).
 */
public final class Specs {

  /** The searched vector. */
  public static final String VECTOR = "v";
  /** The caller's original vector, for COSINE collections only. */
  public static final String RAW = "raw";
  /** The collection-metadata key holding the spec. */
  public static final String META_KEY = "quiver";
  /** Version of the spec record in the collection metadata. */
  public static final long FORMAT = 1;
  /** Version of a spec record that declares fields or tenants (an older adapter must not open it). */
  public static final long FORMAT_FIELDS = 2;

  private Specs() {}

  /**
   * @param spec a spec
   * @return whether its records carry a {@link #RAW} vector
   */
  public static boolean hasRaw(CollectionSpec spec) {
    return spec.metric() == Metric.COSINE;
  }

  /**
   * @param spec a spec
   * @return the vector that get/list/search read back: {@link #RAW} under COSINE, else {@link #VECTOR}
   */
  public static String readVector(CollectionSpec spec) {
    return hasRaw(spec) ? RAW : VECTOR;
  }

  /**
   * @param spec a validated spec with a supported metric and index
   * @return the create request
   */
  public static CreateCollection createRequest(CollectionSpec spec) {
    VectorParamsMap.Builder vectors = VectorParamsMap.newBuilder()
        .putMap(VECTOR, VectorParams.newBuilder().setSize(spec.dimension()).setDistance(distance(spec.metric())).build());
    if (hasRaw(spec)) {
      vectors.putMap(RAW, VectorParams.newBuilder().setSize(spec.dimension()).setDistance(Distance.Dot)
          .setOnDisk(true).setHnswConfig(HnswConfigDiff.newBuilder().setM(0)).build());
    }
    HnswConfigDiff.Builder hnsw = HnswConfigDiff.newBuilder();
    Struct.Builder meta = Struct.newBuilder()
        .putFields("format", Value.newBuilder().setIntegerValue(FORMAT).build())
        .putFields("dimension", Value.newBuilder().setIntegerValue(spec.dimension()).build())
        .putFields("metric", Value.newBuilder().setStringValue(spec.metric().name()).build());
    if (spec.index() instanceof IndexSpec.Hnsw h) {
      hnsw.setM(h.m()).setEfConstruct(h.efConstruction());
      meta.putFields("index", Value.newBuilder().setStringValue("HNSW").build())
          .putFields("m", Value.newBuilder().setIntegerValue(h.m()).build())
          .putFields("ef_construction", Value.newBuilder().setIntegerValue(h.efConstruction()).build());
    } else {
      hnsw.setM(0);
      meta.putFields("index", Value.newBuilder().setStringValue("FLAT").build());
    }
    if (!spec.fields().isEmpty() || spec.multiTenant()) {
      ListValue.Builder fields = ListValue.newBuilder();
      for (MetadataField f : spec.fields()) {
        fields.addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
            .putFields("name", Payloads.string(f.name()))
            .putFields("type", Payloads.string(f.type().name()))
            .putFields("indexed", Value.newBuilder().setBoolValue(f.indexed()).build())));
      }
      meta.putFields("format", Value.newBuilder().setIntegerValue(FORMAT_FIELDS).build())
          .putFields("fields", Value.newBuilder().setListValue(fields).build())
          .putFields("undeclared_keys", Value.newBuilder().setBoolValue(spec.undeclaredKeysAllowed()).build())
          .putFields("multi_tenant", Value.newBuilder().setBoolValue(spec.multiTenant()).build());
    }
    return CreateCollection.newBuilder()
        .setCollectionName(spec.name())
        .setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(vectors))
        .setHnswConfig(hnsw)
        .putMetadata(META_KEY, Value.newBuilder().setStructValue(meta).build())
        .build();
  }

  /**
   * The payload indexes of a spec, created right after the collection: for each declared indexed field
   * an index of its schema type (keyword for STRING and STRING_LIST, integer for LONG, bool for BOOL;
   * a DOUBLE gets a float index on its key, for other readers, and an integer index on the high half
   * of its sortable bits, which is what Quiver's exact double filters select on); for a multi-tenant
   * collection a keyword index with {@code is_tenant} on {@link Payloads#TENANT}.
   *
   * @param spec a spec
   * @return the requests, in order (empty when nothing is indexed)
   */
  public static List<CreateFieldIndexCollection> indexRequests(CollectionSpec spec) {
    List<CreateFieldIndexCollection> out = new ArrayList<>();
    if (spec.multiTenant()) {
      out.add(index(spec.name(), Payloads.TENANT, FieldType.FieldTypeKeyword, PayloadIndexParams.newBuilder()
          .setKeywordIndexParams(KeywordIndexParams.newBuilder().setIsTenant(true)).build()));
    }
    for (MetadataField f : spec.fields()) {
      if (!f.indexed()) {
        continue;
      }
      switch (f.type()) {
        case STRING, STRING_LIST -> out.add(index(spec.name(), f.name(), FieldType.FieldTypeKeyword, null));
        case LONG -> out.add(index(spec.name(), f.name(), FieldType.FieldTypeInteger, PayloadIndexParams.newBuilder()
            .setIntegerIndexParams(IntegerIndexParams.newBuilder().setLookup(true).setRange(true)).build()));
        case BOOL -> out.add(index(spec.name(), f.name(), FieldType.FieldTypeBool, null));
        case DOUBLE -> {
          out.add(index(spec.name(), f.name(), FieldType.FieldTypeFloat, PayloadIndexParams.newBuilder()
              .setFloatIndexParams(FloatIndexParams.getDefaultInstance()).build()));
          out.add(index(spec.name(), Payloads.hiKey(f.name()), FieldType.FieldTypeInteger, PayloadIndexParams.newBuilder()
              .setIntegerIndexParams(IntegerIndexParams.newBuilder().setLookup(true).setRange(true)).build()));
        }
        default -> throw new IllegalStateException("unknown field type " + f.type());
      }
    }
    return out;
  }

  private static CreateFieldIndexCollection index(String collection, String key, FieldType type, PayloadIndexParams params) {
    CreateFieldIndexCollection.Builder b = CreateFieldIndexCollection.newBuilder().setCollectionName(collection)
        .setWait(true).setFieldName(key).setFieldType(type);
    if (params != null) {
      b.setFieldIndexParams(params);
    }
    return b.build();
  }

  static Distance distance(Metric m) {
    return switch (m) {
      case COSINE -> Distance.Cosine;
      case DOT_PRODUCT -> Distance.Dot;
      case EUCLIDEAN -> Distance.Euclid;
    };
  }

  /**
   * Whether Quiver created the collection: it carries Quiver's spec in its collection metadata, or (made
   * on a server before collection metadata, Qdrant &lt; 1.16) exactly Quiver's vectors {@link #VECTOR}
   * and, under COSINE, {@link #RAW}. Every other collection is opened in its native layout.
   *
   * @param info what the server reports
   * @return whether the collection has Quiver's layout
   */
  public static boolean isQuiver(CollectionInfo info) {
    CollectionConfig config = info.getConfig();
    Value meta = config.getMetadataMap().get(META_KEY);
    if (meta != null && meta.hasStructValue()) {
      return true;
    }
    if (!config.getMetadataMap().isEmpty()) {
      return false;
    }
    VectorsConfig vc = config.getParams().getVectorsConfig();
    if (!vc.hasParamsMap() || config.getParams().getSparseVectorsConfig().getMapCount() > 0) {
      return false;
    }
    Map<String, VectorParams> m = vc.getParamsMap().getMapMap();
    VectorParams v = m.get(VECTOR);
    if (v == null) {
      return false;
    }
    if (m.size() == 1) {
      return v.getDistance() != Distance.Cosine;
    }
    VectorParams raw = m.get(RAW);
    return m.size() == 2 && v.getDistance() == Distance.Cosine && raw != null && raw.getDistance() == Distance.Dot;
  }

  /**
   * Reads the spec back: from the metadata record when present, else from the vector and HNSW config.
   *
   * @param name the collection
   * @param info what the server reports
   * @return the spec
   * @throws BackendException if the collection was not made by Quiver (no vector named {@link #VECTOR})
   */
  public static CollectionSpec fromInfo(String name, CollectionInfo info) {
    CollectionConfig config = info.getConfig();
    Value meta = config.getMetadataMap().get(META_KEY);
    if (meta != null && meta.hasStructValue()) {
      Map<String, Value> f = meta.getStructValue().getFieldsMap();
      try {
        CollectionSpec.Builder b = CollectionSpec.builder(name)
            .dimension((int) f.get("dimension").getIntegerValue())
            .metric(Metric.valueOf(f.get("metric").getStringValue()));
        if ("HNSW".equals(f.get("index").getStringValue())) {
          b.index(IndexSpec.hnsw((int) f.get("m").getIntegerValue(), (int) f.get("ef_construction").getIntegerValue()));
        } else {
          b.index(IndexSpec.flat());
        }
        Value format = f.get("format");
        if (format != null && format.getIntegerValue() > FORMAT_FIELDS) {
          throw new BackendException("collection '" + name + "' was created by a newer Quiver (spec format "
              + format.getIntegerValue() + "); this adapter reads formats up to " + FORMAT_FIELDS, null);
        }
        if (f.containsKey("fields")) {
          List<MetadataField> fields = new ArrayList<>();
          for (Value v : f.get("fields").getListValue().getValuesList()) {
            Map<String, Value> m = v.getStructValue().getFieldsMap();
            fields.add(new MetadataField(m.get("name").getStringValue(), dev.quiver.FieldType.valueOf(m.get("type").getStringValue()),
                m.get("indexed").getBoolValue()));
          }
          b.fields(fields).undeclaredKeysAllowed(f.get("undeclared_keys").getBoolValue())
              .multiTenant(f.get("multi_tenant").getBoolValue());
        }
        return b.build();
      } catch (BackendException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new BackendException("collection '" + name + "' has an unreadable Quiver spec in its metadata: " + meta, e);
      }
    }
    VectorsConfig vc = config.getParams().getVectorsConfig();
    VectorParams p = vc.hasParamsMap() ? vc.getParamsMap().getMapMap().get(VECTOR) : null;
    if (p == null) {
      throw new BackendException("collection '" + name + "' was not created by Quiver: it has no dense vector named '"
          + VECTOR + "'", null);
    }
    Metric metric = switch (p.getDistance()) {
      case Cosine -> Metric.COSINE;
      case Dot -> Metric.DOT_PRODUCT;
      case Euclid -> Metric.EUCLIDEAN;
      default -> throw new BackendException("collection '" + name + "' uses distance " + p.getDistance()
          + ", which Quiver does not offer", null);
    };
    HnswConfigDiff h = p.hasHnswConfig() && p.getHnswConfig().hasM() ? p.getHnswConfig() : config.getHnswConfig();
    long m = h.hasM() ? h.getM() : 16;
    IndexSpec index = m == 0 ? IndexSpec.flat() : IndexSpec.hnsw((int) m, (int) (h.hasEfConstruct() ? h.getEfConstruct() : 100));
    return CollectionSpec.builder(name).dimension((int) p.getSize()).metric(metric).index(index).build();
  }
}
