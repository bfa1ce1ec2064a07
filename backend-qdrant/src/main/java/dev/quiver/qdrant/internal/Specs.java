package dev.quiver.qdrant.internal;

import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Map;

/**
 * Collection layout. Every Quiver collection has the named dense vector {@link #VECTOR} with the
 * collection's metric; a COSINE collection also has {@link #RAW}, the caller's vector as given (Qdrant
 * normalises cosine vectors on upsert), stored on disk with no HNSW graph and never searched. FLAT is
 * a collection without an HNSW graph ({@code m = 0}) searched with {@code exact = true}; HNSW sets
 * {@code m} and {@code ef_construct}. The spec is also written to the collection's metadata under
 * {@link #META_KEY} (format {@value #FORMAT}).
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
    return CreateCollection.newBuilder()
        .setCollectionName(spec.name())
        .setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(vectors))
        .setHnswConfig(hnsw)
        .putMetadata(META_KEY, Value.newBuilder().setStructValue(meta).build())
        .build();
  }

  static Distance distance(Metric m) {
    return switch (m) {
      case COSINE -> Distance.Cosine;
      case DOT_PRODUCT -> Distance.Dot;
      case EUCLIDEAN -> Distance.Euclid;
    };
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
        return b.build();
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
