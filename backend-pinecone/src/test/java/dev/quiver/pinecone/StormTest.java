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
import dev.quiver.VectorStoreException;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import dev.quiver.spi.RemotePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upsert load under a storm of 429s (with Retry-After), 5xx and dropped connections, half of them
 * arriving after Pinecone applied the write (so the adapter retries writes that did happen). Every
 * call must succeed or end in a typed transient error, and afterwards no acknowledged write may be
 * lost or stored twice, and nothing may be stored that was never written.
 */
class StormTest {

  private static final int THREADS = 4;
  private static final int BATCHES = 20;
  private static final int BATCH = 10;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"429", "5xx"})
  void upsertLoadLosesAndDuplicatesNothing(String kind) throws Exception {
    List<Integer> statuses = kind.equals("429") ? List.of(429) : List.of(500, 502, 503, 0);
    try (PineconeEmulator emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES).describesUntilReady(0);
        PineconeVectorStore store = EmulatorStores.builder(emulator)
            // no breaker here: this is about retries and idempotent writes (NetworkFaultTest covers the breaker)
            .remotePolicy(new RemotePolicy(5, Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofSeconds(20), 0,
                Duration.ofMillis(100)))
            .build()) {
      VectorCollection c = store.createCollection(CollectionSpec.builder("storm").dimension(4).metric(Metric.DOT_PRODUCT)
          .index(IndexSpec.hnsw(16, 200)).build());
      PineconeEmulator.Storm storm = new PineconeEmulator.Storm("/vectors/upsert", 0.4, 0.5, "0.02", statuses, 42);
      Ledger ledger = new Ledger();
      emulator.storm(storm);
      round(c, ledger, 1, b -> true);
      emulator.storm(null); // reads are not under test here
      ledger.verify(c, emulator); // before the second round can paper over a lost first write
      emulator.storm(storm);
      round(c, ledger, 2, b -> b % 2 == 0); // rewrites half of the batches
      emulator.storm(null);
      ledger.verify(c, emulator);
      assertTrue(emulator.requests("/vectors/upsert").size() > ledger.calls.get(), "the storm made the adapter retry");
      assertTrue(ledger.failures.get() < ledger.calls.get() / 2,
          ledger.failures + " of " + ledger.calls + " calls failed: retries should win most");
    }
  }

  /** What was sent and what was acknowledged. */
  private static final class Ledger {
    final Map<String, Record> acked = new ConcurrentHashMap<>(); // the last acknowledged version of each id
    final Map<String, Set<Record>> attempted = new ConcurrentHashMap<>(); // every version ever sent
    final Set<String> unsure = ConcurrentHashMap.newKeySet(); // acked, then a later write of it failed
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();

    void verify(VectorCollection c, PineconeEmulator emulator) {
      List<Record> stored = scroll(c);
      Set<String> ids = new HashSet<>();
      stored.forEach(r -> assertTrue(ids.add(r.id()), "stored twice: " + r.id()));
      assertEquals(stored.size(), c.count());
      assertEquals(stored.size(), emulator.committedCount("storm"));
      Map<String, Record> byId = new HashMap<>();
      for (Record r : stored) {
        assertTrue(attempted.getOrDefault(r.id(), Set.of()).contains(r), "stored but never written: " + r);
        byId.put(r.id(), r);
      }
      for (Record want : acked.values()) {
        Record got = byId.get(want.id());
        assertTrue(got != null, "acknowledged write lost: " + want.id());
        if (!unsure.contains(want.id())) {
          assertEquals(want, got, "the last acknowledged version is the one stored");
        }
      }
    }
  }

  private static void round(VectorCollection c, Ledger ledger, int version, IntPredicate batches) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        for (int b = 0; b < BATCHES; b++) {
          if (!batches.test(b)) {
            continue;
          }
          List<Record> batch = batch(thread, b, version);
          batch.forEach(r -> ledger.attempted.computeIfAbsent(r.id(), k -> ConcurrentHashMap.newKeySet()).add(r));
          ledger.calls.incrementAndGet();
          try {
            c.upsert(batch);
            batch.forEach(r -> ledger.acked.put(r.id(), r));
          } catch (VectorStoreException e) {
            assertTrue(e.isTransient(), "a storm ends calls in transient errors only: " + e);
            ledger.failures.incrementAndGet();
            batch.stream().filter(r -> ledger.acked.containsKey(r.id())).forEach(r -> ledger.unsure.add(r.id()));
          }
        }
        return null;
      }));
    }
    try {
      for (Future<?> f : done) {
        f.get(); // rethrows any untyped exception or failed assertion of a worker
      }
    } finally {
      pool.shutdown();
    }
  }

  private static List<Record> batch(int thread, int b, int version) {
    List<Record> out = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      String id = "t" + thread + "-b" + b + "-r" + i;
      out.add(Record.of(id, new float[] {thread + 1, b + 1, i + 1, version},
          Metadata.of("thread", thread, "batch", b, "version", version)));
    }
    return out;
  }

  private static List<Record> scroll(VectorCollection c) {
    List<Record> out = new ArrayList<>();
    ListRequest req = ListRequest.of(100);
    Page page = c.list(req);
    out.addAll(page.records());
    while (page.nextCursor().isPresent()) {
      page = c.list(req.cursor(page.nextCursor().get()));
      out.addAll(page.records());
    }
    return out;
  }
}
