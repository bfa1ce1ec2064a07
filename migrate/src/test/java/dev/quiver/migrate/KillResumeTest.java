package dev.quiver.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts a child JVM that migrates, SIGKILLs it at random moments (during start-up, the plan, the
 * copy with batches in flight, the checkpoint write, the verification), resumes with
 * {@code resume(true)}, and at the end checks that the target equals the source exactly and that
 * the checkpoint counted every record once: nothing lost, nothing duplicated.
 */
class KillResumeTest {

  @TempDir
  Path dir;

  @Test
  void localDurableToLocalDurable() throws Exception {
    String src = "local:" + dir.resolve("src");
    String dst = "local:" + dir.resolve("dst");
    Map<String, Record> source = fill(src, 20_000, 16);
    Result r = killAndResume(src, dst, "copy", 20, 700, 300, 2500, new Random(20261207));
    try (VectorStore s = Quiver.open(dst)) {
      TestData.assertExactly(source, s.collection("copy"));
      assertEquals(source.size(), s.collection("copy").count());
    }
    r.check(source.size());
  }

  @Test
  void localDurableToMilvusLite() throws Exception {
    String lite = System.getenv("QUIVER_MILVUS_URI");
    Assumptions.assumeTrue(lite != null && !lite.isBlank(), "QUIVER_MILVUS_URI is not set (scripts/test.sh sets it)");
    String src = "local:" + dir.resolve("src");
    Map<String, Record> source = fill(src, 8_000, 16);
    String name = "kill-" + Long.toHexString(System.nanoTime() & 0xfffff);
    try {
      // the Milvus client takes a while to connect: later kills, so that most land in the copy
      Result r = killAndResume(src, lite, name, 6, 500, 1500, 4500, new Random(7));
      try (VectorStore s = Quiver.open(lite)) {
        TestData.assertExactly(source, s.collection(name));
      }
      r.check(source.size());
    } finally {
      try (VectorStore s = Quiver.open(lite)) {
        s.dropCollection(name);
      }
    }
  }

  private static Map<String, Record> fill(String uri, int n, int dim) {
    List<Record> data = TestData.records(n, dim, n);
    try (VectorStore s = Quiver.open(uri)) {
      VectorCollection c = s.createCollection(CollectionSpec.builder("docs").dimension(dim).metric(Metric.DOT_PRODUCT)
          .index(IndexSpec.flat()).build());
      for (int i = 0; i < n; i += 2000) {
        c.upsert(data.subList(i, Math.min(n, i + 2000)));
      }
    }
    return TestData.byId(data);
  }

  /** What the kills hit. */
  record Result(int kills, TreeSet<Long> writtenAtKills, List<String> statesAtKills, Checkpoint last) {
    void check(int n) {
      assertEquals("DONE", last.state());
      assertEquals(n, last.written(), "the checkpoint counts every record once, however often pages were re-copied");
      long midCopy = writtenAtKills.stream().filter(w -> w > 0 && w < n).count();
      assertTrue(midCopy >= Math.min(5, kills / 2), "kills must land during the copy at several points: " + writtenAtKills);
      System.out.println("KillResumeTest: " + kills + " SIGKILLs; checkpoint at the kills: " + statesAtKills);
    }
  }

  private Result killAndResume(String from, String to, String target, int kills, double rate, int minDelayMs,
      int maxDelayMs, Random random) throws Exception {
    Path checkpoint = dir.resolve(target + ".checkpoint.json");
    Path log = dir.resolve(target + ".child.log");
    TreeSet<Long> written = new TreeSet<>();
    List<String> states = new ArrayList<>();
    int done = 0;
    while (done < kills) {
      Process p = start(from, to, target, checkpoint, rate, log);
      long delay = minDelayMs + random.nextInt(maxDelayMs - minDelayMs);
      if (p.waitFor(delay, TimeUnit.MILLISECONDS)) {
        // finished before this kill; later children resume a finished migration and are killed while verifying
        assertEquals(0, p.exitValue(), () -> "the child failed:\n" + tail(log));
        states.add("finished");
        continue;
      }
      p.toHandle().destroyForcibly(); // SIGKILL
      p.waitFor();
      done++;
      Checkpoint c = Checkpoint.read(checkpoint);
      states.add(c == null ? "none" : c.state() + ":" + c.written());
      if (c != null) {
        written.add(c.written());
      }
    }
    Process last = start(from, to, target, checkpoint, 0, log);
    assertTrue(last.waitFor(300, TimeUnit.SECONDS), "the last run did not finish");
    assertEquals(0, last.exitValue(), () -> "the last run failed:\n" + tail(log));
    return new Result(done, written, states, Checkpoint.read(checkpoint));
  }

  private static Process start(String from, String to, String target, Path checkpoint, double rate, Path log)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), MigrateChild.class.getName(), from, "docs", to, target,
        checkpoint.toString(), Double.toString(rate), Boolean.toString(Files.exists(checkpoint)));
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return pb.start();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
