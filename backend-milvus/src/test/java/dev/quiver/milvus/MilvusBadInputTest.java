package dev.quiver.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.DimensionMismatchException;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input on a live Milvus collection gets a typed, non-transient error and writes nothing, now
 * that the checks live in the boundary rather than in the adapter: nulls, wrong dimensions, a batch
 * with one bad record, a topK beyond the limit, and list cursors that are garbled, foreign or from
 * another filter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MilvusBadInputTest {

  MilvusVectorStore store;
  VectorCollection c;

  @BeforeAll
  void load() {
    store = MilvusTestServer.open();
    String name = "bad-input-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    c = store.createCollection(CollectionSpec.builder(name).dimension(3).build());
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      records.add(Record.of("r" + i, new float[] {1, i, 0}, Metadata.of("i", i)));
    }
    c.upsert(records);
  }

  @AfterAll
  void drop() {
    if (store != null) {
      store.dropCollection(c.name());
      store.close();
    }
  }

  /** The call fails with an invalid-argument or dimension error and the collection is unchanged. */
  private void refused(String what, Executable call) {
    VectorStoreException e = assertThrows(VectorStoreException.class, call, what);
    assertTrue(e instanceof InvalidArgumentException || e instanceof DimensionMismatchException, what + ": " + e);
    assertFalse(e.isTransient(), what);
    assertEquals(5, c.count(), what + " wrote nothing");
  }

  @Test
  void nullsAreRefused() {
    refused("get(null id)", () -> c.get((String) null));
    refused("get(null ids)", () -> c.get((Collection<String>) null));
    refused("get(ids with a null)", () -> c.get(Arrays.asList("r1", null)));
    refused("upsert(null)", () -> c.upsert((List<Record>) null));
    refused("upsert(records with a null)", () -> c.upsert(Arrays.asList(
        Record.of("new", new float[] {1, 1, 1}, Metadata.empty()), null)));
    refused("delete(null ids)", () -> c.delete((Collection<String>) null));
    refused("delete(null filter)", () -> c.delete((Filter) null));
    refused("count(null filter)", () -> c.count(null));
    refused("updateMetadata(null id)", () -> c.updateMetadata(null, Metadata.empty()));
    refused("updateMetadata(null metadata)", () -> c.updateMetadata("r1", null));
    refused("search(null)", () -> c.search(null));
    refused("list(null)", () -> c.list(null));
  }

  @Test
  void wrongDimensionsAndLimitsAreRefused() {
    refused("a record of the wrong dimension",
        () -> c.upsert(List.of(Record.of("new", new float[] {1, 1}, Metadata.empty()))));
    refused("a batch with one bad record", () -> c.upsert(List.of(
        Record.of("good", new float[] {1, 1, 1}, Metadata.empty()),
        Record.of("bad", new float[] {1, 1, 1, 1}, Metadata.empty()))));
    assertEquals(List.of(), c.get(List.of("good")), "the good record of a refused batch was not written");
    refused("a query of the wrong dimension", () -> c.search(SearchRequest.of(new float[] {1, 1}, 3)));
    refused("topK beyond the limit", () -> c.search(SearchRequest.of(new float[] {1, 1, 1},
        store.capabilities().maxTopK() + 1)));
  }

  @Test
  void garbledForeignAndMismatchedCursorsAreRefused() {
    Page first = c.list(ListRequest.of(2));
    String cursor = first.nextCursor().orElseThrow();
    char last = cursor.charAt(cursor.length() - 1);
    String garbled = cursor.substring(0, cursor.length() - 1) + (last == 'a' ? 'b' : 'a');
    refused("a garbled cursor", () -> c.list(ListRequest.of(2).cursor(garbled)));
    refused("a truncated cursor", () -> c.list(ListRequest.of(2).cursor(cursor.substring(0, cursor.length() / 2))));
    refused("the adapter's old cursor format", () -> c.list(ListRequest.of(2).cursor("m1.cjE")));
    refused("a raw id as cursor", () -> c.list(ListRequest.of(2).cursor("r1")));
    refused("a cursor made for another filter", () -> c.list(ListRequest.of(2).filter(Filter.gte("i", 0)).cursor(cursor)));
    // the real cursor still works, and the scroll returns every record once
    List<String> ids = new ArrayList<>();
    first.records().forEach(r -> ids.add(r.id()));
    for (Page p = c.list(ListRequest.of(2).cursor(cursor)); ; p = c.list(ListRequest.of(2).cursor(p.nextCursor().get()))) {
      p.records().forEach(r -> ids.add(r.id()));
      if (p.nextCursor().isEmpty()) {
        break;
      }
    }
    assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), ids);
  }
}
