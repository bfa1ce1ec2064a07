package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.CollectionSpec;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.StorageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Injected I/O failures at many points: each gives a {@link StorageException}, the storage refuses
 * further writes, and the directory reopens (with healthy I/O) holding every acknowledged operation,
 * at most the one unacknowledged operation that failed, and nothing else.
 */
class FaultInjectionTest {

  @TempDir
  Path root;

  static final CollectionSpec SPEC = CollectionSpec.builder("c").dimension(4).build();

  static Operation upsert(int i) {
    return new Operation.Upsert("c", List.of(Record.of("id" + i, new float[] {i + 1, 2, 3, 4}, Metadata.of("n", i))));
  }

  /**
   * Appends until the armed fault fires, then checks the reopened directory.
   *
   * @return how many upserts were acknowledged
   */
  private int runUntilFault(Path dir, boolean groupCommit, Consumer<FaultyStorageIO> arm) {
    FaultyStorageIO io = new FaultyStorageIO();
    StorageOptions options = StorageOptions.defaults().withIo(io).withGroupCommit(groupCommit).withMaxSegmentBytes(1024);
    int acked = 0;
    StoreStorage s = StoreStorage.open(dir, options, new Recorder());
    try {
      s.append(new Operation.CreateCollection(SPEC));
      arm.accept(io);
      boolean failed = false;
      for (int i = 0; i < 200 && !failed; i++) {
        try {
          s.append(upsert(i));
          acked++;
        } catch (StorageException e) {
          failed = true;
          assertTrue(e.getMessage().contains(dir.toString()), "names the file: " + e.getMessage());
        }
      }
      assertTrue(failed, "the fault fired");
      io.heal();
      assertThrows(StorageException.class, () -> s.append(upsert(999)), "no writes after a failure");
    } finally {
      try {
        s.close();
      } catch (StorageException ignored) {
        // closing a failed storage may fail too; the directory must still open
      }
    }
    Recorder got = new Recorder();
    try (StoreStorage again = StoreStorage.open(dir, StorageOptions.defaults(), got)) {
      Map<String, Record> recs = got.records.get("c");
      for (int i = 0; i < acked; i++) {
        assertEquals(((Operation.Upsert) upsert(i)).records().get(0), recs.get("id" + i), "acknowledged upsert " + i);
      }
      assertTrue(recs.size() == acked || recs.size() == acked + 1, "at most the failed upsert extra: " + recs.size());
      if (recs.size() == acked + 1) {
        assertEquals(((Operation.Upsert) upsert(acked)).records().get(0), recs.get("id" + acked));
      }
      // And the reopened store works.
      again.append(upsert(1000));
    }
    return acked;
  }

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {false, true})
  void failedWrites(boolean group) {
    for (int n : new int[] {1, 2, 7, 30}) {
      runUntilFault(root.resolve("w" + n), group, io -> io.failWrite(n));
    }
  }

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {false, true})
  void failedForces(boolean group) {
    for (int n : new int[] {1, 2, 9, 40}) {
      runUntilFault(root.resolve("f" + n), group, io -> io.failForce(n));
    }
  }

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {false, true})
  void tornWrites(boolean group) {
    for (int n : new int[] {1, 3, 11, 25}) {
      for (int keep : new int[] {0, 1, 7, 19, 30}) {
        runUntilFault(root.resolve("t" + n + "-" + keep), group, io -> io.tearWrite(n, keep));
      }
    }
  }

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {false, true})
  void fullDisk(boolean group) {
    for (long budget : new long[] {0, 10, 100, 1000, 3333, 5000}) {
      runUntilFault(root.resolve("d" + budget), group, io -> io.diskFullAfter(budget));
    }
  }

  @Test
  void failuresWhileSnapshottingKeepTheOldStateAndTheStoreUsable() {
    int scenario = 0;
    List<Consumer<FaultyStorageIO>> faults = List.of(io -> io.failWrite(1), io -> io.failForce(2), io -> io.failMove(1),
        io -> io.failMove(2), io -> io.failDirSync(1), io -> io.failDirSync(2), io -> io.diskFullAfter(50),
        io -> io.tearWrite(2, 5));
    for (Consumer<FaultyStorageIO> fault : faults) {
      Path dir = root.resolve("s" + scenario++);
      FaultyStorageIO io = new FaultyStorageIO();
      StorageOptions options = StorageOptions.defaults().withIo(io).withMaxSegmentBytes(1024);
      Recorder live = new Recorder();
      try (StoreStorage s = StoreStorage.open(dir, options, new Recorder())) {
        for (Operation op : List.of(new Operation.CreateCollection(SPEC), upsert(1), upsert(2))) {
          s.append(op);
          live.apply(op);
        }
        fault.accept(io);
        try {
          s.snapshot(s.lastSequence(), live::writeTo);
        } catch (StorageException expected) {
          // the fault fired somewhere in the snapshot
        }
        io.heal();
      } catch (StorageException closeFailed) {
        // a failed roll poisons the log; closing it may report that again
      }
      Recorder got = new Recorder();
      try (StoreStorage s = StoreStorage.open(dir, StorageOptions.defaults(), got)) {
        assertEquals(live.records, got.records, "scenario " + scenario);
        s.append(upsert(3));
      }
    }
  }

  @Test
  void aFailedOpenReleasesTheLock() {
    Path dir = root.resolve("open");
    StoreStorage.open(dir, StorageOptions.defaults(), new Recorder()).close();
    FaultyStorageIO io = new FaultyStorageIO().failDirSync(1);
    assertThrows(StorageException.class, () -> StoreStorage.open(dir, StorageOptions.defaults().withIo(io), new Recorder()));
    StoreStorage.open(dir, StorageOptions.defaults(), new Recorder()).close();
  }

  /**
   * Concurrent group-committed appenders, then a simulated power cut that drops a random part of
   * everything not yet fsynced: every acknowledged entry survives.
   */
  @Test
  void powerLossAfterGroupCommitKeepsAcknowledgedEntries() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 10; round++) {
      Path dir = root.resolve("p" + round);
      FaultyStorageIO io = new FaultyStorageIO();
      StorageOptions options = StorageOptions.defaults().withIo(io).withMaxSegmentBytes(4096);
      Map<String, Boolean> acked = new ConcurrentHashMap<>();
      StoreStorage s = StoreStorage.open(dir, options, new Recorder());
      s.append(new Operation.CreateCollection(SPEC));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> futures = new ArrayList<>();
      int failAfter = 50 + random.nextInt(200);
      io.failForce(failAfter); // the "power cut" moment: the fsync in flight never completes
      for (int t = 0; t < 4; t++) {
        int base = t * 10_000;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 500; i++) {
            try {
              s.append(upsert(base + i));
              acked.put("id" + (base + i), true);
            } catch (StorageException e) {
              return null;
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      try {
        s.close();
      } catch (StorageException ignored) {
        // poisoned
      }
      io.simulatePowerLoss(random);
      Recorder got = new Recorder();
      StoreStorage.open(dir, StorageOptions.defaults(), got).close();
      Map<String, Record> recs = got.records.get("c");
      for (String id : acked.keySet()) {
        if (!recs.containsKey(id)) {
          fail("round " + round + ": acknowledged " + id + " lost after power loss");
        }
      }
    }
  }
}
