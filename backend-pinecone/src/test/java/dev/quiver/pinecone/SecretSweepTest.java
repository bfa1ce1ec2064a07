package dev.quiver.pinecone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.NonTransientVectorStoreException;
import dev.quiver.Quiver;
import dev.quiver.RateLimitedException;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.Secret;
import dev.quiver.StoreUri;
import dev.quiver.UnavailableException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import dev.quiver.spi.RemotePolicy;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plants a recognisable API key (through the builder, the {@code apiKey} URI option and the
 * environment variables the provider reads) and drives every error path the emulator can reach:
 * 401/403, 404, 429, 500, answers that echo the key, malformed JSON, a refused connection, a timeout,
 * bad URI options and malformed keys. The key must appear in no exception message, cause or
 * suppressed exception, no {@code toString} of store, collection or URI, and no log line at any
 * level (System.Logger and OkHttp log through JUL, captured here at ALL; stdout and stderr are
 * captured too). Each path also has to end in the typed exception it is expected to.
 */
class SecretSweepTest {

  private static final String KEY = "pcsk_PLANTED_k3y_5e4f3a2b1c";
  private static final ByteArrayOutputStream LOGS = new ByteArrayOutputStream();
  private static PrintStream originalErr;
  private static PrintStream originalOut;
  private static Handler julHandler;
  private static Level rootLevel;

  private final List<String> seen = new ArrayList<>();
  private PineconeEmulator emulator;
  private int logStart;

  @BeforeAll
  static void captureLogs() {
    originalErr = System.err;
    originalOut = System.out;
    System.setErr(tee(originalErr));
    System.setOut(tee(originalOut));
    julHandler = new Handler() {
      @Override
      public synchronized void publish(LogRecord r) {
        String text = r.getLoggerName() + " " + r.getLevel() + " " + r.getMessage() + " "
            + (r.getParameters() == null ? "" : List.of(r.getParameters())) + " "
            + (r.getThrown() == null ? "" : chain(r.getThrown())) + "\n";
        synchronized (LOGS) {
          LOGS.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    julHandler.setLevel(Level.ALL);
    Logger root = Logger.getLogger("");
    rootLevel = root.getLevel();
    root.addHandler(julHandler);
    root.setLevel(Level.ALL);
  }

  private static PrintStream tee(PrintStream original) {
    return new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (LOGS) {
          LOGS.write(b);
        }
        original.write(b);
      }
    }, true, StandardCharsets.UTF_8);
  }

  @AfterAll
  static void restore() {
    System.setErr(originalErr);
    System.setOut(originalOut);
    Logger root = Logger.getLogger("");
    root.removeHandler(julHandler);
    root.setLevel(rootLevel);
  }

