package dev.quiver.milvus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Names, spec and metadata codecs (no server needed). */
class CodecsTest {

  @Test
  void namesWithoutDashesAreKept() {
    assertEquals("articles", Names.toMilvus("articles"));
    assertEquals("a_0b", Names.toMilvus("a_0b"));
    assertEquals(Optional.of("a_0b"), Names.fromMilvus("a_0b"));
  }

  @Test
  void namesWithDashesAreEncodedReversiblyAndWithoutCollisions() {
    assertEquals("_my_1docs", Names.toMilvus("my-docs"));
    assertEquals("_a_0b_1c", Names.toMilvus("a_b-c"));
    for (String n : List.of("my-docs", "a_b-c", "a-_-b", "x--", "A-1_0")) {
      String m = Names.toMilvus(n);
      assertTrue(m.matches("[A-Za-z_][A-Za-z0-9_]*"), m);
      assertEquals(Optional.of(n), Names.fromMilvus(m));
    }
    // no Quiver name maps onto another's encoding
    assertTrue(Names.fromMilvus("_my_docs").isEmpty(), "invalid escape");
    assertTrue(Names.fromMilvus("_plain").isEmpty(), "encoded form without '-' is never produced");
    assertTrue(Names.fromMilvus("_a_0b").isEmpty());
    assertTrue(Names.fromMilvus("9x").isEmpty());
  }

  @Test
  void tooLongEncodingIsRejected() {
    String name = "a" + "-".repeat(200);
    assertThrows(InvalidArgumentException.class, () -> Names.toMilvus(name));
    assertEquals("x".repeat(255), Names.toMilvus("x".repeat(255)));
  }

  @Test
  void specRoundTrips() {
    for (CollectionSpec spec : List.of(
        CollectionSpec.builder("a-b").dimension(8).build(),
        CollectionSpec.builder("h").dimension(384).metric(Metric.DOT_PRODUCT).index(IndexSpec.hnsw(16, 200)).build(),
        CollectionSpec.builder("i").dimension(16).metric(Metric.EUCLIDEAN).index(IndexSpec.ivfFlat(32)).build(),
        CollectionSpec.builder("p").dimension(16).index(IndexSpec.ivfPq(8, 4, 8)).build())) {
      assertEquals(Optional.of(spec), SpecCodec.decode(SpecCodec.encode(spec)));
    }
    assertTrue(SpecCodec.decode("").isEmpty());
    assertTrue(SpecCodec.decode(null).isEmpty());
    assertTrue(SpecCodec.decode(SpecCodec.PREFIX + "{broken").isEmpty());
  }

  @Test
  void metadataRoundTripsWithTypeTags() {
    Metadata m = Metadata.of("s", "x \"q\" \\ ü🙂", "i", 9_007_199_254_740_993L, "f", 1.0, "d", 1e-300, "b", true,
        "l", List.of("a", "b"), "min", Long.MIN_VALUE, "e", List.of());
    JsonObject[] enc = MetadataCodec.encode(m, "r");
    assertEquals("{\"b\":\"b\",\"d\":\"f\",\"e\":\"l\",\"f\":\"f\",\"i\":\"i\",\"l\":\"l\",\"min\":\"i\",\"s\":\"s\"}",
        enc[1].toString());
    // as the server might print it back: text
    assertEquals(m, MetadataCodec.decode(enc[0].toString(), enc[1].toString()));
    // a double that a server re-prints as an integer stays a double thanks to the tag
    assertEquals(Metadata.of("f", 1.0), MetadataCodec.decode(JsonParser.parseString("{\"f\":1}"),
        JsonParser.parseString("{\"f\":\"f\"}")));
    assertEquals(Metadata.empty(), MetadataCodec.decode(new JsonObject(), new JsonObject()));
  }

  @Test
  void unpairedSurrogatesAreRejectedAtWriteTime() {
    assertThrows(InvalidArgumentException.class, () -> MetadataCodec.encode(Metadata.of("s", "a\ud800"), "r"));
    assertThrows(InvalidArgumentException.class, () -> MetadataCodec.encode(Metadata.of("l", List.of("\udc00")), "r"));
  }
}
