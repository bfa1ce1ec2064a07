package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.recs;
import static dev.quiver.conformance.VectorStoreConformanceKit.scroll;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Feature;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group "Concurrency" (run as {@link VectorStoreConformanceKit.Concurrency}, order 13):
 * parallel writers and readers lose nothing.
 */
abstract class ConcurrencyCases extends KitGroup {

  ConcurrencyCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("writers upserting disjoint id ranges while readers search, get and count lose nothing")
  void writersAndReaders() throws Exception {
    VectorCollection c = newCollection();
    int writers = 4;
    int perWriter = 80;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> writing = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        List<Record> mine = recs("w" + w + "_", perWriter);
        writing.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < mine.size(); i += 10) {
            c.upsert(mine.subList(i, Math.min(i + 10, mine.size())));
          }
          return null;
        }));
      }
      for (int r = 0; r < 2; r++) {
        pool.submit(() -> {
          try {
            start.await();
            while (!done.get()) {
              List<Match> hits = c.search(SearchRequest.of(vectorFor("q", DIM), 10));
              for (int i = 1; i < hits.size(); i++) {
                if (hits.get(i - 1).score() < hits.get(i).score() - 1e-6) {
                  throw new AssertionError("search not best first during writes: " + hits);
                }
              }
              assertNoDuplicates(hits.stream().map(Match::id).toList(), "search during writes");
              long n = c.count();
              if (n < 0 || n > (long) writers * perWriter) {
                throw new AssertionError("count() during writes is " + n);
              }
              c.get(List.of("w0_0000", "w1_0040", "missing"));
            }
          } catch (Throwable t) {
            errors.add(t);
          }
          return null;
        });
      }
      start.countDown();
      for (Future<?> f : writing) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      done.set(true);
      pool.shutdown();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "readers did not stop");
    }
    assertTrue(errors.isEmpty(), "readers failed during concurrent writes: " + errors);
    int total = writers * perWriter;
    awaitCount(c, total);
    List<String> all = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      all.addAll(ids(recs("w" + w + "_", perWriter)));
    }
    List<Record> got = c.get(all);
    assertEquals(all, ids(got), "get shows every record exactly once");
    if (capabilities().supports(Feature.LIST)) {
      List<String> listed = ids(scroll(c, null, 37));
      assertNoDuplicates(listed, "list() after concurrent writes");
      assertEquals(new TreeSet<>(all), new TreeSet<>(listed));
    }
  }

  @Test
  @DisplayName("concurrent upserts of the same ids leave one record per id, equal to one of the versions written")
  void sameIds() throws Exception {
    VectorCollection c = newCollection();
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Map<String, Set<Record>> versions = new HashMap<>();
    try {
      List<Future<?>> fs = new ArrayList<>();
      List<List<Record>> batches = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Record> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String id = "same" + i;
          Record r = Record.of(id, vectorFor(id + "/" + t, DIM), Metadata.of("writer", (long) t));
          batch.add(r);
          versions.computeIfAbsent(id, k -> new HashSet<>()).add(r);
        }
        batches.add(batch);
      }
      CountDownLatch start = new CountDownLatch(1);
      for (List<Record> batch : batches) {
        fs.add(pool.submit(() -> {
          start.await();
          for (Record r : batch) {
            c.upsert(List.of(r));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    awaitCount(c, 40);
    for (Record r : c.get(List.copyOf(versions.keySet()))) {
      assertTrue(versions.get(r.id()).contains(r), "record " + r + " is none of the versions written (torn write?)");
    }
  }
}
