package dev.quiver.pinecone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.IndexSpec;
import dev.quiver.Quiver;
import dev.quiver.RateLimitedException;
import dev.quiver.Record;
import dev.quiver.Secret;
import dev.quiver.UnavailableException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.SearchRequest;
import dev.quiver.VectorStoreException;
import dev.quiver.pinecone.internal.PineconeApiException;
import dev.quiver.pinecone.internal.PineconeErrors;
import dev.quiver.pinecone.internal.PineconeTransportException;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Retries (idempotent calls only, transient errors only), deadlines, error mapping, and key hygiene. */
class ResilienceTest {

  private PineconeEmulator emulator;
  private PineconeVectorStore store;
  private VectorCollection c;

  @BeforeEach
  void start() {
    emulator = new PineconeEmulator(EmulatorFilter.NeMissing.DOES_NOT_MATCH).describesUntilReady(0);
    store = EmulatorStores.store(emulator);
    c = store.createCollection(CollectionSpec.builder("res").dimension(2).index(IndexSpec.hnsw(16, 200)).build());
    c.upsert(Record.of("a", new float[] {1, 0}));
    emulator.clearRequests();
  }

  @AfterEach
  void stop() {
    store.close();
    emulator.close();
  }

  @Test
  void rateLimitedWithRetryAfterThenSuccess() {
    emulator.failNext("/vectors/fetch", 429, "1", 1);
    long t0 = System.nanoTime();
    assertTrue(c.get("a").isPresent());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(2, emulator.requests("/vectors/fetch").size());
    assertTrue(ms >= 900, "Retry-After: 1 must be honoured, waited " + ms + " ms");
  }

  @Test
  void serverErrorTwiceThenSuccess() {
    emulator.failNext("/describe_index_stats", 500, null, 2);
    assertEquals(1, c.count());
    assertEquals(3, emulator.requests("/describe_index_stats").size());
  }

  @Test
  void exhaustedRetriesSurfaceTheTransientError() {
    emulator.failNext("/describe_index_stats", 429, "0", 3);
    RateLimitedException e = assertThrows(RateLimitedException.class, c::count);
    assertEquals(Duration.ZERO, e.retryAfter().orElseThrow());
    assertTrue(e.isTransient());
    emulator.failNext("/describe_index_stats", 503, null, 3);
    assertThrows(UnavailableException.class, c::count);
  }

