package dev.quiver.compare;

import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.StoreUri;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** The same search made with Qdrant's Java client ({@code io.qdrant:client}'s {@link QdrantClient}). */
final class QdrantDirect implements DirectSearch {

  private final QdrantClient client;
  private final String collection;
  private final String vectorName;
  private final boolean exact;
  private volatile int lastHits;

  QdrantDirect(StoreUri uri, CollectionSpec spec) {
    String host = uri.host().orElse("localhost");
    boolean tls = uri.scheme().equals("qdrant+tls")
        || uri.option("tls").map(Boolean::parseBoolean).orElse(!isLoopback(host));
    QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(host, uri.port().orElse(6334), tls, false);
    uri.secret("apiKey").ifPresent(k -> b.withApiKey(k.reveal()));
    this.client = new QdrantClient(b.build());
    this.collection = spec.name();
    CollectionInfo info = await(client.getCollectionInfoAsync(collection));
    Distance want = switch (spec.metric()) {
      case COSINE -> Distance.Cosine;
      case DOT_PRODUCT -> Distance.Dot;
      case EUCLIDEAN -> Distance.Euclid;
    };
    var vectors = info.getConfig().getParams().getVectorsConfig();
    String name = "";
    if (vectors.hasParamsMap()) {
      for (Map.Entry<String, VectorParams> e : vectors.getParamsMap().getMapMap().entrySet()) {
        if (e.getValue().getDistance() == want && !e.getValue().getOnDisk()) {
          name = e.getKey();
        }
      }
      if (name.isEmpty()) {
        throw new BackendException("Qdrant collection " + collection + " has no vector with distance " + want, null);
      }
    }
    this.vectorName = name;
    this.exact = spec.index() instanceof IndexSpec.Flat;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String sdk() {
    return "io.qdrant:client " + Versions.get("qdrant-client");
  }

  @Override
  public String serverVersion() {
    return await(client.healthCheckAsync()).getVersion();
  }

  @Override
  public String describe() {
    return "QueryPoints nearest on vector '" + vectorName + "', limit k, with payload, no vectors"
        + (exact ? ", exact=true (FLAT)" : "");
  }

  @Override
  public Collection<String> search(float[] query, int k) {
    DenseVector.Builder d = DenseVector.newBuilder();
    for (float x : query) {
      d.addData(x);
    }
    QueryPoints.Builder q = QueryPoints.newBuilder().setCollectionName(collection)
        .setQuery(Query.newBuilder().setNearest(VectorInput.newBuilder().setDense(d)))
        .setLimit(k)
        .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
        .setWithVectors(WithVectorsSelector.newBuilder().setEnable(false));
    if (!vectorName.isEmpty()) {
      q.setUsing(vectorName);
    }
    if (exact) {
      q.setParams(SearchParams.newBuilder().setExact(true));
    }
    List<ScoredPoint> hits = await(client.queryAsync(q.build()));
    List<String> tokens = new ArrayList<>();
    for (ScoredPoint p : hits) {
      tokens.add(p.getId().hasUuid() ? p.getId().getUuid() : Long.toString(p.getId().getNum()));
      for (Value v : p.getPayloadMap().values()) {
        if (v.hasStringValue()) {
          tokens.add(v.getStringValue());
        }
      }
    }
    lastHits = hits.size();
    return tokens;
  }

  @Override
  public int lastHits() {
    return lastHits;
  }

  private static <T> T await(com.google.common.util.concurrent.ListenableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while waiting for Qdrant", e);
    } catch (ExecutionException e) {
      throw new BackendException("Qdrant call failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
