package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Online reindexing on the embedded engine: every kind to every kind, answers during the swap, durability, re-training. */
class LocalReindexTest {

  @TempDir
  Path root;

  static final int DIM = 16;

  static List<String> ids(List<Match> ms) {
    List<String> out = new ArrayList<>();
    ms.forEach(m -> out.add(m.id()));
    return out;
  }

  static LocalCollection create(LocalVectorStore s, IndexSpec index) {
    return (LocalCollection) s.createCollection(CollectionSpec.builder("c").dimension(DIM).metric(Metric.EUCLIDEAN)
        .index(index).build());
  }

  @Test
  void everyKindToEveryKind() {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      assertTrue(s.capabilities().supports(Feature.REINDEX));
      LocalCollection c = create(s, IndexSpec.flat());
      c.planner(new SearchPlanner(0)); // through the index whenever there is one
      List<Record> data = LocalIvfCollectionTest.mixture(3000, DIM, 1);
      c.upsert(data);
      List<Record> queries = LocalIvfCollectionTest.mixture(20, DIM, 2);
      List<IndexSpec> kinds = List.of(IndexSpec.hnsw(12, 100), IndexSpec.ivfPq(16, 4, 6), IndexSpec.ivfFlat(16),
          IndexSpec.flat(), IndexSpec.ivfPq(16, 4, 6), IndexSpec.hnsw(12, 100));
      for (IndexSpec kind : kinds) {
        c.reindex(kind);
        assertEquals(kind, c.spec().index());
        assertEquals(kind, s.describeCollection("c").index());
        assertEquals(kind instanceof IndexSpec.Hnsw, c.graph() != null);
        assertEquals(kind instanceof IndexSpec.IvfPq, c.ivf() != null);
        assertEquals(3000, c.count());
        if (kind instanceof IndexSpec.IvfPq) {
          LocalIndexInfo info = s.indexInfo("c");
          assertTrue(info.trained(), kind + ": trained on the current records");
          assertEquals(3000, info.entries());
          // training is a function of the records in ordinal order and the seed: the same index as a direct build
          try (LocalVectorStore other = LocalVectorStore.inMemory()) {
            LocalCollection direct = create(other, kind);
            direct.planner(new SearchPlanner(0));
            direct.upsert(data);
            assertEquals(answers(direct, queries), answers(c, queries), kind + ": as if built directly");
          }
        }
        double sum = 0;
        for (Record q : queries) {
          List<String> got = ids(c.search(SearchRequest.of(q.vector(), 10)));
          List<String> want = LocalIvfCollectionTest.truth(data, Metric.EUCLIDEAN, q.vector(), null, 10);
          sum += got.stream().filter(want::contains).count() / 10.0;
        }
        double recall = sum / queries.size();
        System.out.printf("after reindex to %s: recall@10 %.3f%n", kind, recall);
        if (kind instanceof IndexSpec.Flat) {
          assertEquals(1.0, recall, 0.0, "FLAT is exact");
        } else if (kind instanceof IndexSpec.Hnsw) {
          assertTrue(recall >= 0.95, kind + ": " + recall);
        }
      }
    }
  }

  /**
   * With no writes, every answer a reader gets while the index is swapped is exactly the old index's
   * answer or the new index's: the reader never sees a half-built index, and its recall on each query
   * is never below the lower of the two indexes'.
   */
  @Test
  void readersSeeTheOldIndexOrTheNewOneNeverAMix() throws Exception {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      LocalCollection c = create(s, IndexSpec.hnsw(8, 40));
      c.planner(new SearchPlanner(0));
      List<Record> data = LocalIvfCollectionTest.mixture(6000, DIM, 3);
      c.upsert(data);
      List<Record> queries = LocalIvfCollectionTest.mixture(40, DIM, 4);
      IndexSpec target = IndexSpec.ivfPq(32, 4, 6);
      List<List<String>> before = answers(c, queries);
      LocalCollection probe = create(LocalVectorStore.inMemory(), target); // the same index built directly:
      probe.planner(new SearchPlanner(0)); // the same records in the same order train the same quantiser
      probe.upsert(data);
      List<List<String>> after = answers(probe, queries);
      AtomicBoolean done = new AtomicBoolean();
      List<String> problems = Collections.synchronizedList(new ArrayList<>());
      int[] passes = new int[1];
      Thread reader = new Thread(() -> {
        while (!done.get()) {
          List<List<String>> got = answers(c, queries);
          passes[0]++;
          for (int q = 0; q < queries.size(); q++) {
            if (!got.get(q).equals(before.get(q)) && !got.get(q).equals(after.get(q))) {
              problems.add("query " + q + ": " + got.get(q) + " is neither " + before.get(q) + " nor " + after.get(q));
            }
          }
        }
      });
      reader.start();
      c.reindex(target);
      done.set(true);
      reader.join();
      System.out.println("reader passes during the reindex: " + passes[0]);
      assertTrue(problems.isEmpty(), problems.toString());
      assertEquals(after, answers(c, queries), "the reindexed collection answers as the index built directly");
    }
  }

  static List<List<String>> answers(VectorCollection c, List<Record> queries) {
    List<List<String>> out = new ArrayList<>();
    for (Record q : queries) {
      out.add(ids(c.search(SearchRequest.of(q.vector(), 10))));
    }
    return out;
  }

  @Test
  void writesDuringTheReindexAreInTheNewIndex() throws Exception {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      for (IndexSpec target : List.of(IndexSpec.hnsw(8, 40), IndexSpec.ivfPq(16, 4, 6), IndexSpec.ivfFlat(16))) {
        LocalCollection c = create(s, IndexSpec.flat());
        c.planner(new SearchPlanner(0));
        c.upsert(LocalIvfCollectionTest.mixture(4000, DIM, 5));
        List<Record> incoming = LocalIvfCollectionTest.mixture(400, DIM, 6);
        AtomicBoolean done = new AtomicBoolean();
        List<Record> written = Collections.synchronizedList(new ArrayList<>());
        List<String> deleted = Collections.synchronizedList(new ArrayList<>());
        Thread writer = new Thread(() -> {
          for (int i = 0; i < incoming.size() && (!done.get() || i < 20); i++) {
            Record r = Record.of("w" + i, incoming.get(i).vector(), Metadata.of("bucket", (long) i));
            c.upsert(List.of(r));
            written.add(r);
            String gone = "r" + i;
            c.delete(List.of(gone));
            deleted.add(gone);
          }
        });
        writer.start();
        c.reindex(target);
        done.set(true);
        writer.join();
        assertEquals(target, c.spec().index());
        assertEquals(4000 + written.size() - deleted.size(), c.count());
        CollectionState state = c.stateForTests();
        for (Record r : written) { // every record written during the reindex is in the new index, live
          int ord = state.byId.get(r.id()).ord;
          if (target instanceof IndexSpec.Hnsw) {
            assertTrue(c.graph().contains(ord) && !c.graph().isDeleted(ord), target + ": " + r.id());
          } else {
            assertTrue(c.ivf().searchable().contains(ord), target + ": " + r.id());
          }
        }
        for (String id : deleted) {
          assertTrue(c.get(id).isEmpty());
        }
        if (target instanceof IndexSpec.IvfPq) {
          LocalIndexInfo info = s.indexInfo("c");
          assertEquals(c.count(), info.entries() - info.removedEntries(), info.toString());
          // every list probed and every record re-ranked: an exact search, which finds each record first
          for (Record r : written) {
            assertEquals(r.id(), c.search(SearchRequest.of(r.vector(), 1).nprobe(16).ef(5000)).get(0).id());
          }
          List<Match> all = c.search(SearchRequest.of(written.get(0).vector(), 5000).nprobe(16).ef(5000));
          assertEquals(c.count(), all.size(), target + ": every live record is reachable, no deleted one");
          all.forEach(m -> assertFalse(deleted.contains(m.id()), m.id()));
        }
        s.dropCollection("c");
      }
    }
  }

  @Test
  void reindexingIvfRetrainsOnTheCurrentRecordsAndTheDriftSaysWhen() {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      IndexSpec ivf = IndexSpec.ivfPq(16, 4, 6);
      LocalCollection c = create(s, ivf);
      c.upsert(LocalIvfCollectionTest.mixture(2000, DIM, 7));
      double trained = s.indexInfo("c").drift();
      // the data moves: new records from another distribution (shifted and spread)
      List<Record> drifted = new ArrayList<>();
      for (Record r : LocalIvfCollectionTest.mixture(4000, DIM, 8)) {
        float[] v = r.vector().clone();
        for (int d = 0; d < DIM; d++) {
          v[d] = v[d] * 3 + 5;
        }
        drifted.add(Record.of("n" + r.id(), v));
      }
      c.upsert(drifted);
      double drift = s.indexInfo("c").drift();
      System.out.printf("IVF drift: %.2f after training, %.2f after the data moved%n", trained, drift);
      assertTrue(drift > 2 * trained, "the drift figure shows the data moved: " + drift + " vs " + trained);
      c.reindex(ivf); // re-train on the current records
      LocalIndexInfo after = s.indexInfo("c");
      assertEquals(6000, after.trainingSamples());
      assertTrue(after.drift() < drift / 2, "re-trained: " + after);
    }
  }

  @Test
  void aReindexIsDurableAndReusedAtReopen() {
    Path dir = root.resolve("durable");
    List<Record> queries = LocalIvfCollectionTest.mixture(20, DIM, 10);
    List<List<String>> before;
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(false).open()) {
      LocalCollection c = create(s, IndexSpec.hnsw(8, 40));
      c.upsert(LocalIvfCollectionTest.mixture(3000, DIM, 9));
      c.reindex(IndexSpec.ivfPq(16, 4, 6));
      c.upsert(List.of(Record.of("after", queries.get(0).vector()))); // logged after the reindex's snapshot
      before = answers(c, queries);
    } // no snapshot on close: the reindex's own snapshot and the log must suffice
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(IndexSpec.ivfPq(16, 4, 6), s.describeCollection("c").index());
      assertEquals(1, s.ivfReused(), "the index the reindex trained is restored, not re-trained");
      assertEquals(3001, s.collection("c").count());
      assertEquals(before, answers(s.collection("c"), queries));
      assertNotNull(s.collection("c").get("after").orElse(null));
      s.collection("c").reindex(IndexSpec.hnsw(8, 40));
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(IndexSpec.hnsw(8, 40), s.describeCollection("c").index());
      assertEquals(1, s.graphsReused());
    }
  }
}
