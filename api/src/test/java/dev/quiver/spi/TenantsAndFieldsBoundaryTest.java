package dev.quiver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Capabilities;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The boundary's part in tenants and declared fields: what it refuses before an adapter sees it. */
class TenantsAndFieldsBoundaryTest {

  /** An adapter with tenants and declared fields; {@code calls} lists what got past the boundary. */
  static final class TenantStore extends AbstractVectorStore {
    final List<String> calls = new ArrayList<>();
    final Map<String, TenantCollection> collections = new TreeMap<>();

    @Override
    public Capabilities capabilities() {
      return Capabilities.builder("tenanted")
          .supportsNatively(Feature.INDEX_FLAT, Feature.METRIC_COSINE, Feature.LIST, Feature.LIST_BY_FILTER,
              Feature.COUNT_BY_FILTER, Feature.DELETE_BY_FILTER, Feature.UPDATE_METADATA, Feature.TENANTS,
              Feature.DECLARED_FIELDS)
          .maxTopK(100).build();
    }

    @Override
    protected AbstractVectorCollection doCreateCollection(CollectionSpec spec) {
      TenantCollection c = new TenantCollection(this, spec);
      collections.put(spec.name(), c);
      return c;
    }

    @Override
    protected AbstractVectorCollection doCollection(String name) {
      TenantCollection c = collections.get(name);
      if (c == null) {
        throw new CollectionNotFoundException(name);
      }
      return c;
    }

    @Override
    protected boolean doHasCollection(String name) {
      return collections.containsKey(name);
    }

    @Override
    protected List<String> doListCollections() {
      return new ArrayList<>(collections.keySet());
    }

    @Override
    protected CollectionSpec doDescribeCollection(String name) {
      return doCollection(name).spec();
    }

    @Override
    protected boolean doDropCollection(String name) {
      return collections.remove(name) != null;
    }

    @Override
    protected void doClose() {}

    @Override
    protected String label() {
      return "tenanted:";
    }
  }

  /** Records per tenant ("" for a collection that is not multi-tenant). */
  static final class TenantCollection extends AbstractVectorCollection {
    final TenantStore store;
    final Map<String, TreeMap<String, Record>> tenants;

    TenantCollection(TenantStore store, CollectionSpec spec) {
      super(store, spec);
      this.store = store;
      this.tenants = new ConcurrentHashMap<>();
    }

    TenantCollection(TenantCollection root, String tenant) {
      super(root, tenant);
      this.store = root.store;
      this.tenants = root.tenants;
    }

    private TreeMap<String, Record> mine(String op) {
      store.calls.add(op + " " + tenant().orElse(""));
      return tenants.computeIfAbsent(tenant().orElse(""), t -> new TreeMap<>());
    }

    @Override
    protected AbstractVectorCollection doTenant(String tenant) {
      return new TenantCollection(this, tenant);
    }

    @Override
    protected List<String> doTenants() {
      return tenants.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    @Override
    protected void doUpsert(List<Record> batch) {
      TreeMap<String, Record> m = mine("upsert");
      batch.forEach(r -> m.put(r.id(), r));
    }

    @Override
    protected void doDelete(List<String> ids) {
      ids.forEach(mine("delete")::remove);
    }

    @Override
    protected void doDelete(Filter filter) {
      mine("delete").values().removeIf(r -> filter.matches(r.metadata()));
    }

    @Override
    protected boolean doUpdateMetadata(String id, Metadata metadata) {
      return mine("update").computeIfPresent(id, (k, r) -> r.withMetadata(metadata)) != null;
    }

    @Override
    protected List<Record> doGet(List<String> ids) {
      TreeMap<String, Record> m = mine("get");
      return ids.stream().map(m::get).filter(r -> r != null).toList();
    }

    @Override
    protected long doCount(Optional<Filter> filter) {
      return mine("count").values().stream().filter(r -> filter.map(f -> f.matches(r.metadata())).orElse(true)).count();
    }

    @Override
    protected Page doList(ListRequest request) {
      List<Record> page = new ArrayList<>();
      for (Record r : mine("list").tailMap(request.cursor().orElse(""), false).values()) {
        page.add(r);
        if (page.size() == request.pageSize()) {
          return new Page(page, Optional.of(r.id()));
        }
      }
      return new Page(page, Optional.empty());
    }

    @Override
    protected List<Match> doSearch(SearchRequest request) {
      mine("search");
      return List.of();
    }
  }

