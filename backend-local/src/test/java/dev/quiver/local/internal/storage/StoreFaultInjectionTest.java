package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.StorageException;
import dev.quiver.VectorCollection;
import dev.quiver.local.DurableTestAccess;
import dev.quiver.local.LocalHealth;
import dev.quiver.local.LocalIndexInfo;
import dev.quiver.local.LocalVectorStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Injected I/O failures under the full {@link LocalVectorStore} (through {@link FaultyStorageIO}), on an
 * HNSW, a FLAT and an IVF-PQ collection (trained once it holds 64 records): the
 * write that meets the failure throws {@link StorageException}, the store then refuses writes (telling
 * the user to reopen) but still serves reads, and the directory reopens with every acknowledged write,
 * at most the one failed write in addition, and nothing else.
 */
class StoreFaultInjectionTest {

  @TempDir
  Path root;

  static final CollectionSpec GRAPH = CollectionSpec.builder("g").dimension(8).metric(Metric.COSINE)
      .index(IndexSpec.hnsw(8, 40)).build();
  static final CollectionSpec FLAT = CollectionSpec.builder("f").dimension(8).metric(Metric.EUCLIDEAN).build();
  /** IVF-PQ that trains at 64 records, so the longer runs fail writes and snapshots of a trained index. */
  static final CollectionSpec IVF = CollectionSpec.builder("v").dimension(8).metric(Metric.EUCLIDEAN)
      .index(IndexSpec.ivfPq(2, 4, 2)).build();

  /** The expected state: collection → id → record. */
  static final class Model {
    final Map<String, Map<String, Record>> colls = new TreeMap<>();

    Model() {
      colls.put("g", new TreeMap<>());
      colls.put("f", new TreeMap<>());
      colls.put("v", new TreeMap<>());
    }

    Model copy() {
      Model m = new Model();
      colls.forEach((k, v) -> m.colls.get(k).putAll(v));
      return m;
    }
  }

