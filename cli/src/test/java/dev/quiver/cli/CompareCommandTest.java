package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.CollectionSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.migrate.ExportFormat;
import dev.quiver.migrate.ProgressListener;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void takesAQuiverExportFileAsDataWithItsOwnMetric(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("docs.arrow");
    Random random = new Random(5);
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      records.add(Record.of("d" + i, new float[] {(float) random.nextGaussian(), (float) random.nextGaussian(),
          (float) random.nextGaussian()}, Metadata.of("color", i % 3 == 0 ? "red" : "blue", "size", (long) (i % 10))));
    }
    try (VectorStore store = Quiver.open("memory:")) {
      VectorCollection c = store.createCollection(CollectionSpec.builder("docs").dimension(3)
          .metric(Metric.EUCLIDEAN).build());
      c.upsert(records);
      ExportFormat.write(c, null, file, 100, ProgressListener.none());
    }
    Path out = tmp.resolve("report");
    int code = QuiverCli.run("compare", "--data", file.toString(), "--query-count", "10", "--searches", "20",
        "--concurrency", "1", "--random-filters", "2", "--quiet", "--out", out.toString(), "--store", "memory:");
    assertEquals(0, code);
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals(290, report.at("/dataset/records").asInt(), report.get("dataset").toString());
    assertEquals("EUCLIDEAN", report.at("/dataset/metric").asText(), "the metric of the file's spec");
    assertEquals(290, report.at("/backends/0/ingest/records").asInt(), report.at("/backends/0").toString());
    assertEquals("measured", report.at("/backends/0/status").asText().toLowerCase(Locale.ROOT));
    String md = Files.readString(out.resolve("report.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("--data " + file + " --metric euclidean "), "the metric used is recorded");

    // a metric that differs from the file's is refused before anything runs
    Path refused = tmp.resolve("refused");
    assertEquals(2, QuiverCli.run("compare", "--data", file.toString(), "--metric", "cosine", "--quiet",
        "--out", refused.toString(), "--store", "memory:"));
    assertTrue(Files.notExists(refused));
  }
}
