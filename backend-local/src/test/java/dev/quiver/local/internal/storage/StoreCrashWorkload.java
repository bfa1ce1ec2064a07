package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.local.DurableTestAccess;
import dev.quiver.local.LocalIndexInfo;
import dev.quiver.local.LocalVectorStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The crash workload for the whole engine: a child opens a durable {@link LocalVectorStore} on the
 * directory (small log segments and a small snapshot threshold, so background snapshots run all the
 * time) and five writer threads — one on each of a FLAT, an HNSW, an IVF-FLAT and an IVF-PQ collection
 * (the IVF indexes train early, at 64 records, so most kills hit trained indexes), and one in a tenant of
 * a multi-tenant HNSW collection with declared fields (each child writes its own tenant, so the store
 * accumulates one tenant per kill cycle, each with its own graph) — run a fixed,
 * seeded sequence of upserts (batches of three), updateMetadata, deletes by id and deletes by filter,
 * acknowledging each after the call returned; a fifth thread re-indexes the IVF-PQ collection back and
 * forth between IVF-PQ and IVF-FLAT meanwhile (each re-index writes a snapshot), so kills also land in the
 * middle of re-indexes.
 *
 * <p>Every thread's writes touch only its own records and the sequence is a pure function of
 * (seed, thread), so the parent knows exactly what each prefix of the sequence leaves behind. After a
 * kill, for every (seed, thread) whose writes reached the store, the reopened collection must hold
 * exactly the state after a prefix of its sequence that includes every acknowledged write — normally
 * the acknowledged writes, or those plus the one in flight: an acknowledged write missing, a write
 * applied out of order, a batch half-applied or a record with other content fails.
 * The parent also runs core read checks (count, count by filter, get, list, exact, graph and IVF search,
 * the indexes used at any size) on the reopened store, and checks that every trained IVF index holds
 * exactly the live records.
 */
public final class StoreCrashWorkload implements CrashWorkload {

  static final CollectionSpec FLAT = CollectionSpec.builder("flat").dimension(8).metric(Metric.EUCLIDEAN).build();
  static final CollectionSpec HNSW = CollectionSpec.builder("hnsw").dimension(8).metric(Metric.COSINE)
      .index(IndexSpec.hnsw(8, 60)).build();
  /** IVF collections: 2 lists (and 4 PQ codes per subspace) train at 64 records, early in the run. */
  static final CollectionSpec IVF_FLAT = CollectionSpec.builder("ivfflat").dimension(8).metric(Metric.COSINE)
      .index(IndexSpec.ivfFlat(2)).build();
  static final CollectionSpec IVF_PQ = CollectionSpec.builder("ivfpq").dimension(8).metric(Metric.EUCLIDEAN)
      .index(IndexSpec.ivfPq(2, 4, 2)).build();
  /** Multi-tenant, with declared fields (one of them not indexed): each child writes tenant {@link #tenant}. */
  static final CollectionSpec TENANTS = CollectionSpec.builder("tenants").dimension(8).metric(Metric.COSINE)
      .index(IndexSpec.hnsw(8, 60)).multiTenant(true).field(MetadataField.indexed("batch", FieldType.STRING))
      .field(MetadataField.of("k", FieldType.LONG)).field(MetadataField.indexed("tags", FieldType.STRING_LIST)).build();
  static final List<CollectionSpec> SPECS = List.of(FLAT, HNSW, IVF_FLAT, IVF_PQ, TENANTS);
  static final int THREADS = SPECS.size();
  /**
   * A fifth thread re-indexes the IVF-PQ collection back and forth between these while its writer
   * writes, acknowledging each re-index as {@code seed/4/i}; kills land before, during and after them.
   * (Not HNSW: inserts concurrent with the writer's leave the odd graph node without in-links, which the
   * self-search check would then miss — a property of concurrent HNSW inserts, not of re-indexing; a
   * re-index to HNSW is made durable by the same snapshot, which {@code LocalReindexTest} checks.)
   */
  static final List<IndexSpec> REINDEX_TARGETS = List.of(IndexSpec.ivfFlat(2), IVF_PQ.index());
  static final int REINDEXER = THREADS;
  static final int BATCH = 3;

  static CollectionSpec spec(int thread) {
    return SPECS.get(thread);
  }

