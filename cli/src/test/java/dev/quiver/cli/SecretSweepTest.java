package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.quiver.CollectionSpec;
import dev.quiver.ListRequest;
import dev.quiver.Quiver;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plants a recognisable secret in every backend's address, under the usual option name and under
 * names nobody would guess, then drives the error paths reachable without a server (unknown
 * options, a malformed key, a refused connection, bad arguments) and checks that the secret is in
 * no exception message, cause, suppressed exception, {@code toString} or log line at any level
 * (JUL / System.Logger and SLF4J, both captured). The per-backend suites sweep the server-side paths.
 */
class SecretSweepTest {

  private static final String SECRET = "PLANTED-s3cr3t-9f8e7d";
  private static final ByteArrayOutputStream LOGS = new ByteArrayOutputStream();
  private static PrintStream originalErr;
  private static Handler julHandler;
  private static int closedPort;

  @BeforeAll
  static void captureLogs() throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "trace");
    originalErr = System.err;
    PrintStream tee = new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        LOGS.write(b);
        originalErr.write(b);
      }
    }, true, StandardCharsets.UTF_8);
    System.setErr(tee);
    julHandler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        String text = r.getMessage() + " " + (r.getParameters() == null ? "" : List.of(r.getParameters()))
            + " " + (r.getThrown() == null ? "" : chain(r.getThrown()));
        LOGS.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    julHandler.setLevel(Level.ALL);
    Logger root = Logger.getLogger("");
    root.addHandler(julHandler);
    root.setLevel(Level.ALL);
    Logger.getLogger("dev.quiver").setLevel(Level.ALL);
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // closed again at once: connections are refused
    }
  }

  @AfterAll
  static void restore() {
    System.setErr(originalErr);
    Logger.getLogger("").removeHandler(julHandler);
  }

  static List<String> addresses() {
    List<String> out = new ArrayList<>();
    for (String option : List.of("token", "apiKey", "password", "pwd", "x", "Authorization", "database_token")) {
      out.add("milvus://127.0.0.1:" + closedPort + "?" + option + "=" + SECRET);
      out.add("qdrant://127.0.0.1:" + closedPort + "?" + option + "=" + SECRET);
      out.add("pinecone://?apiKey=" + SECRET + "&indexHost=http://127.0.0.1:" + closedPort + "&" + option + "x=" + SECRET);
      out.add("memory:?" + option + "=" + SECRET);
    }
    out.add("pinecone://?apiKey=" + SECRET + "%0Amalformed");
    out.add("pinecone://?apiKey=" + SECRET + "%C3%A9");
    out.add("milvus:user:" + SECRET + "@127.0.0.1:" + closedPort);
    out.add("milvus://" + SECRET + "@127.0.0.1:" + closedPort);
    out.add(SECRET);
    return out;
  }

  @ParameterizedTest
  @MethodSource("addresses")
  @DisplayName("a planted secret never shows in errors, toString or logs")
  void sweep(String address) {
    List<String> seen = new ArrayList<>();
    Consumer<Throwable> record = t -> seen.add(chain(t));
    VectorStore store = null;
    try {
      store = Quiver.open(address);
      seen.add(store.toString());
    } catch (RuntimeException e) {
      record.accept(e);
    }
    if (store != null) {
      VectorStore s = store;
      List<Runnable> calls = List.of(
          () -> s.listCollections(),
          () -> s.createCollection(CollectionSpec.builder("sweep").dimension(2).build()),
          () -> s.collection("sweep"),
          () -> s.describeCollection("sweep"),
          () -> s.hasCollection("no such"),
          () -> s.collection(null),
          () -> {
            VectorCollection c = s.collection("sweep");
            seen.add(c.toString());
            c.list(ListRequest.of(10).cursor("garbage-" + SECRET));
          });
      for (Runnable call : calls) {
        try {
          call.run();
        } catch (RuntimeException e) {
          record.accept(e);
        }
      }
      try {
        store.close();
      } catch (RuntimeException e) {
        record.accept(e);
      }
    }
    assertFalse(seen.isEmpty());
    for (String text : seen) {
      assertFalse(text.contains(SECRET), "secret shown by " + address.replace(SECRET, "<secret>") + ": "
          + text.replace(SECRET, "<SECRET>"));
    }
    String logs = LOGS.toString(StandardCharsets.UTF_8);
    assertFalse(logs.contains(SECRET), "secret in a log line: "
        + logs.substring(Math.max(0, logs.indexOf(SECRET) - 300), logs.indexOf(SECRET) + 40).replace(SECRET, "<SECRET>"));
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
}
