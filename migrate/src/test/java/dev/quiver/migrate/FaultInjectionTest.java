package dev.quiver.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.conformance.FaultProxy;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults during the copy: 429 (with Retry-After) and 5xx from the Pinecone emulator, and dropped
 * connections (a fault proxy resetting every connection for a while, as in a server restart) in
 * front of Milvus Lite and the Qdrant engine server. The run either completes, retrying, or stops
 * with a typed {@link CopyFailedException} and then resumes to an exact copy.
 */
class FaultInjectionTest {

  static final int N = 3_000;
  static final int DIM = 16;

  @TempDir
  Path dir;

  private static List<Record> data() {
    return TestData.simple(N, DIM, 11);
  }

  private static VectorCollection memorySource(VectorStore store) {
    VectorCollection c = store.createCollection(CollectionSpec.builder("src").dimension(DIM).metric(Metric.COSINE)
        .index(IndexSpec.hnsw(16, 64)).build());
    c.upsert(data());
    return c;
  }

  /** Calls {@code action} once, when the copy (not the plan's scan) has acknowledged {@code after} records. */
  private static ProgressListener at(long after, Runnable action) {
    AtomicBoolean fired = new AtomicBoolean();
    AtomicBoolean copying = new AtomicBoolean();
    return new ProgressListener() {
      @Override
      public void phase(String phase, long total, long done) {
        copying.set(phase.equals("copy"));
      }

      @Override
      public void progress(long done, long skipped) {
        if (copying.get() && done >= after && fired.compareAndSet(false, true)) {
          action.run();
        }
      }
    };
  }

  /** Retries a test's own call while the adapter's circuit breaker is still open after an outage. */
  private static void eventually(Runnable call) {
    for (int i = 0; ; i++) {
      try {
        call.run();
        return;
      } catch (dev.quiver.VectorStoreException e) {
        if (!e.isTransient() || i == 40) {
          throw e;
        }
        sleep(500);
      }
    }
  }