  @Test
  void retryAfterBeyondTheBudgetEndsTheCallAtOnce() {
    emulator.failNext("/describe_index_stats", 429, "3600", 1);
    long t0 = System.nanoTime();
    RateLimitedException e = assertThrows(RateLimitedException.class, c::count);
    assertEquals(Duration.ofHours(1), e.retryAfter().orElseThrow());
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "no waiting out an hour");
    assertEquals(1, emulator.requests("/describe_index_stats").size(), "no retry that could not finish in the budget");
  }

  @Test
  void malformedAnswersAreBackendErrorsAndNotRetried() {
    assertTrue(c.get("a").isPresent()); // its freshness probe out of the way, each call below is one request
    emulator.clearRequests();
    emulator.answerNext("/vectors/fetch", 200, "{not json");
    assertThrows(BackendException.class, () -> c.get("a"));
    emulator.answerNext("/vectors/fetch", 200, "{\"vectors\":{\"a\":{\"id\":\"a\",\"values\":\"oops\"}}}");
    assertThrows(BackendException.class, () -> c.get("a"));
    emulator.answerNext("/vectors/fetch", 200, "{\"vectors\":{\"a\":{\"id\":\"a\",\"values\":[1,2,3]}}}");
    assertThrows(BackendException.class, () -> c.get("a"), "a vector of the wrong dimension");
    emulator.answerNext("/describe_index_stats", 200, "[]");
    assertThrows(BackendException.class, c::count);
    emulator.answerNext("/vectors/list", 200, "{\"vectors\":[{\"nope\":1}]}");
    assertThrows(BackendException.class, () -> c.list(ListRequest.of(5)));
    emulator.answerNext("/query", 200, "{\"matches\":[{\"id\":\"a\"}]}");
    assertThrows(BackendException.class, () -> c.search(SearchRequest.of(new float[] {1, 0}, 1)));
    emulator.answerNext("/indexes", 200, "{\"indexes\":{}}");
    assertThrows(BackendException.class, store::listCollections);
    emulator.answerNext("/indexes/res", 200, "{}");
    assertThrows(BackendException.class, () -> store.describeCollection("res"));
    assertEquals(8, emulator.requests().size(), "a malformed answer is not transient: no retries");
    assertTrue(c.get("a").isPresent(), "and the next call works");
  }

  @ParameterizedTest(name = "HTTP {0} -> {1}")
  @CsvSource({
      "429, RateLimitedException, true", "408, UnavailableException, true", "500, UnavailableException, true",
      "502, UnavailableException, true", "503, UnavailableException, true", "504, UnavailableException, true",
      "401, AuthenticationException, false", "403, AuthenticationException, false",
      "404, CollectionNotFoundException, false", "409, CollectionAlreadyExistsException, false",
      "400, InvalidArgumentException, false", "422, InvalidArgumentException, false",
      "412, BackendException, false", "200, BackendException, false"})
  void errorMapperTable(int status, String type, boolean isTransient) {
    VectorStoreException e = new PineconeErrors().map(new PineconeApiException(status, "", "m", null, "1"), "op", "c");
    assertEquals(type, e.getClass().getSimpleName());
    assertEquals(isTransient, e.isTransient());
  }

  @Test
  void errorMapperTransportAndOtherFailures() {
    PineconeErrors m = new PineconeErrors();
    assertInstanceOf(DeadlineExceededException.class, m.map(new PineconeTransportException("h:1",
        new java.net.SocketTimeoutException("timeout")), "op", null));
    assertInstanceOf(UnavailableException.class, m.map(new PineconeTransportException("h:1",
        new java.net.ConnectException("Connection refused")), "op", null));
    assertInstanceOf(BackendException.class, m.map(new IllegalStateException("?"), "op", null));
    assertInstanceOf(BackendException.class, m.map(new PineconeApiException(403, "QUOTA_EXCEEDED", "quota", null, null),
        "op", null), "403 for a quota is not an authentication problem");
    assertEquals(Duration.ofMillis(1500), ((RateLimitedException) m.map(
        new PineconeApiException(429, "", "slow down", null, "1.5"), "op", null)).retryAfter().orElseThrow());
    assertTrue(((RateLimitedException) m.map(new PineconeApiException(429, "", "x", null, "soon"), "op", null))
        .retryAfter().isEmpty(), "an unreadable Retry-After is no Retry-After");
  }

  @Test
  void nonIdempotentCreateIsNotRetried() {
    emulator.failNext("/indexes", 500, null, 1);
    assertThrows(UnavailableException.class, () -> store.createCollection(CollectionSpec.builder("again").dimension(2)
        .index(IndexSpec.hnsw(16, 200)).build()));
    assertEquals(1, emulator.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/indexes"))
        .count());
  }

  @Test
  void droppedConnectionIsRetried() {
    emulator.dropNext("/vectors/fetch");
    var got = c.get(java.util.List.of("a"));
    assertEquals(1, got.size(), emulator.requests().toString());
    assertEquals(2, emulator.requests("/vectors/fetch").size());
  }

  @Test
  void slowResponseHitsTheDeadline() {
    try (PineconeVectorStore quick = EmulatorStores.builder(emulator)
        .timeouts(Duration.ofSeconds(1), Duration.ofMillis(300)).remotePolicy(EmulatorStores.POLICY.withMaxAttempts(1))
        .build()) {
      VectorCollection q = quick.collection("res");
      emulator.delayNext("/describe_index_stats", Duration.ofSeconds(2));
      assertThrows(DeadlineExceededException.class, q::count);
    }
  }

  @Test
  void wrongKeyIsAnAuthenticationErrorWithoutTheKey() {
    String key = "sk-secret-do-not-print-42";
    try (PineconeVectorStore bad = EmulatorStores.builder(emulator).apiKey(Secret.of(key)).build()) {
      AuthenticationException e = assertThrows(AuthenticationException.class, bad::listCollections);
      assertFalse(String.valueOf(e.getMessage()).contains(key));
      assertFalse(String.valueOf(e.getCause()).contains(key));
      assertFalse(bad.toString().contains(key));
      assertEquals(1, emulator.requests().size(), "authentication errors are not retried");
    }
  }

  @Test
  void missingIndexIsCollectionNotFound() {
    assertThrows(CollectionNotFoundException.class, () -> store.collection("nope"));
    assertThrows(CollectionNotFoundException.class, () -> store.describeCollection("nope"));
    assertFalse(store.dropCollection("nope"));
    store.dropCollection("res");
    assertThrows(CollectionNotFoundException.class, () -> c.upsert(Record.of("b", new float[] {1, 1})));
    assertThrows(CollectionNotFoundException.class, c::count);
  }

  @Test
  void readsWaitForOwnWritesThroughLsnHeaders() {
    emulator.lagReads(3);
    c.upsert(Record.of("late", new float[] {0, 1}));
    assertTrue(c.get("late").isPresent(), "the LSN wait makes this handle's own write visible");
    assertTrue(emulator.requests("/query").size() >= 2, "it polled query for x-pinecone-max-indexed-lsn");
    try (PineconeVectorStore impatient = EmulatorStores.builder(emulator).freshnessTimeout(Duration.ZERO).build()) {
      VectorCollection other = impatient.collection("res");
      other.upsert(Record.of("later", new float[] {1, 1}));
      assertFalse(other.get("later").isPresent(), "without the wait the emulator's lag shows (EVENTUAL)");
    }
  }

  @Test
  void providerOpensTheEmulatorAndChecksOptions() {
    try (VectorStore s = Quiver.open(emulator.storeUri())) {
      assertEquals(java.util.List.of("res"), s.listCollections());
      assertFalse(s.toString().contains(PineconeEmulator.API_KEY));
    }
    assertThrows(InvalidArgumentException.class, () -> Quiver.open(emulator.storeUri() + "&bogus=1"));
    try (VectorStore s = Quiver.open(emulator.storeUri() + "&maxAttempts=2&timeoutSeconds=5")) {
      assertTrue(s.hasCollection("res"));
    }
    for (String bad : java.util.List.of("&maxAttempts=0", "&maxAttempts=11", "&maxAttempts=x", "&timeoutSeconds=0",
        "&timeoutSeconds=99999999999", "&timeoutSeconds=-1", "&freshnessTimeoutSeconds=1e3", "&tls=yes")) {
      assertThrows(InvalidArgumentException.class, () -> Quiver.open(emulator.storeUri() + bad), bad);
    }
    assertThrows(InvalidArgumentException.class, () -> EmulatorStores.builder(emulator)
        .timeouts(Duration.ofSeconds(1), Duration.ofDays(400)));
    assertThrows(InvalidArgumentException.class, () -> EmulatorStores.builder(emulator).apiKey(null));
    assertThrows(InvalidArgumentException.class, () -> Quiver.open("pinecone://example.com?apiKey=x&tls=false"));
    assertThrows(InvalidArgumentException.class,
        () -> new PineconeVectorStoreProvider(k -> null).open(dev.quiver.StoreUri.parse("pinecone://?cloud=aws")));
    try (VectorStore s = new PineconeVectorStoreProvider(k -> k.equals("PINECONE_API_KEY") ? PineconeEmulator.API_KEY
        : null).open(dev.quiver.StoreUri.parse(emulator.storeUri().replaceAll("apiKey=[^&]*&", "")))) {
      assertTrue(s.hasCollection("res"));
    }
  }
}
