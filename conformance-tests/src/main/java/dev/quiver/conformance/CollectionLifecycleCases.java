package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.uniqueName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Collections" (run as {@link VectorStoreConformanceKit.CollectionLifecycle},
 * order 1): collection lifecycle: create, exists, list, describe, drop.
 */
abstract class CollectionLifecycleCases extends KitGroup {

  CollectionLifecycleCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("a created collection exists, is listed (sorted) and describes itself with its spec")
  void createDescribe() {
    Metric metric = defaultMetric();
    requireFeature(indexForTests().feature());
    CollectionSpec spec = CollectionSpec.builder(uniqueName()).dimension(DIM).metric(metric).index(indexForTests())
        .build();
    track(spec.name());
    VectorCollection c = store().createCollection(spec);
    assertEquals(spec.name(), c.name());
    assertEquals(spec, c.spec());
    assertTrue(awaitVisible(() -> store().hasCollection(spec.name()), v -> v), "hasCollection after create");
    List<String> names = store().listCollections();
    assertTrue(names.contains(spec.name()), "listCollections() lacks " + spec.name() + ": " + names);
    List<String> sorted = new ArrayList<>(names);
    Collections.sort(sorted);
    assertEquals(sorted, names, "listCollections() is not sorted");
    assertEquals(spec, store().describeCollection(spec.name()));
    assertEquals(spec, store().collection(spec.name()).spec());
    assertEquals(0, c.count(), "a new collection is empty");
  }

  @Test
  @DisplayName("creating a collection twice fails with CollectionAlreadyExistsException and leaves the first intact")
  void createTwice() {
    VectorCollection c = newCollection();
    List<Record> data = recs("a", 3);
    upsertVisible(c, data);
    CollectionSpec again = c.spec().toBuilder().dimension(DIM + 4).build();
    CollectionAlreadyExistsException e = assertThrows(CollectionAlreadyExistsException.class,
        () -> store().createCollection(again));
    assertEquals(c.name(), e.collection());
    assertEquals(c.spec(), store().describeCollection(c.name()), "the first collection's spec changed");
    awaitCount(c, 3);
    assertEquals(data, c.get(ids(data)));
  }

  @Test
  @DisplayName("dropping a collection removes it and its records; dropping again returns false; the name can be reused")
  void drop() {
    VectorCollection c = newCollection();
    upsertVisible(c, recs("d", 5));
    assertTrue(store().dropCollection(c.name()), "drop of an existing collection returns true");
    assertFalse(awaitVisible(() -> store().hasCollection(c.name()), v -> !v), "hasCollection after drop");
    assertFalse(store().listCollections().contains(c.name()), "dropped collection still listed");
    assertThrows(CollectionNotFoundException.class, () -> store().collection(c.name()));
    assertThrows(CollectionNotFoundException.class, () -> store().describeCollection(c.name()));
    assertFalse(store().dropCollection(c.name()), "drop of a missing collection returns false");
    VectorCollection again = store().createCollection(c.spec());
    assertEquals(0, again.count(), "a re-created collection starts empty");
  }

  @Test
  @DisplayName("an unknown collection is not found: collection() and describeCollection() throw CollectionNotFoundException")
  void unknown() {
    String name = uniqueName();
    assertFalse(store().hasCollection(name));
    CollectionNotFoundException e = assertThrows(CollectionNotFoundException.class, () -> store().collection(name));
    assertEquals(name, e.collection());
    assertThrows(CollectionNotFoundException.class, () -> store().describeCollection(name));
    assertFalse(store().dropCollection(name));
  }

  @Test
  @DisplayName("collections are independent: the same id in two collections is two records")
  void independent() {
    VectorCollection a = newCollection();
    VectorCollection b = newCollection();
    Record ra = rec("same", Metadata.of("origin", "a"));
    Record rb = rec("same", Metadata.of("origin", "b"));
    upsertVisible(a, List.of(ra));
    upsertVisible(b, List.of(rb));
    assertEquals(List.of(ra), a.get(List.of("same")));
    assertEquals(List.of(rb), b.get(List.of("same")));
    a.delete(List.of("same"));
    awaitCount(a, 0);
    assertEquals(1, b.count(), "deleting in one collection changed another");
  }
}