  private static Record rec(String id, Object... metadata) {
    return Record.of(id, new float[] {1, 2}, Metadata.of(metadata));
  }

  @Test
  @DisplayName("the own handle of a multi-tenant collection refuses every read and write of records")
  void theCollectionHandleHoldsNoRecords() {
    TenantStore s = new TenantStore();
    VectorCollection c = s.createCollection(CollectionSpec.builder("c").dimension(2).multiTenant(true).build());
    List<Executable> calls = List.of(() -> c.upsert(rec("a")), () -> c.get("a"), () -> c.get(List.of("a")),
        () -> c.delete(List.of("a")), () -> c.delete(Filter.exists("x")), () -> c.count(),
        () -> c.count(Filter.exists("x")), () -> c.list(ListRequest.of(3)),
        () -> c.search(SearchRequest.of(new float[] {1, 0}, 3)), () -> c.updateMetadata("a", Metadata.empty()));
    for (Executable call : calls) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, call);
      assertTrue(e.getMessage().contains("tenant("), e.getMessage());
    }
    assertEquals(List.of(), s.calls, "nothing reached the adapter");
    assertEquals(Optional.empty(), c.tenant());
  }

  @Test
  @DisplayName("tenant handles keep ids per tenant, and a cursor of one tenant is refused by another")
  void tenantsAreSeparate() {
    TenantStore s = new TenantStore();
    VectorCollection c = s.createCollection(CollectionSpec.builder("c").dimension(2).multiTenant(true).build());
    VectorCollection a = c.tenant("acme");
    VectorCollection b = c.tenant("globex");
    assertEquals(Optional.of("acme"), a.tenant());
    assertEquals("c", a.name());
    a.upsert(rec("x", "v", 1), rec("y", "v", 2), rec("z", "v", 3));
    b.upsert(rec("x", "v", 9));
    assertEquals(3, a.count());
    assertEquals(1, b.count());
    assertEquals(Metadata.of("v", 9), b.get("x").orElseThrow().metadata());
    assertEquals(List.of("acme", "globex"), c.tenants());
    assertThrows(InvalidArgumentException.class, a::tenants, "tenants() of a tenant");
    String cursor = a.list(ListRequest.of(1)).nextCursor().orElseThrow();
    assertEquals(1, a.list(ListRequest.of(1).cursor(cursor)).records().size());
    assertThrows(InvalidArgumentException.class, () -> b.list(ListRequest.of(1).cursor(cursor)));
    assertThrows(InvalidArgumentException.class, () -> c.tenant("acme").list(ListRequest.of(1).cursor(
        b.list(ListRequest.of(1)).nextCursor().orElse("qc1.none.x"))));
  }

  @Test
  @DisplayName("bad tenant names, tenants of a plain collection, tenants of a tenant and a tenant's reindex are refused")
  void tenantMisuse() {
    TenantStore s = new TenantStore();
    VectorCollection c = s.createCollection(CollectionSpec.builder("c").dimension(2).multiTenant(true).build());
    for (String bad : new String[] {null, "", "a b", "a/b", "x' or '1'='1", "t\u0000", "é", "x".repeat(65)}) {
      assertThrows(InvalidArgumentException.class, () -> c.tenant(bad), String.valueOf(bad));
    }
    VectorCollection plain = s.createCollection(CollectionSpec.builder("p").dimension(2).build());
    assertThrows(InvalidArgumentException.class, () -> plain.tenant("acme"));
    assertThrows(InvalidArgumentException.class, plain::tenants);
    assertThrows(InvalidArgumentException.class, () -> c.tenant("acme").tenant("other"));
    assertThrows(InvalidArgumentException.class, () -> c.tenant("acme").reindex(IndexSpec.flat()));
    assertEquals(List.of(), s.calls);
    AbstractVectorCollection.checkTenant("a.b@c:d-e_f");
  }

  @Test
  @DisplayName("a backend without tenants or declared fields refuses such specs before creating anything")
  void specFeaturesAreGated() {
    BoundaryTest.TinyStore s = new BoundaryTest.TinyStore();
    UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
        () -> s.createCollection(CollectionSpec.builder("t").dimension(2).metric(Metric.COSINE).multiTenant(true).build()));
    assertEquals(Feature.TENANTS, e.feature());
    e = assertThrows(UnsupportedFeatureException.class, () -> s.createCollection(CollectionSpec.builder("f")
        .dimension(2).field(MetadataField.of("k", FieldType.STRING)).build()));
    assertEquals(Feature.DECLARED_FIELDS, e.feature());
    assertTrue(s.collections.isEmpty());
    VectorCollection plain = s.createCollection(CollectionSpec.builder("p").dimension(2).build());
    assertEquals(Feature.TENANTS, assertThrows(UnsupportedFeatureException.class, () -> plain.tenant("a")).feature());
    assertThrows(InvalidArgumentException.class, () -> s.collection("p", "dense"), "no named vectors");
    assertThrows(InvalidArgumentException.class, () -> s.createCollection(CollectionSpec.builder("l").dimension(2)
        .layout(Map.of("id", "INT64 field 'pk'")).build()), "a layout describes foreign collections only");
  }

  @Test
  @DisplayName("a value of the wrong type for a declared field, or an undeclared key where none is allowed, writes nothing")
  void declaredFieldsAreChecked() {
    TenantStore s = new TenantStore();
    VectorCollection c = s.createCollection(CollectionSpec.builder("c").dimension(2)
        .field(MetadataField.indexed("n", FieldType.LONG)).field(MetadataField.of("tags", FieldType.STRING_LIST))
        .undeclaredKeysAllowed(false).build());
    c.upsert(rec("ok", "n", 3, "tags", List.of("a")), rec("missing"));
    s.calls.clear();
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> c.upsert(rec("fine", "n", 4), rec("bad", "n", 4.5)));
    assertTrue(e.getMessage().contains("'n'") && e.getMessage().contains("LONG") && e.getMessage().contains("'bad'"),
        e.getMessage());
    e = assertThrows(InvalidArgumentException.class, () -> c.upsert(rec("other", "color", "red")));
    assertTrue(e.getMessage().contains("'color'"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> c.upsert(rec("str", "tags", "a")));
    assertThrows(InvalidArgumentException.class, () -> c.updateMetadata("ok", Metadata.of("n", "three")));
    assertThrows(InvalidArgumentException.class, () -> c.updateMetadata("ok", Metadata.of("color", "red")));
    assertEquals(List.of(), s.calls, "nothing reached the adapter");
    assertEquals(2, c.count());
  }

  @Test
  @DisplayName("specs: fields are unique, only-declared needs fields, and everything survives toBuilder")
  void specRules() {
    assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder("c").dimension(2)
        .field(MetadataField.of("k", FieldType.STRING)).field(MetadataField.of("k", FieldType.LONG)).build());
    assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder("c").dimension(2)
        .undeclaredKeysAllowed(false).build());
    assertThrows(InvalidArgumentException.class, () -> MetadataField.of("__tenant", FieldType.STRING));
    assertThrows(InvalidArgumentException.class, () -> MetadataField.of("and", FieldType.STRING));
    assertThrows(InvalidArgumentException.class, () -> MetadataField.of("k", null));
    assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder("c").dimension(2).field(null).build());
    CollectionSpec spec = CollectionSpec.builder("c").dimension(2).field(MetadataField.indexed("k", FieldType.BOOL))
        .undeclaredKeysAllowed(false).multiTenant(true).layout(Map.of("id", "VARCHAR field 'pk'")).build();
    assertEquals(spec, spec.toBuilder().build());
    assertEquals(Optional.of(MetadataField.indexed("k", FieldType.BOOL)), spec.field("k"));
    assertTrue(spec.toString().contains("multi-tenant"), spec.toString());
  }
}
