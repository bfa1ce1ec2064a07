package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.rec;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
import static dev.quiver.conformance.VectorStoreConformanceKit.seed;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kit's group "List" (run as {@link VectorStoreConformanceKit.ListGroup}, order 6): list() is a
 * complete, stable scroll.
 */
abstract class ListCases extends KitGroup {

  ListCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @ParameterizedTest(name = "pageSize {0}")
  @ValueSource(ints = {1, 7, 50, 10_000})
  @DisplayName("pages follow nextCursor and visit every record exactly once, with vectors and metadata")
  void complete(int pageSize) {
    requireFeature(Feature.LIST);
    VectorCollection c = newCollection();
    List<Record> data = recs("l", 73);
    upsertVisible(c, data);
    List<Record> all = scroll(c, null, pageSize);
    assertNoDuplicates(ids(all), "list()");
    assertEquals(new HashSet<>(data), new HashSet<>(all), "list() must return every record as stored");
  }

  @Test
  @DisplayName("an empty collection lists one empty page without a next cursor")
  void empty() {
    requireFeature(Feature.LIST);
    VectorCollection c = newCollection();
    Page p = c.list(ListRequest.of(10));
    assertEquals(List.of(), p.records());
    assertTrue(p.nextCursor().isEmpty(), "an empty collection has no next page");
  }

  @Test
  @DisplayName("list(filter) visits exactly the matching records, each once")
  void filtered() {
    requireFeature(Feature.LIST);
    requireFeature(Feature.LIST_BY_FILTER);
    VectorCollection c = newCollection();
    List<Record> data = recs("l", 90);
    upsertVisible(c, data);
    Filter f = Filter.lt("i", 30).or(Filter.gte("i", 85));
    List<Record> got = scroll(c, f, 8);
    assertNoDuplicates(ids(got), "list(filter)");
    assertEquals(data.stream().filter(r -> f.matches(r.metadata())).collect(Collectors.toSet()), new HashSet<>(got));
  }

  @Test
  @DisplayName("a cursor this collection did not make is rejected with InvalidArgumentException")
  void badCursor() {
    requireFeature(Feature.LIST);
    VectorCollection c = newCollection();
    List<Record> data = recs("l", 5);
    upsertVisible(c, data);
    assertRejected(InvalidArgumentException.class, c, data, List.of(),
        () -> c.list(ListRequest.of(2).cursor("not-a-cursor-\u0000-'\"")));
  }

  @Test
  @DisplayName("records that exist for the whole scroll appear exactly once while other records are written concurrently")
  void stableUnderWrites() throws Exception {
    requireFeature(Feature.LIST);
    VectorCollection c = newCollection();
    List<Record> stable = recs("s", 150);
    upsertVisible(c, stable);
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> writer = pool.submit(() -> {
        Random rnd = new Random(seed());
        int n = 0;
        while (!done.get() && n < 20_000) {
          // new ids interleave with the stable ones in id order; stable ones are rewritten in place
          String fresh = String.format("s%04d_new%d", rnd.nextInt(150), n);
          Record old = stable.get(rnd.nextInt(stable.size()));
          c.upsert(List.of(rec(fresh, Metadata.of("fresh", true)),
              Record.of(old.id(), vectorFor(old.id() + n, DIM), Metadata.of("rewritten", (long) n))));
          if (n % 3 == 0) {
            c.delete(List.of(fresh));
          }
          n++;
        }
        return n;
      });
      List<String> seen = new ArrayList<>();
      ListRequest req = ListRequest.of(9);
      Page page = c.list(req);
      int pages = 0;
      while (true) {
        page.records().forEach(r -> seen.add(r.id()));
        if (page.nextCursor().isEmpty() || ++pages > 10_000) {
          break;
        }
        Thread.sleep(1); // give the writer time between pages
        page = c.list(req.cursor(page.nextCursor().get()));
      }
      done.set(true);
      int writes = writer.get(60, TimeUnit.SECONDS);
      assertNoDuplicates(seen, "list() during concurrent writes (" + writes + " write rounds)");
      Set<String> missing = new TreeSet<>(ids(stable));
      missing.removeAll(seen);
      assertTrue(missing.isEmpty(), "records present for the whole scroll were skipped: " + missing);
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
  }
}