  @BeforeEach
  void start() {
    logStart = logs().length();
    emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES).describesUntilReady(0).acceptKey(KEY);
  }

  @AfterEach
  void noKeyAnywhere() {
    emulator.close();
    assertFalse(seen.isEmpty(), "the test drove no path");
    for (String text : seen) {
      assertFalse(leaks(text), "key shown: " + text.replace(KEY, "<KEY>"));
    }
    String logs = logs().substring(logStart); // this test's lines: a leak is reported by the test that caused it
    int at = logs.indexOf(KEY);
    assertFalse(leaks(logs), () -> "key in a log line at " + at + ": "
        + logs.substring(Math.max(0, at - 300), Math.min(logs.length(), Math.max(0, at) + 40)).replace(KEY, "<KEY>"));
  }

  // ------------------------------------------------------------------ helpers

  /** Whole key, or its first or last 12 characters: a message cut to length must not keep half a key either. */
  private static boolean leaks(String text) {
    return text.contains(KEY) || text.contains(KEY.substring(0, 12)) || text.contains(KEY.substring(KEY.length() - 12));
  }

  private static String logs() {
    synchronized (LOGS) {
      return LOGS.toString(StandardCharsets.UTF_8);
    }
  }

  /** Runs a call that must fail with {@code type}; records everything its exception says. */
  private <T extends RuntimeException> T expect(Class<T> type, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      String text = chain(e);
      seen.add(text);
      assertInstanceOf(type, e, text.replace(KEY, "<KEY>"));
      return type.cast(e);
    }
    return fail("expected " + type.getSimpleName());
  }

  private <T> T ok(Supplier<T> call) {
    T value = call.get();
    seen.add(String.valueOf(value));
    return value;
  }

  /** Messages and toString of an exception, its causes and suppressed exceptions. */
  static String chain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (int depth = 0; t != null && depth < 50; t = t.getCause(), depth++) {
      sb.append(t).append(" | ");
      for (Throwable s : t.getSuppressed()) {
        sb.append(chain(s));
      }
    }
    return sb.toString();
  }

  /** A store with the planted key; no circuit breaker, so every queued fault is reached by its call. */
  private PineconeVectorStore.Builder builder() {
    return EmulatorStores.builder(emulator).apiKey(Secret.of(KEY))
        .remotePolicy(new RemotePolicy(3, Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofSeconds(20), 0,
            Duration.ofSeconds(1)));
  }

  private VectorCollection collection(VectorStore store) {
    return store.createCollection(CollectionSpec.builder("sweep").dimension(2).index(IndexSpec.hnsw(16, 200)).build());
  }

  private static String dataError(int status, String message) {
    return "{\"code\":" + status + ",\"message\":\"" + message + "\",\"details\":[]}";
  }

  // ------------------------------------------------------------------ the paths

  @Test
  void malformedKeysAreRefusedAtOpenWithoutTheKey() {
    for (String bad : List.of(KEY + "\nX-Injected: 1", KEY + "é", " " + KEY, KEY + "\u0000", KEY + "\t",
        KEY + "\u007f")) {
      InvalidArgumentException e = expect(InvalidArgumentException.class, () -> builder().apiKey(Secret.of(bad)).build());
      assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    }
    String base = "pinecone://127.0.0.1:" + emulator.controlPlaneUrl().replaceAll(".*:", "") + "?tls=false&apiKey=";
    expect(InvalidArgumentException.class, () -> Quiver.open(base + KEY + "%0Amalformed"));
    expect(InvalidArgumentException.class, () -> Quiver.open(base + KEY + "%C3%A9"));
    Map<String, String> env = Map.of("QUIVER_PINECONE_API_KEY", KEY + "\nmore");
    expect(InvalidArgumentException.class, () -> new PineconeVectorStoreProvider(env::get)
        .open(StoreUri.parse(base.replace("&apiKey=", ""))));
    assertEquals(List.of(), emulator.requests(), "a malformed key is refused before any request");
  }

  @Test
  void badUriOptionsNeverEchoTheKey() {
    String base = "pinecone://127.0.0.1:" + emulator.controlPlaneUrl().replaceAll(".*:", "") + "?tls=false&apiKey="
        + KEY;
    for (String uri : List.of(base + "&bogus=" + KEY, base + "&x=" + KEY + "&cloud=aws")) {
      expect(InvalidArgumentException.class, () -> Quiver.open(uri)); // unknown options
      seen.add(StoreUri.parse(uri).toString());
    }
    // the key where no key belongs: the provider's refusals must not echo it (the URI itself prints
    // option names and public options' values, by the api's rule)
    for (String uri : List.of(base + "&" + KEY + "=1", base + "&tls=" + KEY, base + "&timeoutSeconds=" + KEY,
        base + "&freshnessTimeoutSeconds=" + KEY, base.replace("?", "/" + KEY + "?"),
        "pinecone://example.com?tls=false&apiKey=" + KEY)) {
      expect(InvalidArgumentException.class, () -> Quiver.open(uri));
    }
    // the key through the environment, refused options beside it
    Map<String, String> env = Map.of("PINECONE_API_KEY", KEY);
    expect(InvalidArgumentException.class, () -> new PineconeVectorStoreProvider(env::get)
        .open(StoreUri.parse("pinecone://127.0.0.1:1?tls=" + KEY)));
    assertEquals(List.of(), emulator.requests());
  }

  @Test
  void serverSideErrorsAndEchoesAreTypedAndScrubbed() {
    try (PineconeVectorStore store = builder().build()) {
      seen.add(store.toString());
      VectorCollection c = collection(store);
      seen.add(c.toString());
      c.upsert(Record.of("a", new float[] {1, 0}));

      emulator.failNext("/indexes", 403, null, 1);
      expect(AuthenticationException.class, store::listCollections);
      expect(CollectionNotFoundException.class, () -> store.collection("nope"));
      expect(CollectionNotFoundException.class, () -> store.describeCollection("nope"));
      emulator.failNext("/describe_index_stats", 429, "0", 3);
      expect(RateLimitedException.class, c::count);
      emulator.failNext("/describe_index_stats", 500, null, 3);
      expect(UnavailableException.class, c::count);
      for (int i = 0; i < 3; i++) {
        emulator.answerNext("/vectors/fetch", 500, dataError(13, "internal error serving Api-Key " + KEY));
      }
      expect(UnavailableException.class, () -> c.get("a"));
      emulator.answerNext("/query", 400, dataError(3, "bad request from key " + KEY));
      expect(InvalidArgumentException.class, () -> c.search(SearchRequest.of(new float[] {1, 0}, 1)));
      // Pinecone's messages are cut to 500 characters: a key across the cut must not leave its first half
      emulator.answerNext("/query", 400, dataError(3, "x".repeat(485) + KEY + " and more"));
      expect(InvalidArgumentException.class, () -> c.search(SearchRequest.of(new float[] {1, 0}, 1)));
      emulator.answerNext("/indexes", 401, "{\"error\":{\"code\":\"UNAUTHENTICATED\",\"message\":\"Invalid API key "
          + KEY + "\"},\"status\":401}");
      expect(AuthenticationException.class, store::listCollections);
      emulator.answerNext("/vectors/fetch", 200, "{not json at all " + KEY);
      expect(BackendException.class, () -> c.get("a"));
      emulator.answerNext("/indexes/sweep", 200, "{\"weird\":\"" + KEY + "\"}");
      expect(BackendException.class, () -> store.describeCollection("sweep"));
      for (int i = 0; i < 3; i++) {
        emulator.dropNext("/vectors/list");
      }
      expect(UnavailableException.class, () -> c.list(ListRequest.of(5)));

      // the key passed where a value belongs is scrubbed as well
      // (the boundary re-creates a scrubbed exception by its (String, Throwable) constructor; the api's
      // DimensionMismatchException has none, so it arrives as a BackendException: non-transient, no key)
      expect(NonTransientVectorStoreException.class, () -> c.upsert(Record.of(KEY, new float[] {1, 2, 3})));
      expect(InvalidArgumentException.class, () -> c.list(ListRequest.of(5).cursor("garbage-" + KEY)));
      expect(InvalidArgumentException.class, () -> store.collection(KEY + "/"));
      ok(() -> c.search(SearchRequest.of(new float[] {1, 0}, 1).filter("s == '" + KEY + "'")));

      store.dropCollection("sweep");
      expect(CollectionNotFoundException.class, c::count);
    }
    assertTrue(logs().contains("pinecone listCollections"), "the boundary's DEBUG lines must be captured, or the"
        + " log sweep proves nothing");
  }

  @Test
  void rejectedKeyIsAnAuthenticationErrorOnBothPlanes() {
    try (PineconeVectorStore store = builder().build()) {
      VectorCollection c = collection(store);
      emulator.acceptKey("another-key");
      expect(AuthenticationException.class, store::listCollections);
      expect(AuthenticationException.class, () -> store.collection("sweep"));
      expect(AuthenticationException.class, c::count);
      expect(AuthenticationException.class, () -> c.upsert(Record.of("a", new float[] {1, 0})));
      assertTrue(emulator.requests().stream().allMatch(r -> KEY.equals(r.headers().get("Api-Key"))),
          "the key is sent, in its header only");
    }
  }

  @Test
  void keyFromTheEnvironmentOnEveryPath() {
    for (String var : List.of("QUIVER_PINECONE_API_KEY", "PINECONE_API_KEY")) {
      Map<String, String> env = Map.of(var, "  " + KEY + "\n"); // surrounding white space is trimmed
      String uri = "pinecone://127.0.0.1:" + emulator.controlPlaneUrl().replaceAll(".*:", "") + "?tls=false";
      try (VectorStore store = new PineconeVectorStoreProvider(env::get).open(StoreUri.parse(uri))) {
        seen.add(store.toString());
        ok(store::listCollections);
        emulator.failNext("/indexes", 500, null, 3);
        expect(UnavailableException.class, store::listCollections);
        emulator.acceptKey("another-key");
        expect(AuthenticationException.class, store::listCollections);
        emulator.acceptKey(KEY);
      }
    }
  }

  @Test
  void refusedConnectionsAndTimeouts() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // closed again at once: connections are refused
    }
    try (PineconeVectorStore store = builder().controlPlaneUrl("http://127.0.0.1:" + closedPort).build()) {
      expect(UnavailableException.class, store::listCollections);
      expect(UnavailableException.class, () -> store.collection("sweep"));
    }
    try (PineconeVectorStore store = builder().timeouts(Duration.ofSeconds(1), Duration.ofMillis(200))
        .remotePolicy(EmulatorStores.POLICY.withMaxAttempts(1)).build()) {
      VectorCollection c = collection(store);
      emulator.delayNext("/describe_index_stats", Duration.ofSeconds(1));
      expect(DeadlineExceededException.class, c::count);
    }
  }
}
