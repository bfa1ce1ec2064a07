package dev.quiver.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.StoreUri;
import dev.quiver.TransientVectorStoreException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import dev.quiver.conformance.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Remote failures against Qdrant's engine server (QUIVER_QDRANT_URL, started by
 * scripts/qdrant-edge-server.sh): network faults injected by a {@link FaultProxy} (delay, reset,
 * black hole) fail each call with a typed transient error within its deadline, and the same handle
 * works again soon after the network heals; a private engine server killed (SIGKILL) under a writer
 * and started again on the same port and data fails calls typed and in time while it is down, is
 * used again by the same handle within seconds, and loses or duplicates no acknowledged write.
 * Without QUIVER_QDRANT_URL every case is skipped with the reason printed.
 */
class QdrantEngineFaultTest {

  /** Each call's deadline in these tests (retries included). */
  static final Duration DEADLINE = Duration.ofMillis(1500);
  /** What a call may take beyond its deadline: scheduling on a busy 2-core machine, not retries. */
  static final long SLACK_MS = 1500;
  /** How soon the same handle must work again once the server or network is back. */
  static final long RECOVERY_BOUND_MS = 5000;

  static String host;
  static int port;
  static QdrantVectorStore direct;
  static String collection;

  @BeforeAll
  static void engine() {
    String url = System.getenv("QUIVER_QDRANT_URL");
    if (url == null || url.isBlank()) {
      String reason = "SKIPPED: QUIVER_QDRANT_URL is not set; start the engine with scripts/qdrant-edge-server.sh";
      System.out.println("Qdrant engine fault tests: " + reason);
      Assumptions.abort(reason);
    }
    StoreUri uri = StoreUri.parse(url.trim());
    host = uri.host().orElseThrow();
    port = uri.port().orElse(QdrantVectorStore.DEFAULT_PORT);
    direct = QdrantVectorStore.builder().host(host).port(port).build();
    collection = "faults_" + Long.toHexString(System.nanoTime());
    VectorCollection c = direct.createCollection(CollectionSpec.builder(collection).dimension(4)
        .metric(Metric.DOT_PRODUCT).index(IndexSpec.flat()).build());
    c.upsert(Record.of("a", new float[] {1, 0, 0, 0}, Metadata.of("n", 1000000000000000.5)));
  }

  @AfterAll
  static void cleanup() {
    if (direct != null) {
      direct.dropCollection(collection);
      direct.close();
    }
  }

  static QdrantVectorStore through(FaultProxy proxy) {
    return QdrantVectorStore.builder().host("127.0.0.1").port(proxy.port()).timeout(DEADLINE).build();
  }

