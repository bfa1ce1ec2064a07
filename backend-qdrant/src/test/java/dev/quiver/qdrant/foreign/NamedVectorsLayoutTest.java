package dev.quiver.qdrant.foreign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VendorCollection;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * UUID point ids and two named vectors, {@code text} and {@code image} (a multi-modal collection, as in
 * Qdrant's "named vectors" docs), opened with {@code collection(name, "text")}. An upsert through the
 * handle must keep the point's {@code image} vector.
 */
class NamedVectorsLayoutTest extends QdrantVendorKit {

  private String collection;
  private List<Record> records;

  @Override
  protected String layoutName() {
    return "Qdrant named vectors (UUID ids, vectors 'text' and 'image')";
  }

  @Override
  protected String idFor(int i) {
    return new UUID(0x5eed_0000_0000_4000L, 0x8000_0000_0000_0000L | i).toString();
  }

  @Override
  protected Optional<String> vectorName() {
    return Optional.of("text");
  }

  @Override
  protected Optional<String> idTheKeyCannotHold() {
    return Optional.of(idFor(3).toUpperCase(java.util.Locale.ROOT));  // not canonical: it would read back in lower case
  }

  static float[] image(int i) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) Math.cos(i * 0.7 + d);
    }
    return v;
  }

  @Override
  protected VendorCollection createWithVendorClient(String name, List<Record> records) {
    this.collection = name;
    this.records = records;
    VectorParams p = VectorParams.newBuilder().setSize(DIM).setDistance(Distance.Cosine).build();
    CreateCollection create = CreateCollection.newBuilder().setCollectionName(name)
        .setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder()
            .putMap("text", p).putMap("image", p)))
        .build();
    List<PointStruct> points = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      points.add(PointStruct.newBuilder().setId(PointIdFactory.id(UUID.fromString(r.id())))
          .setVectors(VectorsFactory.namedVectors(Map.of("text", VectorFactory.vector(r.vector()),
              "image", VectorFactory.vector(image(i)))))
          .putAllPayload(QuickStartLayoutTest.payload(r)).build());
    }
    return createAndFill(create, points, "text");
  }

  @Test
  @Order(20)
  @DisplayName("collection(name) refuses a collection with several named vectors, naming them; an unknown vector is refused too")
  void vectorMustBeChosen() {
    try (VectorStore store = openStore()) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> store.collection(collection));
      assertTrue(e.getMessage().contains("image") && e.getMessage().contains("text"), e.getMessage());
      e = assertThrows(InvalidArgumentException.class, () -> store.collection(collection, "audio"));
      assertTrue(e.getMessage().contains("audio") && e.getMessage().contains("[image, text]"), e.getMessage());
      assertTrue(store.describeCollection(collection).layout().get("vector").contains("[image, text]"));
    }
  }

  @Test
  @Order(21)
  @DisplayName("an upsert through the 'text' handle replaces the text vector and the payload and keeps the point's image vector")
  void upsertKeepsTheOtherVector() {
    try (VectorStore store = openStore()) {
      VectorCollection c = store.collection(collection, "text");
      Record old = records.get(5);
      float[] text = image(999);
      c.upsert(Record.of(old.id(), text, Metadata.of("category", "rewritten")));
      List<RetrievedPoint> got = await(client().retrieveAsync(collection, List.of(PointIdFactory.id(UUID.fromString(old.id()))),
          WithPayloadSelector.newBuilder().setEnable(true).build(), WithVectorsSelector.newBuilder().setEnable(true).build(), null));
      Map<String, VectorOutput> vectors = got.get(0).getVectors().getVectors().getVectorsMap();
      assertEquals(Map.of("category", "rewritten"), Map.of("category", plain(got.get(0).getPayloadMap().get("category"))));
      assertEquals(1, got.get(0).getPayloadCount(), "the payload was replaced");
      assertArrayEquals(normalised(image(5)), floats(vectors.get("image")), 1e-6f, "image vector kept");
      assertArrayEquals(normalised(text), floats(vectors.get("text")), 1e-6f, "text vector replaced");
    }
  }

  private static float[] floats(VectorOutput v) {
    List<Float> d = v.getDense().getDataList();
    float[] out = new float[d.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = d.get(i);
    }
    return out;
  }

  private static float[] normalised(float[] v) {
    double n = 0;
    for (float x : v) {
      n += (double) x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(n));
    }
    return out;
  }
}
