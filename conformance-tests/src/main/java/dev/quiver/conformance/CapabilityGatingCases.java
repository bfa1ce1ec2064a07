package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.uniqueName;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.quiver.Capabilities;
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
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * The kit's group "Capability gating" (run as {@link VectorStoreConformanceKit.CapabilityGating},
 * order 14): what a backend declares unsupported throws UnsupportedFeatureException; what it
 * declares works.
 */
abstract class CapabilityGatingCases extends KitGroup {

  CapabilityGatingCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("capabilities name the backend, cover every feature, and give a reason for each unsupported one")
  void declared() {
    assertFalse(capabilities().backend().isBlank());
    assertEquals(Feature.values().length, capabilities().entries().size());
    for (Capabilities.Entry e : capabilities().entries()) {
      if (e.support() == Capabilities.Support.UNSUPPORTED) {
        assertFalse(e.note().isBlank(), e.feature() + " is unsupported without a reason");
      }
      if (e.support() == Capabilities.Support.EMULATED) {
        assertFalse(e.note().isBlank(), e.feature() + " is emulated without saying how");
      }
    }
    assertTrue(capabilities().maxTopK() >= 1);
    assertTrue(capabilities().maxDimension() >= DIM);
  }

  @TestFactory
  @DisplayName("each feature: declared unsupported → UnsupportedFeatureException before any write; declared supported → works")
  Stream<DynamicTest> features() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Feature f : Feature.values()) {
      Capabilities.Entry e = capabilities().entry(f);
      String name = f + " (" + e.support() + (e.note().isEmpty() ? "" : ": " + e.note()) + ")";
      tests.add(dynamicTest(name, () -> checkFeature(f)));
    }
    return tests.stream();
  }

  private void checkFeature(Feature f) {
    boolean supported = capabilities().supports(f);
    if (f == Feature.DURABILITY) {
      checkDurability();
      return;
    }
    if (f == Feature.FOREIGN_COLLECTIONS) {
      // only the vendor's own client can make a foreign collection: ForeignCollectionKit checks it
      Assumptions.abort("checked by the backend's ForeignCollectionKit with the vendor's client");
    }
    if (f == Feature.DECLARED_FIELDS || f == Feature.TENANTS) {
      checkSpecFeature(f, supported);
      return;
    }
    Metric metric = defaultMetric();
    switch (f) {
      case INDEX_FLAT, INDEX_HNSW, INDEX_IVF_FLAT, INDEX_IVF_PQ, METRIC_COSINE, METRIC_DOT_PRODUCT, METRIC_EUCLIDEAN -> {
        IndexSpec index = switch (f) {
          case INDEX_FLAT -> IndexSpec.flat();
          case INDEX_HNSW -> IndexSpec.hnsw(16, 64);
          case INDEX_IVF_FLAT -> IndexSpec.ivfFlat(4);
          case INDEX_IVF_PQ -> IndexSpec.ivfPq(4, 4, 4); // 16 codes per subspace: trainable on 64 records
          default -> capabilities().supports(Feature.INDEX_FLAT) ? IndexSpec.flat() : indexForTests();
        };
        Metric m = switch (f) {
          case METRIC_COSINE -> Metric.COSINE;
          case METRIC_DOT_PRODUCT -> Metric.DOT_PRODUCT;
          case METRIC_EUCLIDEAN -> Metric.EUCLIDEAN;
          default -> metric;
        };
        CollectionSpec spec = CollectionSpec.builder(uniqueName()).dimension(DIM).metric(m).index(index).build();
        track(spec.name());
        if (supported) {
          if (!capabilities().supports(index.feature()) || !capabilities().supports(Feature.of(m))) {
            Assumptions.abort("the other half of the spec (" + m + ", " + index + ") is unsupported");
          }
          VectorCollection c = store().createCollection(spec);
          List<Record> data = recs("c", 64);
          upsertVisible(c, data);
          float[] q = data.get(3).vector();
          List<Match> got = c.search(SearchRequest.of(q, 1));
          assertEquals(1, got.size(), "search on a " + spec + " collection");
          if (index instanceof IndexSpec.Flat) {
            assertEquals(ExactOracle.search(data, q, m, 1, null).get(0).id(), got.get(0).id());
          }
        } else {
          assertUnsupported(f, () -> store().createCollection(spec));
          settleNegative();
          assertFalse(store().hasCollection(spec.name()), "an unsupported spec still created the collection");
        }
      }
      default -> {
        // zero vectors are never valid under COSINE, so that feature is checked under EUCLIDEAN
        VectorCollection c = f == Feature.ZERO_VECTORS ? newCollection(Metric.EUCLIDEAN, indexForTests(), DIM)
            : newCollection();
        List<Record> before = recs("c", 10);
        upsertVisible(c, before);
        Executable op = switch (f) {
          case DELETE_BY_FILTER -> () -> c.delete(Filter.eq("i", 3));
          case COUNT_BY_FILTER -> () -> c.count(Filter.lt("i", 3));
          case LIST -> () -> c.list(ListRequest.of(4));
          case LIST_BY_FILTER -> () -> c.list(ListRequest.of(4).filter(Filter.lt("i", 3)));
          case UPDATE_METADATA -> () -> c.updateMetadata("c0001", Metadata.of("updated", true));
          case FILTERED_SEARCH -> () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3).filter(Filter.lt("i", 3)));
          case SEARCH_INCLUDE_VECTORS -> () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3).includeVectors(true));
          case EXACT_LONGS -> () -> c.upsert(List.of(rec("big", Metadata.of("n", ValuePool.TWO_POW_53_PLUS_1))));
          case SEARCH_EF -> () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3).ef(32));
          case SEARCH_NPROBE -> () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3).nprobe(2));
          case ZERO_VECTORS -> () -> c.upsert(List.of(Record.of("big", new float[DIM])));
          case REINDEX -> () -> c.reindex(c.spec().index());
          default -> throw new AssertionError("no check for " + f);
        };
        if (supported) {
          try {
            op.execute();
          } catch (UnsupportedFeatureException e) {
            fail(f + " is declared " + capabilities().entry(f).support() + " but using it threw " + e.getMessage());
          } catch (Throwable t) {
            fail(f + " is declared supported but using it threw " + t, t);
          }
        } else {
          if (f == Feature.REINDEX && !(c instanceof dev.quiver.spi.AbstractVectorCollection)) {
            // an adapter not built on the checked boundary gets VectorCollection's default, which cannot
            // know the backend's name: it must still refuse with the feature
            assertEquals(f, assertThrows(UnsupportedFeatureException.class, op).feature());
          } else {
            assertUnsupported(f, op);
          }
          settleNegative();
          assertEquals(before.size(), c.count(), "an unsupported call wrote something");
          assertEquals(before, c.get(ids(before)), "an unsupported call changed records");
          assertTrue(c.get("big").isEmpty(), "an unsupported call wrote a record");
          assertStillUsable(c);
        }
      }
    }
  }

  /** Features asked for in the spec: declared fields, tenants. */
  private void checkSpecFeature(Feature f, boolean supported) {
    CollectionSpec.Builder b = CollectionSpec.builder(uniqueName()).dimension(DIM).metric(defaultMetric())
        .index(indexForTests());
    CollectionSpec spec = f == Feature.TENANTS ? b.multiTenant(true).build()
        : b.field(dev.quiver.MetadataField.indexed("i", dev.quiver.FieldType.LONG)).build();
    track(spec.name());
    if (!supported) {
      assertUnsupported(f, () -> store().createCollection(spec));
      settleNegative();
      assertFalse(store().hasCollection(spec.name()), "an unsupported spec still created the collection");
      return;
    }
    VectorCollection c = store().createCollection(spec);
    VectorCollection target = f == Feature.TENANTS ? c.tenant("t1") : c;
    List<Record> data = recs("c", 20);
    upsertVisible(target, data);
    awaitCount(target, 20);
    assertEquals(data.stream().filter(r -> ((Long) r.metadata().get("i").orElseThrow()) < 5).count(),
        target.count(Filter.lt("i", 5)));
  }

  private void assertUnsupported(Feature f, Executable op) {
    UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, op,
        f + " is declared unsupported (" + capabilities().entry(f).note() + "), so using it must throw"
            + " UnsupportedFeatureException");
    assertEquals(f, e.feature(), "the exception names the feature");
    assertEquals(capabilities().backend(), e.backend(), "the exception names the backend");
  }

  private void checkDurability() {
    requireFeature(Feature.DURABILITY);
    VectorCollection c = newCollection();
    List<Record> data = recs("dur", 25);
    upsertVisible(c, data);
    VectorStore old = store();
    old.close();
    VectorStore again = kit.reopenStore(old);
    if (again == null) {
      VectorStore fresh = kit.createStore(); // the kit's cleanup needs an open store
      kit.useStore(fresh, fresh.capabilities());
      Assumptions.abort("the kit subclass does not override reopenStore(), so durability is not checked");
    }
    kit.useStore(again, capabilities()); // same backend, same declared capabilities
    assertTrue(store().hasCollection(c.name()), "collection lost on reopen");
    VectorCollection c2 = store().collection(c.name());
    assertEquals(c.spec(), c2.spec());
    assertEquals(data, c2.get(ids(data)), "records lost on reopen");
  }
}
