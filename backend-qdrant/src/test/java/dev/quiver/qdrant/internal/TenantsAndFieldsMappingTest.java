package dev.quiver.qdrant.internal;

import static io.qdrant.client.grpc.Points.FieldType.FieldTypeBool;
import static io.qdrant.client.grpc.Points.FieldType.FieldTypeFloat;
import static io.qdrant.client.grpc.Points.FieldType.FieldTypeInteger;
import static io.qdrant.client.grpc.Points.FieldType.FieldTypeKeyword;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The request shapes of declared fields and tenants, without a server. */
class TenantsAndFieldsMappingTest {

  static final List<MetadataField> FIELDS = List.of(MetadataField.indexed("s", FieldType.STRING),
      MetadataField.indexed("n", FieldType.LONG), MetadataField.indexed("d", FieldType.DOUBLE),
      MetadataField.indexed("b", FieldType.BOOL), MetadataField.indexed("tags", FieldType.STRING_LIST),
      MetadataField.of("quiet", FieldType.LONG));

  static CollectionInfo infoOf(CreateCollection c) {
    return CollectionInfo.newBuilder().setConfig(CollectionConfig.newBuilder().putAllMetadata(c.getMetadataMap())
        .setParams(CollectionParams.newBuilder().setVectorsConfig(c.getVectorsConfig()))).build();
  }

  @Test
  @DisplayName("declared fields, undeclared-keys policy and multi-tenancy are stored with the spec and read back")
  void specRoundTrip() {
    CollectionSpec spec = CollectionSpec.builder("c").dimension(4).metric(Metric.DOT_PRODUCT).index(IndexSpec.hnsw(8, 64))
        .fields(FIELDS).undeclaredKeysAllowed(false).multiTenant(true).build();
    CreateCollection req = Specs.createRequest(spec);
    assertEquals(Specs.FORMAT_FIELDS, req.getMetadataMap().get(Specs.META_KEY).getStructValue().getFieldsMap()
        .get("format").getIntegerValue());
    assertTrue(Specs.isQuiver(infoOf(req)));
    assertEquals(spec, Specs.fromInfo("c", infoOf(req)));
    CollectionSpec plain = CollectionSpec.builder("p").dimension(4).build();
    assertEquals(Specs.FORMAT, Specs.createRequest(plain).getMetadataMap().get(Specs.META_KEY).getStructValue()
        .getFieldsMap().get("format").getIntegerValue(), "collections without the new features keep format 1");
    assertEquals(plain, Specs.fromInfo("p", infoOf(Specs.createRequest(plain))));
  }

  @Test
  @DisplayName("payload indexes: the tenant key (is_tenant), keyword, integer, bool, and float plus the exact bits' integer index for doubles")
  void indexes() {
    CollectionSpec spec = CollectionSpec.builder("c").dimension(4).fields(FIELDS).multiTenant(true).build();
    List<CreateFieldIndexCollection> idx = Specs.indexRequests(spec);
    Map<String, io.qdrant.client.grpc.Points.FieldType> types = new java.util.LinkedHashMap<>();
    idx.forEach(r -> types.put(r.getFieldName(), r.getFieldType()));
    assertEquals(Map.of(Payloads.TENANT, FieldTypeKeyword, "s", FieldTypeKeyword, "n", FieldTypeInteger,
        "d", FieldTypeFloat, Payloads.hiKey("d"), FieldTypeInteger, "b", FieldTypeBool, "tags", FieldTypeKeyword),
        types);
    assertTrue(idx.get(0).getFieldIndexParams().getKeywordIndexParams().getIsTenant());
    assertTrue(idx.stream().allMatch(CreateFieldIndexCollection::getWait));
    assertEquals(List.of(), Specs.indexRequests(CollectionSpec.builder("c").dimension(4).build()));
  }

  @Test
  @DisplayName("point ids are per tenant; the tenant is written to the payload and ANDed in front of every filter")
  void tenantScope() {
    assertNotEquals(PointIds.uuid("a", "x"), PointIds.uuid("b", "x"));
    assertNotEquals(PointIds.uuid("a", "x"), PointIds.uuid("x"));
    assertNotEquals(PointIds.uuid("a", "bc"), PointIds.uuid("ab", "c"), "the NUL separates tenant and id");
    assertEquals(PointIds.uuid(null, "x"), PointIds.uuid("x"), "collections without tenants keep their ids");
    CollectionSpec spec = CollectionSpec.builder("c").dimension(4).multiTenant(true).build();
    QuiverLayout a = new QuiverLayout(spec, null).forTenant("a");
    assertEquals("a", a.payload("r", Metadata.empty()).get(Payloads.TENANT).getStringValue());
    io.qdrant.client.grpc.Common.Filter f = a.filter(java.util.Optional.of(Filter.eq("tenant", "b").or(Filter.exists("x"))));
    Condition first = f.getMust(0);
    assertEquals(Payloads.TENANT, first.getField().getKey());
    assertEquals("a", first.getField().getMatch().getKeyword());
    assertEquals(2, f.getMustCount());
    assertEquals(0, f.getShouldCount() + f.getMustNotCount(), "the caller's filter is nested, never beside the scope");
    assertEquals(a.filter(java.util.Optional.empty()).getMust(0), first);
    assertTrue(a.owns(Map.of(Payloads.TENANT, Value.newBuilder().setStringValue("a").build())));
    assertFalse(a.owns(Map.of(Payloads.TENANT, Value.newBuilder().setStringValue("b").build())));
    assertFalse(a.owns(Map.of()));
  }

  @Test
  @DisplayName("on declared fields a literal of another type is false (has_id of nothing) and numbers use one branch only")
  void declaredTranslation() {
    io.qdrant.client.grpc.Common.Filter s5 = Filters.toQdrant(Filter.eq("s", 5L), FIELDS);
    assertTrue(s5.getMust(0).hasHasId() && s5.getMust(0).getHasId().getHasIdCount() == 0, s5.toString());
    io.qdrant.client.grpc.Common.Filter n1 = Filters.toQdrant(Filter.eq("n", 1.0), FIELDS);
    assertEquals(1L, n1.getMust(0).getField().getMatch().getInteger(), n1.toString());
    io.qdrant.client.grpc.Common.Filter d1 = Filters.toQdrant(Filter.gt("d", 1L), FIELDS);
    assertFalse(d1.toString().contains("__quiver_dbl"), "no long branch on a declared DOUBLE: " + d1);
    assertTrue(d1.toString().contains(Payloads.hiKey("d")), d1.toString());
    io.qdrant.client.grpc.Common.Filter u = Filters.toQdrant(Filter.gt("u", 1L), FIELDS);
    assertTrue(u.toString().contains("__quiver_dbl"), "undeclared keys keep the general translation: " + u);
  }
}