  /** @return the tenant the child of {@code seed} writes in the multi-tenant collection */
  static String tenant(long seed) {
    return "s" + seed;
  }

  static String batchId(long seed, int thread, int i) {
    return "s" + seed + "-t" + thread + "-" + i;
  }

  /** Record {@code k} of a batch, derived from its id alone. */
  static Record record(String batch, int k) {
    String id = batch + "-" + k;
    Random r = new Random(id.hashCode() * 31L + k);
    float[] v = new float[8];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return Record.of(id, v, Metadata.of("batch", batch, "k", (long) k, "x", r.nextDouble(), "tags",
        List.of("t" + r.nextInt(4), "ü")));
  }

  static Metadata updated(String batch, int i) {
    return Metadata.of("batch", batch, "k", 0L, "upd", (long) i);
  }

  /**
   * Write number {@code i} of thread {@code thread} of child {@code seed}: applied to the store (when
   * given) and to the model (when given).
   */
  static void step(long seed, int thread, int i, VectorCollection c, Map<String, Record> model) {
    switch (i % 5) {
      case 0, 1, 2 -> {
        String b = batchId(seed, thread, i);
        List<Record> batch = new ArrayList<>(BATCH);
        for (int k = 0; k < BATCH; k++) {
          batch.add(record(b, k));
        }
        if (c != null) {
          c.upsert(batch);
        }
        if (model != null) {
          batch.forEach(r -> model.put(r.id(), r));
        }
      }
      case 3 -> {
        String b = batchId(seed, thread, i - 3);
        Metadata md = updated(b, i);
        if (c != null) {
          c.updateMetadata(b + "-0", md);
        }
        if (model != null) {
          model.computeIfPresent(b + "-0", (id, r) -> r.withMetadata(md));
        }
      }
      default -> {
        if (i % 10 == 4) {
          String b = batchId(seed, thread, i - 4);
          List<String> ids = List.of(b + "-0", b + "-1", b + "-2");
          if (c != null) {
            c.delete(ids);
          }
          if (model != null) {
            ids.forEach(model::remove);
          }
        } else {
          String b = batchId(seed, thread, i - 7);
          Filter f = Filter.eq("batch", b);
          if (c != null) {
            c.delete(f);
          }
          if (model != null) {
            model.values().removeIf(r -> f.matches(r.metadata()));
          }
        }
      }
    }
  }

  static LocalVectorStore openForChild(Path dir) {
    return DurableTestAccess.builder(dir, StorageOptions.defaults().withMaxSegmentBytes(16 * 1024))
        .snapshotThresholdBytes(24 * 1024).open();
  }

