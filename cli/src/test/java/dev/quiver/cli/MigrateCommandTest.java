package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver migrate}, {@code export} and {@code import} on durable local stores. */
class MigrateCommandTest {

  @TempDir
  Path dir;

  private String run(int expectedExit, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream originalErr = System.err;
    try {
      PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
      System.setOut(capture);
      System.setErr(capture);
      int code = QuiverCli.run(args);
      capture.flush();
      assertEquals(expectedExit, code, out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
      System.setErr(originalErr);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private String a() {
    return "local:" + dir.resolve("a");
  }

  @BeforeEach
  void fill() {
    try (VectorStore s = Quiver.open(a())) {
      VectorCollection c = s.createCollection(CollectionSpec.builder("docs").dimension(4).metric(Metric.EUCLIDEAN).build());
      List<Record> rs = new ArrayList<>();
      for (int i = 0; i < 1234; i++) {
        rs.add(Record.of("doc-" + i, new float[] {i, 1, 2, 3}, Metadata.of("n", (long) i, "x", i / 2.0,
            "old", "v" + i, "new", i % 2 == 0 ? "taken" : "free")));
      }
      c.upsert(rs);
    }
  }

  @Test
  void migratesWithJsonReportAndRefusesABlockedPlan() {
    String b = "local:" + dir.resolve("b");
    String json = run(0, "migrate", "--from", a() + "#docs", "--to", b + "#copy", "--json", "--batch-size", "100",
        "--checkpoint", dir.resolve("cp.json").toString());
    assertTrue(json.contains("\"ok\" : true") && json.contains("\"writtenTotal\" : 1234"), json);
    String table = run(0, "migrate", "--from", a() + "#docs", "--to", b + "#copy2", "--checkpoint",
        dir.resolve("cp2.json").toString(), "--verify", "sample", "--sample-size", "50");
    assertTrue(table.contains("Summary") && table.contains("SAMPLED: 50 checked, 50 equal, 0 difference(s)"), table);
    String blocked = run(4, "migrate", "--from", a() + "#docs", "--to", b + "#renamed", "--rename-key", "old=new",
        "--checkpoint", dir.resolve("cp3.json").toString());
    assertTrue(blocked.contains("TRANSFORM_REJECTED") && blocked.contains("1234 record(s) affected"), blocked);
    String dry = run(4, "migrate", "--dry-run", "--from", a() + "#docs", "--to", b + "#renamed", "--rename-key", "old=new");
    assertTrue(dry.contains("BLOCKED: nothing will be written"), dry);
    String ok = run(0, "migrate", "--from", a() + "#docs", "--to", b + "#renamed", "--rename-key", "old=new",
        "--drop-key", "new", "--checkpoint", dir.resolve("cp4.json").toString());
    assertTrue(ok.contains("1234 records (1234 this run)"), ok);
    try (VectorStore s = Quiver.open(b)) {
      assertFalse(s.hasCollection("renamed") && s.collection("renamed").get("doc-1").orElseThrow().metadata().containsKey("old"));
      assertEquals(Metadata.of("n", 1L, "x", 0.5, "new", "v1"), s.collection("renamed").get("doc-1").orElseThrow().metadata());
    }
    String noHash = run(1, "migrate", "--from", a(), "--to", b);
    assertTrue(noHash.contains("names no collection"), noHash);
  }

  @Test
  void exportThenImportRoundTrips() {
    Path file = dir.resolve("docs.arrow");
    String exp = run(0, "export", "--from", a() + "#docs", "--file", file.toString(), "--batch-size", "500");
    assertTrue(exp.contains("exported 1,234 records") && exp.contains("verified: 1234 checked, 1234 equal, 0 difference(s)"), exp);
    String c = "local:" + dir.resolve("c");
    String imp = run(0, "import", "--file", file.toString(), "--to", c, "--json", "--checkpoint",
        dir.resolve("imp.json").toString());
    assertTrue(imp.contains("\"ok\" : true") && imp.contains("\"writtenTotal\" : 1234"), imp);
    String verify = run(0, "migrate", "--verify-only", "--from", a() + "#docs", "--to", c + "#docs", "--json");
    assertTrue(verify.contains("\"matched\" : 1234"), verify);
  }
}
