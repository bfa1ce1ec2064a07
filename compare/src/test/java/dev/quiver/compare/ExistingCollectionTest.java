package dev.quiver.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A comparison over a collection that already exists: read back for ground truth, nothing loaded or dropped. */
class ExistingCollectionTest {

  @Test
  void measuresAnExistingCollectionAndLeavesItInPlace(@TempDir Path tmp) throws Exception {
    String uri = "local:" + tmp.resolve("db");
    Dataset source = DatasetReader.read(TestData.jsonLines(tmp.resolve("d.jsonl"), 300, 8, 1), null, null,
        Metric.EUCLIDEAN, 10, 0, 1);
    try (VectorStore store = Quiver.open(uri)) {
      VectorCollection c = store.createCollection(CollectionSpec.builder("existing_items").dimension(8)
          .metric(Metric.EUCLIDEAN).index(IndexSpec.flat()).build());
      c.upsert(source.records());
    }
    Report report = Comparison.run(CompareOptions.builder().store("durable", uri).existingCollection("existing_items")
        .concurrency(java.util.List.of(1)).searchesPerLevel(10).randomFilters(3).build(), Progress.NONE);
    Report.Backend b = report.backends().get(0);
    assertEquals(Report.MEASURED, b.status(), b.error());
    assertTrue(b.correct());
    assertEquals(0, b.ingest().records());
    assertEquals(290, report.dataset().records());
    assertTrue(report.settings().existingCollection());
    assertEquals(1.0, b.runs().get(0).recall(), "FLAT is exact");
    try (VectorStore store = Quiver.open(uri)) {
      assertEquals(290, store.collection("existing_items").count(), "left in place");
    }
  }
}
