package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.SCORE_TOLERANCE;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Feature;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Reindex" (run as {@link VectorStoreConformanceKit.Reindex}, order 15):
 * {@link VectorCollection#reindex(IndexSpec)} changes a collection's index while reads and writes go on,
 * keeps every record, and is refused cleanly when the target does not fit. Skipped, with the declared
 * reason, on backends without {@link Feature#REINDEX}; the "Capability gating" group then checks the
 * refusal.
 */
abstract class ReindexCases extends KitGroup {

  ReindexCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  /** @return the index kinds to try, among those the backend offers (16 dimensions, PQ in 4 subspaces) */
  private List<IndexSpec> targets() {
    List<IndexSpec> out = new ArrayList<>();
    for (IndexSpec i : List.of(IndexSpec.flat(), IndexSpec.hnsw(16, 64), IndexSpec.ivfFlat(8), IndexSpec.ivfPq(8, 4, 4))) {
      if (capabilities().supports(i.feature())) {
        out.add(i);
      }
    }
    return out;
  }

  @Test
  @DisplayName("reindexing to every offered index kind keeps every record, reports the new index and answers searches")
  void everyKind() {
    requireFeature(Feature.REINDEX);
    VectorCollection c = newCollection(defaultMetric(), indexForTests(), 16);
    Metric metric = c.spec().metric();
    DatasetGenerator gen = new DatasetGenerator(seed() + 21, ValuePool.standard());
    List<Record> data = gen.records("x", 500, 16);
    upsertVisible(c, data);
    awaitCount(c, 500);
    List<IndexSpec> targets = new ArrayList<>(targets());
    targets.add(indexForTests()); // and back
    for (IndexSpec target : targets) {
      c.reindex(target);
      assertEquals(target, c.spec().index(), "the handle reports the new index");
      assertEquals(target, store().describeCollection(c.name()).index(), "the store reports the new index");
      assertEquals(c.spec(), store().collection(c.name()).spec());
      assertEquals(500, c.count(), "records after reindexing to " + target);
      assertEquals(data, c.get(ids(data)), "records unchanged after reindexing to " + target);
      double sum = 0;
      int queries = 20;
      for (int q = 0; q < queries; q++) {
        float[] query = gen.vector(16);
        List<Match> got = c.search(SearchRequest.of(query, 10));
        assertEquals(10, got.size(), "topK 10 over 500 records with " + target);
        for (Match m : got) {
          Record r = data.get(Integer.parseInt(m.id().substring(1)));
          assertEquals(metric.score(query, r.vector()), m.score(), SCORE_TOLERANCE, "score of " + m.id());
        }
        sum += recallAt10(got, ExactOracle.search(data, query, metric, 10, null));
      }
      double recall = sum / queries;
      if (target instanceof IndexSpec.Flat) {
        assertEquals(1.0, recall, 1e-9, "a FLAT index is exact after reindexing");
      } else if (target.equals(indexForTests())) {
        assertTrue(recall >= annRecallFloor() - 1e-9, "recall@10 after reindexing to " + target + " is " + recall
            + ", below the floor " + annRecallFloor());
      }
    }
  }

  @Test
  @DisplayName("reads and writes go on while the index is rebuilt; writes made meanwhile are kept")
  void readsAndWritesContinue() throws Exception {
    requireFeature(Feature.REINDEX);
    VectorCollection c = newCollection(defaultMetric(), indexForTests(), 16);
    DatasetGenerator gen = new DatasetGenerator(seed() + 22, ValuePool.standard());
    List<Record> data = gen.records("y", 1000, 16);
    upsertVisible(c, data);
    awaitCount(c, 1000);
    IndexSpec target = targets().stream().filter(i -> !i.equals(c.spec().index())).findFirst().orElse(c.spec().index());
    AtomicBoolean done = new AtomicBoolean();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    Map<String, Record> written = new ConcurrentHashMap<>();
    Thread reader = new Thread(() -> {
      DatasetGenerator g = new DatasetGenerator(seed() + 23, ValuePool.standard());
      while (!done.get()) {
        try {
          List<Match> got = c.search(SearchRequest.of(g.vector(16), 10));
          if (got.size() != 10) {
            failures.add(new AssertionError("a search during reindexing returned " + got.size() + " matches"));
          }
          long n = c.count();
          if (n < 1000) {
            failures.add(new AssertionError("count() during reindexing was " + n));
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }
    }, "kit-reindex-reader");
    Thread writer = new Thread(() -> {
      DatasetGenerator g = new DatasetGenerator(seed() + 24, ValuePool.standard());
      for (int b = 0; b < 200 && (!done.get() || b < 5); b++) {
        List<Record> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          String id = "w" + b + "_" + i;
          batch.add(Record.of(id, g.vector(16), Metadata.of("b", (long) b)));
        }
        try {
          c.upsert(batch);
          batch.forEach(r -> written.put(r.id(), r));
        } catch (Throwable t) {
          failures.add(t);
          return;
        }
      }
    }, "kit-reindex-writer");
    reader.start();
    writer.start();
    try {
      c.reindex(target);
    } finally {
      done.set(true);
      writer.join(120_000);
      reader.join(120_000);
    }
    assertTrue(failures.isEmpty(), "calls failed during reindexing: " + failures);
    assertEquals(target, c.spec().index());
    awaitCount(c, 1000 + written.size());
    List<Record> want = new ArrayList<>(written.values());
    assertEquals(want, c.get(ids(want)), "records written during reindexing");
    assertEquals(data, c.get(ids(data)), "records written before");
  }

  @Test
  @DisplayName("a target that does not fit is refused, and the collection keeps its index and records")
  void refusedTargets() {
    requireFeature(Feature.REINDEX);
    VectorCollection c = newCollection(defaultMetric(), indexForTests(), 16);
    List<Record> data = new DatasetGenerator(seed() + 25, ValuePool.standard()).records("z", 20, 16);
    upsertVisible(c, data);
    IndexSpec before = c.spec().index();
    assertThrows(InvalidArgumentException.class, () -> c.reindex(null));
    if (capabilities().supports(Feature.INDEX_IVF_PQ)) {
      assertThrows(InvalidArgumentException.class, () -> c.reindex(IndexSpec.ivfPq(4, 5, 8)),
          "PQ subspaces that do not divide the dimension");
    }
    for (IndexSpec i : List.of(IndexSpec.flat(), IndexSpec.hnsw(16, 64), IndexSpec.ivfFlat(8), IndexSpec.ivfPq(8, 4, 4))) {
      if (!capabilities().supports(i.feature())) {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> c.reindex(i));
        assertEquals(i.feature(), e.feature());
      }
    }
    assertEquals(before, c.spec().index(), "a refused reindex changed the index");
    assertEquals(before, store().describeCollection(c.name()).index());
    settleNegative();
    assertEquals(data, c.get(ids(data)));
  }

  @Test
  @DisplayName("a reindexed collection has its new index after the store is closed and reopened")
  void durable() {
    requireFeature(Feature.REINDEX);
    requireFeature(Feature.DURABILITY);
    VectorCollection c = newCollection(defaultMetric(), indexForTests(), 16);
    List<Record> data = new DatasetGenerator(seed() + 26, ValuePool.standard()).records("d", 300, 16);
    upsertVisible(c, data);
    IndexSpec target = targets().stream().filter(i -> !i.equals(c.spec().index())).findFirst().orElse(c.spec().index());
    c.reindex(target);
    VectorStore old = store();
    old.close();
    VectorStore again = kit.reopenStore(old);
    if (again == null) {
      VectorStore fresh = kit.createStore();
      kit.useStore(fresh, fresh.capabilities());
      Assumptions.abort("the kit subclass does not override reopenStore(), so durability is not checked");
    }
    kit.useStore(again, capabilities());
    assertEquals(target, store().describeCollection(c.name()).index(), "the new index survives reopening");
    VectorCollection c2 = store().collection(c.name());
    assertEquals(data, c2.get(ids(data)));
    assertEquals(10, c2.search(SearchRequest.of(data.get(0).vector(), 10)).size());
  }
}
