package dev.quiver.compare;

import dev.quiver.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * Runs a fixed number of searches from a number of threads at once (a closed loop: each thread
 * starts its next search when the last returns) and records each one's latency and, for every
 * query, the matches of its first search.
 */
final class SearchLoad {

  /**
   * @param latencies the latency of every search that returned
   * @param seconds wall time of the whole run
   * @param firstResults per query index, the matches of its first search (null if none returned)
   * @param errors searches that threw
   * @param firstError the first error, or null
   */
  record Result(Latencies latencies, double seconds, List<List<Match>> firstResults, int errors,
      RuntimeException firstError) {
    double qps() {
      return seconds <= 0 ? 0 : latencies.size() / seconds;
    }
  }

  private SearchLoad() {}

  /**
   * @param queries number of distinct queries; search i runs query i mod queries
   * @param search runs query i and returns its matches
   * @param concurrency threads
   * @param searches total searches
   * @param bar progress, one step per search
   * @return what was measured
   */
  static Result run(int queries, IntFunction<List<Match>> search, int concurrency, int searches, Progress.Bar bar) {
    AtomicInteger next = new AtomicInteger();
    long[] nanos = new long[searches];
    boolean[] ok = new boolean[searches];
    AtomicReferenceArray<List<Match>> first = new AtomicReferenceArray<>(queries);
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<RuntimeException> firstError = new AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "quiver-compare-search");
      t.setDaemon(true);
      return t;
    });
    long start = System.nanoTime();
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        workers.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < searches; i = next.getAndIncrement()) {
            int q = i % queries;
            long t0 = System.nanoTime();
            try {
              List<Match> matches = search.apply(q);
              nanos[i] = System.nanoTime() - t0;
              ok[i] = true;
              first.compareAndSet(q, null, matches);
            } catch (RuntimeException e) {
              errors.incrementAndGet();
              firstError.compareAndSet(null, e);
            }
            bar.step();
          }
        }));
      }
      for (Future<?> f : workers) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while searching", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a search thread failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int n = 0;
    for (boolean b : ok) {
      n += b ? 1 : 0;
    }
    long[] done = new long[n];
    for (int i = 0, j = 0; i < searches; i++) {
      if (ok[i]) {
        done[j++] = nanos[i];
      }
    }
    List<List<Match>> results = new ArrayList<>(queries);
    for (int q = 0; q < queries; q++) {
      results.add(first.get(q));
    }
    return new Result(new Latencies(done), seconds, results, errors.get(), firstError.get());
  }
}