  static float[] vec(String id) {
    Random r = new Random(id.hashCode());
    float[] v = new float[8];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  static String coll(int i) {
    return switch (i % 3) {
      case 0 -> "g";
      case 1 -> "f";
      default -> "v";
    };
  }

  /** Runs write number {@code i} against the store (when given) and the model (when given). */
  static void op(int i, LocalVectorStore store, Model model) {
    switch (i % 5) {
      case 0, 1, 2 -> {
        List<Record> batch = List.of(Record.of("r" + i + "-0", vec("r" + i + "-0"), Metadata.of("n", (long) i, "k", 0L)),
            Record.of("r" + i + "-1", vec("r" + i + "-1"), Metadata.of("n", (long) i, "k", 1L)));
        if (store != null) {
          store.collection(coll(i)).upsert(batch);
        }
        if (model != null) {
          batch.forEach(r -> model.colls.get(coll(i)).put(r.id(), r));
        }
      }
      case 3 -> {
        String id = "r" + (i - 3) + "-0";
        Metadata md = Metadata.of("n", (long) i, "upd", true);
        if (store != null) {
          store.collection(coll(i - 3)).updateMetadata(id, md);
        }
        if (model != null) {
          model.colls.get(coll(i - 3)).computeIfPresent(id, (k, r) -> r.withMetadata(md));
        }
      }
      default -> {
        if (i % 10 == 4) {
          String id = "r" + (i - 4) + "-1";
          if (store != null) {
            store.collection(coll(i - 4)).delete(List.of(id));
          }
          if (model != null) {
            model.colls.get(coll(i - 4)).remove(id);
          }
        } else {
          Filter f = Filter.eq("n", (long) (i - 7));
          if (store != null) {
            store.collection(coll(i - 7)).delete(f);
          }
          if (model != null) {
            model.colls.get(coll(i - 7)).values().removeIf(r -> f.matches(r.metadata()));
          }
        }
      }
    }
  }

  static Map<String, Map<String, Record>> contents(LocalVectorStore store) {
    Map<String, Map<String, Record>> out = new TreeMap<>();
    for (String name : store.listCollections()) {
      Map<String, Record> m = new TreeMap<>();
      for (Record r : store.collection(name).list(ListRequest.of(10_000)).records()) {
        m.put(r.id(), r);
      }
      out.put(name, m);
    }
    return out;
  }

  /**
   * Writes until the armed fault makes a write fail, then checks the store and the reopened directory.
   *
   * @return how many writes were acknowledged
   */
  private int runUntilFault(Path dir, boolean groupCommit, long snapshotThreshold, Consumer<FaultyStorageIO> arm) {
    FaultyStorageIO io = new FaultyStorageIO();
    StorageOptions options = StorageOptions.defaults().withIo(io).withMaxSegmentBytes(2048);
    LocalVectorStore store = DurableTestAccess.builder(dir, options).groupCommit(groupCommit)
        .snapshotThresholdBytes(snapshotThreshold).snapshotOnClose(false).open();
    Model acked = new Model();
    int snapshots = 0;
    int done = 0;
    boolean failed = false;
    try {
      store.createCollection(GRAPH);
      store.createCollection(FLAT);
      store.createCollection(IVF);
      arm.accept(io);
      for (int i = 0; i < 300 && !failed; i++) {
        try {
          op(i, store, null);
          op(i, null, acked);
          done++;
        } catch (StorageException e) {
          failed = true;
          assertTrue(e.getMessage().contains("reopen"), "tells the user to reopen: " + e.getMessage());
        }
      }
      io.heal();
      if (failed) {
        StorageException again = assertThrows(StorageException.class,
            () -> store.collection("f").upsert(List.of(Record.of("late", vec("late")))), "no writes after a failure");
        assertTrue(again.getMessage().contains("reopen"), again.getMessage());
        assertThrows(StorageException.class, () -> store.createCollection(CollectionSpec.builder("x").dimension(2).build()));
        // reads still work
        assertTrue(store.collection("g").count() >= 0);
        store.collection("g").search(SearchRequest.of(vec("q"), 3));
      }
      snapshots = DurableTestAccess.snapshotsWritten(store);
    } finally {
      try {
        store.close();
      } catch (StorageException ignored) {
        // closing a failed store may fail too; the directory must still open
      }
    }
    Model withFailed = acked.copy();
    op(done, null, withFailed);
    try (LocalVectorStore again = LocalVectorStore.open(dir)) {
      Map<String, Map<String, Record>> got = contents(again);
      boolean exact = got.equals(acked.colls);
      boolean plusFailed = failed && got.equals(withFailed.colls);
      LocalIndexInfo ivf = again.indexInfo("v");
      assertTrue(!ivf.trained() || ivf.entries() - ivf.removedEntries() == got.get("v").size(),
          "the reopened IVF index holds exactly the live records: " + ivf);
      assertTrue(exact || plusFailed, "after " + done + " acknowledged writes (failed: " + failed + "), reopened "
          + got + "\nexpected " + acked.colls + (failed ? "\nor " + withFailed.colls : ""));
      // the reopened store takes writes
      again.collection("g").upsert(List.of(Record.of("after", vec("after"))));
      assertEquals(1, again.collection("g").get(List.of("after")).size());
    }
    if (snapshotThreshold > 0) {
      System.out.println("  " + snapshots + " background snapshots completed");
    }
    return failed ? done : -1;
  }

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {false, true})
  void failedWrites(boolean group) {
    for (int n : new int[] {1, 2, 7, 30, 77}) {
      assertTrue(runUntilFault(root.resolve("w" + n), group, 0, io -> io.failWrite(n)) >= 0, "write fault " + n + " fired");
    }
  }

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {false, true})
  void failedForces(boolean group) {
    for (int n : new int[] {1, 2, 9, 40}) {
      assertTrue(runUntilFault(root.resolve("f" + n), group, 0, io -> io.failForce(n)) >= 0, "force fault " + n + " fired");
    }
  }

  @Test
  void tornWrites() {
    for (int n : new int[] {1, 3, 11, 25}) {
      for (int keep : new int[] {0, 7, 30}) {
        assertTrue(runUntilFault(root.resolve("t" + n + "-" + keep), true, 0, io -> io.tearWrite(n, keep)) >= 0);
      }
    }
  }

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {false, true})
  void fullDisk(boolean group) {
    for (long budget : new long[] {0, 100, 1000, 5000, 20_000}) {
      assertTrue(runUntilFault(root.resolve("d" + budget), group, 0, io -> io.diskFullAfter(budget)) >= 0,
          "disk full after " + budget + " fired");
    }
  }

  /**
   * With frequent background snapshots, a fault may hit a snapshot instead of a write: the snapshot
   * fails, and either the store keeps working (the old snapshot and the log stay valid) or, if the log
   * itself was hit, the next write fails. Either way nothing acknowledged is lost.
   */
  @Test
  void faultsDuringBackgroundSnapshots() {
    int n = 0;
    for (Consumer<FaultyStorageIO> fault : List.<Consumer<FaultyStorageIO>>of(io -> io.failWrite(40), io -> io.failForce(25),
        io -> io.failMove(1), io -> io.failMove(2), io -> io.failDirSync(1), io -> io.failDirSync(3),
        io -> io.diskFullAfter(30_000), io -> io.tearWrite(60, 5))) {
      int acked = runUntilFault(root.resolve("s" + n), true, 2048, fault);
      System.out.println("snapshot-time fault scenario " + n++ + ": "
          + (acked < 0 ? "no write failed (a snapshot absorbed the fault)" : "a write failed after " + acked + " acknowledged"));
    }
  }

  /**
   * A re-index whose snapshot fails throws {@link StorageException} saying so; the new index serves on,
   * the store keeps taking writes, and reopening (with no later snapshot) finds the old index and every
   * acknowledged write.
   */
  @Test
  void aReindexWhoseSnapshotFailsKeepsTheOldIndexOnDisk() {
    Path dir = root.resolve("reindex");
    FaultyStorageIO io = new FaultyStorageIO();
    Model acked = new Model();
    LocalVectorStore store = DurableTestAccess.builder(dir, StorageOptions.defaults().withIo(io))
        .snapshotThresholdBytes(0).snapshotOnClose(false).open();
    try {
      store.createCollection(GRAPH);
      store.createCollection(FLAT);
      store.createCollection(IVF);
      for (int i = 0; i < 200; i++) {
        op(i, store, null);
        op(i, null, acked);
      }
      io.failMove(1); // the re-index's snapshot cannot be renamed into place
      StorageException e = assertThrows(StorageException.class, () -> store.collection("v").reindex(IndexSpec.hnsw(8, 40)));
      assertTrue(e.getMessage().contains("now uses its new index"), e.getMessage());
      io.heal();
      assertEquals(IndexSpec.hnsw(8, 40), store.describeCollection("v").index(), "the new index serves on");
      for (int i = 200; i < 230; i++) {
        op(i, store, null);
        op(i, null, acked);
      }
      assertEquals(acked.colls, contents(store));
    } finally {
      store.close();
    }
    try (LocalVectorStore again = LocalVectorStore.open(dir)) {
      assertEquals(IVF.index(), again.describeCollection("v").index(), "the snapshot that failed did not commit");
      assertEquals(acked.colls, contents(again), "every acknowledged write is durable");
    }
  }

  /**
   * A background snapshot that fails is logged at WARNING and reported by {@code health()}; the store
   * keeps acknowledging writes, and every one of them is there after reopening.
   */
  @Test
  void aFailedBackgroundSnapshotIsReportedAndWritesStayDurable() {
    Path dir = root.resolve("health");
    FaultyStorageIO io = new FaultyStorageIO();
    Model acked = new Model();
    try (dev.quiver.local.LogCapture log = new dev.quiver.local.LogCapture()) {
      LocalVectorStore store = DurableTestAccess.builder(dir, StorageOptions.defaults().withIo(io))
          .snapshotThresholdBytes(2048).snapshotOnClose(false).open();
      try {
        store.createCollection(GRAPH);
        store.createCollection(FLAT);
      store.createCollection(IVF);
        io.failMove(1); // the first snapshot's rename into place
        int i = 0;
        // write until the background snapshot has run and failed, then some more
        for (int after = 0; after < 30 && i < 5000; i++) {
          op(i, store, null);
          op(i, null, acked);
          if (!store.health().isOk()) {
            after++;
          }
        }
        LocalHealth h = store.health();
        assertEquals(LocalHealth.Status.DEGRADED, h.status(), "after " + i + " writes: " + h);
        LocalHealth.Event ev = h.events().get(0);
        assertEquals(LocalHealth.Kind.SNAPSHOT_FAILED, ev.kind());
        assertTrue(ev.message().contains("injected failure"), ev.message());
        assertTrue(log.messages(java.util.logging.Level.WARNING).contains(ev.message()), "logged at WARNING");
        assertEquals(acked.colls, contents(store), "writes after the failure were acknowledged and applied");
      } finally {
        store.close();
      }
    }
    try (LocalVectorStore again = LocalVectorStore.open(dir)) {
      assertEquals(acked.colls, contents(again), "every acknowledged write is durable");
      assertTrue(again.health().isOk(), again.health().toString());
    }
  }
}
