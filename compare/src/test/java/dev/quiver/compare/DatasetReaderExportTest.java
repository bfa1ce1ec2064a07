package dev.quiver.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.migrate.ExportFormat;
import dev.quiver.migrate.ExportFormatException;
import dev.quiver.migrate.ProgressListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quiver export files (the migration module's format) as compare's input. */
class DatasetReaderExportTest {

  private static final int N = 120;
  private static final int DIM = 6;

  @TempDir
  Path tmp;

  private List<Record> records;
  private Path export;

  /** Exports a small collection with typed metadata of every kind, through migrate's own writer. */
  @BeforeEach
  void exportACollection() {
    Random rnd = new Random(11);
    String[] cats = {"tech", "science", "sports"};
    records = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      float[] v = new float[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = (float) rnd.nextGaussian();
      }
      Metadata.Builder m = Metadata.builder().put("category", cats[i % cats.length]).put("year", 2000L + i % 25)
          .put("price", i / 4.0).put("in_stock", i % 2 == 0).put("tags", List.of("t" + i % 5, "all"));
      if (i % 7 == 0) {
        // a double that looks like an integer, and a long beyond 2^53: their types must survive the file
        m.put("one", 1.0).put("big", (1L << 53) + 1);
      }
      records.add(Record.of(String.format("doc-%04d", i), v, m.build()));
    }
    records.add(Record.of("it's \"quoted\" ünïcødé 🙂", new float[] {1, 2, 3, 4, 5, 6}, Metadata.empty()));
    export = tmp.resolve("docs.arrow");
    try (VectorStore store = Quiver.open("memory:")) {
      VectorCollection c = store.createCollection(CollectionSpec.builder("docs").dimension(DIM)
          .metric(Metric.DOT_PRODUCT).index(IndexSpec.flat()).build());
      c.upsert(records);
      // batches of 16: the file holds several Arrow record batches
      ExportFormat.Summary s = ExportFormat.write(c, null, export, 16, ProgressListener.none());
      assertEquals(N + 1, s.records());
    }
  }

  @Test
  void readsIdsVectorsAndTypedMetadataAsExported() throws IOException {
    assertTrue(DatasetReader.isExportFile(export));
    List<Record> read = DatasetReader.records(export, 0);
    assertEquals(records.size(), read.size());
    Map<String, Record> byId = read.stream().collect(Collectors.toMap(Record::id, Function.identity()));
    for (Record want : records) {
      Record got = byId.get(want.id());
      assertTrue(got != null, "missing " + want.id());
      assertArrayEquals(want.vector(), got.vector(), want.id());
      assertEquals(want.metadata(), got.metadata(), want.id());
      assertEquals(want, got);
    }
    Record edge = byId.get("doc-0007");
    assertEquals(Double.class, edge.metadata().asMap().get("one").getClass());
    assertEquals(Long.class, edge.metadata().asMap().get("big").getClass());
    assertEquals((1L << 53) + 1, edge.metadata().asMap().get("big"));
    assertEquals(List.of("t2", "all"), edge.metadata().asMap().get("tags"));

    assertEquals(25, DatasetReader.records(export, 25).size(), "--limit reads the first records only");
  }

  @Test
  void theMetricComesFromTheFilesSpecWhenNoneIsGiven() throws IOException {
    Dataset d = DatasetReader.read(export, null, null, null, 10, 0, 3);
    assertEquals(Metric.DOT_PRODUCT, d.metric());
    assertEquals(N + 1 - 10, d.records().size());
    assertEquals(10, d.queries().size());
    assertEquals(DIM, d.dimension());
    assertEquals(List.of("big", "category", "in_stock", "one", "price", "tags", "year"), d.metadataKeys());
    assertTrue(d.source().contains("Quiver export of collection docs"), d.source());
    assertEquals(64, d.sha256().length());
    assertEquals("docs", d.name());

    Dataset same = DatasetReader.read(export, null, null, Metric.DOT_PRODUCT, 10, 0, 3);
    assertEquals(Metric.DOT_PRODUCT, same.metric(), "the same metric given is accepted");
    assertEquals(d.records(), same.records());
  }

  @Test
  void aDifferentMetricIsRefusedWithATypedError() {
    MetricMismatchException e = assertThrows(MetricMismatchException.class,
        () -> DatasetReader.read(export, null, null, Metric.EUCLIDEAN, 10, 0, 3));
    assertEquals(Metric.EUCLIDEAN, e.given());
    assertEquals(Metric.DOT_PRODUCT, e.inFile());
    assertEquals(export, e.file());
    assertTrue(e.getMessage().contains("--metric euclidean") && e.getMessage().contains("dot"), e.getMessage());
  }

  @Test
  void otherFormatsStillDefaultToCosine() throws IOException {
    Path p = TestData.jsonLines(tmp.resolve("items.jsonl"), 30, 4, 1);
    assertFalse(DatasetReader.isExportFile(p));
    assertEquals(Metric.COSINE, DatasetReader.read(p, null, null, null, 5, 0, 1).metric());
  }

  @Test
  void anExportIsRecognisedByItsMagicUnderAnyName() throws IOException {
    Path renamed = Files.copy(export, tmp.resolve("backup.bin"));
    assertTrue(DatasetReader.isExportFile(renamed));
    assertEquals(records.size(), DatasetReader.records(renamed, 0).size());
    Path text = Files.writeString(tmp.resolve("notes.bin"), "ARROW? no", StandardCharsets.UTF_8);
    assertFalse(DatasetReader.isExportFile(text));
  }

  @Test
  void aDamagedOrForeignArrowFileIsAnExportFormatError() throws IOException {
    Path foreign = Files.writeString(tmp.resolve("other.arrow"), "not arrow at all", StandardCharsets.UTF_8);
    assertThrows(ExportFormatException.class, () -> DatasetReader.records(foreign, 0));

    byte[] bytes = Files.readAllBytes(export);
    // flip a byte inside the first record's id ("doc-0000"): the footer's checksum no longer matches
    int at = indexOf(bytes, "doc-0000".getBytes(StandardCharsets.UTF_8));
    assertTrue(at > 0);
    bytes[at] = 'x';
    Path damaged = Files.write(tmp.resolve("damaged.arrow"), bytes);
    ExportFormatException e = assertThrows(ExportFormatException.class,
        () -> DatasetReader.read(damaged, null, null, null, 10, 0, 3));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void aComparisonOverMemoryLoadsEveryRecordOfTheExport() throws IOException {
    Dataset d = DatasetReader.read(export, null, null, null, 8, 0, 5);
    Report report = Comparison.run(CompareOptions.builder().dataset(d).store("memory", "memory:")
        .index(IndexSpec.flat()).concurrency(List.of(1)).searchesPerLevel(10).randomFilters(2).probes(1)
        .command("DatasetReaderExportTest").build(), Progress.NONE);
    assertEquals(N + 1 - 8, report.dataset().records());
    assertEquals(8, report.dataset().queries());
    assertEquals("DOT_PRODUCT", report.dataset().metric());
    Report.Backend memory = report.backends().get(0);
    assertEquals(Report.MEASURED, memory.status(), memory.error());
    assertEquals(N + 1 - 8, memory.ingest().records());
    assertTrue(memory.correct(), "memory: agrees with the reference evaluator on every filter");
    assertTrue(memory.filters().stream().anyMatch(f -> f.filter().contains("category")), "filters from the metadata");
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
