package dev.quiver.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.conformance.DatasetGenerator;
import dev.quiver.conformance.ValuePool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migration on the embedded engine: plan, copy, checkpoint, resume, transforms, verification. */
class MigrationTest {

  @TempDir
  Path dir;

  static VectorCollection filled(VectorStore store, String name, Metric metric, int n) {
    VectorCollection c = store.createCollection(CollectionSpec.builder(name).dimension(8).metric(metric).build());
    List<Record> records = new DatasetGenerator(7, ValuePool.withExactLongs()).records("r", n, 8);
    for (int i = 0; i < records.size(); i += 1000) {
      c.upsert(records.subList(i, Math.min(records.size(), i + 1000)));
    }
    return c;
  }

  @Test
  void copiesVerifiesAndCheckpoints() {
    try (VectorStore a = Quiver.open("memory:"); VectorStore b = Quiver.open("memory:")) {
      VectorCollection src = filled(a, "src", Metric.COSINE, 3000);
      Path cp = dir.resolve("cp.json");
      MigrationReport r = Migration.from(src).to(b, "dst").batchSize(200).checkpoint(cp).run();
      assertTrue(r.ok(), r.describe());
      assertEquals(3000, r.writtenTotal());
      assertEquals(3000, b.collection("dst").count());
      assertEquals("DONE", Checkpoint.read(cp).state());
      assertEquals(src.spec().toBuilder().build().dimension(), b.describeCollection("dst").dimension());
      assertEquals(-1, r.plan().scanned(), "local to local needs no data scan");
      // a second fresh run into the now full target is refused
      assertThrows(TargetNotEmptyException.class, () -> Migration.from(src).to(b, "dst").checkpoint(cp).run());
    }
  }

  @Test
  void verificationFindsEveryKindOfDifference() {
    try (VectorStore a = Quiver.open("memory:"); VectorStore b = Quiver.open("memory:")) {
      VectorCollection src = filled(a, "src", Metric.DOT_PRODUCT, 500);
      Migration.from(src).to(b, "dst").verify(Migration.Verify.NONE).run();
      VectorCollection dst = b.collection("dst");
      Record r1 = src.get("r0001").orElseThrow();
      dst.upsert(r1.withMetadata(r1.metadata().with("extra", 1L)));
      Record r2 = src.get("r0002").orElseThrow();
      float[] v = r2.vector();
      v[0] += 0.5f;
      dst.upsert(Record.of("r0002", v, r2.metadata()));
      dst.delete(List.of("r0003"));
      dst.upsert(Record.of("zzz", v));
      VerificationReport rep = Migration.from(src).to(b, "dst").build().verify();
      assertFalse(rep.ok());
      Set<String> kinds = new java.util.TreeSet<>();
      rep.differences().forEach(d -> kinds.add(d.kind()));
      assertEquals(Set.of("METADATA", "VECTOR", "MISSING"), kinds, rep.differences().toString());
      // r0003 missing and zzz extra cancel out in the count; a long-vs-double change is caught by type
      Record r4 = src.get("r0004").orElseThrow();
      dst.upsert(r4.withMetadata(Metadata.of("num", 1.0)));
      src.upsert(r4.withMetadata(Metadata.of("num", 1L)));
      VerificationReport rep2 = Migration.from(src).to(b, "dst").build().verify();
      assertTrue(rep2.differences().stream().anyMatch(d -> d.id() != null && d.id().equals("r0004")
          && d.detail().contains("Long 1 in the source, Double 1.0 in the target")), rep2.differences().toString());
    }
  }

  @Test
  void resumeRefusesAnotherMigrationsCheckpoint() throws Exception {
    try (VectorStore a = Quiver.open("memory:"); VectorStore b = Quiver.open("memory:")) {
      VectorCollection src = filled(a, "src", Metric.COSINE, 100);
      Path cp = dir.resolve("cp.json");
      assertThrows(CheckpointException.class, () -> Migration.from(src).to(b, "dst").checkpoint(cp).resume(true).run());
      Checkpoint.start("other").write(cp);
      assertThrows(CheckpointException.class, () -> Migration.from(src).to(b, "dst").checkpoint(cp).resume(true).run());
      assertThrows(CheckpointException.class, () -> Migration.from(src).to(b, "dst").checkpoint(cp).run(),
          "an unfinished checkpoint is not silently overwritten");
      Files.writeString(cp, "{not json");
      assertThrows(CheckpointException.class, () -> Migration.from(src).to(b, "dst").checkpoint(cp).run());
    }
  }

  @Test
  void filterTransformsAndSkips() {
    try (VectorStore a = Quiver.open("memory:"); VectorStore b = Quiver.open("memory:")) {
      VectorCollection src = a.createCollection(CollectionSpec.builder("src").dimension(2).metric(Metric.EUCLIDEAN).build());
      src.upsert(Record.of("a", new float[] {1, 0}, Metadata.of("tenant", "x", "old", 1L)),
          Record.of("b", new float[] {0, 0}, Metadata.of("tenant", "x", "old", 2L, "new", 5L)),
          Record.of("c", new float[] {0, 1}, Metadata.of("tenant", "y")));
      MigrationPlan plan = Migration.from(src).to(b, "dst").filter(Filter.eq("tenant", "x"))
          .renameKeys(Map.of("old", "new")).plan();
      assertEquals(2, plan.scanned());
      assertEquals(1, plan.issues().get(Issue.TRANSFORM_REJECTED), plan.describe());
      assertTrue(plan.blocking());
      assertThrows(IncompatibleDataException.class, () -> Migration.from(src).to(b, "dst").filter(Filter.eq("tenant", "x"))
          .renameKeys(Map.of("old", "new")).run());
      assertFalse(b.hasCollection("dst"), "a blocked plan writes nothing, not even the collection");
      MigrationReport r = Migration.from(src).to(b, "dst").filter(Filter.eq("tenant", "x"))
          .renameKeys(Map.of("old", "new")).skipIncompatible(true).run();
      assertTrue(r.ok(), r.describe());
      assertEquals(1, r.writtenTotal());
      assertEquals(1, r.skippedTotal());
      assertEquals(Metadata.of("tenant", "x", "new", 1L), b.collection("dst").get("a").orElseThrow().metadata());
    }
  }

  @Test
  void reembeddingIntoANewDimension() {
    try (VectorStore a = Quiver.open("memory:"); VectorStore b = Quiver.open("memory:")) {
      VectorCollection src = filled(a, "src", Metric.COSINE, 300);
      Transform reembed = r -> Record.of(r.id(), new float[] {1f, r.id().length(), 3f}, r.metadata());
      MigrationReport r = Migration.from(src).to(b, "v2").transform("toy-embedder-v1", reembed).targetDimension(3).run();
      assertTrue(r.ok(), r.describe());
      assertEquals(3, b.describeCollection("v2").dimension());
      assertEquals(300, r.verification().matched());
    }
  }
}
