package dev.quiver.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.conformance.DatasetGenerator;
import dev.quiver.conformance.ValuePool;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export to an Arrow IPC file and import back: exact round trip, damage detection, and a pyarrow reader. */
class ExportImportTest {

  @TempDir
  Path dir;

  static final Record EDGE = Record.of("edge-1", new float[] {0.1f, -2.5f, 3e-8f, 65504f, 1f, 0f, -0f, 7f},
      Metadata.builder().put("big", 9_007_199_254_740_993L).put("maxlong", Long.MAX_VALUE)
          .put("half", 1000000000000000.5).put("one", 1.0).put("count", 1L).put("negz", -0.0).put("flag", true)
          .put("text", "it's \"quoted\" \\ 日本 🙂").put("tags", List.of("a", "é")).put("empty", List.of()).build());

  static VectorCollection source(VectorStore store, int n) {
    VectorCollection c = store.createCollection(CollectionSpec.builder("exp-src").dimension(8)
        .metric(Metric.DOT_PRODUCT).index(IndexSpec.hnsw(12, 80)).build());
    List<Record> records = new ArrayList<>(new DatasetGenerator(3, ValuePool.withExactLongs()).records("r", n - 1, 8));
    records.add(EDGE);
    c.upsert(records);
    return c;
  }

  static List<Record> all(VectorCollection c) {
    List<Record> out = new ArrayList<>();
    String cursor = null;
    do {
      Page p = c.list(ListRequest.of(333).cursor(cursor));
      out.addAll(p.records());
      cursor = p.nextCursor().orElse(null);
    } while (cursor != null);
    return out;
  }

  @Test
  void roundTripIsExactAndImportIsAVerifiedMigration() {
    Path file = dir.resolve("backup.arrow");
    try (VectorStore a = Quiver.open("memory:"); VectorStore b = Quiver.open("memory:")) {
      VectorCollection src = source(a, 2500);
      ExportFormat.Summary s = ExportFormat.write(src, null, file, 1000, ProgressListener.none());
      assertEquals(2500, s.records());
      try (ExportFile f = ExportFile.open(file)) {
        assertEquals(src.spec(), f.spec());
        assertEquals(s.sha256(), f.sha256());
        assertEquals(all(src), all(f), "every id, vector and typed metadata value comes back exactly");
        assertEquals(EDGE, f.get(List.of("edge-1")).get(0));
        assertEquals(src.count(Filter.parse("num > 2")), f.count(Filter.parse("num > 2")));
        MigrationReport r = Migration.from(f).to(b, "restored").batchSize(300).checkpoint(dir.resolve("imp.json")).run();
        assertTrue(r.ok(), r.describe());
        assertEquals(2500, r.verification().matched());
      }
      assertEquals(all(src), all(b.collection("restored")));
      assertEquals(src.spec().index(), b.describeCollection("restored").index());
    }
  }

  @Test
  void filteredExportAndDamagedFilesAreRefused() throws IOException {
    Path file = dir.resolve("part.arrow");
    try (VectorStore a = Quiver.open("memory:")) {
      VectorCollection src = source(a, 600);
      Filter f = Filter.parse("exists(cat)");
      ExportFormat.Summary s = ExportFormat.write(src, f, file, 100, ProgressListener.none());
      assertEquals(src.count(f), s.records());
    }
    byte[] bytes = Files.readAllBytes(file);
    // flip one byte inside the record data: the checksum catches it
    Path flipped = dir.resolve("flipped.arrow");
    byte[] copy = bytes.clone();
    int at = indexOf(copy, "\"cat\"".getBytes(StandardCharsets.UTF_8), 2000);
    copy[at + 2] ^= 0x01;
    Files.write(flipped, copy);
    ExportFormatException e = assertThrows(ExportFormatException.class, () -> ExportFile.open(flipped));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    // a truncated file (an interrupted copy of a backup) is refused
    Path truncated = dir.resolve("truncated.arrow");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThrows(ExportFormatException.class, () -> ExportFile.open(truncated));
    Path notArrow = dir.resolve("x.arrow");
    Files.writeString(notArrow, "hello");
    assertThrows(ExportFormatException.class, () -> ExportFile.open(notArrow));
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      assertEquals(bytes.length, raf.length());
    }
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void pyarrowAndPandasReadTheExport() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    if (!python3Exists()) {
      System.out.println("SKIPPED pyarrowAndPandasReadTheExport: python3 is not on the PATH");
      org.junit.jupiter.api.Assumptions.abort("python3 is not on the PATH");
    }
    Path file = dir.resolve("for-python.arrow");
    try (VectorStore a = Quiver.open("memory:")) {
      ExportFormat.Summary s = ExportFormat.write(source(a, 1200), null, file, 500, ProgressListener.none());
      assertEquals(1200, s.records());
    }
    String python = run(List.of(root.resolve("scripts/pyarrow-venv.sh").toString()), 600).strip();
    String[] lines = python.split("\n");
    String out = run(List.of(lines[lines.length - 1], root.resolve("migrate/src/test/python/read_export.py").toString(),
        file.toString(), "1200"), 120);
    System.out.println("python: " + out.strip());
    assertTrue(out.startsWith("OK 1200 rows"), out);
  }

  private static boolean python3Exists() {
    try {
      return new ProcessBuilder("python3", "--version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String run(List<String> cmd, int seconds) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "timed out: " + cmd);
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), cmd + " failed:\n" + text);
    return text;
  }
}
