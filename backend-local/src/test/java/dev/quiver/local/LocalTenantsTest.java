package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.local.internal.index.HnswGraph;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Tenants on the embedded engine: a partition per tenant, each with its own records, metadata index and
 * graph or IVF index, so a tenant's search never reaches another tenant's vectors; a reindex gives every
 * tenant the new index, including tenants that appear while it runs; concurrent writers in many tenants.
 */
class LocalTenantsTest {

  static final int DIM = 16;

  static CollectionSpec spec(String name, IndexSpec index) {
    return CollectionSpec.builder(name).dimension(DIM).metric(Metric.EUCLIDEAN).index(index).multiTenant(true).build();
  }

  /** Records of a tenant: {@code n} vectors around the tenant's own region, ids shared by every tenant. */
  static List<Record> records(String tenant, int n) {
    List<Record> out = new ArrayList<>();
    for (Record r : LocalIvfCollectionTest.mixture(n, DIM, tenant.hashCode())) {
      out.add(Record.of(r.id(), r.vector(), Metadata.of("tenant", tenant, "g", (long) (out.size() % 5))));
    }
    return out;
  }

  static List<String> ids(List<Match> ms) {
    List<String> out = new ArrayList<>();
    ms.forEach(m -> out.add(m.id()));
    return out;
  }

