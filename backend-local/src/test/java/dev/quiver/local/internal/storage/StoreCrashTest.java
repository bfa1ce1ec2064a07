package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.local.LocalVectorStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs child JVMs that drive the whole engine ({@link StoreCrashWorkload}: a durable
 * {@code LocalVectorStore} with upserts, deletes by id and filter, updateMetadata and background
 * snapshots) and checks after every kill that the reopened store holds every acknowledged write and
 * nothing half-applied. 20 cycles by default; a long run:
 *
 * <pre>
 * mvn -B -pl backend-local test -Dtest=StoreCrashTest -Dquiver.crash.cycles=500 [-Dquiver.crash.seed=N]
 * </pre>
 */
class StoreCrashTest {

  @TempDir
  Path dir;

  @Test
  void killedEnginesLoseNoAcknowledgedWrite() throws Exception {
    int cycles = Integer.getInteger("quiver.crash.cycles", 20);
    long seed = Long.getLong("quiver.crash.seed", 20261127L);
    Path store = dir.resolve("store");
    System.out.println("engine crash harness: " + cycles + " kill cycles, seed " + seed + " (-Dquiver.crash.seed to repeat)");
    CrashHarness.Result result = CrashHarness.run(StoreCrashWorkload.class, store, cycles, seed, System.out::println);
    System.out.println("engine crash harness result: " + result);
    assertEquals(cycles, result.cycles());
    assertTrue(result.acknowledged() > 0, "children acknowledged writes before being killed");
    // The survivor is an ordinary store: it takes writes and keeps them across a clean reopen.
    long before;
    try (LocalVectorStore s = LocalVectorStore.open(store)) {
      VectorCollection c = s.collection("hnsw");
      before = c.count();
      c.upsert(List.of(StoreCrashWorkload.record("final", 0)));
    }
    try (LocalVectorStore s = LocalVectorStore.open(store)) {
      VectorCollection c = s.collection("hnsw");
      assertEquals(before + 1, c.count());
      Record want = StoreCrashWorkload.record("final", 0);
      assertEquals(List.of(want), c.get(List.of(want.id())));
      StoreCrashWorkload.coreChecks(c, StoreCrashWorkload.listAll(c));
    }
  }
}
