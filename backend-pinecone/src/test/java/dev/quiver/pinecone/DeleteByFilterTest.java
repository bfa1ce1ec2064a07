package dev.quiver.pinecone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** delete(filter) removes every match, more than one query (topK ≤ 10,000) could ever return. */
class DeleteByFilterTest {

  @ParameterizedTest
  @EnumSource(EmulatorFilter.NeMissing.class)
  void deletesMoreThanTopKMatches(EmulatorFilter.NeMissing mode) {
    try (PineconeEmulator emu = new PineconeEmulator(mode).describesUntilReady(0);
        PineconeVectorStore store = EmulatorStores.store(emu)) {
      VectorCollection c = store.createCollection(CollectionSpec.builder("bulk").dimension(2)
          .metric(Metric.DOT_PRODUCT).index(IndexSpec.hnsw(16, 200)).build());
      List<Record> data = new ArrayList<>();
      for (int i = 0; i < 10_050; i++) {
        Metadata m = i < 10_020 ? Metadata.of("kind", "doomed", "i", i) : i % 2 == 0 ? Metadata.of("i", i)
            : Metadata.of("kind", "kept", "i", i);
        data.add(Record.of("r" + i, new float[] {1, i % 7 + 1}, m));
      }
      c.upsert(data);
      assertEquals(10_050, c.count());
      c.delete(Filter.parse("kind == 'doomed'"));
      assertEquals(30, c.count());
      assertEquals(30, emu.committedCount("bulk"));
      // the complement: 'kind != doomed' must now match all 30 survivors, with or without the key
      assertEquals(30, c.count(Filter.parse("kind != 'doomed'")));
      assertEquals(30, c.search(SearchRequest.of(new float[] {1, 1}, 100).filter("kind != 'doomed'")).size());
      c.delete(Filter.parse("kind != 'kept'"));
      assertEquals(15, c.count());
    }
  }
}
