package dev.quiver.pinecone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.IndexSpec;
import dev.quiver.Record;
import dev.quiver.Secret;
import dev.quiver.TransientVectorStoreException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import dev.quiver.conformance.FaultProxy;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import dev.quiver.spi.RemotePolicy;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A dead or misbehaving network between the adapter and Pinecone (the emulator behind a
 * {@link FaultProxy}): every call ends within its deadline (the policy's call budget) with a typed
 * transient error, fails fast on a refused connection, and works again once the network does.
 */
class NetworkFaultTest {

  /** The call budget of the stores here: retries included, a call ends within it. */
  private static final Duration BUDGET = Duration.ofSeconds(2);
  /** Room for scheduling on a busy machine; the bounds are "within the deadline", never "this fast". */
  private static final Duration SLACK = Duration.ofSeconds(2);
  /** Deadline of one HTTP attempt, longer than the budget on purpose. */
  private static final Duration ATTEMPT = Duration.ofSeconds(10);
  private static final RemotePolicy POLICY =
      new RemotePolicy(3, Duration.ofMillis(50), Duration.ofMillis(500), BUDGET, 0, Duration.ofSeconds(1));

  private PineconeEmulator emulator;
  private FaultProxy proxy;
  private PineconeVectorStore store;
  private VectorCollection c;

  @BeforeEach
  void start() throws Exception {
    emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES).describesUntilReady(0);
    proxy = new FaultProxy("127.0.0.1", emulator.port());
    store = throughProxy(POLICY);
    c = store.createCollection(CollectionSpec.builder("faults").dimension(2).index(IndexSpec.hnsw(16, 200)).build());
    c.upsert(Record.of("a", new float[] {1, 0}));
  }

  @AfterEach
  void stop() {
    store.close();
    proxy.close();
    emulator.close();
  }

  /**
   * Control and data plane both through the proxy. An attempt may take 10 s, far beyond the call's
   * {@link #BUDGET}: a call that ends within the budget shows that the budget cuts the attempt short.
   */
  private PineconeVectorStore throughProxy(RemotePolicy policy) {
    return PineconeVectorStore.builder().apiKey(Secret.of(PineconeEmulator.API_KEY)).tls(false)
        .controlPlaneUrl("http://127.0.0.1:" + proxy.port())
        .indexHost("127.0.0.1:" + proxy.port() + "/data/faults")
        .timeouts(Duration.ofSeconds(1), ATTEMPT)
        .readyTimeout(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(1), Duration.ofMillis(20))
        .freshnessTimeout(Duration.ZERO) // one HTTP call per operation: the faults hit the call under test
        .remotePolicy(policy)
        .build();
  }

  /** Runs a call that must fail; returns its error and checks it came within {@code within}. */
  private static <T extends VectorStoreException> T failsWithin(Class<T> type, Duration within, Runnable call) {
    long start = System.nanoTime();
    try {
      call.run();
    } catch (RuntimeException e) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertInstanceOf(type, e, String.valueOf(e));
      assertTrue(((VectorStoreException) e).isTransient(), "a network failure is transient: " + e);
      assertTrue(took.compareTo(within) <= 0, "took " + took + ", allowed " + within + ": " + e);
      return type.cast(e);
    }
    return fail("expected " + type.getSimpleName());
  }

  @Test
  void slowNetworkWithinTheDeadlineStillWorks() {
    proxy.delayMillis(100).mode(FaultProxy.Mode.DELAY);
    assertEquals(1, c.count());
  }

  @Test
  void delayBeyondTheDeadlineIsDeadlineExceededWithinTheBudget() {
    proxy.delayMillis(5_000).mode(FaultProxy.Mode.DELAY);
    failsWithin(DeadlineExceededException.class, BUDGET.plus(SLACK), c::count);
    failsWithin(DeadlineExceededException.class, BUDGET.plus(SLACK), () -> c.get("a"));
  }

  @Test
  void resetConnectionsAreUnavailableThenRecover() {
    proxy.mode(FaultProxy.Mode.RESET);
    failsWithin(UnavailableException.class, BUDGET.plus(SLACK), c::count);
    failsWithin(UnavailableException.class, BUDGET.plus(SLACK), store::listCollections);
    failsWithin(UnavailableException.class, BUDGET.plus(SLACK), () -> c.upsert(Record.of("b", new float[] {0, 1})));
    proxy.mode(FaultProxy.Mode.PASS);
    assertEquals(List.of("faults"), store.listCollections());
    c.upsert(Record.of("b", new float[] {0, 1})); // the refused write, repeated: upserts are idempotent
    assertEquals(2, c.count());
  }

  /**
   * FaultProxy's black hole swallows the traffic of open connections, but closes new ones at once
   * (it never connects upstream, and its pump then ends), so a call sees a timeout or a dropped
   * connection depending on which it hits: a transient error either way.
   * {@link #deadServerIsDeadlineExceededWithinTheBudget} has a server that never answers.
   */
  @Test
  void blackHoleIsATransientErrorWithinTheBudgetThenRecovers() {
    proxy.mode(FaultProxy.Mode.BLACK_HOLE);
    failsWithin(TransientVectorStoreException.class, BUDGET.plus(SLACK), c::count);
    failsWithin(TransientVectorStoreException.class, BUDGET.plus(SLACK), store::listCollections);
    failsWithin(TransientVectorStoreException.class, BUDGET.plus(SLACK),
        () -> c.upsert(Record.of("c", new float[] {1, 1})));
    proxy.mode(FaultProxy.Mode.PASS);
    proxy.resetAll(); // the pooled connections were swallowed: drop them
    c.upsert(Record.of("c", new float[] {1, 1})); // outcome was unknown: write again
    assertArrayEquals(new float[] {1, 1}, c.get("c").orElseThrow().vector());
    assertEquals(2, c.count());
  }

  @Test
  void deadServerIsDeadlineExceededWithinTheBudget() throws Exception {
    // the kernel completes the handshake and takes the request into the backlog; nobody ever answers
    try (ServerSocket dead = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        PineconeVectorStore s = PineconeVectorStore.builder().apiKey(Secret.of(PineconeEmulator.API_KEY)).tls(false)
            .controlPlaneUrl("http://127.0.0.1:" + dead.getLocalPort())
            .timeouts(Duration.ofSeconds(1), ATTEMPT).remotePolicy(POLICY).build()) {
      failsWithin(DeadlineExceededException.class, BUDGET.plus(SLACK), s::listCollections);
      failsWithin(DeadlineExceededException.class, BUDGET.plus(SLACK), () -> s.createCollection(
          CollectionSpec.builder("never").dimension(2).index(IndexSpec.hnsw(16, 200)).build()));
    }
  }

  @Test
  void closedPortFailsFastNotAtTheDeadline() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // closed again at once: connections are refused
    }
    try (PineconeVectorStore dead = PineconeVectorStore.builder().apiKey(Secret.of(PineconeEmulator.API_KEY))
        .tls(false).controlPlaneUrl("http://127.0.0.1:" + closedPort)
        .timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10)).build()) { // default policy: a 30 s budget
      // refused connections are retried (3 attempts with backoff) but never waited out to a timeout
      failsWithin(UnavailableException.class, Duration.ofSeconds(5), dead::listCollections);
      failsWithin(UnavailableException.class, Duration.ofSeconds(5), () -> dead.hasCollection("x"));
    }
  }

  @Test
  void breakerFailsFastWhileOpenAndLetsAProbeThroughAfterwards() throws Exception {
    try (PineconeVectorStore guarded = throughProxy(
        new RemotePolicy(1, Duration.ofMillis(10), Duration.ofMillis(10), BUDGET, 2, Duration.ofMillis(500)))) {
      VectorCollection g = guarded.collection("faults");
      proxy.mode(FaultProxy.Mode.RESET);
      failsWithin(UnavailableException.class, BUDGET.plus(SLACK), g::count);
      failsWithin(UnavailableException.class, BUDGET.plus(SLACK), g::count);
      proxy.mode(FaultProxy.Mode.PASS);
      emulator.clearRequests();
      UnavailableException open = failsWithin(UnavailableException.class, BUDGET.plus(SLACK), g::count);
      assertTrue(open.getMessage().contains("circuit breaker"), open.getMessage());
      assertEquals(List.of(), emulator.requests(), "an open breaker sends nothing");
      Thread.sleep(700); // past breakerOpenFor
      assertEquals(1, g.count());
    }
  }
}