  @Override
  public void runChild(Path dir, long seed, Runnable ready, Consumer<String> acknowledge) throws Exception {
    LocalVectorStore store = openForChild(dir);
    for (int t = 0; t < THREADS; t++) {
      if (!store.hasCollection(spec(t).name())) {
        store.createCollection(spec(t));
      }
    }
    ready.run();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      VectorCollection c = spec(t).multiTenant() ? store.collection(spec(t).name()).tenant(tenant(seed))
          : store.collection(spec(t).name());
      Thread w = new Thread(() -> {
        for (int i = 0; ; i++) {
          step(seed, thread, i, c, null);
          acknowledge.accept(seed + "/" + thread + "/" + i);
        }
      }, "writer-" + t);
      w.setUncaughtExceptionHandler((th, e) -> {
        e.printStackTrace();
        Runtime.getRuntime().halt(3);
      });
      threads.add(w);
    }
    VectorCollection reindexed = store.collection(IVF_PQ.name());
    Thread r = new Thread(() -> {
      for (int i = 0; ; i++) {
        reindexed.reindex(REINDEX_TARGETS.get((int) ((i + seed) % REINDEX_TARGETS.size())));
        acknowledge.accept(seed + "/" + REINDEXER + "/" + i);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "reindexer");
    r.setUncaughtExceptionHandler((th, e) -> {
      e.printStackTrace();
      Runtime.getRuntime().halt(3);
    });
    threads.add(r);
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
  }

  @Override
  public String verify(Path dir, List<String> acknowledged) {
    // acknowledged writes per (seed, thread): they must be 0..n-1, in order
    Map<String, Integer> ackedCount = new HashMap<>();
    for (String token : acknowledged) {
      String[] p = token.split("/");
      String group = p[0] + "/" + p[1];
      int i = Integer.parseInt(p[2]);
      int expected = ackedCount.getOrDefault(group, 0);
      if (i != expected) {
        throw new AssertionError("acknowledgements of " + group + " out of order: " + i + " after " + expected);
      }
      ackedCount.put(group, i + 1);
    }
    // no snapshot on close: the next child recovers from exactly what the killed one left behind
    try (LocalVectorStore store = LocalVectorStore.builder(dir).snapshotOnClose(false).snapshotThresholdBytes(0).open()) {
      StoreStorage.RecoveryReport report = DurableTestAccess.recoveryReport(store);
      if (!SPECS.stream().allMatch(sp -> store.hasCollection(sp.name()))) {
        if (!acknowledged.isEmpty()) {
          throw new AssertionError("collections missing after acknowledged writes: " + store.listCollections());
        }
        return "no collections yet";
      }
      DurableTestAccess.searchThroughIndexes(store);
      int records = 0;
      int groups = 0;
      int unseenAcks = 0;
      List<String> trained = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        VectorCollection c = store.collection(spec(t).name());
        Map<String, Map<String, Record>> byGroup = new TreeMap<>();
        List<Record> all = new ArrayList<>();
        if (c.spec().multiTenant()) {
          for (String tenant : c.tenants()) {
            List<Record> inTenant = listAll(c.tenant(tenant));
            for (Record r : inTenant) {
              if (!r.id().startsWith(tenant + "-t")) {
                throw new AssertionError("record " + r.id() + " in tenant " + tenant + " of " + c.name());
              }
            }
            coreChecks(c.tenant(tenant), inTenant);
            all.addAll(inTenant);
          }
        } else {
          all.addAll(listAll(c));
          coreChecks(c, all);
        }
        for (Record r : all) {
          String id = r.id(); // s<seed>-t<thread>-<i>-<k>
          String[] p = id.split("-t|-");
          String group = p[0].substring(1) + "/" + p[1];
          if (Integer.parseInt(p[1]) != t) {
            throw new AssertionError("record " + id + " in the wrong collection " + c.name());
          }
          byGroup.computeIfAbsent(group, g -> new TreeMap<>()).put(id, r);
        }
        for (Map.Entry<String, Integer> e : ackedCount.entrySet()) {
          if (e.getKey().endsWith("/" + t)) {
            byGroup.computeIfAbsent(e.getKey(), g -> new TreeMap<>());
          }
        }
        for (Map.Entry<String, Map<String, Record>> e : byGroup.entrySet()) {
          String[] p = e.getKey().split("/");
          long seed = Long.parseLong(p[0]);
          int n = ackedCount.getOrDefault(e.getKey(), 0);
          // The state must be exactly that after a prefix of the writer's sequence that contains every
          // acknowledged write: normally n or n + 1 writes (the one in flight); more only if the parent
          // missed acknowledgements the child printed just before the kill, which is reported.
          int maxBatch = -1;
          for (String id : e.getValue().keySet()) {
            String[] parts = id.split("-");
            maxBatch = Math.max(maxBatch, Integer.parseInt(parts[parts.length - 2]));
          }
          Map<String, Record> state = new TreeMap<>();
          for (int i = 0; i < n; i++) {
            step(seed, t, i, null, state);
          }
          Map<String, Record> acked = new TreeMap<>(state);
          int m = n;
          while (!state.equals(e.getValue()) && m <= Math.max(n, maxBatch) + 8) {
            step(seed, t, m++, null, state);
          }
          if (!state.equals(e.getValue())) {
            Map<String, Record> plusOne = new TreeMap<>(acked);
            step(seed, t, n, null, plusOne);
            throw new AssertionError("collection " + c.name() + ", writer " + e.getKey() + " with " + n
                + " acknowledged writes: reopened state " + e.getValue().keySet() + " is not the state after"
                + " any prefix of its writes that includes the acknowledged ones; differences from the state after"
                + " the acknowledged writes plus the one in flight: " + differences(e.getValue(), plusOne));
          }
          if (m > n + 1) {
            unseenAcks += m - n - 1;
          }
          groups++;
        }
        records += all.size();
        if (c.name().equals(IVF_PQ.name()) && !REINDEX_TARGETS.contains(c.spec().index())) {
          throw new AssertionError(c.name() + " reopened with " + c.spec().index() + ", which no re-index asked for");
        }
        if (c.spec().index() instanceof IndexSpec.IvfPq) {
          LocalIndexInfo info = store.indexInfo(c.name());
          check(info.trained() || all.size() < info.trainingSize(),
              c.name() + ": " + all.size() + " records but the index is not trained: " + info);
          if (info.trained()) {
            check(info.entries() - info.removedEntries() == all.size(), c.name() + ": the IVF index holds "
                + info.entries() + " entries (" + info.removedEntries() + " removed) for " + all.size() + " records");
            trained.add(c.name());
          }
        }
      }
      long reindexes = acknowledged.stream().filter(t -> t.split("/")[1].equals(String.valueOf(REINDEXER))).count();
      return records + " records of " + groups + " writers exact (" + store.collection(TENANTS.name()).tenants().size()
          + " tenants), IVF trained: " + trained + ", " + reindexes
          + " re-indexes acknowledged, ivfpq now " + store.collection(IVF_PQ.name()).spec().index()
          + (unseenAcks > 0 ? " (" + unseenAcks
          + " acknowledgements not seen by the parent)" : "") + ", core read checks passed (opened from snapshot@"
          + report.snapshotSequence() + " + " + report.wal().replayed() + " log entries, torn tail "
          + report.wal().truncatedBytes() + " bytes)";
    }
  }

