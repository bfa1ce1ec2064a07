package dev.quiver.local.internal.storage;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Kills child JVMs that write to a store at random moments (SIGKILL through
 * {@link ProcessHandle#destroyForcibly()}), then verifies the directory with the workload's check. A kill
 * loses the process but not the page cache, so this proves that recovery handles every state a
 * process can leave behind (partial entries, half-done snapshots, unsealed segments) and that nothing
 * acknowledged is lost; {@link FaultyStorageIO#simulatePowerLoss} covers the page cache separately.
 */
final class CrashHarness {

  /** A running child. */
  static final class Child implements AutoCloseable {
    final Process process;
    final List<String> acks = java.util.Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch ready = new CountDownLatch(1);
    final StringBuilder stderr = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;

    Child(Process process) {
      this.process = process;
      outReader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            if (line.equals("READY")) {
              ready.countDown();
            } else if (line.startsWith("ACK ")) {
              acks.add(line.substring(4));
            }
          }
        } catch (IOException ignored) {
          // the process died; what was read so far is what counts
        }
      }, "crash-child-stdout");
      errReader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            synchronized (stderr) {
              if (stderr.length() < 20_000) {
                stderr.append(line).append('\n');
              }
            }
          }
        } catch (IOException ignored) {
          // as above
        }
      }, "crash-child-stderr");
      outReader.setDaemon(true);
      errReader.setDaemon(true);
      outReader.start();
      errReader.start();
    }

    /** Kills the child with SIGKILL and waits until it and its output are gone. */
    void kill() throws InterruptedException {
      // Through the handle: Process.destroyForcibly() also closes our end of the child's stdout, which
      // would drop ACK lines still unread in the pipe; signalling alone lets the reader drain them.
      process.toHandle().destroyForcibly();
      process.waitFor();
      outReader.join(10_000);
      errReader.join(10_000);
    }

    String stderr() {
      synchronized (stderr) {
        return stderr.toString();
      }
    }

    @Override
    public void close() throws InterruptedException {
      kill();
    }
  }

  private CrashHarness() {}

  private static String classPath;

  /**
   * The child's class path: private copies of this module's main and test classes and of the api, then
   * the test JVM's own class path as a fallback. Copies, because other builds may recompile
   * {@code target/} while a long run is going, and a child must never load half-written classes.
   */
  static synchronized String classPath() throws IOException {
    if (classPath != null) {
      return classPath;
    }
    Path copies = Files.createTempDirectory("quiver-crash-classpath");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(copies)));
    Set<String> entries = new LinkedHashSet<>();
    int n = 0;
    for (Class<?> c : new Class<?>[] {CrashChild.class, StoreStorage.class, dev.quiver.CollectionSpec.class}) {
      Path source;
      try {
        source = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (Exception e) {
        throw new IllegalStateException("cannot locate the classes of " + c, e);
      }
      Path copy = copies.resolve(n++ + "-" + source.getFileName());
      copyTree(source, copy);
      entries.add(copy.toString());
    }
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!e.isEmpty()) {
        entries.add(e);
      }
    }
    classPath = String.join(File.pathSeparator, entries);
    return classPath;
  }

  private static void copyTree(Path source, Path target) throws IOException {
    try (java.util.stream.Stream<Path> walk = Files.walk(source)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path t = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.createDirectories(t.getParent());
          Files.copy(p, t);
        }
      }
    }
  }

  private static void deleteTree(Path root) {
    try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: it is a temporary directory
    }
  }

  static Child start(Class<? extends CrashWorkload> workload, Path dir, long seed) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", classPath(), CrashChild.class.getName(), workload.getName(), dir.toString(), Long.toString(seed));
    return new Child(pb.start());
  }

  /** What a run did. */
  record Result(int cycles, int killedBeforeReady, long acknowledged, String lastSummary) {}

  /**
   * Runs kill cycles on one directory; every cycle's acknowledged writes must survive all later ones.
   *
   * @param workload what the children do
   * @param dir the store directory (kept across cycles)
   * @param cycles how many children to kill
   * @param seed makes kill moments reproducible (up to scheduling)
   * @param log receives a line per cycle
   * @return totals
   */
  static Result run(Class<? extends CrashWorkload> workload, Path dir, int cycles, long seed,
      java.util.function.Consumer<String> log) throws Exception {
    CrashWorkload verifier = workload.getDeclaredConstructor().newInstance();
    Random random = new Random(seed);
    List<String> acknowledged = new ArrayList<>();
    int early = 0;
    String summary = "";
    Files.createDirectories(dir);
    for (int cycle = 0; cycle < cycles; cycle++) {
      Child child = start(workload, dir, seed * 1_000_003L + cycle);
      boolean killEarly = random.nextInt(5) == 0;
      if (killEarly) {
        // Somewhere in JVM start-up or recovery: recovery itself must be crash-safe.
        early++;
        Thread.sleep(random.nextInt(400));
      } else {
        if (!child.ready.await(60, TimeUnit.SECONDS)) {
          child.kill();
          throw new AssertionError("cycle " + cycle + ": child never became ready; stderr:\n" + child.stderr());
        }
        Thread.sleep(random.nextInt(250));
      }
      boolean diedByItself = !child.process.isAlive();
      child.kill();
      if (diedByItself) {
        throw new AssertionError("cycle " + cycle + ": child exited with " + child.process.exitValue()
            + " before it was killed; stderr:\n" + child.stderr());
      }
      acknowledged.addAll(child.acks);
      try {
        summary = verifier.verify(dir, acknowledged);
      } catch (AssertionError e) {
        List<String> acks = child.acks;
        throw new AssertionError("cycle " + cycle + (killEarly ? " (early kill)" : "") + ", child seed "
            + (seed * 1_000_003L + cycle) + ", " + acks.size() + " acks, the last: "
            + acks.subList(Math.max(0, acks.size() - 6), acks.size()) + "; child stderr:\n" + child.stderr()
            + "\n" + e.getMessage(), e);
      }
      log.accept("cycle " + cycle + (killEarly ? " (early kill)" : "") + ": +" + child.acks.size() + " acks; " + summary);
    }
    return new Result(cycles, early, acknowledged.size(), summary);
  }
}
