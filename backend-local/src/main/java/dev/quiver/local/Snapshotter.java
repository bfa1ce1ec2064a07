package dev.quiver.local;

import dev.quiver.local.internal.storage.StoreStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Takes the snapshots of a durable store: in the background once about
 * {@link LocalVectorStore.Builder#snapshotThresholdBytes} were logged since the last one (or the log
 * has {@link #SNAPSHOT_SEGMENTS} segment files), and on demand ({@link #snapshot}, which close uses).
 * A snapshot stops writers (the store's write gate, held exclusively) only while it captures the state
 * and the covered sequence, then writes the file while they continue. A failed background snapshot is
 * logged at WARNING and reported by the store's health; the previous snapshot and the log stay valid,
 * and a new attempt follows the next threshold.
 */
final class Snapshotter {

  /** A snapshot is also taken once the log has this many segment files. */
  static final int SNAPSHOT_SEGMENTS = 8;

  /** What the snapshotter needs from its store. */
  interface Source {
    /** @return the write gate: held exclusively while the state is captured */
    ReentrantReadWriteLock gate();

    /** @return true once the store failed for writes (memory may be ahead of the disk): no snapshots then */
    boolean failed();

    /** @return true once the store is closing */
    boolean closed();

    /** @return the collections to capture (called with the gate held) */
    Collection<LocalCollection> collections();
  }

  private final Source store;
  private final StoreStorage storage;
  private final Path directory;
  private final long thresholdBytes;
  private final HealthLog health;

  private final AtomicLong logBytesSinceSnapshot = new AtomicLong();
  private final AtomicInteger writesSinceSegmentCheck = new AtomicInteger();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Object snapshotMonitor = new Object();
  private long covered; // guarded by snapshotMonitor
  private ExecutorService executor; // guarded by this
  private final AtomicInteger written = new AtomicInteger();

  /**
   * @param covered the sequence the snapshot loaded at open covers
   * @param replayedBytes estimated bytes of log replayed at open, which count towards the threshold
   */
  Snapshotter(Source store, StoreStorage storage, Path directory, long thresholdBytes, HealthLog health,
      long covered, long replayedBytes) {
    this.store = store;
    this.storage = storage;
    this.directory = directory;
    this.thresholdBytes = thresholdBytes;
    this.health = health;
    synchronized (snapshotMonitor) {
      this.covered = covered;
    }
    logBytesSinceSnapshot.set(replayedBytes);
  }

  /** Counts logged bytes towards the threshold. */
  void logged(long bytes) {
    logBytesSinceSnapshot.addAndGet(bytes);
  }

  /** @return snapshots written since the store was opened */
  int written() {
    return written.get();
  }

  /** Schedules a background snapshot if one is due and none is scheduled. */
  void maybeSnapshot() {
    if (thresholdBytes == 0 || store.failed() || store.closed()) {
      return;
    }
    boolean due = logBytesSinceSnapshot.get() >= thresholdBytes;
    if (!due && writesSinceSegmentCheck.incrementAndGet() >= 64) {
      writesSinceSegmentCheck.set(0);
      due = storage.segmentCount() >= SNAPSHOT_SEGMENTS;
    }
    if (!due || !scheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      ExecutorService e;
      synchronized (this) {
        if (store.closed()) { // stop() shuts down the executor it sees after the store set closed
          scheduled.set(false);
          return;
        }
        if (executor == null) {
          executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "quiver-snapshot " + directory.getFileName());
            t.setDaemon(true);
            return t;
          });
        }
        e = executor;
      }
      e.execute(() -> {
        try {
          snapshot();
        } catch (RuntimeException failure) {
          // the previous snapshot and the log stay valid; retried after the next threshold
          health.warn(LocalHealth.Kind.SNAPSHOT_FAILED, "background snapshot of store " + directory
              + " failed; the previous snapshot and the log stay valid and a snapshot is retried after the next "
              + thresholdBytes + " bytes of log: " + failure.getMessage(), failure);
        } finally {
          scheduled.set(false);
        }
      });
    } catch (RejectedExecutionException closing) {
      scheduled.set(false);
    }
  }

  /** Waits for a background snapshot in progress; called by close after the store is marked closed. */
  void stop() {
    ExecutorService e;
    synchronized (this) {
      e = executor;
    }
    if (e != null) {
      e.shutdown();
      try {
        e.awaitTermination(1, TimeUnit.HOURS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Writes a snapshot now: stops writers while it captures the state and the covered sequence, then
   * writes the file while they continue. Does nothing when nothing was logged since the last snapshot,
   * or when the store failed.
   *
   * @return whether a snapshot was written
   * @throws dev.quiver.StorageException if writing it failed (the previous snapshot and the log stay valid)
   */
  boolean snapshot() {
    return snapshot(false);
  }

  /**
   * @param force write one even when nothing was logged since the last (a reindex changed a collection's
   *     index, which the log does not record)
   * @return whether a snapshot was written
   */
  boolean snapshot(boolean force) {
    synchronized (snapshotMonitor) {
      List<CollectionSnapshots.Section> state = new ArrayList<>();
      long upTo;
      ReentrantReadWriteLock gate = store.gate();
      gate.writeLock().lock();
      try {
        if (store.failed()) {
          return false;
        }
        upTo = storage.lastSequence();
        if (upTo == covered && !force) {
          return false;
        }
        for (LocalCollection c : store.collections()) {
          state.add(c.capture());
        }
        logBytesSinceSnapshot.set(0);
      } finally {
        gate.writeLock().unlock();
      }
      storage.snapshot(upTo, w -> {
        for (CollectionSnapshots.Section c : state) {
          c.writeTo(w);
        }
      });
      covered = upTo;
      written.incrementAndGet();
      return true;
    }
  }
}