  private static String differences(Map<String, Record> got, Map<String, Record> want) {
    StringBuilder sb = new StringBuilder();
    for (String id : new java.util.TreeSet<>(got.keySet())) {
      if (!got.get(id).equals(want.get(id))) {
        sb.append("\n  have ").append(got.get(id)).append("\n  want ").append(want.get(id));
      }
    }
    for (String id : want.keySet()) {
      if (!got.containsKey(id)) {
        sb.append("\n  missing ").append(want.get(id));
      }
    }
    return sb.toString();
  }

  static List<Record> listAll(VectorCollection c) {
    List<Record> out = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    do {
      ListRequest req = ListRequest.of(1000);
      if (cursor.isPresent()) {
        req = req.cursor(cursor.get());
      }
      Page page = c.list(req);
      out.addAll(page.records());
      cursor = page.nextCursor();
    } while (cursor.isPresent());
    return out;
  }

  /** Kit-like read checks on a reopened collection. */
  static void coreChecks(VectorCollection c, List<Record> all) {
    check(c.count() == all.size(), c.name() + ": count() " + c.count() + " but list() returned " + all.size());
    Map<String, Long> perBatch = new HashMap<>();
    for (Record r : all) {
      perBatch.merge((String) r.metadata().get("batch").orElseThrow(), 1L, Long::sum);
    }
    int checked = 0;
    for (Map.Entry<String, Long> e : perBatch.entrySet()) {
      if (checked++ == 10) {
        break;
      }
      long n = c.count(Filter.eq("batch", e.getKey()));
      check(n == e.getValue(), c.name() + ": count(batch == " + e.getKey() + ") = " + n + ", expected " + e.getValue());
    }
    Random rnd = new Random(all.size());
    for (int q = 0; q < Math.min(20, all.size()); q++) {
      Record want = all.get(rnd.nextInt(all.size()));
      check(c.get(List.of(want.id())).equals(List.of(want)), c.name() + ": get(" + want.id() + ") differs from list()");
      List<Match> got = c.search(SearchRequest.of(want.vector(), 1).ef(200));
      check(!got.isEmpty() && got.get(0).id().equals(want.id()) || !got.isEmpty() && got.get(0).distance() <= 1e-6,
          c.name() + ": searching a record's own vector did not find it first: " + got);
      List<Match> filtered = c.search(SearchRequest.of(want.vector(), 3)
          .filter(Filter.eq("batch", (String) want.metadata().get("batch").orElseThrow())));
      check(!filtered.isEmpty() && filtered.get(0).id().equals(want.id()),
          c.name() + ": filtered search for " + want.id() + " returned " + filtered);
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }
}
