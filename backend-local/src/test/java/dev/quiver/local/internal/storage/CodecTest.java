package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
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
  void declaredFieldsAndTenantsRoundTripInVersion2Tags() {
    CollectionSpec plain = CollectionSpec.builder("p").dimension(4).build();
    CollectionSpec declared = CollectionSpec.builder("d").dimension(4).index(IndexSpec.hnsw(8, 40))
        .field(MetadataField.indexed("s", FieldType.STRING)).field(MetadataField.of("n", FieldType.LONG))
        .field(MetadataField.indexed("x", FieldType.DOUBLE)).field(MetadataField.of("b", FieldType.BOOL))
        .field(MetadataField.indexed("tags", FieldType.STRING_LIST)).undeclaredKeysAllowed(false).build();
    CollectionSpec tenants = CollectionSpec.builder("t").dimension(4).multiTenant(true).build();
    assertEquals(Codec.OP_CREATE, Codec.encode(new Operation.CreateCollection(plain))[0],
        "a spec without declarations is written as version 1 wrote it");
    for (CollectionSpec spec : List.of(declared, tenants,
        tenants.toBuilder().fields(declared.fields()).build())) {
      assertEquals(Codec.OP_CREATE_EXTENDED, Codec.encode(new Operation.CreateCollection(spec))[0]);
      CollectionSpec back = ((Operation.CreateCollection) roundTrip(new Operation.CreateCollection(spec))).spec();
      assertEquals(spec.fields(), back.fields());
      assertEquals(spec.undeclaredKeysAllowed(), back.undeclaredKeysAllowed());
      assertEquals(spec.multiTenant(), back.multiTenant());
    }
    Record r = Record.of("same-id", new float[] {1, 2, 3, 4}, Metadata.of("s", "v"));
    Operation.Upsert up = (Operation.Upsert) roundTrip(new Operation.Upsert("t", "acme.eu@x:1", List.of(r)));
    assertEquals("acme.eu@x:1", up.tenant());
    assertEquals(Codec.OP_UPSERT_TENANT, Codec.encode(up)[0]);
    assertEquals(Codec.OP_UPSERT, Codec.encode(new Operation.Upsert("t", List.of(r)))[0]);
    assertEquals("b", roundTrip(new Operation.Delete("t", "b", List.of("same-id"))).tenant());
    assertEquals("b", roundTrip(new Operation.UpdateMetadata("t", "b", "same-id", Metadata.of("k", 1))).tenant());
    assertEquals(null, roundTrip(new Operation.Delete("t", List.of("same-id"))).tenant());
    // a tenant name the API refuses never decodes
    byte[] bad = Codec.encode(new Operation.Delete("t", "ok", List.of("a")));
    bad[4] = '/'; // inside "ok", after tag, name length, 't', tenant length
    assertThrows(FormatException.class, () -> Codec.decode(bad));
    byte[] badType = Codec.encode(new Operation.CreateCollection(declared));
    byte[] flagsOff = badType.clone();
    flagsOff[flagsOff.length - 1] = 9; // an unknown spec flag
    assertThrows(FormatException.class, () -> Codec.decode(flagsOff));
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
