package dev.quiver.qdrant.foreign;

import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.StoreUri;
import dev.quiver.VectorStore;
import dev.quiver.conformance.ForeignCollectionKit;
import dev.quiver.conformance.VendorCollection;
import io.qdrant.client.ConditionFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;

/**
 * The foreign-collection kit on the Qdrant engine server ({@code QUIVER_QDRANT_URL}, as started by
 * scripts/qdrant-edge-server.sh): each subclass makes its collection with Qdrant's official Java client
 * ({@code io.qdrant:client}, the vendor's own SDK, speaking the gRPC protocol the server serves) in a
 * layout found in the wild, and the kit compares Quiver's reads with the client's. Without the server
 * every case is skipped with the reason.
 */
abstract class QdrantVendorKit extends ForeignCollectionKit {

  /** The server's URL, or {@code null}. */
  static final String URL = System.getenv("QUIVER_QDRANT_URL");

  private QdrantClient client;

  @Override
  protected VectorStore openStore() {
    if (URL == null || URL.isBlank()) {
      Assumptions.abort("SKIPPED: QUIVER_QDRANT_URL is not set; start the engine server with scripts/qdrant-edge-server.sh");
    }
    return Quiver.open(URL.trim());
  }

  /** @return the vendor client on the same server (made once, closed with the kit's collection) */
  QdrantClient client() {
    if (client == null) {
      client = client(URL);
    }
    return client;
  }

  static QdrantClient client(String url) {
    StoreUri u = StoreUri.parse(url.trim());
    return new QdrantClient(QdrantGrpcClient.newBuilder(u.host().orElseThrow(), u.port().orElse(6334), false).build());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the Qdrant client failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Creates the collection and upserts the points with the vendor client.
   *
   * @param create the create request
   * @param points the points
   * @param vector the vector name searches use, or {@code null} for the unnamed vector
   * @return the vendor's view
   */
  VendorCollection createAndFill(CreateCollection create, List<PointStruct> points, String vector) {
    await(client().createCollectionAsync(create));
    for (int i = 0; i < points.size(); i += 64) {
      await(client().upsertAsync(create.getCollectionName(), points.subList(i, Math.min(points.size(), i + 64))));
    }
    return new View(create.getCollectionName(), vector);
  }

  /** @return the text of a point id as Quiver shows it */
  static String text(PointId p) {
    return p.hasUuid() ? p.getUuid() : Long.toUnsignedString(p.getNum());
  }

  static PointId pointId(String id) {
    return id.contains("-") ? io.qdrant.client.PointIdFactory.id(java.util.UUID.fromString(id))
        : io.qdrant.client.PointIdFactory.id(Long.parseUnsignedLong(id));
  }

  /** A payload value as plain Java, the way a client application reads it. */
  static Object plain(Value v) {
    return switch (v.getKindCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INTEGER_VALUE -> v.getIntegerValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case BOOL_VALUE -> v.getBoolValue();
      case LIST_VALUE -> v.getListValue().getValuesList().stream().map(QdrantVendorKit::plain).toList();
      case STRUCT_VALUE -> {
        Map<String, Object> m = new LinkedHashMap<>();
        v.getStructValue().getFieldsMap().forEach((k, x) -> m.put(k, plain(x)));
        yield m;
      }
      default -> null;
    };
  }

  /** The kit's records, for subclasses building points. */
  static float[] vectorOf(Record r) {
    return r.vector();
  }

  /** The vendor client's reads of one collection. */
  final class View implements VendorCollection {
    private final String name;
    private final String vector;

    View(String name, String vector) {
      this.name = name;
      this.vector = vector;
    }

    @Override
    public long count() {
      return await(client().countAsync(name, null, true));
    }

    @Override
    public List<String> ids() {
      List<String> out = new ArrayList<>();
      PointId offset = null;
      do {
        ScrollPoints.Builder req = ScrollPoints.newBuilder().setCollectionName(name).setLimit(100)
            .setWithPayload(WithPayloadSelector.newBuilder().setEnable(false));
        if (offset != null) {
          req.setOffset(offset);
        }
        ScrollResponse resp = await(client().scrollAsync(req.build()));
        resp.getResultList().forEach(p -> out.add(text(p.getId())));
        offset = resp.hasNextPageOffset() ? resp.getNextPageOffset() : null;
      } while (offset != null);
      return out;
    }

    @Override
    public Optional<Map<String, Object>> get(String id) {
      List<RetrievedPoint> got = await(client().retrieveAsync(name, List.of(pointId(id)),
          WithPayloadSelector.newBuilder().setEnable(true).build(), WithVectorsSelector.newBuilder().setEnable(false).build(),
          null));
      if (got.isEmpty()) {
        return Optional.empty();
      }
      Map<String, Object> m = new LinkedHashMap<>();
      got.get(0).getPayloadMap().forEach((k, v) -> m.put(k, plain(v)));
      return Optional.of(m);
    }

    @Override
    public List<String> search(float[] query, int k, String category) {
      QueryPoints.Builder q = QueryPoints.newBuilder().setCollectionName(name)
          .setQuery(io.qdrant.client.QueryFactory.nearest(query)).setLimit(k)
          .setParams(io.qdrant.client.grpc.Points.SearchParams.newBuilder().setExact(true));
      if (vector != null) {
        q.setUsing(vector);
      }
      if (category != null) {
        q.setFilter(Filter.newBuilder().addMust(ConditionFactory.matchKeyword("category", category)));
      }
      List<ScoredPoint> hits = await(client().queryAsync(q.build()));
      return hits.stream().map(p -> text(p.getId())).toList();
    }

    @Override
    public void drop() {
      try {
        await(client().deleteCollectionAsync(name));
      } finally {
        client().close();
        client = null;
      }
    }
  }
}
