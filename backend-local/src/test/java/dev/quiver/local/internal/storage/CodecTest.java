package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecTest {

  private static Operation roundTrip(Operation op) {
    Operation back = Codec.decode(Codec.encode(op));
    assertEquals(op, back);
    return back;
  }

  @Test
  void specsOfEveryIndexAndMetricRoundTrip() {
    for (Metric m : Metric.values()) {
      for (IndexSpec index : List.of(IndexSpec.flat(), IndexSpec.hnsw(16, 200), IndexSpec.ivfPq(64, 4, 8), IndexSpec.ivfFlat(3))) {
        roundTrip(new Operation.CreateCollection(
            CollectionSpec.builder("c-1_x").dimension(8).metric(m).index(index).build()));
      }
    }
  }

  @Test
  void metadataKeepsTypesExactly() {
    Metadata md = Metadata.of("s", "it's \"quoted\" ünïcødé 🎯", "l", Long.MAX_VALUE, "neg", Long.MIN_VALUE,
        "d", 2.0, "tiny", Double.MIN_VALUE, "negzero", -0.0, "b", true, "f", false,
        "list", List.of("a", "", "ß"), "empty", List.of());
    Operation.Upsert back = (Operation.Upsert) roundTrip(new Operation.Upsert("c",
        List.of(Record.of("id-🎯", new float[] {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-38f}, md))));
    Metadata got = back.records().get(0).metadata();
    assertInstanceOf(Double.class, got.get("d").orElseThrow(), "an integral double stays a double");
    assertInstanceOf(Long.class, got.get("l").orElseThrow());
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) got.get("negzero").orElseThrow()));
    float[] v = back.records().get(0).vector();
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(v[0]), "floats are stored as raw bits");
    assertArrayEquals(new float[] {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-38f}, v);
  }

  @Test
  void otherOperationsRoundTrip() {
    roundTrip(new Operation.DropCollection("gone"));
    roundTrip(new Operation.Delete("c", List.of("a", "b", "x".repeat(512))));
    roundTrip(new Operation.Delete("c", List.of()));
    roundTrip(new Operation.UpdateMetadata("c", "a", Metadata.of("k", 1)));
    roundTrip(new Operation.UpdateMetadata("c", "a", Metadata.empty()));
    roundTrip(new Operation.Upsert("c", List.of()));
  }

  @Test
  void garbageIsAFormatErrorNotACrash() {
    byte[] good = Codec.encode(new Operation.Upsert("c", List.of(Record.of("a", new float[] {1, 2}, Metadata.of("k", "v")))));
    assertThrows(FormatException.class, () -> Codec.decode(new byte[] {99}));
    for (int cut = 0; cut < good.length; cut++) {
      byte[] part = java.util.Arrays.copyOf(good, cut);
      assertThrows(FormatException.class, () -> Codec.decode(part), "prefix of " + cut + " bytes");
    }
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
    assertThrows(FormatException.class, () -> Codec.decode(longer));
    byte[] badName = Codec.encode(new Operation.DropCollection("ok"));
    badName[2] = '/';
    assertThrows(FormatException.class, () -> Codec.decode(badName), "an invalid collection name never decodes");
  }
}
