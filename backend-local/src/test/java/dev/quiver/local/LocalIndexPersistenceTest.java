package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A collection's index state survives a write/read round trip: same results, no rebuild. */
class LocalIndexPersistenceTest {

  @Test
  void savedGraphIsReusedAndGivesIdenticalResults() throws Exception {
    LocalVectorStore store = LocalVectorStore.inMemory();
    CollectionSpec spec = CollectionSpec.builder("p").dimension(16).metric(Metric.COSINE)
        .index(IndexSpec.hnsw(12, 100)).build();
    LocalCollection c = (LocalCollection) store.createCollection(spec);
    Random rnd = new Random(8);
    List<Record> batch = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      batch.add(Record.of("id" + i, vec(rnd), Metadata.of("g", (long) (i % 5))));
    }
    c.upsert(batch);
    c.upsert(List.of(Record.of("id3", vec(rnd), Metadata.of("g", 9L)))); // a tombstone in the graph
    c.delete(List.of("id4", "id5"));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    c.writeIndexTo(new DataOutputStream(bytes));
    List<Record> records = c.list(dev.quiver.ListRequest.of(10_000)).records();

    LocalVectorStore other = LocalVectorStore.inMemory();
    LocalCollection back = (LocalCollection) other.createCollection(spec);
    CollectionSnapshots.Restored restored = back.restoreFrom(records,
        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertTrue(restored.reused());
    assertNull(restored.problem());
    assertEquals(c.count(), back.count());
    for (int q = 0; q < 30; q++) {
      float[] v = vec(rnd);
      SearchRequest r = SearchRequest.of(v, 10).ef(50);
      assertEquals(ids(c.search(r)), ids(back.search(r)));
      SearchRequest f = SearchRequest.of(v, 10).filter("g == 2");
      assertEquals(ids(c.search(f)), ids(back.search(f)));
    }
    // the restored collection keeps taking writes
    back.upsert(List.of(Record.of("new", vec(rnd))));
    assertEquals(c.count() + 1, back.count());

    // a damaged index state falls back to rebuilding from the records
    byte[] damaged = bytes.toByteArray();
    damaged[damaged.length / 2] ^= 0x55;
    LocalCollection rebuilt = (LocalCollection) LocalVectorStore.inMemory().createCollection(spec);
    rebuilt.restoreFrom(records, new DataInputStream(new ByteArrayInputStream(damaged)));
    assertEquals(c.count(), rebuilt.count());
    // an unreadable one (a format version this build does not know) is rebuilt, and says why
    byte[] future = bytes.toByteArray();
    future[3] = 99; // the index state's version int
    LocalCollection refused = (LocalCollection) LocalVectorStore.inMemory().createCollection(spec);
    CollectionSnapshots.Restored why = refused.restoreFrom(records, new DataInputStream(new ByteArrayInputStream(future)));
    assertFalse(why.reused());
    assertTrue(why.problem().contains("version 99"), why.problem());
    assertEquals(c.count(), refused.count());
    LocalCollection noIndex = (LocalCollection) LocalVectorStore.inMemory().createCollection(spec);
    CollectionSnapshots.Restored none = noIndex.restoreFrom(records, null);
    assertFalse(none.reused());
    assertNull(none.problem(), "no saved state is not a problem");
    assertEquals(c.count(), noIndex.count());
    store.close();
    other.close();
  }

  private static List<String> ids(List<Match> ms) {
    List<String> out = new ArrayList<>();
    ms.forEach(m -> out.add(m.id()));
    return out;
  }

  private static float[] vec(Random rnd) {
    float[] v = new float[16];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }
}
