package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.StorageException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills writing child JVMs with SIGKILL at random moments and checks that every acknowledged write
 * survives and nothing is half-applied. 20 cycles by default; a long run:
 *
 * <pre>
 * mvn -B -pl backend-local test -Dtest=CrashTest -Dquiver.crash.cycles=500 [-Dquiver.crash.seed=N]
 * </pre>
 */
class CrashTest {

  @TempDir
  Path dir;

  @Test
  void killedWritersLoseNoAcknowledgedWrite() throws Exception {
    int cycles = Integer.getInteger("quiver.crash.cycles", 20);
    long seed = Long.getLong("quiver.crash.seed", 20261126L);
    System.out.println("crash harness: " + cycles + " kill cycles, seed " + seed + " (-Dquiver.crash.seed to repeat)");
    CrashHarness.Result result = CrashHarness.run(WalCrashWorkload.class, dir.resolve("store"), cycles, seed,
        System.out::println);
    System.out.println("crash harness result: " + result);
    assertEquals(cycles, result.cycles());
    assertTrue(result.acknowledged() > 0, "children acknowledged writes before being killed");
  }

  @Test
  void anotherProcessCannotOpenALockedStore() throws Exception {
    Path store = dir.resolve("locked");
    try (CrashHarness.Child holder = CrashHarness.start(WalCrashWorkload.LockHolder.class, store, 1)) {
      assertTrue(holder.ready.await(60, TimeUnit.SECONDS), "holder opened the store; stderr: " + holder.stderr());
      StorageException e = assertThrows(StorageException.class,
          () -> StoreStorage.open(store, StorageOptions.defaults(), new Recorder()));
      assertTrue(e.getMessage().contains("already open"), e.getMessage());
    }
    // SIGKILL released the lock with the process.
    StoreStorage.open(store, StorageOptions.defaults(), new Recorder()).close();
  }
}
