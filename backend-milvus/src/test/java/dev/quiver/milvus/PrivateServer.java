package dev.quiver.milvus;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A Milvus server of its own for a test that stops and restarts it: the project's script
 * ({@code scripts/milvus-lite.sh} or {@code scripts/milvus-server.sh}) with a private state
 * directory, a fixed port and a data directory that {@code stop} keeps, so {@code start} serves the
 * same data on the same address again. {@code stop} sends SIGTERM to the server's process group.
 */
final class PrivateServer {

  private final Path script;
  private final String prefix;
  private final Path dir;
  private final int port;
  private final Map<String, String> extraEnv;

  /**
   * @param scriptName {@code milvus-lite.sh} or {@code milvus-server.sh}
   * @param prefix the script's variable prefix, {@code MILVUS_LITE} or {@code MILVUS_SERVER}
   * @param extraEnv more variables for the script, for example {@code MILVUS_SERVER_SETTINGS}
   */
  PrivateServer(String scriptName, String prefix, Map<String, String> extraEnv) throws IOException {
    this.script = repo().resolve("scripts").resolve(scriptName);
    if (!Files.isExecutable(script)) {
      String reason = script + " is not there";
      System.out.println("SKIPPED: " + reason);
      Assumptions.abort(reason);
    }
    this.prefix = prefix;
    this.extraEnv = Map.copyOf(extraEnv);
    this.dir = Files.createTempDirectory("quiver-private-milvus");
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
  }

  private static Path repo() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    return Files.isDirectory(p.resolve("scripts")) ? p : p.getParent();
  }

  /** @return the server's address, once it answers */
  String start() throws Exception {
    String out = run("start");
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  void stop() throws Exception {
    run("stop");
  }

  int port() {
    return port;
  }

  private String run(String command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(script.toString(), command).redirectErrorStream(false);
    Map<String, String> env = pb.environment();
    env.put(prefix + "_STATE", dir.resolve("state").toString());
    env.put(prefix + "_DATA", dir.resolve("data").toString());
    env.put(prefix + "_PORT", Integer.toString(port));
    env.putAll(extraEnv);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(script.getFileName() + " " + command + " failed: " + out);
    }
    return out;
  }

  /** Stops the server and deletes its data. */
  void destroy() throws Exception {
    try {
      stop();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) { // does not follow the data dir's link to the binaries
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "PrivateServer[" + script.getFileName() + " on port " + port + "]";
  }
}
