package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.InvalidFilterException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Tenants" (run as {@link VectorStoreConformanceKit.Tenants}): a tenant handle keeps
 * every read and write inside its tenant, whatever ids and filters the caller passes; ids are per
 * tenant; the collection's own handle holds no records.
 */
abstract class TenantCases extends KitGroup {

  TenantCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  private VectorCollection multiTenant() {
    requireFeature(Feature.TENANTS);
    CollectionSpec spec = CollectionSpec.builder(VectorStoreConformanceKit.uniqueName()).dimension(DIM)
        .metric(defaultMetric()).index(exactIndex()).multiTenant(true).build();
    track(spec.name());
    return store().createCollection(spec);
  }

  /** Records {@code prefix0000..} whose metadata names their tenant (as a user's own key would). */
  private static List<Record> tenantRecs(String tenant, String prefix, int n) {
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = String.format("%s%04d", prefix, i);
      out.add(rec(id, Metadata.of("i", (long) i, "tenant", tenant, "owner", tenant)));
    }
    return out;
  }

  private static Set<String> idSet(List<Record> records) {
    return records.stream().map(Record::id).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("describeCollection reports a multi-tenant collection; a new tenant needs no creation and is empty")
  void describes() {
    VectorCollection c = multiTenant();
    assertTrue(store().describeCollection(c.name()).multiTenant());
    VectorCollection fresh = store().collection(c.name()).tenant("never-written");
    assertEquals(Optional.of("never-written"), fresh.tenant());
    assertEquals(0, fresh.count());
    assertTrue(fresh.list(ListRequest.of(10)).records().isEmpty());
    assertTrue(fresh.search(SearchRequest.of(vectorFor("q", DIM), 5)).isEmpty());
  }

  @Test
  @DisplayName("the collection's own handle refuses reads and writes of records with InvalidArgumentException")
  void ownHandleHoldsNoRecords() {
    VectorCollection c = multiTenant();
    upsertVisible(c.tenant("a"), tenantRecs("a", "r", 3));
    List<Runnable> calls = List.of(() -> c.upsert(rec("x", Metadata.empty())), () -> c.get("r0000"),
        () -> c.count(), () -> c.count(Filter.exists("i")), () -> c.list(ListRequest.of(5)),
        () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3)), () -> c.delete(List.of("r0000")),
        () -> c.delete(Filter.exists("i")), () -> c.updateMetadata("r0000", Metadata.empty()));
    for (Runnable call : calls) {
      assertThrows(InvalidArgumentException.class, call::run);
    }
    settleNegative();
    assertEquals(3, c.tenant("a").count(), "a refused call changed the tenant");
  }

  @Test
  @DisplayName("ids are per tenant: the same id in two tenants is two records, each read back from its own tenant")
  void idsArePerTenant() {
    VectorCollection c = multiTenant();
    VectorCollection a = c.tenant("a");
    VectorCollection b = c.tenant("b");
    Record ra = rec("same", Metadata.of("owner", "a"));
    Record rb = Record.of("same", vectorFor("other", DIM), Metadata.of("owner", "b"));
    upsertVisible(a, List.of(ra));
    upsertVisible(b, List.of(rb));
    assertEquals(List.of(ra), a.get(List.of("same")));
    assertEquals(List.of(rb), b.get(List.of("same")));
    awaitCount(a, 1);
    awaitCount(b, 1);
    a.delete(List.of("same"));
    awaitCount(a, 0);
    assertEquals(List.of(rb), b.get(List.of("same")), "deleting in a reached b");
  }

  @Test
  @DisplayName("get, count, list and search in one tenant never see another tenant's records, whatever the filter")
  void readsStayInside() {
    VectorCollection c = multiTenant();
    VectorCollection a = c.tenant("a");
    VectorCollection b = c.tenant("b");
    List<Record> inA = tenantRecs("a", "a", 12);
    List<Record> inB = tenantRecs("b", "b", 15);
    upsertVisible(a, inA);
    upsertVisible(b, inB);
    awaitCount(a, 12);
    awaitCount(b, 15);
    assertTrue(a.get(ids(inB)).isEmpty(), "b's ids read through a");
    List<Filter> widening = new ArrayList<>(List.of(Filter.eq("tenant", "b"), Filter.eq("owner", "b"),
        Filter.eq("tenant", "b").or(Filter.not(Filter.eq("tenant", "b"))),
        Filter.not(Filter.exists("zzz")), Filter.exists("i").or(Filter.not(Filter.exists("i"))),
        Filter.in("tenant", "a", "b"), Filter.ne("tenant", "a"), Filter.gte("i", 0L)));
    for (String reserved : List.of("__tenant", "__id", "__partition", "$meta", "tenant_id")) {
      try {
        widening.add(Filter.eq(reserved, "b"));
        widening.add(Filter.ne(reserved, "a"));
      } catch (InvalidFilterException refused) {
        // a filter may not even name the adapters' reserved keys: fine
      }
    }
    for (Filter f : widening) {
      Set<String> want = idSet(inA.stream().filter(r -> f.matches(r.metadata())).toList());
      assertEquals(want.size(), a.count(f), "count(" + f + ") in a");
      assertEquals(want, idSet(scroll(a, f, 5)), "list(" + f + ") in a");
      for (Match m : a.search(SearchRequest.of(vectorFor("q", DIM), 30).filter(f))) {
        assertTrue(want.contains(m.id()), "search(" + f + ") in a returned " + m.id());
      }
    }
    Set<String> all = idSet(scroll(a, null, 7));
    assertEquals(idSet(inA), all);
    for (Match m : a.search(SearchRequest.of(inB.get(0).vector(), 30).includeVectors(false))) {
      assertTrue(idSet(inA).contains(m.id()), "a search near one of b's vectors returned " + m.id());
    }
  }

  @Test
  @DisplayName("delete by id, delete by filter and updateMetadata in one tenant leave every other tenant untouched")
  void writesStayInside() {
    VectorCollection c = multiTenant();
    VectorCollection a = c.tenant("a");
    VectorCollection b = c.tenant("b");
    List<Record> inA = tenantRecs("a", "r", 10);
    List<Record> inB = tenantRecs("b", "r", 10); // the same ids as in a
    List<Record> onlyB = tenantRecs("b", "onlyb", 3);
    upsertVisible(a, inA);
    upsertVisible(b, inB);
    upsertVisible(b, onlyB);
    assertFalse(a.updateMetadata("onlyb0000", Metadata.of("owner", "a")), "b's record updated through a");
    a.delete(ids(onlyB));
    a.delete(Filter.eq("tenant", "b"));
    a.delete(Filter.exists("i").or(Filter.not(Filter.exists("i"))));
    awaitCount(a, 0);
    awaitCount(b, 13);
    List<Record> expectB = new ArrayList<>(inB);
    expectB.addAll(onlyB);
    assertEquals(expectB, b.get(ids(expectB)), "b changed by writes through a");
  }

  @Test
  @DisplayName("tenants() lists exactly the tenants that hold records, sorted; a tenant's handle and a plain collection refuse it")
  void listsTenants() {
    VectorCollection c = multiTenant();
    assertEquals(List.of(), c.tenants());
    upsertVisible(c.tenant("b"), tenantRecs("b", "r", 2));
    upsertVisible(c.tenant("a.x"), tenantRecs("a.x", "r", 1));
    upsertVisible(c.tenant("c"), tenantRecs("c", "r", 1));
    c.tenant("never"); // a handle alone creates nothing
    c.tenant("c").delete(List.of("r0000"));
    awaitCount(c.tenant("c"), 0);
    assertEquals(List.of("a.x", "b"), kit.awaitVisible(c::tenants, t -> t.equals(List.of("a.x", "b"))));
    assertThrows(InvalidArgumentException.class, () -> c.tenant("b").tenants());
    assertThrows(InvalidArgumentException.class, () -> newCollection().tenants());
  }

  @Test
  @DisplayName("a list cursor of one tenant is refused by another")
  void cursorsStayInside() {
    VectorCollection c = multiTenant();
    upsertVisible(c.tenant("a"), tenantRecs("a", "r", 6));
    upsertVisible(c.tenant("b"), tenantRecs("b", "r", 6));
    String cursor = c.tenant("a").list(ListRequest.of(2)).nextCursor().orElseThrow();
    assertThrows(InvalidArgumentException.class, () -> c.tenant("b").list(ListRequest.of(2).cursor(cursor)));
    assertEquals(2, c.tenant("a").list(ListRequest.of(2).cursor(cursor)).records().size());
  }

  @Test
  @DisplayName("tenant names that try to break out are refused; names with . @ : - _ are tenants of their own")
  void tenantNames() {
    VectorCollection c = multiTenant();
    for (String bad : new String[] {null, "", " ", "a b", "a' or '1'='1", "a\" || true", "../b", "a/b", "*", "%",
        "a\u0000", "ü", "x".repeat(65), "a\nb"}) {
      assertThrows(InvalidArgumentException.class, () -> c.tenant(bad), "tenant " + bad);
    }
    upsertVisible(c.tenant("a"), tenantRecs("a", "r", 2));
    for (String other : List.of("a.b", "a@b", "a:b", "a-b", "a_b", "A", "x".repeat(64))) {
      VectorCollection t = c.tenant(other);
      assertEquals(0, t.count(), "tenant '" + other + "' sees a's records");
      upsertVisible(t, tenantRecs(other, "r", 1));
      awaitCount(t, 1);
    }
    awaitCount(c.tenant("a"), 2);
    assertThrows(InvalidArgumentException.class, () -> c.tenant("a").tenant("b"), "a tenant of a tenant");
    VectorCollection plain = newCollection();
    assertThrows(InvalidArgumentException.class, () -> plain.tenant("a"), "a tenant of a plain collection");
  }

  @Test
  @DisplayName("twenty tenants: each counts, lists and searches exactly its own records")
  void manyTenants() {
    VectorCollection c = multiTenant();
    List<String> tenants = new ArrayList<>();
    for (int t = 0; t < 20; t++) {
      tenants.add("t" + t);
      upsertVisible(c.tenant("t" + t), tenantRecs("t" + t, "r", 3 + t % 4));
    }
    for (int t = 0; t < 20; t++) {
      VectorCollection h = c.tenant(tenants.get(t));
      long want = 3 + t % 4;
      Supplier<Long> count = h::count;
      assertEquals(want, (long) kit.awaitVisible(count, v -> v == want), tenants.get(t));
      for (Record r : scroll(h, null, 2)) {
        assertEquals(tenants.get(t), r.metadata().get("tenant").orElseThrow());
      }
      for (Match m : h.search(SearchRequest.of(vectorFor("q" + t, DIM), 10).includeMetadata(true))) {
        assertEquals(tenants.get(t), m.metadata().get("tenant").orElseThrow(), "search in " + tenants.get(t));
      }
    }
  }
}
