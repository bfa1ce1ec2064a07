package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver compare} end to end on the embedded engine, with one unreachable store. */
class CompareCommandTest {

  @Test
  void writesTheThreeReportsAndMarksAnUnreachableStoreNotRun(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("items.jsonl");
    Random random = new Random(3);
    try (BufferedWriter w = Files.newBufferedWriter(data, StandardCharsets.UTF_8)) {
      for (int i = 0; i < 400; i++) {
        w.write(String.format(Locale.ROOT, "{\"id\": \"r%d\", \"vector\": [%f, %f, %f, %f], \"metadata\": "
            + "{\"color\": \"%s\", \"size\": %d}}%n", i, random.nextGaussian(), random.nextGaussian(),
            random.nextGaussian(), random.nextGaussian(), random.nextBoolean() ? "red" : "blue", random.nextInt(10)));
      }
    }
    Path out = tmp.resolve("report");
    int code = QuiverCli.run("compare", "--data", data.toString(), "--metric", "euclidean", "--query-count", "10",
        "--searches", "20", "--concurrency", "1,2", "--random-filters", "3", "--quiet", "--out", out.toString(),
        "--store", "memory:", "durable=local:" + tmp.resolve("db"),
        "down=qdrant://127.0.0.1:1?maxAttempts=1&timeoutMs=300");
    assertEquals(0, code);
    for (String f : new String[] {"report.html", "report.md", "report.json"}) {
      assertTrue(Files.size(out.resolve(f)) > 1000, f);
    }
    String md = Files.readString(out.resolve("report.md"), StandardCharsets.UTF_8);
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| memory | local | ✓ ")), md);
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| durable | local | ✓ ")), md);
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| down | ") && l.contains("**✗ NOT RUN: ")), md);
    assertTrue(md.contains("./quiver compare --data "), "the command line is recorded");
  }

  @Test
  void aBadOptionIsAClearErrorNotAStackTrace(@TempDir Path tmp) {
    assertEquals(2, QuiverCli.run("compare", "--store", "memory:", "--data", tmp.resolve("missing.jsonl").toString()));
    assertEquals(2, QuiverCli.run("compare", "--store", "memory:"));
  }
}
