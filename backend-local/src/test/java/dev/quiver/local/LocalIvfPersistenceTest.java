package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An IVF collection's saved state at the collection level: reused as saved, re-encoded, re-trained. */
class LocalIvfPersistenceTest {

  static final CollectionSpec SPEC = CollectionSpec.builder("p").dimension(16).metric(Metric.DOT_PRODUCT)
      .index(IndexSpec.ivfPq(8, 4, 5)).build();

  static LocalCollection fresh() {
    return (LocalCollection) LocalVectorStore.inMemory().createCollection(SPEC);
  }

  static List<String> ids(List<Match> ms) {
    List<String> out = new ArrayList<>();
    ms.forEach(m -> out.add(m.id()));
    return out;
  }

  static DataInputStream in(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(b));
  }

  @Test
  void savedIndexIsReusedReEncodedOrRetrained() throws IOException {
    LocalCollection c = fresh();
    c.planner(new SearchPlanner(0));
    List<Record> data = LocalIvfCollectionTest.mixture(1200, 16, 3);
    c.upsert(data);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    c.writeIndexTo(new DataOutputStream(bytes));
    List<Record> records = c.list(ListRequest.of(10_000)).records();
    List<float[]> queries = new ArrayList<>();
    for (Record r : LocalIvfCollectionTest.mixture(20, 16, 4)) {
      queries.add(r.vector());
    }

    LocalCollection back = fresh();
    back.planner(new SearchPlanner(0));
    CollectionSnapshots.Restored restored = back.restoreFrom(records, in(bytes.toByteArray()));
    assertTrue(restored.reused());
    assertNull(restored.problem());
    for (float[] q : queries) {
      assertEquals(ids(c.search(SearchRequest.of(q, 10))), ids(back.search(SearchRequest.of(q, 10))));
    }

    // lists that do not hold exactly the records: rebuilt with the saved quantiser, not re-trained
    ByteArrayOutputStream partial = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(partial);
    out.writeInt(CollectionSnapshots.IVF_FORMAT_VERSION);
    out.writeInt(1200); // next ordinal: the records got ordinals 0..1199
    out.writeInt(records.size());
    for (int i = 0; i < records.size(); i++) {
      out.writeUTF("r" + i);
      out.writeInt(i);
    }
    c.ivf().writeTo(out, ord -> ord % 100 != 0); // twelve records missing from the lists
    out.flush();
    LocalCollection reencoded = fresh();
    reencoded.planner(new SearchPlanner(0));
    CollectionSnapshots.Restored r2 = reencoded.restoreFrom(records, in(partial.toByteArray()));
    assertFalse(r2.reused());
    assertTrue(r2.problem().contains("1188 entries for 1200 records") && r2.problem().contains("re-encoded"), r2.problem());
    assertEquals(c.ivf().stats().trainingNanos(), reencoded.ivf().stats().trainingNanos(), "the saved training is kept");
    assertEquals(1200, reencoded.ivf().stats().entries());
    for (float[] q : queries) {
      assertEquals(ids(c.search(SearchRequest.of(q, 10))), ids(reencoded.search(SearchRequest.of(q, 10))),
          "same quantiser, same records: same answers");
    }

    // an untrained index is saved as such; restoring enough records trains it
    LocalCollection small = fresh();
    small.upsert(data.subList(0, 100));
    ByteArrayOutputStream untrained = new ByteArrayOutputStream();
    small.writeIndexTo(new DataOutputStream(untrained));
    LocalCollection smallBack = fresh();
    assertTrue(smallBack.restoreFrom(small.list(ListRequest.of(1000)).records(), in(untrained.toByteArray())).reused());
    assertNull(smallBack.ivf().stats(), "still untrained");
    assertEquals(100, smallBack.count());

    // a damaged index is re-trained from the records
    byte[] damaged = bytes.toByteArray();
    damaged[damaged.length - 2] ^= 0x40; // inside the end marker
    LocalCollection retrained = fresh();
    CollectionSnapshots.Restored r3 = retrained.restoreFrom(records, in(damaged));
    assertFalse(r3.reused());
    assertTrue(r3.problem().contains("marker"), r3.problem());
    assertEquals(1200, retrained.count());
    assertTrue(retrained.ivf().stats() != null, "trained again");
  }
}
