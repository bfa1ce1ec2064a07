package dev.quiver.qdrant.foreign;

import static io.qdrant.client.ValueFactory.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Record;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VendorCollection;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The layout of LangChain4j's {@code QdrantEmbeddingStore} (langchain4j-qdrant): the application
 * creates the collection with one unnamed vector ({@code createCollectionAsync(name, VectorParams)}),
 * points have random UUID ids, and the payload is the text segment under {@code text_segment} beside
 * the segment's metadata, flat ({@code ValueMapFactory}: String, Long, Double kept as such). LangChain4j's
 * {@code Metadata} holds no booleans or lists, so this layout holds category, year and rating.
 * Reproduced with the Qdrant Java client, as LangChain4j itself calls it (no LangChain4j dependency).
 */
class LangChain4jLayoutTest extends QdrantVendorKit {

  private String collection;

  @Override
  protected String layoutName() {
    return "LangChain4j QdrantEmbeddingStore (UUID ids, unnamed vector, text_segment + flat metadata)";
  }

  @Override
  protected String idFor(int i) {
    return UUID.nameUUIDFromBytes(("lc4j-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
  }

  @Override
  protected Set<String> keysTheLayoutHolds() {
    return Set.of("category", "year", "rating");
  }

  @Override
  protected Optional<String> idTheKeyCannotHold() {
    return Optional.of("segment-7");
  }

  static String segment(String id) {
    return "the text of segment " + id;
  }

  @Override
  protected VendorCollection createWithVendorClient(String name, List<Record> records) {
    this.collection = name;
    await(client().createCollectionAsync(name, VectorParams.newBuilder().setDistance(Distance.Cosine).setSize(DIM).build()));
    List<PointStruct> points = new ArrayList<>();
    for (Record r : records) {
      Map<String, Value> payload = new LinkedHashMap<>();
      r.metadata().asMap().forEach((k, v) -> payload.put(k, QuickStartLayoutTest.valueOf(v)));
      payload.put("text_segment", value(segment(r.id())));
      points.add(PointStruct.newBuilder().setId(PointIdFactory.id(UUID.fromString(r.id())))
          .setVectors(VectorsFactory.vectors(r.vector())).putAllPayload(payload).build());
    }
    await(client().upsertAsync(name, points));
    return new View(name, null);
  }

  @Test
  @Order(20)
  @DisplayName("the text segment reads as the metadata key text_segment")
  void textSegment() {
    try (VectorStore store = openStore()) {
      String id = idFor(3);
      assertEquals(segment(id), store.collection(collection).get(id).orElseThrow().metadata().get("text_segment").orElseThrow());
    }
  }
}