  @Test
  void capabilities() {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      assertTrue(s.capabilities().supports(Feature.TENANTS));
      assertTrue(s.capabilities().supports(Feature.DECLARED_FIELDS));
      assertEquals("the embedded engine opens only its own stores", s.capabilities().entry(Feature.FOREIGN_COLLECTIONS).note());
    }
  }

  @Test
  void eachTenantHasItsOwnGraphAndOnlyItsOwnRecordsAreSearched() {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      LocalCollection c = (LocalCollection) s.createCollection(spec("h", IndexSpec.hnsw(8, 60)));
      c.planner(new SearchPlanner(0)); // through the graph at any size and selectivity
      Map<String, List<Record>> data = new TreeMap<>();
      for (String t : List.of("a", "b", "c")) {
        data.put(t, records(t, t.equals("a") ? 1500 : 400));
        c.tenant(t).upsert(data.get(t));
      }
      for (Map.Entry<String, List<Record>> e : data.entrySet()) {
        Partition p = c.partitionsForTests().find(e.getKey());
        HnswGraph graph = p.state.graph();
        assertEquals(e.getValue().size(), graph.size(), "the graph of " + e.getKey() + " holds its records only");
        for (Slot slot : p.state.byId.values()) {
          assertTrue(graph.contains(slot.ord) && !graph.isDeleted(slot.ord));
          assertEquals(e.getKey(), slot.metadata.get("tenant").orElseThrow());
        }
        VectorCollection h = c.tenant(e.getKey());
        for (Record r : e.getValue().subList(0, 20)) {
          List<Match> got = h.search(SearchRequest.of(r.vector(), 5).includeMetadata(true));
          assertEquals(r.id(), got.get(0).id(), "a record's own vector finds it first in " + e.getKey());
          got.forEach(m -> assertEquals(e.getKey(), m.metadata().get("tenant").orElseThrow()));
          Filter other = Filter.ne("tenant", e.getKey());
          assertTrue(h.search(SearchRequest.of(r.vector(), 5).filter(other)).isEmpty(), "nothing of another tenant");
        }
      }
      // the same id in two tenants: deleting it in one leaves the other
      c.tenant("b").delete(List.of(data.get("b").get(0).id()));
      assertEquals(List.of(data.get("c").get(0)), c.tenant("c").get(List.of(data.get("c").get(0).id())));
      assertEquals(399, c.tenant("b").count());
      // deleting all of a tenant leaves the others, and tenants() stops listing it
      c.tenant("a").delete(Filter.exists("tenant").or(Filter.not(Filter.exists("tenant"))));
      assertEquals(0, c.tenant("a").count());
      assertEquals(List.of("b", "c"), c.tenants());
      assertEquals(400, c.tenant("c").count());
    }
  }

  @Test
  void eachTenantTrainsItsOwnIvfIndexWhenItHasEnoughRecords() {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      LocalCollection c = (LocalCollection) s.createCollection(spec("i", IndexSpec.ivfFlat(4)));
      c.planner(new SearchPlanner(0));
      c.tenant("big").upsert(records("big", 600)); // trained at 4 * 32 = 128 records
      c.tenant("small").upsert(records("small", 40));
      IvfCollectionIndex big = c.partitionsForTests().find("big").state.ivf();
      IvfCollectionIndex small = c.partitionsForTests().find("small").state.ivf();
      assertNotNull(big.stats(), "the big tenant's index is trained");
      assertEquals(600, big.stats().entries(), "on its own records only");
      assertNull(small.stats(), "the small tenant is searched exactly until it has enough records");
      assertThrows(dev.quiver.InvalidArgumentException.class, () -> s.indexInfo("i"), "no single index to report");
      assertTrue(s.indexInfo("i", "big").trained());
      assertEquals(600, s.indexInfo("i", "big").entries());
      assertEquals(128, s.indexInfo("i", "small").trainingSize());
      assertTrue(!s.indexInfo("i", "small").trained() && !s.indexInfo("i", "never").trained());
      for (Record r : records("small", 40).subList(0, 10)) {
        assertEquals(r.id(), c.tenant("small").search(SearchRequest.of(r.vector(), 1)).get(0).id());
      }
    }
  }

  /**
   * A reindex of a multi-tenant collection gives every tenant the new index, also the tenants written for
   * the first time while it runs; writes made meanwhile are in the new indexes.
   */
  @Test
  void aReindexReachesEveryTenantIncludingNewOnes() throws Exception {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      LocalCollection c = (LocalCollection) s.createCollection(spec("r", IndexSpec.flat()));
      c.planner(new SearchPlanner(0));
      Map<String, List<Record>> data = new ConcurrentHashMap<>();
      for (String t : List.of("a", "b")) {
        data.put(t, records(t, 1200));
        c.tenant(t).upsert(data.get(t));
      }
      for (IndexSpec target : List.of(IndexSpec.hnsw(8, 40), IndexSpec.ivfFlat(4), IndexSpec.ivfPq(4, 4, 4))) {
        AtomicBoolean done = new AtomicBoolean();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Thread writer = new Thread(() -> {
          try {
            for (int i = 0; !done.get() || i < 3; i++) {
              String t = target.getClass().getSimpleName() + i;
              List<Record> rs = records(t, 30 + i % 7);
              c.tenant(t).upsert(rs);
              data.put(t, rs);
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        writer.start();
        c.reindex(target);
        done.set(true);
        writer.join();
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(target, c.spec().index());
        assertEquals(target, s.describeCollection("r").index());
        for (Map.Entry<String, List<Record>> e : data.entrySet()) {
          Partition p = c.partitionsForTests().find(e.getKey());
          assertEquals(target, p.state.serving().spec.index(), e.getKey() + " after the reindex to " + target);
          assertNull(p.state.indexes.building(), e.getKey());
          if (target instanceof IndexSpec.Hnsw) {
            for (Slot slot : p.state.byId.values()) {
              assertTrue(p.state.graph().contains(slot.ord), e.getKey() + ": " + slot.id + " not in the new graph");
            }
          }
          VectorCollection h = c.tenant(e.getKey());
          assertEquals(e.getValue().size(), h.count(), e.getKey());
          Record probe = e.getValue().get(e.getValue().size() / 2);
          assertEquals(probe.id(), h.search(SearchRequest.of(probe.vector(), 1).ef(200)).get(0).id(),
              e.getKey() + " after the reindex to " + target);
        }
        IvfCollectionIndex ivf = c.partitionsForTests().find("a").state.ivf();
        if (ivf != null) {
          assertNotNull(ivf.stats(), "tenant a has enough records to be trained by the reindex");
        }
      }
    }
  }

  @Test
  void concurrentWritersInManyTenantsWithTheSameIds() throws Exception {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      VectorCollection c = s.createCollection(spec("w", IndexSpec.hnsw(8, 40)));
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
      for (int w = 0; w < 6; w++) {
        String t = "t" + (w % 3); // two writers per tenant
        int writer = w;
        threads.add(new Thread(() -> {
          try {
            VectorCollection h = c.tenant(t);
            for (int i = 0; i < 50; i++) {
              String id = "id" + (writer / 3) + "-" + i; // the same ids in every tenant
              h.upsert(List.of(Record.of(id, LocalIvfCollectionTest.mixture(1, DIM, writer * 1000L + i).get(0).vector(),
                  Metadata.of("tenant", t))));
              if (i % 10 == 9) {
                h.delete(List.of("id" + (writer / 3) + "-" + (i - 5)));
              }
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread th : threads) {
        th.join();
      }
      assertTrue(errors.isEmpty(), errors.toString());
      assertEquals(List.of("t0", "t1", "t2"), c.tenants());
      for (String t : List.of("t0", "t1", "t2")) {
        VectorCollection h = c.tenant(t);
        assertEquals(2 * 45, h.count(), t);
        assertEquals(2 * 45, h.count(Filter.eq("tenant", t)), t);
        assertEquals(90, h.list(ListRequest.of(1000)).records().size());
      }
    }
  }

  @Test
  void tenantHandlesOfADroppedCollectionFail() {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      VectorCollection c = s.createCollection(spec("d", IndexSpec.flat()));
      VectorCollection a = c.tenant("a");
      VectorCollection never = c.tenant("never");
      a.upsert(records("a", 3));
      s.dropCollection("d");
      assertThrows(CollectionNotFoundException.class, a::count);
      assertThrows(CollectionNotFoundException.class, never::count, "a tenant never written to, too");
      assertThrows(CollectionNotFoundException.class, () -> never.upsert(records("n", 1)));
      assertThrows(CollectionNotFoundException.class, c::tenants);
      s.createCollection(spec("d", IndexSpec.flat()));
      assertThrows(CollectionNotFoundException.class, a::count, "a handle of the dropped collection stays dead");
      assertEquals(0, s.collection("d").tenant("a").count(), "the new collection has none of the old records");
    }
  }
}
