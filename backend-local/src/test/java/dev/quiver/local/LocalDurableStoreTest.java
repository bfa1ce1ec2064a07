package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.StorageException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.local.internal.storage.StorageOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable local:<path> stores: reopen restores specs, records and HNSW graphs; snapshots; options. */
class LocalDurableStoreTest {

  @TempDir
  Path dir;

  static final CollectionSpec HNSW = CollectionSpec.builder("graph").dimension(16).metric(Metric.COSINE)
      .index(IndexSpec.hnsw(12, 100)).build();
  static final CollectionSpec FLAT = CollectionSpec.builder("flat").dimension(4).metric(Metric.EUCLIDEAN).build();

  private static float[] vec(Random rnd, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  /** Fills both collections with a history of upserts, replacements, deletes and metadata updates. */
  private static void populate(LocalVectorStore store, Random rnd) {
    VectorCollection g = store.createCollection(HNSW);
    VectorCollection f = store.createCollection(FLAT);
    for (int b = 0; b < 6; b++) {
      List<Record> batch = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        int n = b * 250 + i;
        batch.add(Record.of("id" + n, vec(rnd, 16), Metadata.of("g", (long) (n % 7), "s", "v" + n)));
      }
      g.upsert(batch);
    }
    g.upsert(List.of(Record.of("id3", vec(rnd, 16), Metadata.of("g", 100L)))); // replacement: a tombstone
    g.delete(List.of("id4", "id5", "missing"));
    g.delete(Filter.eq("g", 6L));
    assertTrue(g.updateMetadata("id10", Metadata.of("g", 2L, "updated", true)));
    assertFalse(g.updateMetadata("nope", Metadata.empty()));
    for (int i = 0; i < 40; i++) {
      f.upsert(List.of(Record.of("f" + i, vec(rnd, 4), Metadata.of("i", (long) i))));
    }
    f.delete(Filter.lt("i", 5L));
  }

  private static List<String> ids(List<Match> ms) {
    List<String> out = new ArrayList<>();
    ms.forEach(m -> out.add(m.id()));
    return out;
  }

  private static List<Record> all(VectorCollection c) {
    return c.list(ListRequest.of(10_000)).records();
  }

  /** Search results of a fixed set of queries (unfiltered with two efs, and filtered). */
  private static List<List<String>> results(VectorCollection c, long seed) {
    Random rnd = new Random(seed);
    List<List<String>> out = new ArrayList<>();
    for (int q = 0; q < 25; q++) {
      float[] v = vec(rnd, 16);
      out.add(ids(c.search(SearchRequest.of(v, 10).ef(40))));
      out.add(ids(c.search(SearchRequest.of(v, 10))));
      out.add(ids(c.search(SearchRequest.of(v, 10).filter("g == 2"))));
    }
    return out;
  }

  @Test
  void reopenRestoresSpecsRecordsAndTheSavedGraph() {
    LocalVectorStore store = LocalVectorStore.open(dir);
    assertTrue(store.capabilities().supports(Feature.DURABILITY));
    populate(store, new Random(1));
    VectorCollection g = store.collection("graph");
    List<Record> graphRecords = all(g);
    List<Record> flatRecords = all(store.collection("flat"));
    List<List<String>> before = results(g, 99);
    long g2Count = g.count(Filter.eq("g", 2L));
    store.close(); // writes a snapshot with the graph

    LocalVectorStore again = LocalVectorStore.open(dir);
    try {
      assertEquals(1, again.graphsReused(), "the saved graph was used");
      assertEquals(0, again.graphsRebuilt(), "nothing was rebuilt");
      assertEquals(List.of("flat", "graph"), again.listCollections());
      assertEquals(HNSW, again.describeCollection("graph"));
      assertEquals(FLAT, again.describeCollection("flat"));
      VectorCollection g2 = again.collection("graph");
      assertEquals(graphRecords, all(g2));
      assertEquals(flatRecords, all(again.collection("flat")));
      assertEquals(before, results(g2, 99), "identical search results after reopening");
      assertEquals(graphRecords.size(), g2.count());
      assertEquals(g2Count, g2.count(Filter.eq("g", 2L)));
      // and it keeps taking writes, which survive the next reopen
      g2.upsert(List.of(Record.of("after", vec(new Random(5), 16))));
    } finally {
      again.close();
    }
    try (LocalVectorStore third = LocalVectorStore.open(dir)) {
      assertEquals(graphRecords.size() + 1, third.collection("graph").count());
      assertEquals(1, third.graphsReused());
    }
  }

  @Test
  void withoutSnapshotsTheLogIsReplayedToTheSameState() {
    LocalVectorStore store = LocalVectorStore.builder(dir).snapshotOnClose(false).snapshotThresholdBytes(0).open();
    populate(store, new Random(2));
    List<Record> graphRecords = all(store.collection("graph"));
    List<Record> flatRecords = all(store.collection("flat"));
    store.close();
    assertFalse(Files.exists(dir.resolve("MANIFEST")), "no snapshot was written");
    try (LocalVectorStore again = LocalVectorStore.open(dir)) {
      assertEquals(graphRecords, all(again.collection("graph")));
      assertEquals(flatRecords, all(again.collection("flat")));
      assertEquals(0, again.graphsReused(), "no snapshot, so the graph came from replaying the log");
    }
    // the close above wrote a snapshot; a reopen now reuses the graph
    try (LocalVectorStore again = LocalVectorStore.open(dir)) {
      assertEquals(1, again.graphsReused());
      assertEquals(graphRecords, all(again.collection("graph")));
    }
  }

