package dev.quiver.qdrant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import dev.quiver.StoreUri;
import dev.quiver.VectorCollection;
import dev.quiver.qdrant.internal.Payloads;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.PointsGrpc;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link ExactDoubles} against Qdrant's engine server (QUIVER_QDRANT_URL, started by
 * scripts/qdrant-edge-server.sh), on a FLAT and an HNSW collection: doubles the engine stores
 * inexactly read back bit for bit and every filter on them selects what the reference evaluator
 * selects. Skipped, with the reason printed, when QUIVER_QDRANT_URL is not set.
 */
class QdrantEngineDoublesTest {

  static StoreUri engine() {
    String url = System.getenv("QUIVER_QDRANT_URL");
    if (url == null || url.isBlank()) {
      String reason = "SKIPPED: QUIVER_QDRANT_URL is not set; start the engine with scripts/qdrant-edge-server.sh";
      System.out.println("Qdrant engine doubles test: " + reason);
      Assumptions.abort(reason);
    }
    return StoreUri.parse(url.trim());
  }

  @Test
  void doublesTheEngineRoundsAreReadAndFilteredExactly() throws Exception {
    StoreUri uri = engine();
    try (QdrantVectorStore store = QdrantVectorStore.builder().host(uri.host().orElseThrow())
        .port(uri.port().orElse(QdrantVectorStore.DEFAULT_PORT)).build()) {
      for (IndexSpec index : new IndexSpec[] {IndexSpec.flat(), IndexSpec.hnsw(8, 32)}) {
        String name = "doubles_" + Long.toHexString(System.nanoTime());
        VectorCollection c = store.createCollection(CollectionSpec.builder(name).dimension(2)
            .metric(Metric.EUCLIDEAN).index(index).build());
        try {
          int n = ExactDoubles.check(c);
          assertTrue(n > 150);
          System.out.println("Qdrant engine doubles test (" + index + "): " + n + " filters exact; the engine stores "
              + "1000000000000000.5 as " + stored(uri, name, "v0") + " and 123456789.12345679 as " + stored(uri, name, "v4"));
        } finally {
          store.dropCollection(name);
        }
      }
    }
  }

  /** The raw payload value of {@code n} as the server keeps it, read past the adapter. */
  static double stored(StoreUri uri, String collection, String id) throws InterruptedException {
    ManagedChannel ch = Grpc.newChannelBuilderForAddress(uri.host().orElseThrow(),
        uri.port().orElse(QdrantVectorStore.DEFAULT_PORT), InsecureChannelCredentials.create()).build();
    try {
      Filter byId = Filter.newBuilder().addMust(Condition.newBuilder().setField(FieldCondition.newBuilder()
          .setKey(Payloads.ID).setMatch(Match.newBuilder().setKeyword(id)))).build();
      Value v = PointsGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .scroll(ScrollPoints.newBuilder().setCollectionName(collection).setFilter(byId)
              .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true)).build())
          .getResult(0).getPayloadOrThrow("n");
      return v.getDoubleValue();
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
