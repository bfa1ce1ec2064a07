package dev.quiver.migrate;

import dev.quiver.Filter;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Compares the target with the source record by record: ids, metadata with their types (a
 * {@code Long} never equals a {@code Double}), and vectors within a relative tolerance per component.
 * Under COSINE a vector that differs but points the same way (a backend that normalises on write) is
 * counted as matched and {@linkplain VerificationReport#normalised() noted}.
 */
final class Verifier {

  private static final int MAX_LISTED = 1_000;

  private final VectorCollection source;
  private final VectorCollection target;
  private final RecordPipeline pipeline;
  private final ListRequest request;
  private final Metric metric;
  private final double tolerance;
  private final Retries retries;
  private final int parallelism;
  private final ProgressListener listener;

  private final List<VerificationReport.Difference> differences = new ArrayList<>();
  private long differenceCount;
  private long checked;
  private long matched;
  private long normalised;

  Verifier(VectorCollection source, VectorCollection target, RecordPipeline pipeline, ListRequest request,
      double tolerance, Retries retries, int parallelism, ProgressListener listener) {
    this.source = source;
    this.target = target;
    this.pipeline = pipeline;
    this.request = request;
    this.metric = target.spec().metric();
    this.tolerance = tolerance;
    this.retries = retries;
    this.parallelism = parallelism;
    this.listener = listener;
  }

  /**
   * @param expectedCount records the target should hold, or -1 to take the count of the full scan
   * @param extrasAllowed whether the target may hold records that are not from the source (append)
   * @return the report
   */
  VerificationReport full(long expectedCount, boolean extrasAllowed) {
    return full(expectedCount, extrasAllowed, expectedCount);
  }

  /**
   * @param expectedCount records the target should hold, or -1 to take the count of the full scan
   * @param extrasAllowed whether the target may hold records that are not from the source (append)
   * @param displayTotal records the progress display expects, or -1
   * @return the report
   */
  VerificationReport full(long expectedCount, boolean extrasAllowed, long displayTotal) {
    listener.phase("verify", displayTotal, 0);
    ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
      Thread t = new Thread(r, "quiver-migrate-verify");
      t.setDaemon(true);
      return t;
    });
    Semaphore inFlight = new Semaphore(2 * parallelism);
    long[] expected = {0};
    List<RuntimeException> errors = new ArrayList<>();
    String cursor = null;
    try {
      do {
        ListRequest req = request.cursor(cursor);
        Page page = retries.call("reading a page of the source", () -> source.list(req));
        List<Record> want = new ArrayList<>();
        for (Record r : page.records()) {
          RecordPipeline.Outcome o = pipeline.apply(r);
          if (o.writable()) {
            want.add(o.record());
          }
        }
        expected[0] += want.size();
        inFlight.acquireUninterruptibly();
        pool.execute(() -> {
          try {
            compare(want);
          } catch (RuntimeException e) {
            synchronized (errors) {
              errors.add(e);
            }
          } finally {
            inFlight.release();
          }
        });
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null && errors.isEmpty());
    } finally {
      pool.shutdown();
      try {
        pool.awaitTermination(1, TimeUnit.DAYS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
    long exp = expectedCount >= 0 ? expectedCount : expected[0];
    return finish("FULL", exp, extrasAllowed);
  }

  /**
   * Compares a sample of source records found by searching with random query vectors (cheap on
   * both sides, whatever the collection's size), then the counts. Falls back to {@link #full} when
   * the source cannot return vectors from a search.
   *
   * @param sampleSize records to compare
   * @param expectedCount records the target should hold, or -1 when unknown
   * @param extrasAllowed whether the target may hold records that are not from the source
   * @return the report
   */
  VerificationReport sampled(int sampleSize, long expectedCount, boolean extrasAllowed) {
    listener.phase("verify", sampleSize, 0);
    Random random = new Random(sampleSize * 31L + source.name().hashCode());
    Map<String, Record> sample = new LinkedHashMap<>();
    int topK = Math.max(1, Math.min(100, sampleSize));
    Filter filter = request.filter().orElse(null);
    int queries = 0;
    try {
      while (sample.size() < sampleSize && queries < 4 * (sampleSize / topK + 1)) {
        queries++;
        float[] q = new float[source.spec().dimension()];
        for (int i = 0; i < q.length; i++) {
          q[i] = (float) random.nextGaussian();
        }
        SearchRequest s = SearchRequest.of(q, topK).includeVectors(true);
        SearchRequest req = filter == null ? s : s.filter(filter);
        List<Match> hits = retries.call("searching the source for a sample", () -> source.search(req));
        for (Match m : hits) {
          if (sample.size() < sampleSize && m.vector().isPresent()) {
            sample.putIfAbsent(m.id(), Record.of(m.id(), m.vector().get(), m.metadata()));
          }
        }
      }
    } catch (UnsupportedFeatureException e) {
      return full(expectedCount, extrasAllowed);
    }
    List<Record> want = new ArrayList<>();
    for (Record r : sample.values()) {
      RecordPipeline.Outcome o = pipeline.apply(r);
      if (o.writable()) {
        want.add(o.record());
      }
    }
    for (int i = 0; i < want.size(); i += 500) {
      compare(want.subList(i, Math.min(want.size(), i + 500)));
    }
    return finish("SAMPLED", expectedCount, extrasAllowed);
  }

  private VerificationReport finish(String mode, long expectedCount, boolean extrasAllowed) {
    long targetCount = retries.call("counting the target", target::count);
    if (expectedCount >= 0 && (extrasAllowed ? targetCount < expectedCount : targetCount != expectedCount)) {
      differ(null, "COUNT", "the target holds " + targetCount + " records, the source has " + expectedCount
          + " to copy" + (targetCount > expectedCount ? " (the target has records the source does not)" : ""));
    }
    synchronized (this) {
      return new VerificationReport(mode, checked, matched, normalised, expectedCount, targetCount, differenceCount,
          differences, tolerance);
    }
  }

  private void compare(List<Record> want) {
    if (want.isEmpty()) {
      return;
    }
    List<String> ids = want.stream().map(Record::id).toList();
    List<Record> got = retries.call("reading a batch of the target", () -> target.get(ids));
    Map<String, Record> byId = new HashMap<>();
    got.forEach(r -> byId.put(r.id(), r));
    long ok = 0;
    long norm = 0;
    for (Record w : want) {
      Record g = byId.get(w.id());
      if (g == null) {
        differ(w.id(), "MISSING", "not in the target");
        continue;
      }
      boolean same = true;
      if (!w.metadata().equals(g.metadata())) {
        differ(w.id(), "METADATA", describe(w.metadata(), g.metadata()));
        same = false;
      }
      int v = compareVectors(w.vector(), g.vector());
      if (v < 0) {
        differ(w.id(), "VECTOR", "vectors differ beyond the tolerance " + tolerance);
        same = false;
      }
      if (same) {
        ok++;
        norm += v == 1 ? 1 : 0;
      }
    }
    synchronized (this) {
      checked += want.size();
      matched += ok;
      normalised += norm;
      listener.progress(checked, 0);
    }
  }

  /** @return 0 when equal within tolerance, 1 when equal only after normalisation (COSINE), -1 otherwise */
  int compareVectors(float[] a, float[] b) {
    if (a.length != b.length) {
      return -1;
    }
    if (within(a, b, 1, 1)) {
      return 0;
    }
    if (metric == Metric.COSINE) {
      double na = norm(a);
      double nb = norm(b);
      if (na > 0 && nb > 0 && within(a, b, na, nb)) {
        return 1;
      }
    }
    return -1;
  }

  private boolean within(float[] a, float[] b, double na, double nb) {
    for (int i = 0; i < a.length; i++) {
      double x = a[i] / na;
      double y = b[i] / nb;
      if (Math.abs(x - y) > tolerance * Math.max(1.0, Math.abs(x))) {
        return false;
      }
    }
    return true;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  private static String describe(Metadata want, Metadata got) {
    List<String> parts = new ArrayList<>();
    for (String k : want.keys()) {
      Object w = want.get(k).orElseThrow();
      Object g = got.get(k).orElse(null);
      if (!Objects.equals(w, g)) {
        parts.add(k + ": " + typed(w) + " in the source, " + (g == null ? "missing" : typed(g)) + " in the target");
      }
    }
    for (String k : got.keys()) {
      if (!want.containsKey(k)) {
        parts.add(k + ": missing in the source, " + typed(got.get(k).orElseThrow()) + " in the target");
      }
    }
    return String.join("; ", parts);
  }

  private static String typed(Object v) {
    return v.getClass().getSimpleName().replace("ImmutableCollections$", "").replaceAll("^List.*", "List")
        + " " + (v instanceof String s ? "'" + s + "'" : String.valueOf(v));
  }

  private synchronized void differ(String id, String kind, String detail) {
    differenceCount++;
    if (differences.size() < MAX_LISTED) {
      differences.add(new VerificationReport.Difference(id, kind, detail));
    }
  }
}
