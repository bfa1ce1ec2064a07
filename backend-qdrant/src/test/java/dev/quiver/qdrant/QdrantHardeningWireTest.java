package dev.quiver.qdrant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.AuthenticationException;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.InvalidFilterException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.Secret;
import dev.quiver.UnavailableException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.VectorStoreException;
import dev.quiver.qdrant.internal.Payloads;
import dev.quiver.qdrant.internal.PointIds;
import dev.quiver.spi.RemotePolicy;
import io.grpc.Status;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.ScrollResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests of the hardening, over the in-process wire server: doubles Qdrant would round are
 * kept and filtered exactly, planted secrets never leave in a message, cause chain or toString,
 * unpaired surrogates and damaged or foreign cursors are refused before anything is sent, and a
 * closed port fails fast and typed.
 */
class QdrantHardeningWireTest {

  static final String KEY = "s3cr3t-K3y-planted";

  FakeQdrant fake;
  QdrantVectorStore store;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeQdrant();
    store = QdrantVectorStore.builder().channel(fake.channel()).apiKey(Secret.of(KEY))
        .timeout(Duration.ofSeconds(5)).retryBackoff(Duration.ofMillis(1)).build();
  }

  @AfterEach
  void stop() throws Exception {
    store.close();
    fake.close();
  }

  VectorCollection open(CollectionSpec spec) {
    return open(store, spec);
  }

  VectorCollection open(VectorStore on, CollectionSpec spec) {
    CreateCollection c = dev.quiver.qdrant.internal.Specs.createRequest(spec);
    fake.reply("collectionGet", GetCollectionInfoResponse.newBuilder().setResult(
        io.qdrant.client.grpc.Collections.CollectionInfo.newBuilder()
            .setConfig(io.qdrant.client.grpc.Collections.CollectionConfig.newBuilder()
                .setParams(io.qdrant.client.grpc.Collections.CollectionParams.newBuilder().setVectorsConfig(c.getVectorsConfig()))
                .setHnswConfig(c.getHnswConfig())
                .putAllMetadata(c.getMetadataMap()))).build());
    VectorCollection coll = on.collection(spec.name());
    fake.calls.clear();
    return coll;
  }

  static CollectionSpec spec(String name) {
    return CollectionSpec.builder(name).dimension(2).metric(Metric.DOT_PRODUCT).index(IndexSpec.flat()).build();
  }

  // ------------------------------------------------------------ exact doubles

  @Test
  void doublesTheServerMovesAreReadAndFilteredExactly() {
    fake.stateful();
    VectorCollection c = open(spec("nums"));
    int filters = ExactDoubles.check(c);
    assertTrue(filters > 150, "checked " + filters + " filters");
    // the fake really moved the stored doubles, so the check above did not pass by luck
    Map<String, Value> v0 = fake.points().payloads().stream()
        .filter(p -> p.get(Payloads.ID).getStringValue().equals("v0")).findFirst().orElseThrow();
    assertNotEquals(1000000000000000.5, v0.get("n").getDoubleValue());
  }

  // ------------------------------------------------------------ secrets

  /** Everything an exception can print: message, toString, causes, suppressed, stack trace text. */
  static void assertNoSecret(Throwable t, String... secrets) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    StringBuilder all = new StringBuilder(sw.toString());
    for (Throwable x = t; x != null; x = x.getCause()) {
      all.append('\n').append(x).append('\n').append(x.getMessage());
      for (Throwable s : x.getSuppressed()) {
        all.append('\n').append(s);
      }
    }
    for (String s : secrets) {
      assertFalse(all.toString().contains(s), "the secret leaked:\n" + all);
    }
  }

  @Test
  void aServerEchoingTheKeyNeverMakesItIntoAnError() {
    VectorCollection c = open(spec("docs"));
    List<Object> replies = List.of(
        Status.UNAUTHENTICATED.withDescription("Invalid api-key: " + KEY),
        Status.PERMISSION_DENIED.withDescription("key " + KEY + " may not write"),
        Status.INTERNAL.withDescription("panic while handling " + KEY),
        Status.INVALID_ARGUMENT.withDescription("Wrong input: Vector dimension error: expected dim: 3, got 2 [" + KEY + "]"),
        Status.INVALID_ARGUMENT.withDescription("Wrong input: bad header " + KEY),
        Status.NOT_FOUND.withDescription("Not found: Collection `docs` doesn't exist! " + KEY),
        Status.RESOURCE_EXHAUSTED.withDescription("rate limit for " + KEY),
        Status.UNAVAILABLE.withDescription("upstream " + KEY + " down"),
        Status.UNKNOWN.withDescription(KEY).withCause(new IllegalStateException("cause " + KEY)));
    // without a breaker, so that every reply is really received and mapped
    try (QdrantVectorStore noBreaker = QdrantVectorStore.builder().channel(fake.channel()).apiKey(Secret.of(KEY))
        .policy(new RemotePolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5), 0, Duration.ofSeconds(1)))
        .build()) {
      VectorCollection nb = open(noBreaker, spec("docs"));
      for (Object reply : replies) {
        fake.clearScripts();
        fake.calls.clear();
        for (int i = 0; i < 3; i++) {
          fake.reply("upsert", reply); // transient ones are retried
        }
        VectorStoreException e = assertThrows(VectorStoreException.class,
            () -> nb.upsert(Record.of("a", new float[] {1, 2})), String.valueOf(reply));
        assertFalse(fake.calls("upsert").isEmpty());
        assertNoSecret(e, KEY);
      }
    }
    fake.clearScripts();
    AuthenticationException auth = assertThrows(AuthenticationException.class, () -> {
      fake.reply("count", Status.UNAUTHENTICATED.withDescription("Invalid api-key: " + KEY));
      c.count();
    });
    assertNoSecret(auth, KEY);
    assertFalse(store.toString().contains(KEY));
    assertFalse(c.toString().contains(KEY));
  }

  @Test
  void secretsInTheAddressNeverPrintEvenUnderUnknownOptionNames() {
    String k1 = "K1-" + KEY;
    String k2 = "K2-" + KEY;
    InvalidArgumentException typo = assertThrows(InvalidArgumentException.class,
        () -> Quiver.open("qdrant://127.0.0.1:1?apiKey=" + k1 + "&apikey=" + k2));
    assertNoSecret(typo, k1, k2);
    assertTrue(typo.getMessage().contains("apikey"), typo.getMessage());
    // a key pasted as an option name is not echoed either
    InvalidArgumentException pasted = assertThrows(InvalidArgumentException.class,
        () -> Quiver.open("qdrant://127.0.0.1:1?timeoutMs=100&sk9x7" + KEY));
    assertNoSecret(pasted, "sk9x7", KEY);
    InvalidArgumentException path = assertThrows(InvalidArgumentException.class,
        () -> Quiver.open("qdrant://127.0.0.1:1/" + KEY));
    assertNoSecret(path, KEY);
  }

  @Test
  void aClosedPortFailsFastTypedAndWithoutTheKey() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (VectorStore closed = Quiver.open("qdrant://127.0.0.1:" + port + "?apiKey=" + KEY + "&timeoutMs=10000")) {
      for (int i = 0; i < 2; i++) { // the first call also starts grpc's transport
        long start = System.nanoTime();
        UnavailableException e = assertThrows(UnavailableException.class, closed::listCollections);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("closed port: " + e.getClass().getSimpleName() + " after " + millis + " ms (deadline 10000 ms)");
        assertTrue(millis < 3_000, "a refused connection fails fast, not at the deadline: " + millis + " ms");
        assertTrue(e.isTransient());
        assertNoSecret(e, KEY);
      }
    }
  }

  // ------------------------------------------------------------ cursors

  @Test
  void garbledForeignAndRawCursorsAreRefusedBeforeAnyCall() {
    VectorCollection c = open(spec("docs"));
    fake.reply("scroll", ScrollResponse.newBuilder()
        .addResult(QdrantWireTest.point(QdrantWireTest.DOC1, "doc-1", new float[] {1, 2}, null, "").toBuilder().setVectors(
            QdrantWireTest.proto(io.qdrant.client.grpc.Points.VectorsOutput.class, "vectors { vectors { key: \"v\" value { dense { data: 1 data: 2 } } } }")))
        .setNextPageOffset(io.qdrant.client.grpc.Common.PointId.newBuilder().setUuid(QdrantWireTest.DOC2)).build());
    String cursor = c.list(ListRequest.of(1).filter("cat == 'a'")).nextCursor().orElseThrow();
    fake.calls.clear();
    char last = cursor.charAt(cursor.length() - 1);
    List<String> bad = List.of("bogus", "qd1." + QdrantWireTest.DOC2, "", cursor.substring(0, cursor.length() - 3),
        cursor.substring(0, cursor.length() - 1) + (last == 'a' ? 'b' : 'a'), cursor + "x");
    for (String b : bad) {
      assertThrows(InvalidArgumentException.class, () -> c.list(ListRequest.of(1).filter("cat == 'a'").cursor(b)), b);
    }
    assertThrows(InvalidArgumentException.class, () -> c.list(ListRequest.of(1).filter("cat == 'b'").cursor(cursor)),
        "a cursor of another filter");
    assertThrows(InvalidArgumentException.class, () -> c.list(ListRequest.of(1).cursor(cursor)), "a cursor of a filtered list");
    assertTrue(fake.calls.isEmpty(), "nothing reached the server: " + FakeQdrant.methods(fake.calls));
  }

  // ------------------------------------------------------------ unpaired surrogates

  @Test
  void unpairedSurrogatesAreRefusedBeforeAnythingIsSent() {
    VectorCollection c = open(spec("docs"));
    String lone = "a\uD800b";
    List<Supplier<Object>> calls = List.of(
        () -> c.get(lone),
        () -> c.get(List.of("ok", "\uDC00")),
        () -> {
          c.delete(List.of(lone));
          return null;
        },
        () -> c.updateMetadata(lone, Metadata.empty()),
        () -> {
          c.upsert(Record.of(lone, new float[] {1, 2}));
          return null;
        },
        () -> {
          c.upsert(Record.of("ok", new float[] {1, 2}, Metadata.of("s", lone)));
          return null;
        },
        () -> {
          c.upsert(Record.of("ok", new float[] {1, 2}, Metadata.of("tags", List.of("x", lone))));
          return null;
        });
    for (Supplier<Object> call : calls) {
      assertThrows(InvalidArgumentException.class, call::get);
    }
    assertThrows(InvalidFilterException.class, () -> c.count(Filter.eq("s", lone)));
    assertThrows(InvalidFilterException.class, () -> c.count(Filter.in("s", "x", lone)));
    assertTrue(fake.calls.isEmpty(), "nothing was sent: " + FakeQdrant.methods(fake.calls));
    // and the id mapping itself never hashes the '?' a lenient encoder would make of it
    assertThrows(InvalidArgumentException.class, () -> PointIds.uuid(lone));
    assertNotEquals(PointIds.uuid("a?b"), PointIds.uuid("a\uD83D\uDE42b"), "a well-formed pair is hashed as itself");
  }
}
