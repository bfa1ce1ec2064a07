package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A miniature engine on {@link StoreStorage}: three writer threads upsert batches of three records
 * (group commit, small segments so they roll often), each batch's id acknowledged after
 * {@link StoreStorage#awaitDurable}; a fourth thread takes snapshots every few tens of milliseconds.
 * Writers log and apply under one lock and wait for the fsync outside it, the recipe the engine
 * will follow. Every record's content is a pure function of its id, so the parent can check that what
 * it finds is exactly what was written, and that batches are all-or-nothing.
 */
public final class WalCrashWorkload implements CrashWorkload {

  static final String COLLECTION = "crash";
  static final CollectionSpec SPEC = CollectionSpec.builder(COLLECTION).dimension(8).metric(Metric.EUCLIDEAN).build();
  static final int BATCH = 3;
  static final StorageOptions OPTIONS = StorageOptions.defaults().withMaxSegmentBytes(16 * 1024);

  /** @return the record number {@code k} of batch {@code batchId}, derived from the id alone */
  static Record record(String batchId, int k) {
    String id = batchId + "-" + k;
    Random r = new Random(id.hashCode() * 31L + k);
    float[] v = new float[SPEC.dimension()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return Record.of(id, v, Metadata.of("batch", batchId, "k", k, "x", r.nextDouble(), "odd", k % 2 == 1,
        "tags", List.of("t" + r.nextInt(5), "ü")));
  }

  @Override
  public void runChild(Path dir, long seed, Runnable ready, Consumer<String> acknowledge) throws Exception {
    Recorder state = new Recorder();
    StoreStorage storage = StoreStorage.open(dir, OPTIONS, state);
    ReentrantLock engine = new ReentrantLock();
    if (!state.specs.containsKey(COLLECTION)) {
      Operation create = new Operation.CreateCollection(SPEC);
      storage.append(create);
      state.apply(create);
    }
    ready.run();
    List<Thread> threads = new ArrayList<>();
    Thread.UncaughtExceptionHandler die = (t, e) -> {
      e.printStackTrace();
      Runtime.getRuntime().halt(3);
    };
    for (int t = 0; t < 3; t++) {
      int thread = t;
      threads.add(new Thread(() -> {
        for (long i = 0; ; i++) {
          String batchId = "s" + seed + "-t" + thread + "-" + i;
          List<Record> batch = new ArrayList<>(BATCH);
          for (int k = 0; k < BATCH; k++) {
            batch.add(record(batchId, k));
          }
          Operation op = new Operation.Upsert(COLLECTION, batch);
          long seq;
          engine.lock();
          try {
            seq = storage.write(op);
            state.apply(op);
          } finally {
            engine.unlock();
          }
          storage.awaitDurable(seq);
          acknowledge.accept(batchId);
        }
      }, "writer-" + t));
    }
    threads.add(new Thread(() -> {
      Random r = new Random(seed);
      while (true) {
        try {
          Thread.sleep(20 + r.nextInt(60));
        } catch (InterruptedException e) {
          return;
        }
        Recorder copy = new Recorder();
        long covered;
        engine.lock();
        try {
          covered = storage.lastSequence();
          copy.collection(SPEC);
          copy.records.get(COLLECTION).putAll(state.records.get(COLLECTION));
        } finally {
          engine.unlock();
        }
        try {
          storage.snapshot(covered, copy::writeTo);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }, "snapshotter"));
    for (Thread t : threads) {
      t.setUncaughtExceptionHandler(die);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  @Override
  public String verify(Path dir, List<String> acknowledged) {
    Recorder got = new Recorder();
    StoreStorage storage = StoreStorage.open(dir, OPTIONS, got);
    StoreStorage.RecoveryReport report = storage.recoveryReport();
    storage.close();
    Map<String, Record> records = got.records.getOrDefault(COLLECTION, Map.of());
    for (String batchId : acknowledged) {
      for (int k = 0; k < BATCH; k++) {
        Record want = record(batchId, k);
        Record have = records.get(want.id());
        if (!want.equals(have)) {
          throw new AssertionError("acknowledged batch " + batchId + ": record " + want.id() + " is "
              + (have == null ? "missing" : "different: " + have) + " (" + report + ")");
        }
      }
    }
    // Nothing half-applied: every batch present is complete and exact.
    Map<String, Integer> perBatch = new TreeMap<>();
    for (Record r : records.values()) {
      String batchId = (String) r.metadata().get("batch").orElseThrow();
      int k = ((Long) r.metadata().get("k").orElseThrow()).intValue();
      if (!record(batchId, k).equals(r)) {
        throw new AssertionError("record " + r.id() + " is not what was written: " + r);
      }
      perBatch.merge(batchId, 1, Integer::sum);
    }
    perBatch.forEach((batch, n) -> {
      if (n != BATCH) {
        throw new AssertionError("batch " + batch + " is half-applied: " + n + " of " + BATCH + " records");
      }
    });
    return records.size() + " records in " + perBatch.size() + " batches; snapshot@" + report.snapshotSequence()
        + ", replayed " + report.wal().replayed() + ", truncated " + report.wal().truncatedBytes() + " bytes";
  }

  /** A child that opens the store and holds it (and its lock) until killed. */
  public static final class LockHolder implements CrashWorkload {
    @Override
    public void runChild(Path dir, long seed, Runnable ready, Consumer<String> acknowledge) throws Exception {
      try (StoreStorage storage = StoreStorage.open(dir, OPTIONS, new Recorder())) {
        ready.run();
        Thread.sleep(Long.MAX_VALUE);
      }
    }

    @Override
    public String verify(Path dir, List<String> acknowledged) {
      return "";
    }
  }
}
