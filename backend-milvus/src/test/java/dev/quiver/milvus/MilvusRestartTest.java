package dev.quiver.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A server restarted in the middle of a load (a private Milvus Lite here, real Milvus in
 * {@link MilvusServerRestartTest}): a writer upserts batches with its own ids and records which were
 * acknowledged. Every call must succeed or end in a transient, typed error within its deadline; after
 * the restart the same store handle must work (get, search, count, list), every acknowledged record
 * must be there, and nothing may be there twice or be there that was never sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MilvusRestartTest {

  static final int BATCH = 20;
  static final int DIM = 8;
  /** Scheduling slack on a shared 2-core machine. */
  static final long SLACK_MS = 1_500;

  /** @return the private server (overridden for real Milvus); skips unless the test environment has this server */
  PrivateServer server() throws Exception {
    MilvusTestServer.uri(); // skips with the reason printed when there is no Milvus Lite to test against
    return new PrivateServer("milvus-lite.sh", "MILVUS_LITE", Map.of());
  }

  Duration deadline() {
    return Duration.ofSeconds(3);
  }

  /** @return a builder for a store on the private server (with the token the real one requires) */
  MilvusVectorStore.Builder storeOn(String uri) {
    return MilvusVectorStore.builder().uri(uri);
  }

  PrivateServer server;
  String uri;

  @BeforeAll
  void startServer() throws Exception {
    server = server();
    uri = server.start();
    // The first connect of a JVM loads and initialises gRPC, Netty and the SDK (2-5 s on a busy small
    // machine); that is not what the short deadlines below are about, so it happens first with the default.
    storeOn(uri).build().close();
  }

  @AfterAll
  void stopServer() throws Exception {
    if (server != null) {
      server.destroy();
    }
  }

  /** The writer: batch b holds ids b-0 .. b-19; records what was acknowledged and what went wrong. */
  static final class Writer implements Runnable {
    final VectorCollection c;
    final long limitMs;
    final Map<Integer, List<Record>> attempted = new ConcurrentHashMap<>();
    final Set<Integer> acked = ConcurrentHashMap.newKeySet();
    final List<Integer> failed = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final AtomicInteger ackedCount = new AtomicInteger();
    volatile long slowestFailureMs;
    volatile boolean stop;

    Writer(VectorCollection c, long limitMs) {
      this.c = c;
      this.limitMs = limitMs;
    }

    static List<Record> batch(int b) {
      List<Record> out = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        float[] v = new float[DIM];
        v[0] = b + 1;
        v[1 + i % (DIM - 1)] = i + 1;
        out.add(Record.of(b + "-" + i, v, Metadata.of("batch", b, "i", i)));
      }
      return out;
    }

    @Override
    public void run() {
      for (int b = 0; !stop; b++) {
        List<Record> batch = batch(b);
        attempted.put(b, batch);
        long t0 = System.nanoTime();
        try {
          c.upsert(batch);
          acked.add(b);
          ackedCount.incrementAndGet();
        } catch (VectorStoreException e) {
          long ms = (System.nanoTime() - t0) / 1_000_000;
          failed.add(b);
          slowestFailureMs = Math.max(slowestFailureMs, ms);
          if (!e.isTransient()) {
            problems.add("batch " + b + ": not transient: " + e);
          }
          if (ms > limitMs) {
            problems.add("batch " + b + ": failed after " + ms + " ms, beyond " + limitMs + " ms: " + e);
          }
        } catch (RuntimeException e) {
          failed.add(b);
          problems.add("batch " + b + ": not a Quiver exception: " + e);
          e.printStackTrace(System.out);
        }
        if (failed.contains(b)) {
          pause(); // a writer backs off after a failure instead of spinning on an open circuit breaker
        }
      }
    }

    private static void pause() {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void theSameHandleWorksAfterARestartAndNoAcknowledgedWriteIsLost() throws Exception {
    try (MilvusVectorStore store = storeOn(uri).deadline(deadline()).build()) {
      VectorCollection c = store.createCollection(CollectionSpec.builder("restart").dimension(DIM)
          .metric(Metric.EUCLIDEAN).build());
      Writer w = new Writer(c, deadline().toMillis() + SLACK_MS);
      Thread t = new Thread(w, "restart-test-writer");
      t.start();
      try {
        waitFor(() -> w.ackedCount.get() >= 10, 60, "10 batches acknowledged before the restart");
        long t0 = System.nanoTime();
        server.stop();
        long stopMs = (System.nanoTime() - t0) / 1_000_000;
        server.start();
        long downMs = (System.nanoTime() - t0) / 1_000_000;
        int before = w.ackedCount.get();
        waitFor(() -> w.ackedCount.get() >= before + 10, 120, "10 batches acknowledged after the restart");
        w.stop = true;
        t.join(60_000);
        System.out.println("MEASURED " + server + ": stopped in " + stopMs + " ms, down for " + downMs + " ms; "
            + w.acked.size() + " batches"
            + " acknowledged, " + w.failed.size() + " failed, the slowest failure after " + w.slowestFailureMs + " ms");
      } finally {
        w.stop = true;
        t.join(60_000);
      }
      assertEquals(List.of(), w.problems);
      assertFalse(t.isAlive(), "the writer ended");

      // the same handle: every acknowledged record is there, nothing twice, nothing that was never sent
      Set<String> sent = new HashSet<>();
      Set<String> acknowledged = new HashSet<>();
      w.attempted.forEach((b, records) -> records.forEach(r -> sent.add(r.id())));
      for (int b : w.acked) {
        w.attempted.get(b).forEach(r -> acknowledged.add(r.id()));
      }
      List<String> listed = listIds(c);
      Set<String> present = new HashSet<>(listed);
      assertEquals(present.size(), listed.size(), "list returns each record once");
      assertEquals(present.size(), c.count(), "count agrees with list: no duplicates");
      assertTrue(present.containsAll(acknowledged), "every acknowledged record survived the restart");
      assertTrue(sent.containsAll(present), "nothing is there that was never sent");
      assertEquals(acknowledged.size(), c.get(acknowledged).size(), "get finds every acknowledged record");
      int b = w.acked.iterator().next();
      Record probe = w.attempted.get(b).get(3);
      List<Match> hits = c.search(SearchRequest.of(probe.vector(), 1));
      assertEquals(probe.id(), hits.get(0).id(), "search works on the same handle");

      // the failed batches may or may not have been written; upserting them again settles it exactly
      for (int f : w.failed) {
        c.upsert(w.attempted.get(f));
      }
      assertEquals(sent.size(), c.count(), "after re-sending the failed batches every record is there once");
      store.dropCollection(c.name());
    }
  }

  private static List<String> listIds(VectorCollection c) {
    List<String> ids = new ArrayList<>();
    ListRequest req = ListRequest.of(500);
    for (Page p = c.list(req); ; p = c.list(req.cursor(p.nextCursor().get()))) {
      p.records().forEach(r -> ids.add(r.id()));
      if (p.nextCursor().isEmpty()) {
        return ids;
      }
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, int seconds, String what)
      throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + seconds + " s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
