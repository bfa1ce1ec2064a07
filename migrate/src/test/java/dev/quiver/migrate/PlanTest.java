package dev.quiver.migrate;

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
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan against the Pinecone emulator: every finding, counted per record, blocks before writing. */
class PlanTest {

  @Test
  void everyPineconeLimitIsCountedAndBlocksUntilResolved() {
    try (PineconeEmulator emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES);
        VectorStore pc = Quiver.open(emulator.storeUri()); VectorStore mem = Quiver.open("memory:")) {
      VectorCollection src = mem.createCollection(CollectionSpec.builder("src").dimension(3).metric(Metric.EUCLIDEAN)
          .index(IndexSpec.flat()).build());
      List<Record> rs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        rs.add(Record.of("ok-" + i, new float[] {1, i, 2}, Metadata.of("n", (long) i)));
      }
      rs.add(Record.of("zero-1", new float[3], Metadata.empty()));
      rs.add(Record.of("zero-2", new float[3], Metadata.of("big", Long.MIN_VALUE)));
      rs.add(Record.of("big-1", new float[] {1, 1, 1}, Metadata.of("big", (1L << 53) + 1)));
      rs.add(Record.of("edge-2p53", new float[] {1, 1, 1}, Metadata.of("big", 1L << 53, "neg", -(1L << 53))));
      rs.add(Record.of("large-1", new float[] {1, 1, 1}, Metadata.of("blob", "x".repeat(41_000))));
      rs.add(Record.of("fits-1", new float[] {1, 1, 1}, Metadata.of("blob", "x".repeat(40_000))));
      src.upsert(rs);

      MigrationPlan plan = Migration.from(src).to(pc, "dst").plan();
      assertEquals(106, plan.scanned());
      assertTrue(plan.specProblems().stream().anyMatch(p -> p.contains("index FLAT is not offered by pinecone")),
          plan.describe());
      assertEquals(2L, plan.issues().get(Issue.ZERO_VECTOR), plan.describe());
      assertEquals(2L, plan.issues().get(Issue.INEXACT_LONG), plan.describe());
      assertEquals(1L, plan.issues().get(Issue.METADATA_TOO_LARGE), plan.describe());
      assertEquals(4, plan.affected(), "zero-2 has two issues but is one record");
      assertEquals(List.of("zero-1", "zero-2"), plan.examples().get(Issue.ZERO_VECTOR));
      assertTrue(plan.blocking());
      assertTrue(plan.describe().contains("--inexact-longs"), plan.describe());

      IncompatibleDataException e = assertThrows(IncompatibleDataException.class,
          () -> Migration.from(src).to(pc, "dst").targetIndex(IndexSpec.hnsw(16, 100)).run());
      assertFalse(pc.hasCollection("dst"));
      assertTrue(e.plan().specProblems().isEmpty(), "--index resolves the index finding");

      // resolved: longs as strings, the rest skipped and counted
      MigrationReport r = Migration.from(src).to(pc, "dst").targetIndex(IndexSpec.hnsw(16, 100))
          .inexactLongs(Transform.InexactLongs.TO_STRING).skipIncompatible(true).run();
      assertTrue(r.ok(), r.describe());
      assertEquals(3, r.skippedTotal());
      assertEquals(103, r.writtenTotal());
      VectorCollection dst = pc.collection("dst");
      assertEquals(Metadata.of("big", "9007199254740993"), dst.get("big-1").orElseThrow().metadata());
      assertEquals(Metadata.of("big", 1L << 53, "neg", -(1L << 53)), dst.get("edge-2p53").orElseThrow().metadata());
      assertTrue(dst.get(List.of("zero-1", "zero-2", "large-1")).isEmpty());
      assertEquals(103, emulator.committedCount("dst"));
    }
  }

  @Test
  void dropKeyResolvesOversizedMetadataAndDimensionLimitsBlock() {
    try (PineconeEmulator emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES);
        VectorStore pc = Quiver.open(emulator.storeUri()); VectorStore mem = Quiver.open("memory:")) {
      VectorCollection src = mem.createCollection(CollectionSpec.builder("src").dimension(2).metric(Metric.COSINE)
          .index(IndexSpec.hnsw(16, 64)).build());
      src.upsert(Record.of("a", new float[] {1, 2}, Metadata.of("blob", "y".repeat(50_000), "keep", true)));
      assertEquals(1L, Migration.from(src).to(pc, "d1").plan().issues().get(Issue.METADATA_TOO_LARGE));
      MigrationReport r = Migration.from(src).to(pc, "d1").dropKeys(java.util.Set.of("blob")).run();
      assertTrue(r.ok(), r.describe());
      assertEquals(Metadata.of("keep", true), pc.collection("d1").get("a").orElseThrow().metadata());

      VectorCollection wide = mem.createCollection(CollectionSpec.builder("wide").dimension(20_001).build());
      wide.upsert(List.of(Record.of("w", ones(20_001))));
      MigrationPlan p = Migration.from(wide).to(pc, "d2").targetIndex(IndexSpec.hnsw(16, 64)).plan();
      assertTrue(p.specProblems().stream().anyMatch(s -> s.contains("above pinecone's maximum of 20000")), p.describe());
    }
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    return v;
  }
}
