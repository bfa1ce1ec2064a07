package dev.quiver.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.StoreUri;
import dev.quiver.UnavailableException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import dev.quiver.conformance.FaultProxy;
import dev.quiver.spi.RemotePolicy;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * Network faults between the adapter and Milvus Lite ({@code QUIVER_MILVUS_URI}), injected by the
 * conformance kit's {@link FaultProxy}: a delayed network, reset connections, a black hole and a
 * refused port. Every failing call must end in a transient, typed error within its deadline (plus a
 * little slack for scheduling on a busy machine), and the same store handle must work again once the
 * network does. {@link MilvusServerFaultTest} runs the same against real Milvus.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MilvusFaultTest {

  static final Duration DEADLINE = Duration.ofSeconds(2);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** Scheduling slack on a shared 2-core machine; the failures themselves come from the deadline. */
  static final long SLACK_MS = 1_500;

  FaultProxy proxy;
  MilvusVectorStore store;
  VectorCollection c;

  /** @return the address of the server under test (overridden for real Milvus) */
  String serverUri() {
    return MilvusTestServer.uri();
  }

  String label() {
    return "Milvus Lite";
  }

  @BeforeAll
  void setUp() throws Exception {
    // The first connect of a JVM loads and initialises gRPC, Netty and the SDK (about 2 s here); that
    // is not what the short deadlines below are about, so it happens first with the default deadline.
    MilvusVectorStore.builder().uri(serverUri()).build().close();
    StoreUri server = StoreUri.parse(serverUri());
    proxy = new FaultProxy(server.host().orElse("127.0.0.1"), server.port().orElse(19530));
    store = openThrough(proxy.port(), DEADLINE);
    String name = "fault-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    c = store.createCollection(CollectionSpec.builder(name).dimension(4).build());
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(Record.of("r" + i, new float[] {1 + i, 1, 0, 0}, Metadata.of("i", i)));
    }
    c.upsert(records);
  }

  MilvusVectorStore openThrough(int port, Duration deadline) {
    return MilvusVectorStore.builder().uri(serverUri()).host("127.0.0.1").port(port)
        .deadline(deadline).connectTimeout(CONNECT_TIMEOUT).build();
  }

  @AfterEach
  void heal() {
    proxy.mode(FaultProxy.Mode.PASS);
  }

  @AfterAll
  void tearDown() throws InterruptedException {
    if (proxy != null) {
      proxy.mode(FaultProxy.Mode.PASS);
    }
    if (store != null && c != null) {
      recovers();
      store.dropCollection(c.name());
    }
    if (store != null) {
      store.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  /**
   * After a fault the same handle works again: at once, or, if the fault's failures opened the
   * shared circuit breaker ({@link RemotePolicy}: 5 transient failures in a row, every attempt
   * counts), as soon as the breaker lets a call through. Until then calls fail fast, and only that
   * refusal is waited out.
   */
  private void recovers() throws InterruptedException {
    long end = System.nanoTime() + (RemotePolicy.DEFAULT.breakerOpenFor().toMillis() + DEADLINE.toMillis() + SLACK_MS)
        * 1_000_000L;
    while (true) {
      try {
        c.count();
        break;
      } catch (UnavailableException e) {
        if (!String.valueOf(e.getMessage()).contains("circuit breaker") || System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
    worksAgain();
  }

  /** The same handle answers everything. */
  private void worksAgain() {
    assertEquals(10, c.count());
    assertEquals(Metadata.of("i", 3L), c.get("r3").orElseThrow().metadata());
    assertEquals("r0", c.search(SearchRequest.of(new float[] {1, 1, 0, 0}, 3)).get(0).id());
    c.upsert(List.of(Record.of("r9", new float[] {10, 1, 0, 0}, Metadata.of("i", 9))));
  }

  /**
   * @return the failure of {@code call}, asserted to be transient (unavailable or deadline exceeded)
   *     and to come within {@code limitMs}
   */
  private VectorStoreException failsTransiently(String what, long limitMs, Executable call) {
    long t0 = System.nanoTime();
    VectorStoreException e = assertThrows(VectorStoreException.class, call, what);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("MEASURED " + label() + ": " + what + " failed after " + ms + " ms with "
        + e.getClass().getSimpleName());
    assertTrue(e instanceof UnavailableException || e instanceof DeadlineExceededException, what + ": " + e);
    assertTrue(e.isTransient(), what + ": " + e);
    assertTrue(ms <= limitMs, what + " took " + ms + " ms, more than " + limitMs + " ms: " + e);
    return e;
  }

  @Test
  void aDelayedNetworkIsSlowerButWorks() throws InterruptedException {
    proxy.delayMillis(100).mode(FaultProxy.Mode.DELAY);
    long t0 = System.nanoTime();
    worksAgain();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("MEASURED " + label() + ": four calls with 100 ms delay per chunk took " + ms + " ms");
    assertTrue(ms >= 4 * 100, "each call waits for at least one delayed chunk; took " + ms + " ms");
    // a network slower than the deadline: the call gives up at the deadline
    proxy.delayMillis((int) DEADLINE.toMillis() + 1_000);
    failsTransiently("count over a network slower than the deadline", DEADLINE.toMillis() + SLACK_MS, c::count);
    proxy.mode(FaultProxy.Mode.PASS);
    recovers();
  }

  @Test
  void resetConnectionsFailTransientlyAndTheSameHandleRecovers() throws InterruptedException {
    worksAgain();
    proxy.mode(FaultProxy.Mode.RESET);
    failsTransiently("count through reset connections", DEADLINE.toMillis() + SLACK_MS, c::count);
    failsTransiently("upsert through reset connections", DEADLINE.toMillis() + SLACK_MS,
        () -> c.upsert(List.of(Record.of("r1", new float[] {2, 1, 0, 0}, Metadata.of("i", 1)))));
    proxy.mode(FaultProxy.Mode.PASS);
    recovers();
  }

  @Test
  void aBlackHoleFailsWithinTheDeadlineAndTheSameHandleRecovers() throws InterruptedException {
    worksAgain();
    proxy.mode(FaultProxy.Mode.BLACK_HOLE);
    failsTransiently("count into a black hole", DEADLINE.toMillis() + SLACK_MS, c::count);
    failsTransiently("opening a store into a black hole", DEADLINE.toMillis() + SLACK_MS,
        () -> openThrough(proxy.port(), DEADLINE).close());
    proxy.mode(FaultProxy.Mode.PASS);
    recovers();
  }

  @Test
  void aRefusedPortFailsFast() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    // a long deadline and connect timeout: a refused port must not wait for either
    failsTransiently("opening a store on a refused port", 2_000, () -> MilvusVectorStore.builder().uri(serverUri())
        .host("127.0.0.1").port(closed).deadline(Duration.ofSeconds(30)).connectTimeout(Duration.ofSeconds(10)).build());
  }

  @Test
  void aServerThatGoesAwayFailsWithinTheDeadlineThenFast() throws Exception {
    FaultProxy own = new FaultProxy(StoreUri.parse(serverUri()).host().orElse("127.0.0.1"),
        StoreUri.parse(serverUri()).port().orElse(19530));
    try (MilvusVectorStore other = openThrough(own.port(), DEADLINE)) {
      VectorCollection same = other.collection(c.name());
      assertEquals(10, same.count());
      own.close(); // the port now refuses connections; the open one is reset
      failsTransiently("count after the port went away", DEADLINE.toMillis() + SLACK_MS, same::count);
      // the failed connection was dropped: the next call connects afresh and is refused at once
      VectorStoreException e = failsTransiently("count on the refused port", DEADLINE.toMillis(), same::count);
      assertInstanceOf(UnavailableException.class, e);
    } finally {
      own.close();
    }
  }
}
