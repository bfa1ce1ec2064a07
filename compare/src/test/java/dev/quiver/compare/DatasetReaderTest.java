package dev.quiver.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

  @TempDir
  Path tmp;

  private Path fvecs(String name, float[]... vectors) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(vectors.length * (4 + vectors[0].length * 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : vectors) {
      b.putInt(v.length);
      for (float x : v) {
        b.putFloat(x);
      }
    }
    return Files.write(tmp.resolve(name), b.array());
  }

  @Test
  void readsFvecsWithQueriesAndChecksAGivenGroundTruth() throws IOException {
    Path base = fvecs("base.fvecs", new float[] {0, 0}, new float[] {1, 0}, new float[] {5, 5});
    Path queries = fvecs("q.fvecs", new float[] {0.9f, 0});
    ByteBuffer gt = ByteBuffer.allocate(4 + 8).order(ByteOrder.LITTLE_ENDIAN).putInt(2).putInt(1).putInt(0);
    Path truth = Files.write(tmp.resolve("gt.ivecs"), gt.array());
    Dataset d = DatasetReader.read(base, queries, truth, Metric.EUCLIDEAN, 10, 0, 1);
    assertEquals(3, d.records().size());
    assertEquals("1", d.records().get(1).id());
    assertEquals(1, d.queries().size());
    assertEquals(List.of("1", "0"), GroundTruth.topK(d.records(), d.metric(), d.queries().get(0), 2, null));
    assertEquals(64, d.sha256().length());
    List<String> notes = new java.util.ArrayList<>();
    Comparison.workload(d, List.of(), 2, Progress.NONE, notes);
    assertTrue(notes.get(0).contains("1.0000"), notes.toString());
  }

  @Test
  void aTruncatedFvecsIsAClearError() throws IOException {
    Path p = fvecs("bad.fvecs", new float[] {1, 2, 3});
    Files.write(p, java.util.Arrays.copyOf(Files.readAllBytes(p), 10));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> DatasetReader.records(p, 0));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void readsJsonLinesWithEveryMetadataTypeAndHoldsQueriesOut() throws IOException {
    Path p = tmp.resolve("d.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      sb.append("{\"id\": \"r").append(i).append("\", \"vector\": [").append(i).append(", 1], \"metadata\": {\"s\": \"x\","
          + " \"n\": 3, \"d\": 0.5, \"b\": true, \"l\": [\"a\", \"b\"]}}\n");
    }
    Files.writeString(p, sb.toString(), StandardCharsets.UTF_8);
    Dataset d = DatasetReader.read(p, null, null, Metric.COSINE, 5, 0, 9);
    assertEquals(15, d.records().size());
    assertEquals(5, d.queries().size());
    Metadata m = d.records().get(0).metadata();
    assertEquals(Metadata.of("s", "x", "n", 3L, "d", 0.5, "b", true, "l", List.of("a", "b")), m);
    assertEquals(List.of("b", "d", "l", "n", "s"), d.metadataKeys());
  }

  @Test
  void aBadLineIsNamedByItsNumber() throws IOException {
    Path p = Files.writeString(tmp.resolve("d.jsonl"), "{\"id\": \"a\", \"vector\": [1]}\n{\"id\": \"b\", \"vector\": [1],"
        + " \"metadata\": {\"k\": null}}\n", StandardCharsets.UTF_8);
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> DatasetReader.records(p, 0));
    assertTrue(e.getMessage().contains("d.jsonl line 2") && e.getMessage().contains("\"k\""), e.getMessage());
  }

  @Test
  void generatedFiltersCoverEveryKeyAndParseBack() {
    List<Record> records = List.of(
        Record.of("a", new float[] {1, 0}, Metadata.of("color", "red", "size", 3L, "tags", List.of("x"))),
        Record.of("b", new float[] {0, 1}, Metadata.of("color", "blue", "size", 5L, "on", true)),
        Record.of("c", new float[] {1, 1}, Metadata.of("color", "red", "price", 1.5)));
    List<Filter> filters = Filters.generate(records, 10, 3);
    for (String key : List.of("color", "size", "tags", "on", "price")) {
      assertTrue(filters.stream().anyMatch(f -> f.toString().contains(key)), key + " in " + filters);
    }
    for (Filter f : filters) {
      assertEquals(f, Filter.parse(f.toString()));
    }
  }
}
