package dev.quiver.compare;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.StoreUri;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The same search made with milvus-sdk-java's {@link MilvusClientV2}. */
final class MilvusDirect implements DirectSearch {

  private final MilvusClientV2 client;
  private final String collection;
  private final String vectorField;
  private final List<String> outputFields;
  private final IndexParam.MetricType metricType;
  private final Map<String, Object> params;
  private volatile int lastHits;

  MilvusDirect(StoreUri uri, CollectionSpec spec) {
    boolean tls = uri.scheme().equals("milvus+tls") || uri.option("tls").map(Boolean::parseBoolean).orElse(false);
    ConnectConfig.ConnectConfigBuilder cfg = ConnectConfig.builder()
        .uri((tls ? "https://" : "http://") + uri.host().orElse("localhost") + ":" + uri.port().orElse(19530))
        .secure(tls);
    uri.secret("token").ifPresent(t -> cfg.token(t.reveal()));
    uri.option("database").or(() -> uri.option("db")).filter(s -> !s.isEmpty()).ifPresent(cfg::dbName);
    this.client = new MilvusClientV2(cfg.build());
    // The adapter keeps a name without '-' as it is (docs/backends/milvus.md); compare uses such names.
    this.collection = spec.name();
    DescribeCollectionResp d = client.describeCollection(DescribeCollectionReq.builder().collectionName(collection).build());
    this.vectorField = d.getVectorFieldNames().get(0);
    this.outputFields = new ArrayList<>(d.getFieldNames());
    outputFields.removeAll(d.getVectorFieldNames());
    outputFields.remove(d.getPrimaryFieldName());
    this.metricType = switch (spec.metric()) {
      case COSINE -> IndexParam.MetricType.COSINE;
      case DOT_PRODUCT -> IndexParam.MetricType.IP;
      case EUCLIDEAN -> IndexParam.MetricType.L2;
    };
    this.params = spec.index() instanceof IndexSpec.Hnsw h ? Map.of("ef", Math.max(64, h.efConstruction())) : Map.of();
  }

  @Override
  public String sdk() {
    return "milvus-sdk-java " + Versions.get("milvus-sdk-java");
  }

  @Override
  public String serverVersion() {
    return client.getServerVersion();
  }

  @Override
  public String describe() {
    return "SearchReq on '" + vectorField + "', limit k, output fields " + outputFields + ", consistency STRONG"
        + (params.isEmpty() ? "" : ", params " + params);
  }

  @Override
  public Collection<String> search(float[] query, int k) {
    SearchReq req = SearchReq.builder().collectionName(collection).annsField(vectorField)
        .data(List.of(new FloatVec(query))).limit(k).metricType(metricType).outputFields(outputFields)
        .consistencyLevel(ConsistencyLevel.STRONG).searchParams(params).build();
    List<List<SearchResp.SearchResult>> results = client.search(req).getSearchResults();
    List<String> ids = new ArrayList<>();
    if (!results.isEmpty()) {
      for (SearchResp.SearchResult hit : results.get(0)) {
        ids.add(String.valueOf(hit.getId()));
      }
    }
    lastHits = ids.size();
    return ids;
  }

  @Override
  public int lastHits() {
    return lastHits;
  }

  @Override
  public void close() {
    client.close();
  }
}