  /** Runs a call that must fail with a transient typed error within the deadline; returns it. */
  static TransientVectorStoreException failsInTime(Runnable call) {
    long start = System.nanoTime();
    try {
      call.run();
    } catch (VectorStoreException e) {
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms <= DEADLINE.toMillis() + SLACK_MS, e.getClass().getSimpleName() + " after " + ms + " ms");
      return assertInstanceOf(TransientVectorStoreException.class, e, "a transient typed error");
    }
    return fail("the call succeeded through a broken network");
  }

  /** Calls until one succeeds; returns the milliseconds that took. Every failure must be typed and in time. */
  static long recovers(VectorCollection c) {
    long start = System.nanoTime();
    while (true) {
      long t = System.nanoTime();
      try {
        c.count();
        return (System.nanoTime() - start) / 1_000_000;
      } catch (VectorStoreException e) {
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertInstanceOf(TransientVectorStoreException.class, e);
        assertTrue(ms <= DEADLINE.toMillis() + SLACK_MS, "failed after " + ms + " ms");
      }
      if ((System.nanoTime() - start) / 1_000_000 > 60_000) {
        return fail("no recovery within 60 s");
      }
      sleep(20);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void delayBeyondTheDeadlineFailsInTimeAndShortDelaysPass() throws Exception {
    try (FaultProxy proxy = new FaultProxy(host, port); QdrantVectorStore store = through(proxy)) {
      VectorCollection c = store.collection(collection);
      proxy.mode(FaultProxy.Mode.DELAY).delayMillis(50);
      assertEquals(1, c.count(), "a short delay only slows calls down");
      proxy.delayMillis(3_000); // beyond the deadline; the proxy holds each chunk, so keep the stall short
      TransientVectorStoreException e = failsInTime(c::count);
      assertInstanceOf(DeadlineExceededException.class, e);
      proxy.mode(FaultProxy.Mode.PASS);
      long ms = recovers(c);
      System.out.println("Qdrant engine: after a delay fault the handle worked again in " + ms + " ms");
      assertTrue(ms < RECOVERY_BOUND_MS, ms + " ms");
    }
  }

  @Test
  void resetConnectionsFailInTimeAndTheHandleRecovers() throws Exception {
    try (FaultProxy proxy = new FaultProxy(host, port); QdrantVectorStore store = through(proxy)) {
      VectorCollection c = store.collection(collection);
      assertEquals(1, c.count());
      proxy.mode(FaultProxy.Mode.RESET);
      for (int i = 0; i < 8; i++) { // enough to open the circuit breaker
        assertInstanceOf(UnavailableException.class, failsInTime(c::count));
      }
      proxy.mode(FaultProxy.Mode.PASS);
      long ms = recovers(c);
      System.out.println("Qdrant engine: after resets (breaker open) the handle worked again in " + ms + " ms");
      assertTrue(ms < RECOVERY_BOUND_MS, ms + " ms");
    }
  }

  @Test
  void aBlackHoleFailsInTimeAndTheHandleRecovers() throws Exception {
    try (FaultProxy proxy = new FaultProxy(host, port); QdrantVectorStore store = through(proxy)) {
      VectorCollection c = store.collection(collection);
      assertEquals(1, c.count());
      proxy.mode(FaultProxy.Mode.BLACK_HOLE);
      assertInstanceOf(DeadlineExceededException.class, failsInTime(c::count), "on the open connection");
      proxy.resetAll();
      failsInTime(c::count); // on a new connection that is accepted but never answered
      proxy.mode(FaultProxy.Mode.PASS);
      long ms = recovers(c);
      System.out.println("Qdrant engine: after a black hole the handle worked again in " + ms + " ms");
      assertTrue(ms < RECOVERY_BOUND_MS, ms + " ms");
    }
  }

  /** One call of the writer: when it started, how long it took, and its error (null when acknowledged). */
  record Outcome(String op, long startNanos, long nanos, RuntimeException error) {}

  @Test
  void killedAndRestartedServerUnderAWriterLosesNoAcknowledgedWrite() throws Exception {
    String why = EngineServer.unavailableReason();
    if (why != null) {
      System.out.println("Qdrant engine restart test: SKIPPED: " + why);
      Assumptions.abort(why);
    }
    try (EngineServer server = EngineServer.create()) {
      server.start();
      long ready0 = server.awaitReady();
      System.out.println("Qdrant engine restart test: private server up in " + ready0 + " ms");
      try (QdrantVectorStore store = QdrantVectorStore.builder().host("127.0.0.1").port(server.port())
          .timeout(DEADLINE).build()) {
        VectorCollection c = store.createCollection(CollectionSpec.builder("restart").dimension(4)
            .metric(Metric.COSINE).index(IndexSpec.hnsw(8, 32)).build());
        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        Map<String, Metadata> acknowledged = new ConcurrentHashMap<>();
        Set<String> attempted = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> write(c, stop, outcomes, acknowledged, attempted), "writer");
        writer.start();

        sleep(2000);
        server.kill();
        long killed = System.nanoTime();
        sleep(2500);
        server.start();
        long readyMs = server.awaitReady();
        long ready = System.nanoTime();
        System.out.println("Qdrant engine restart test: killed, down "
            + (ready - killed) / 1_000_000 + " ms (process start " + readyMs + " ms)");
        // write on until the handle has worked again for a second, or past the recovery bound
        long writeUntil = ready + (RECOVERY_BOUND_MS + DEADLINE.toMillis() + SLACK_MS) * 1_000_000;
        Long recovered = null;
        while (System.nanoTime() < writeUntil && (recovered == null || System.nanoTime() - recovered < 1_000_000_000L)) {
          sleep(100);
          if (recovered == null) {
            recovered = outcomes.stream().filter(o -> o.error() == null && o.startNanos() + o.nanos() > ready)
                .map(o -> o.startNanos() + o.nanos()).findFirst().orElse(null);
          }
        }
        stop.set(true);
        writer.join(30_000);

        // every call: acknowledged, or a transient typed error within its deadline
        long failedDown = 0;
        long maxFailMs = 0;
        for (Outcome o : outcomes) {
          long ms = o.nanos() / 1_000_000;
          assertTrue(ms <= DEADLINE.toMillis() + SLACK_MS, o.op() + " took " + ms + " ms");
          if (o.error() != null) {
            assertInstanceOf(TransientVectorStoreException.class, o.error(), o.op());
            failedDown++;
            maxFailMs = Math.max(maxFailMs, ms);
          }
        }
        Outcome firstAfter = outcomes.stream()
            .filter(o -> o.error() == null && o.startNanos() + o.nanos() > ready)
            .findFirst().orElseThrow(() -> new AssertionError("the handle did not work again within "
                + (RECOVERY_BOUND_MS + DEADLINE.toMillis() + SLACK_MS) + " ms of the server being back; calls: "
                + timeline(outcomes, ready)));
        long recoveryMs = Math.max(0, (firstAfter.startNanos() + firstAfter.nanos() - ready) / 1_000_000);
        System.out.println("Qdrant engine restart test: " + outcomes.size() + " calls, " + failedDown
            + " failed typed (slowest " + maxFailMs + " ms); first success " + recoveryMs
            + " ms after the server was back; " + acknowledged.size() + " records acknowledged");
        assertTrue(failedDown > 0, "the kill was felt");
        assertTrue(recoveryMs < RECOVERY_BOUND_MS, "recovered after " + recoveryMs + " ms");

        // nothing acknowledged is lost, nothing is there twice, nothing unknown is there
        List<Record> got = c.get(acknowledged.keySet());
        assertEquals(acknowledged.size(), got.size(), "acknowledged records lost");
        for (Record r : got) {
          assertEquals(acknowledged.get(r.id()), r.metadata(), r.id());
        }
        List<String> listed = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
          Page p = c.list(cursor.map(x -> ListRequest.of(500).cursor(x)).orElse(ListRequest.of(500)));
          p.records().forEach(r -> listed.add(r.id()));
          cursor = p.nextCursor();
        } while (cursor.isPresent());
        assertEquals(listed.size(), new HashSet<>(listed).size(), "an id listed twice");
        assertEquals(listed.size(), c.count());
        assertTrue(attempted.containsAll(listed), "only written ids are there");
        assertTrue(listed.containsAll(acknowledged.keySet()));
      }
    }
  }

  private static void write(VectorCollection c, AtomicBoolean stop, List<Outcome> outcomes,
      Map<String, Metadata> acknowledged, Set<String> attempted) {
    for (int batch = 0; !stop.get(); batch++) {
      List<Record> records = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String id = "b" + batch + "-" + i;
        records.add(Record.of(id, new float[] {1, batch, i, 1},
            Metadata.of("batch", (long) batch, "x", batch + 1000000000000000.5)));
        attempted.add(id);
      }
      long start = System.nanoTime();
      try {
        c.upsert(records);
        outcomes.add(new Outcome("upsert", start, System.nanoTime() - start, null));
        records.forEach(r -> acknowledged.put(r.id(), r.metadata()));
      } catch (RuntimeException e) {
        outcomes.add(new Outcome("upsert", start, System.nanoTime() - start, e));
        sleep(50);
      }
      start = System.nanoTime();
      try {
        c.count();
        outcomes.add(new Outcome("count", start, System.nanoTime() - start, null));
      } catch (RuntimeException e) {
        outcomes.add(new Outcome("count", start, System.nanoTime() - start, e));
        sleep(50);
      }
    }
  }

  /** The calls near the restart as "op@start+ms:outcome", start relative to the server being back. */
  private static String timeline(List<Outcome> outcomes, long ready) {
    StringBuilder b = new StringBuilder();
    for (Outcome o : outcomes) {
      if (o.startNanos() + o.nanos() < ready - 3_000_000_000L) {
        continue; // the story around the restart is what matters
      }
      b.append(o.op()).append('@').append((o.startNanos() - ready) / 1_000_000).append('+')
          .append(o.nanos() / 1_000_000).append(':')
          .append(o.error() == null ? "ok" : o.error().getClass().getSimpleName()).append(' ');
    }
    return b.toString();
  }
}
