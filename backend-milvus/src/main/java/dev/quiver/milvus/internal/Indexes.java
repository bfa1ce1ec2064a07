package dev.quiver.milvus.internal;

import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import io.milvus.v2.common.IndexParam;
import java.util.HashMap;
import java.util.Map;

/** Quiver metrics and index specs to Milvus index parameters. */
public final class Indexes {

  private Indexes() {}

  /**
   * @param metric a Quiver metric
   * @return the Milvus metric: COSINE, IP or L2
   */
  public static IndexParam.MetricType metricType(Metric metric) {
    return switch (metric) {
      case COSINE -> IndexParam.MetricType.COSINE;
      case DOT_PRODUCT -> IndexParam.MetricType.IP;
      case EUCLIDEAN -> IndexParam.MetricType.L2;
    };
  }

  /**
   * @param index a Quiver index spec
   * @param metric the collection's metric
   * @return the index on the vector field: FLAT, HNSW (M, efConstruction), IVF_FLAT (nlist) or IVF_PQ (nlist, m, nbits)
   */
  public static IndexParam indexParam(IndexSpec index, Metric metric) {
    IndexParam.IndexType type;
    Map<String, Object> extra = new HashMap<>();
    if (index instanceof IndexSpec.Hnsw h) {
      type = IndexParam.IndexType.HNSW;
      extra.put("M", h.m());
      extra.put("efConstruction", h.efConstruction());
    } else if (index instanceof IndexSpec.IvfPq ivf) {
      type = ivf.quantized() ? IndexParam.IndexType.IVF_PQ : IndexParam.IndexType.IVF_FLAT;
      extra.put("nlist", ivf.nlist());
      if (ivf.quantized()) {
        extra.put("m", ivf.subspaces());
        extra.put("nbits", ivf.bits());
      }
    } else {
      type = IndexParam.IndexType.FLAT;
    }
    IndexParam.IndexParamBuilder b = IndexParam.builder().fieldName(Schema.VECTOR).indexType(type)
        .metricType(metricType(metric));
    if (!extra.isEmpty()) {
      b.extraParams(extra);
    }
    return b.build();
  }
}