  @Test
  void pineconeRateLimitsAndServerErrorsAreRetried() {
    try (PineconeEmulator emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES);
        VectorStore pc = Quiver.open(emulator.storeUri()); VectorStore mem = Quiver.open("memory:")) {
      VectorCollection src = memorySource(mem);
      MigrationReport r = Migration.from(src).to(pc, "faulty").retries(10, Duration.ofMillis(300))
          .batchSize(100).rate(3000) // keeps the copy going when the faults are armed
          .listener(at(500, () -> emulator.failNext("/vectors/upsert", 429, "1", 3)
              .failNext("/vectors/upsert", 503, null, 6)))
          .checkpoint(dir.resolve("pc.json")).run();
      assertTrue(r.ok(), r.describe());
      int batches = (N + 99) / 100;
      assertTrue(emulator.requests("/vectors/upsert").size() >= batches + 9,
          "the 9 failed upserts were retried (by the adapter or the migration): " + r.describe());
      TestData.assertExactly(TestData.byId(data()), pc.collection("faulty"));

      // and out of Pinecone, with list and fetch failing
      emulator.failNext("/vectors/list", 500, null, 3).failNext("/vectors/fetch", 429, "1", 3);
      MigrationReport back = Migration.from(pc.collection("faulty")).to(mem, "back").retries(10, Duration.ofMillis(300))
          .checkpoint(dir.resolve("back.json")).run();
      assertTrue(back.ok(), back.describe());
      TestData.assertExactly(TestData.byId(data()), mem.collection("back"));
    }
  }

  @Test
  void exhaustedRetriesStopWithATypedErrorThenResume() {
    try (PineconeEmulator emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES);
        VectorStore pc = Quiver.open(emulator.storeUri()); VectorStore mem = Quiver.open("memory:")) {
      VectorCollection src = memorySource(mem);
      Path cp = dir.resolve("stop.json");
      CopyFailedException e = assertThrows(CopyFailedException.class, () -> Migration.from(src).to(pc, "stopped")
          .retries(1, Duration.ofMillis(10)).batchSize(250)
          .listener(at(1000, () -> emulator.failNext("/vectors/upsert", 503, null, 12)))
          .checkpoint(cp).run());
      assertTrue(e.isTransient(), "a 503 is transient: " + e);
      assertTrue(e.getCause() instanceof dev.quiver.UnavailableException, String.valueOf(e.getCause()));
      Checkpoint c = Checkpoint.read(cp);
      assertEquals(e.copied(), c.written(), "the error reports what the checkpoint holds");
      assertTrue(c.written() >= 1000 && c.written() < N, "stopped mid-copy: " + c);
      MigrationReport r = Migration.from(src).to(pc, "stopped").retries(10, Duration.ofMillis(300)).batchSize(250)
          .checkpoint(cp).resume(true).run();
      assertTrue(r.ok(), r.describe());
      assertEquals(N, r.writtenTotal());
      TestData.assertExactly(TestData.byId(data()), pc.collection("stopped"));
    }
  }

  /**
   * Short outages only: on a dead connection each Milvus call waits for its 30-s deadline (the SDK's
   * stubs wait for the channel to be ready), so an outage longer than the retries takes minutes to
   * surface; the typed-error-and-resume path is run against Qdrant and Pinecone instead.
   */
  @Test
  void droppedConnectionsToMilvusLite() throws Exception {
    proxied("QUIVER_MILVUS_URI", false);
  }

  @Test
  void droppedConnectionsToQdrant() throws Exception {
    proxied("QUIVER_QDRANT_URL", true);
  }

  private void proxied(String env, boolean longOutage) throws Exception {
    String uri = System.getenv(env);
    Assumptions.assumeTrue(uri != null && !uri.isBlank(), env + " is not set (scripts/test.sh sets it)");
    URI u = URI.create(uri);
    String name = "fault-" + Long.toHexString(System.nanoTime() & 0xfffff);
    try (FaultProxy proxy = new FaultProxy(u.getHost(), u.getPort());
        VectorStore remote = Quiver.open(u.getScheme() + "://127.0.0.1:" + proxy.port());
        VectorStore mem = Quiver.open("memory:")) {
      try {
        VectorCollection src = memorySource(mem);
        // 1. connections reset for three seconds mid-copy (a server restart): the run rides it out
        MigrationReport r = Migration.from(src).to(remote, name).retries(8, Duration.ofMillis(500)).batchSize(250)
            .listener(at(1000, () -> {
              proxy.mode(FaultProxy.Mode.RESET);
              Thread t = new Thread(() -> {
                sleep(3000);
                proxy.mode(FaultProxy.Mode.PASS);
              });
              t.setDaemon(true);
              t.start();
            })).checkpoint(dir.resolve(name + ".json")).run();
        assertTrue(r.ok(), r.describe());
        TestData.assertExactly(TestData.byId(data()), remote.collection(name));

        // 2. an outage longer than the retries: a typed error, then resume finishes the copy
        if (longOutage) {
          eventually(() -> remote.dropCollection(name));
          Path cp = dir.resolve(name + "-2.json");
          CopyFailedException e = assertThrows(CopyFailedException.class, () -> Migration.from(src).to(remote, name)
              .retries(2, Duration.ofMillis(50)).batchSize(250)
              .listener(at(1000, () -> proxy.mode(FaultProxy.Mode.RESET))).checkpoint(cp).run());
          assertTrue(e.isTransient(), String.valueOf(e.getCause()));
          Checkpoint stopped = Checkpoint.read(cp);
          assertEquals(e.copied(), stopped.written());
          assertTrue(stopped.written() >= 1000 && stopped.written() < N, "stopped mid-copy: " + stopped);
          proxy.mode(FaultProxy.Mode.PASS);
          MigrationReport resumed = Migration.from(src).to(remote, name).retries(8, Duration.ofMillis(500))
              .batchSize(250).checkpoint(cp).resume(true).run();
          assertTrue(resumed.ok(), resumed.describe());
          assertEquals(N, resumed.writtenTotal());
          TestData.assertExactly(TestData.byId(data()), remote.collection(name));
        }

        // 3. the same outage on the reading side: the target is local, the source is behind the proxy
        MigrationReport out = Migration.from(remote.collection(name)).to(mem, "back").retries(8, Duration.ofMillis(500))
            .batchSize(250).listener(at(1000, () -> {
              proxy.mode(FaultProxy.Mode.RESET);
              Thread t = new Thread(() -> {
                sleep(3000);
                proxy.mode(FaultProxy.Mode.PASS);
              });
              t.setDaemon(true);
              t.start();
            })).run();
        assertTrue(out.ok(), out.describe());
        TestData.assertExactly(TestData.byId(data()), mem.collection("back"));
      } finally {
        proxy.mode(FaultProxy.Mode.PASS);
        eventually(() -> remote.dropCollection(name));
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