  @Test
  void dropAndRecreateSurviveReopen() {
    try (LocalVectorStore store = LocalVectorStore.builder(dir).snapshotOnClose(false).open()) {
      VectorCollection c = store.createCollection(FLAT);
      c.upsert(List.of(Record.of("a", new float[] {1, 2, 3, 4})));
      assertTrue(store.dropCollection("flat"));
      assertFalse(store.dropCollection("flat"));
      store.createCollection(FLAT).upsert(List.of(Record.of("b", new float[] {1, 2, 3, 5})));
    }
    try (LocalVectorStore store = LocalVectorStore.open(dir)) {
      VectorCollection c = store.collection("flat");
      assertEquals(1, c.count());
      assertEquals("b", all(c).get(0).id());
    }
  }

  @Test
  void backgroundSnapshotsTruncateTheLogWhileWritersContinue() throws Exception {
    LocalVectorStore store = LocalVectorStore.builder(dir).snapshotThresholdBytes(32 * 1024).snapshotOnClose(false).open();
    VectorCollection g = store.createCollection(HNSW);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int thread = t;
      fs.add(pool.submit(() -> {
        Random rnd = new Random(thread);
        for (int i = 0; i < 150; i++) {
          g.upsert(List.of(Record.of("t" + thread + "-" + i, vec(rnd, 16), Metadata.of("g", (long) (i % 3)))));
          if (i % 10 == 9) {
            g.delete(List.of("t" + thread + "-" + (i - 5)));
          }
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    long deadline = System.currentTimeMillis() + 10_000;
    while (store.snapshotsWritten() == 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(store.snapshotsWritten() > 0, "the threshold triggered background snapshots");
    assertEquals(LocalHealth.Status.OK, store.health().status(), store.health().toString());
    List<Record> records = all(g);
    List<List<String>> before = results(g, 7);
    store.close();
    try (LocalVectorStore again = LocalVectorStore.open(dir)) {
      assertEquals(records, all(again.collection("graph")));
      assertEquals(3 * 150 - 3 * 15, records.size());
      assertEquals(before, results(again.collection("graph"), 7));
    }
  }

  @Test
  void batchesBeyondTheEntryLimitAreSplitAndAllStored() {
    StorageOptions small = StorageOptions.defaults().withMaxEntryBytes(4096);
    List<Record> batch = new ArrayList<>();
    Random rnd = new Random(3);
    for (int i = 0; i < 300; i++) {
      batch.add(Record.of("r" + i, vec(rnd, 16), Metadata.of("s", "x".repeat(50))));
    }
    try (LocalVectorStore store = LocalVectorStore.builder(dir).storageOptions(small).snapshotOnClose(false).open()) {
      VectorCollection c = store.createCollection(HNSW);
      c.upsert(batch);
      List<String> ids = new ArrayList<>();
      batch.forEach(r -> ids.add(r.id()));
      c.delete(ids.subList(0, 100));
      assertTrue(store.storage().lastSequence() > 4, "split into several entries");
    }
    try (LocalVectorStore store = LocalVectorStore.builder(dir).storageOptions(small).open()) {
      assertEquals(batch.subList(100, 300), store.collection("graph").get(
          batch.subList(100, 300).stream().map(Record::id).toList()));
      assertEquals(200, store.collection("graph").count());
    }
  }

  @Test
  void oneOpenStorePerDirectory() {
    try (LocalVectorStore store = LocalVectorStore.open(dir)) {
      StorageException e = assertThrows(StorageException.class, () -> LocalVectorStore.open(dir));
      assertTrue(e.getMessage().contains("already open"), e.getMessage());
    }
    LocalVectorStore.open(dir).close();
  }

  @Test
  void closedStoreRefusesCalls() {
    LocalVectorStore store = LocalVectorStore.open(dir);
    VectorCollection c = store.createCollection(FLAT);
    store.close();
    store.close(); // idempotent
    assertThrows(dev.quiver.StoreClosedException.class, () -> c.upsert(List.of(Record.of("a", new float[] {1, 2, 3, 4}))));
    assertThrows(dev.quiver.StoreClosedException.class, () -> store.createCollection(HNSW));
  }

  @Test
  void addressesOpenTheRightKindOfStore() {
    try (VectorStore mem = Quiver.open("memory:"); VectorStore local = Quiver.open("local:")) {
      assertFalse(mem.capabilities().supports(Feature.DURABILITY));
      assertFalse(local.capabilities().supports(Feature.DURABILITY));
      assertTrue(((LocalVectorStore) local).directory().isEmpty());
    }
    Path d = dir.resolve("via-uri");
    try (VectorStore s = Quiver.open("local:" + d + "?groupCommit=false&snapshotThresholdBytes=4096")) {
      assertTrue(s.capabilities().supports(Feature.DURABILITY));
      assertEquals(d.toAbsolutePath().normalize(), ((LocalVectorStore) s).directory().orElseThrow());
      s.createCollection(FLAT).upsert(List.of(Record.of("a", new float[] {1, 2, 3, 4})));
    }
    try (VectorStore s = Quiver.open("local:" + d)) {
      assertEquals(1, s.collection("flat").count());
    }
    assertThrows(InvalidArgumentException.class, () -> Quiver.open("local:" + d + "?groupComit=false"));
    assertThrows(InvalidArgumentException.class, () -> Quiver.open("local:" + d + "?groupCommit=maybe"));
    assertTrue(Files.exists(d.resolve("LOCK")));
  }
}
