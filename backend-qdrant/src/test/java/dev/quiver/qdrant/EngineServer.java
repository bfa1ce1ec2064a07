package dev.quiver.qdrant;

import dev.quiver.VectorStoreException;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private instance of the Qdrant engine test server (src/test/python/qdrant_edge_server.py, the
 * one scripts/qdrant-edge-server.sh runs) that a test may kill and start again on the same port and
 * data directory: the engine keeps its data there (its WAL survives SIGKILL), as a Qdrant server
 * keeps its storage across a restart. It needs the engine's virtualenv ({@code .venv-qdrant} at the
 * repository root, or the python named by {@code QUIVER_QDRANT_PYTHON}).
 */
final class EngineServer implements AutoCloseable {

  private final Path python;
  private final Path script;
  private final Path dataDir;
  private final Path log;
  private final int port;
  private Process process;

  private EngineServer(Path python, Path script, Path dataDir, int port) {
    this.python = python;
    this.script = script;
    this.dataDir = dataDir;
    this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    this.port = port;
  }

  /** @return why no private server can run here, or {@code null} when one can */
  static String unavailableReason() {
    if (python() == null) {
      return "no python with qdrant-edge: neither QUIVER_QDRANT_PYTHON nor ../.venv-qdrant/bin/python exists"
          + " (scripts/qdrant-edge-server.sh start installs it)";
    }
    if (!Files.isRegularFile(scriptPath())) {
      return "no " + scriptPath();
    }
    return null;
  }

  private static Path python() {
    String env = System.getenv("QUIVER_QDRANT_PYTHON");
    Path p = env != null && !env.isBlank() ? Paths.get(env) : Paths.get("..", ".venv-qdrant", "bin", "python");
    return Files.isExecutable(p) ? p.toAbsolutePath() : null;
  }

  private static Path scriptPath() {
    return Paths.get("src", "test", "python", "qdrant_edge_server.py").toAbsolutePath();
  }

  /**
   * @return a server, not started yet, on a free loopback port with a new data directory under target/
   * @throws IOException if no directory or port can be had
   */
  static EngineServer create() throws IOException {
    Path dir = Files.createTempDirectory(Files.createDirectories(Paths.get("target")), "qdrant-engine-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return new EngineServer(python(), scriptPath(), dir.toAbsolutePath(), port);
  }

  int port() {
    return port;
  }

  /**
   * Starts the server process (it answers about a second later; {@link #awaitReady}).
   *
   * @param options further server options, e.g. {@code --indexing-threshold-kb 1 --optimize-sync}
   */
  void start(String... options) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), "--host", "127.0.0.1",
        "--port", String.valueOf(port), "--data-dir", dataDir.toString(), "--log-level", "WARNING"));
    cmd.addAll(List.of(options));
    process = new ProcessBuilder(cmd)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  /**
   * Waits until the server answers.
   *
   * @return how long that took, in ms
   * @throws IllegalStateException if it does not answer within 60 s
   */
  long awaitReady() {
    long start = System.nanoTime();
    while ((System.nanoTime() - start) / 1_000_000 < 60_000) {
      try (QdrantVectorStore probe = QdrantVectorStore.builder().host("127.0.0.1").port(port)
          .timeout(Duration.ofMillis(500)).maxAttempts(1).build()) {
        probe.listCollections();
        return (System.nanoTime() - start) / 1_000_000;
      } catch (VectorStoreException e) {
        try {
          Thread.sleep(25);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the engine server", ie);
        }
      }
    }
    throw new IllegalStateException("the engine server did not start within 60 s; its log: " + log);
  }

  /** Kills the server at once (SIGKILL): no graceful shutdown, as a crash or an OOM kill. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
    deleteTree(dataDir.toFile());
  }

  private static void deleteTree(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }
}
