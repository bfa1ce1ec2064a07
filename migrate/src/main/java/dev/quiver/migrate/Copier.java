package dev.quiver.migrate;

import dev.quiver.ListRequest;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The copy: one thread reads the source page by page through its cursor; a pool writes the pages
 * to the target in parallel, at most {@code 2 × parallelism} pages in memory at once. A page is
 * acknowledged when its upsert returns; the checkpoint then advances over the longest run of
 * acknowledged pages from its start (to the cursor after the last of them) and is written
 * atomically. After a crash, pages past the checkpoint are read and written again; upserts by id
 * are idempotent, so nothing is duplicated.
 */
final class Copier {

  /** Outcome of one page, kept until the pages before it are acknowledged. */
  private record Done(String nextCursor, long written, long skipped) {}

  private final VectorCollection source;
  private final ListRequest request;
  private final VectorCollection target;
  private final RecordPipeline pipeline;
  private final boolean skipIncompatible;
  private final int parallelism;
  private final RateLimiter rate;
  private final Retries retries;
  private final ProgressListener listener;
  private final Path checkpointPath;

  private final Map<Long, Done> finished = new HashMap<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private Checkpoint checkpoint;
  private long nextToCommit;
  private long writtenThisRun;

  Copier(VectorCollection source, ListRequest request, VectorCollection target, RecordPipeline pipeline,
      boolean skipIncompatible, int parallelism, RateLimiter rate, Retries retries, ProgressListener listener,
      Path checkpointPath, Checkpoint start) {
    this.source = source;
    this.request = request;
    this.target = target;
    this.pipeline = pipeline;
    this.skipIncompatible = skipIncompatible;
    this.parallelism = parallelism;
    this.rate = rate;
    this.retries = retries;
    this.listener = listener;
    this.checkpointPath = checkpointPath;
    this.checkpoint = start;
  }

  /** @return the last checkpoint state (all pages written when {@link #run()} returned normally) */
  synchronized Checkpoint checkpoint() {
    return checkpoint;
  }

  synchronized long writtenThisRun() {
    return writtenThisRun;
  }

  /**
   * Copies from the checkpoint's cursor to the end of the source.
   *
   * @throws CopyFailedException when a read or write fails after retries, or a record cannot be written
   */
  void run() {
    ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
      Thread t = new Thread(r, "quiver-migrate-writer");
      t.setDaemon(true);
      return t;
    });
    Semaphore inFlight = new Semaphore(2 * parallelism);
    String cursor = checkpoint.cursor();
    long seq = 0;
    try {
      while (failure.get() == null) {
        ListRequest req = request.cursor(cursor);
        Page page;
        try {
          page = retries.call("reading a page of the source", () -> source.list(req));
        } catch (RuntimeException e) {
          fail(new CopyFailedException("reading a page of source '" + source.name() + "'", committed(), checkpointPath, e));
          break;
        }
        String next = page.nextCursor().orElse(null);
        long mySeq = seq++;
        inFlight.acquireUninterruptibly();
        pool.execute(() -> {
          try {
            if (failure.get() == null) {
              write(mySeq, page.records(), next);
            }
          } catch (RuntimeException e) {
            fail(e);
          } finally {
            inFlight.release();
          }
        });
        if (next == null) {
          break;
        }
        cursor = next;
      }
    } finally {
      pool.shutdown();
      try {
        while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
          // waiting for the batches in flight to finish or fail
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pool.shutdownNow();
      }
    }
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  private void fail(RuntimeException e) {
    failure.compareAndSet(null, e);
  }

  private synchronized long committed() {
    return checkpoint.written();
  }

  private void write(long seq, List<Record> records, String nextCursor) {
    List<Record> batch = new ArrayList<>(records.size());
    long skipped = 0;
    for (Record r : records) {
      RecordPipeline.Outcome o = pipeline.apply(r);
      if (o.writable()) {
        batch.add(o.record());
      } else if (o.skippedByTransform() || skipIncompatible) {
        skipped++;
      } else {
        String why = o.rejection() != null ? o.rejection().getMessage() : o.issues().toString();
        throw new CopyFailedException("copying record '" + r.id() + "'", committed(), checkpointPath,
            new TransformException(o.issues().get(0).name(), "record '" + r.id() + "' cannot be written to the target: "
                + why + " (the source changed after the plan, or the plan was skipped); choose a transform"
                + " or --skip-incompatible"));
      }
    }
    if (!batch.isEmpty()) {
      try {
        rate.acquire(batch.size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CopyFailedException("waiting for the rate limit", committed(), checkpointPath, e);
      }
      try {
        retries.call("writing a batch of " + batch.size() + " records", () -> {
          target.upsert(batch);
          return null;
        });
      } catch (RuntimeException e) {
        throw new CopyFailedException("writing a batch of " + batch.size() + " records to '" + target.name() + "'",
            committed(), checkpointPath, e);
      }
    }
    acknowledge(seq, new Done(nextCursor, batch.size(), skipped));
  }

  private synchronized void acknowledge(long seq, Done done) {
    finished.put(seq, done);
    boolean advanced = false;
    Done d;
    while ((d = finished.remove(nextToCommit)) != null) {
      checkpoint = checkpoint.advance(d.nextCursor(), d.written(), d.skipped());
      writtenThisRun += d.written();
      nextToCommit++;
      advanced = true;
    }
    if (advanced) {
      if (checkpointPath != null) {
        checkpoint.write(checkpointPath);
      }
      listener.progress(checkpoint.written(), checkpoint.skipped());
    }
  }
}
