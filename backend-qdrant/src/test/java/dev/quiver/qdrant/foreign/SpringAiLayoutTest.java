package dev.quiver.qdrant.foreign;

import static io.qdrant.client.ValueFactory.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Filter;
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
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The layout of Spring AI's {@code QdrantVectorStore} (spring-ai-qdrant-store): with
 * {@code initializeSchema} it creates the collection with one unnamed vector under Cosine; a document is
 * a point with the document's UUID id, the text under {@code doc_content} and the document's metadata
 * flat beside it ({@code QdrantValueFactory}: String, Integer, Double, Boolean and lists as such, a Java
 * {@code Long} as its decimal string). The kit's {@code year} is written as an integer, as a document
 * with {@code Map.of("year", 2024)} (an Integer) stores it. Reproduced with the Qdrant Java client, as
 * Spring AI calls it (no Spring AI dependency).
 */
class SpringAiLayoutTest extends QdrantVendorKit {

  private String collection;

  @Override
  protected String layoutName() {
    return "Spring AI QdrantVectorStore (UUID ids, unnamed vector, doc_content + flat metadata)";
  }

  @Override
  protected String idFor(int i) {
    return UUID.nameUUIDFromBytes(("spring-ai-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
  }

  @Override
  protected Optional<String> idTheKeyCannotHold() {
    return Optional.of("12345678-1234-1234-1234-1234567890");  // not a UUID
  }

  static String content(String id) {
    return "document " + id;
  }

  @Override
  protected VendorCollection createWithVendorClient(String name, List<Record> records) {
    this.collection = name;
    await(client().createCollectionAsync(name, VectorParams.newBuilder().setDistance(Distance.Cosine).setSize(DIM).build()));
    List<PointStruct> points = new ArrayList<>();
    for (Record r : records) {
      Map<String, Value> payload = new LinkedHashMap<>();
      r.metadata().asMap().forEach((k, v) -> payload.put(k, QuickStartLayoutTest.valueOf(v)));
      payload.put("doc_content", value(content(r.id())));
      points.add(PointStruct.newBuilder().setId(PointIdFactory.id(UUID.fromString(r.id())))
          .setVectors(VectorsFactory.vectors(r.vector())).putAllPayload(payload).build());
    }
    await(client().upsertAsync(name, points));
    return new View(name, null);
  }

  @Test
  @Order(20)
  @DisplayName("the document text reads as the metadata key doc_content, and filters on it work")
  void content() {
    try (VectorStore store = openStore()) {
      String id = idFor(4);
      assertEquals(content(id), store.collection(collection).get(id).orElseThrow().metadata().get("doc_content").orElseThrow());
      assertEquals(1, store.collection(collection).count(Filter.eq("doc_content", content(id))));
    }
  }
}
