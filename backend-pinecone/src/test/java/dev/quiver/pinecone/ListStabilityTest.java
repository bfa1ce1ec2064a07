package dev.quiver.pinecone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * list() under writes by someone else: Pinecone's id pages shift between calls (a token re-read later
 * starts elsewhere in id order; a listed id may be gone by its fetch). Records present for the whole
 * scroll must come back exactly once. Deterministic versions of the kit's {@code stableUnderWrites}.
 */
class ListStabilityTest {

  private static final CollectionSpec SPEC = CollectionSpec.builder("scroll").dimension(2).metric(Metric.COSINE)
      .index(IndexSpec.hnsw(16, 200)).build();

  private static List<Record> stable() {
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      out.add(Record.of(String.format("s%04d", i), new float[] {1, i + 1}, Metadata.of("i", (long) i)));
    }
    return out;
  }

  private static Set<String> ids(List<Record> records) {
    Set<String> out = new TreeSet<>();
    records.forEach(r -> out.add(r.id()));
    return out;
  }

  private static void assertOnce(List<String> seen, Set<String> want) {
    assertEquals(seen.size(), new HashSet<>(seen).size(), "duplicates in " + seen);
    Set<String> missing = new TreeSet<>(want);
    missing.removeAll(seen);
    assertTrue(missing.isEmpty(), "skipped: " + missing);
  }

  /** Ids inserted before the cursor pull the first id page's end below it: nothing may come back twice. */
  @Test
  void idPageBoundaryMovingBackDoesNotRepeat() {
    try (PineconeEmulator emu = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES).describesUntilReady(0);
        PineconeVectorStore reader = EmulatorStores.store(emu);
        PineconeVectorStore writer = EmulatorStores.store(emu)) {
      VectorCollection w = writer.createCollection(SPEC);
      List<Record> stable = stable();
      w.upsert(stable);
      VectorCollection c = reader.collection(SPEC.name());
      List<String> seen = new ArrayList<>();
      ListRequest req = ListRequest.of(9);
      Page page = c.list(req);
      for (int p = 0; p < 7; p++) { // 8 pages: s0000..s0071, all from the first id page (s0000..s0099)
        page.records().forEach(r -> seen.add(r.id()));
        page = c.list(req.cursor(page.nextCursor().orElseThrow()));
      }
      page.records().forEach(r -> seen.add(r.id()));
      assertEquals("s0071", seen.get(seen.size() - 1));
      List<Record> early = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        early.add(Record.of("s0000_new" + i, new float[] {2, i + 1}, Metadata.empty()));
      }
      w.upsert(early); // the first id page now ends near s0059, below the cursor
      while (page.nextCursor().isPresent()) {
        page = c.list(req.cursor(page.nextCursor().get()));
        page.records().forEach(r -> seen.add(r.id()));
      }
      assertOnce(seen, ids(stable));
      assertEquals(150, seen.size(), "ids written behind the cursor are not returned: " + seen);
    }
  }

  /** A listed id deleted before its fetch must not make list() jump to the next id page. */
  @Test
  void idDeletedBetweenListAndFetchDoesNotSkipTheRestOfThePage() {
    // lag 2: the reader's list still sees the deleted id, its fetch (the second read) no longer does
    try (PineconeEmulator emu = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES).describesUntilReady(0);
        PineconeVectorStore reader = EmulatorStores.store(emu);
        PineconeVectorStore writer = EmulatorStores.store(emu)) {
      VectorCollection w = writer.createCollection(SPEC);
      List<Record> stable = stable();
      w.upsert(stable);
      w.upsert(List.of(Record.of("s0012_tmp", new float[] {3, 1}, Metadata.empty())));
      VectorCollection c = reader.collection(SPEC.name());
      emu.lagReads(2);
      List<String> seen = new ArrayList<>();
      ListRequest req = ListRequest.of(9);
      Page page = c.list(req);
      page.records().forEach(r -> seen.add(r.id()));
      w.delete(List.of("s0012_tmp")); // one of the next 9 listed ids
      while (page.nextCursor().isPresent()) {
        page = c.list(req.cursor(page.nextCursor().get()));
        page.records().forEach(r -> seen.add(r.id()));
      }
      assertOnce(seen, ids(stable));
      assertEquals(150, seen.size(), "the deleted id is not returned: " + seen);
    }
  }
}
